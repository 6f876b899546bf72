// Files: crash-safe writes and whole-file reads, used by every model file.
#pragma once

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

/// The whole file as text; Errc::io_error naming the path if it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace io
FUNNELNET_END
