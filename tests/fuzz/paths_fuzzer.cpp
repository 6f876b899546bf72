// libFuzzer: attribution path strings ("fair > visit > demo") through PathSet::parse.
// Input: byte 0 picks the separator form, the rest is newline-separated paths.
#include <string>
#include <string_view>
#include <vector>

#include "funnelnet/attribution/paths.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const auto mode = in.take<std::uint8_t>();
  static const char* const seps[] = {">", " > ", "->", "", ",", "\n"};
  const std::string_view sep = seps[mode % 6];
  const std::string text(in.rest());
  std::vector<std::string_view> paths;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      paths.emplace_back(text.data() + start, i - start);
      start = i + 1;
    }
  std::vector<double> conv(paths.size()), nulls(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    conv[i] = static_cast<double>((mode >> 3) & 3);
    nulls[i] = (i + mode) % 3 == 0 ? 1.0 : 0.0;
  }
  std::vector<std::string> vocab;
  if (mode & 0x80) vocab = {"a", "b", "c"};
  fuzz::expect_typed([&] {
    (void)funnelnet::PathSet::parse(
        paths, sep, conv, (mode & 0x40) ? std::span<const double>(nulls) : std::span<const double>{}, {},
        vocab);
  });
  return 0;
}
