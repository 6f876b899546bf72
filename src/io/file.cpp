// Crash-safe file writes (unique temporary, fsync, rename, fsync of the folder).
#include "funnelnet/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

FUNNELNET_BEGIN
namespace io {
namespace {

std::string unique_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  // Random bits from the OS where available, mixed with the clock: two processes with
  // the same pid (containers) still pick different names.
  std::uint64_t r = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  try {
    std::random_device rd;
    r ^= (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {  // no entropy source: the clock and the counter still separate names
  }
  char buf[96];
  (void)std::snprintf(buf, sizeof buf, ".tmp-%ld-%llu-%016llx", static_cast<long>(::getpid()),
                      static_cast<unsigned long long>(counter.fetch_add(1)),
                      static_cast<unsigned long long>(r));
  return buf;
}

void write_all(int fd, std::string_view text, const std::filesystem::path& tmp) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(Errc::io_error, "cannot write '", tmp.string(), "': ", std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_atomic(const std::filesystem::path& path, std::string_view text) {
  if (path.empty()) fail(Errc::io_error, "cannot write a model file to an empty path");
  std::filesystem::path tmp = path;
  tmp += unique_suffix();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail(Errc::io_error, "cannot open '", tmp.string(), "' for writing: ", std::strerror(errno));
  try {
    write_all(fd, text, tmp);
    if (::fsync(fd) != 0)
      fail(Errc::io_error, "cannot flush '", tmp.string(), "' to disk: ", std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(Errc::io_error, "cannot close '", tmp.string(), "': ", std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(Errc::io_error, "cannot rename '", tmp.string(), "' to '", path.string(), "': ", std::strerror(err));
  }
  // Make the rename durable: fsync the folder (best effort; some file systems refuse).
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

namespace {
std::atomic<std::uint64_t> g_max_file_bytes{default_max_file_bytes};

[[noreturn]] void fail_too_large(const std::filesystem::path& path, std::uint64_t size, bool at_least,
                                 std::uint64_t limit) {
  fail(Errc::io_error, "cannot read '", path.string(), "': it is ", at_least ? "more than " : "", size,
       " bytes, over the limit of ", limit,
       " bytes (raise it with set_max_file_bytes / fnet_set_max_file_bytes / fn.set_max_file_bytes)");
}
}  // namespace

std::uint64_t max_file_bytes() noexcept {
  return g_max_file_bytes.load(std::memory_order_relaxed);
}

std::uint64_t set_max_file_bytes(std::uint64_t bytes) {
  if (bytes == 0) fail(Errc::invalid_argument, "max_file_bytes must be at least 1, got 0");
  return g_max_file_bytes.exchange(bytes, std::memory_order_relaxed);
}

void check_file_size(const std::filesystem::path& path, std::uint64_t limit) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limit) fail_too_large(path, size, false, limit);
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(Errc::io_error, "cannot read '", path.string(), "': it is a folder, not a file");
  const std::uint64_t limit = max_file_bytes();
  check_file_size(path, limit);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Errc::io_error, "cannot open '", path.string(), "' for reading: ", std::strerror(errno));
  // Bounded memory (issue 17: a 1 GB whitespace file peaked at 4 GB through a growing
  // string stream and its copy): the file is read in 64 KiB blocks; leading whitespace,
  // which JSON ignores, is skipped without being stored, and the rest goes into one
  // buffer reserved at the size left.  Bytes are counted as they are read, so a pipe or a
  // device (/dev/zero) stops at the limit too.
  std::uint64_t seen = 0;
  std::streambuf* buf = in.rdbuf();
  std::string out;
  bool started = false;
  const auto size = std::filesystem::file_size(path, ec);
  const bool sized = !ec && size <= limit;
  std::vector<char> chunk(std::size_t{1} << 16);
  for (std::streamsize got;
       (got = buf->sgetn(chunk.data(), static_cast<std::streamsize>(chunk.size()))) > 0;) {
    seen += static_cast<std::uint64_t>(got);
    if (seen > limit) fail_too_large(path, limit, true, limit);
    const auto n = static_cast<std::size_t>(got);
    std::size_t from = 0;
    if (!started) {
      while (from < n &&
             (chunk[from] == ' ' || chunk[from] == '\t' || chunk[from] == '\n' || chunk[from] == '\r'))
        ++from;
      if (from == n) continue;
      started = true;
      const std::uint64_t skipped = seen - n + from;
      if (sized && size >= skipped) out.reserve(static_cast<std::size_t>(size - skipped));
    }
    out.append(chunk.data() + from, n - from);
  }
  if (in.bad()) fail(Errc::io_error, "cannot read '", path.string(), "'");
  return out;
}

}  // namespace io
FUNNELNET_END
