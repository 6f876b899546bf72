// Files: crash-safe writes and whole-file reads, used by every model file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN
namespace io {

/// Write `text` to `path` so that a reader sees either the old file or the whole new
/// one, never a mix, even if the writer is killed or the machine loses power: the text
/// goes to a temporary file beside `path` whose name is unique across threads and
/// processes (`<name>.tmp-<pid>-<counter>-<random>`, created exclusively), is flushed
/// to disk (fsync), and is renamed over `path`; the folder is then fsync'ed so the
/// rename itself is durable.  Throws Errc::io_error naming the path on failure; the
/// target is then untouched and the temporary file removed.
void write_atomic(const std::filesystem::path& path, std::string_view text);

/// The default of max_file_bytes(): 2 GiB (2^31 bytes).  Every loader (model JSON
/// files, edge lists, METIS files; in Python also the CLI's CSV/Parquet tables) refuses
/// a larger file before reading it, so a hostile or mistaken file cannot exhaust memory.
inline constexpr std::uint64_t default_max_file_bytes = std::uint64_t{1} << 31;

/// The largest file, in bytes, that the loaders read (process-wide; default
/// default_max_file_bytes).  Safe to call from any thread.
std::uint64_t max_file_bytes() noexcept;

/// Change the largest file the loaders read, for the whole process (e.g. to read an
/// edge list over 2 GiB, or to lower it for untrusted uploads); returns the previous
/// limit.  Errc::invalid_argument for 0.  Safe to call from any thread; a load already
/// under way keeps the limit it started with.
std::uint64_t set_max_file_bytes(std::uint64_t bytes);

/// Errc::io_error naming the path, its size and the limit when `path` is a regular file
/// larger than `limit` bytes (the loaders call it before reading; non-regular files such
/// as pipes are counted as they are read instead).
void check_file_size(const std::filesystem::path& path, std::uint64_t limit);

/// The whole file as text; Errc::io_error naming the path if it cannot be read, or
/// naming its size and the limit if it is larger than max_file_bytes() (checked before
/// reading; a pipe or device is cut off once it passes the limit).
std::string read_file(const std::filesystem::path& path);

}  // namespace io
FUNNELNET_END
