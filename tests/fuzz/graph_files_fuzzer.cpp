// libFuzzer: SNAP edge lists and METIS files (the readers take a path: the input is
// written to a private temporary file first).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "funnelnet/graph/io.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const auto mode = in.take<std::uint8_t>();
  static const std::string path = "/tmp/funnelnet_fuzz_graph_" + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    const std::string_view rest = in.rest();
    std::fwrite(rest.data(), 1, rest.size(), f);
    std::fclose(f);
  }
  funnelnet::GraphOptions g;
  g.self_loops = static_cast<funnelnet::SelfLoops>((mode >> 4) % 3);
  g.duplicates = static_cast<funnelnet::Duplicates>((mode >> 6) % 3);
  if (mode & 1) {
    fuzz::expect_typed([&] { (void)funnelnet::read_metis(path, g); });
  } else {
    funnelnet::EdgeListOptions o;
    o.header_lines = (mode >> 1) & 1;
    o.weighted = (mode & 4) != 0;
    o.symmetric = (mode & 8) != 0;
    o.graph = g;
    fuzz::expect_typed([&] { (void)funnelnet::read_edge_list(path, o); });
  }
  return 0;
}
