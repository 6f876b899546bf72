// IMM's memory budget follows the cgroup memory limit (v2 memory.max, v1
// memory.limit_in_bytes), read from a fake cgroup tree passed as the root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"

namespace fn = funnelnet;
namespace fs = std::filesystem;

namespace test_influence_memory {

struct FakeCgroups {
  fs::path root;
  explicit FakeCgroups(const std::string& name)
      : root(fs::temp_directory_path() / ("funnelnet_cgroup_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~FakeCgroups() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  FakeCgroups(const FakeCgroups&) = delete;
  FakeCgroups& operator=(const FakeCgroups&) = delete;
  void put(const std::string& rel, const std::string& text) const {
    const fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  [[nodiscard]] std::uint64_t limit(const std::string& proc) const {
    return fn::detail::cgroup_memory_limit(root.string(), proc);
  }
};

}  // namespace test_influence_memory

TEST(InfluenceMemory, CgroupV2MemoryMaxOfTheGroupAndItsParents) {
  const test_influence_memory::FakeCgroups cg("v2");
  cg.put("memory.max", "max\n");
  cg.put("user.slice/memory.max", "1073741824\n");
  cg.put("user.slice/job/memory.max", "max\n");
  // The group's own "max" does not lift its parent's 1 GiB.
  EXPECT_EQ(cg.limit("0::/user.slice/job\n"), std::uint64_t{1} << 30);
  // A tighter limit lower down wins.
  cg.put("user.slice/job/memory.max", "268435456\n");
  EXPECT_EQ(cg.limit("0::/user.slice/job\n"), std::uint64_t{1} << 28);
  // A group that is not in this mount (a container without a cgroup namespace): the
  // mount's own file still counts.
  cg.put("memory.max", "2147483648\n");
  EXPECT_EQ(cg.limit("0::/elsewhere/abc\n"), std::uint64_t{1} << 31);
  // No limit anywhere: UINT64_MAX.
  cg.put("memory.max", "max\n");
  EXPECT_EQ(cg.limit("0::/\n"), UINT64_MAX);
}

TEST(InfluenceMemory, CgroupV2UnderUnifiedInAHybridMount) {
  const test_influence_memory::FakeCgroups cg("hybrid");
  cg.put("unified/svc/memory.max", "536870912");
  EXPECT_EQ(cg.limit("1:cpu:/\n0::/svc\n"), std::uint64_t{1} << 29);
}

TEST(InfluenceMemory, CgroupV1LimitInBytesOfTheMemoryHierarchy) {
  const test_influence_memory::FakeCgroups cg("v1");
  cg.put("memory/memory.limit_in_bytes", "9223372036854771712\n");  // v1's "unlimited"
  cg.put("memory/process_api/abc/memory.limit_in_bytes", "3221225472\n");
  // The memory controller alone, or sharing a hierarchy with others.
  EXPECT_EQ(cg.limit("9:pids:/\n4:memory:/process_api/abc\n0::/\n"), std::uint64_t{3} << 30);
  EXPECT_EQ(cg.limit("4:cpu,memory:/process_api/abc\n"), std::uint64_t{3} << 30);
  // Another controller's path is not the memory group's.
  EXPECT_EQ(cg.limit("4:cpu:/process_api/abc\n"), UINT64_MAX);
  // v1 and v2 together: the smaller.
  cg.put("memory.max", "1073741824");
  EXPECT_EQ(cg.limit("4:memory:/process_api/abc\n0::/\n"), std::uint64_t{1} << 30);
}

TEST(InfluenceMemory, UnreadableCgroupFilesAreNoLimit) {
  const test_influence_memory::FakeCgroups cg("bad");
  cg.put("memory.max", "lots\n");
  cg.put("a/memory.max", "-5\n");
  cg.put("memory/memory.limit_in_bytes", "");
  EXPECT_EQ(cg.limit("0::/a\n4:memory:/\n"), UINT64_MAX);
  EXPECT_EQ(cg.limit(""), UINT64_MAX);
  EXPECT_EQ(cg.limit("garbage without colons\n"), UINT64_MAX);
  // A path that climbs out of the mount reads only the mount's own file.
  cg.put("memory.max", "4096");
  EXPECT_EQ(cg.limit("0::/../../etc\n"), 4096U);
  EXPECT_EQ(fn::detail::cgroup_memory_limit((cg.root / "absent").string(), "0::/\n"), UINT64_MAX);
}

TEST(InfluenceMemory, ImmBudgetIsHalfOfTheUsableMemory) {
  // The usable memory is at most the physical memory, and IMM's refusal names half of it.
  const auto usable = fn::detail::usable_memory_bytes();
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  ASSERT_GT(usable, 0U);
  if (pages > 0 && page > 0) {
    EXPECT_LE(usable, static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page));
  }
  std::vector<std::int64_t> src, dst;
  for (std::int64_t i = 0; i < 50; ++i) {
    src.push_back(i);
    dst.push_back((i + 1) % 50);
  }
  const auto g = fn::ReferralGraph::from_edges(src, dst);
  const std::vector<double> p(g.num_edges(), 0.1);
  fn::ImmOptions o;
  o.epsilon = 1e-5;
  const std::string gb =
      std::to_string(static_cast<long long>(std::floor(0.5 * static_cast<double>(usable) / 1e9)));
  expect_error([&] { (void)fn::imm(g, 3, p, o); }, fn::Errc::no_memory,
               "more than the " + gb + " GB it may use (half of the memory this process may use");
}
