// libFuzzer: event logs (lead, time, stage rows in any order) through the readers that
// build transition counts, with integer and floating-point times.
#include <cmath>
#include <vector>

#include "funnelnet/funnel/counts.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const auto mode = in.take<std::uint8_t>();
  std::vector<std::int64_t> lead, ti;
  std::vector<double> tf;
  std::vector<std::int32_t> stage;
  while (in.left() > 0 && lead.size() < 4096) {
    lead.push_back(in.take<std::int8_t>());
    const auto t = in.take<std::int16_t>();
    ti.push_back((mode & 4) ? static_cast<std::int64_t>(t) * 100'000'000'000'000LL : t);  // up to 3.3e18 ns
    tf.push_back((mode & 8) && t == 0x7fff ? std::nan("") : t / 7.0);
    stage.push_back(in.take<std::int8_t>() % 6);  // 5 states; 5 and negatives are out of range
  }
  if (mode & 16) stage.push_back(0);  // a column of another length
  const funnelnet::StageSpace space({"new", "qualified", "proposal", "won", "lost"},
                                    {false, false, false, true, true});
  const auto rep = (mode & 1) ? funnelnet::Repeats::keep : funnelnet::Repeats::collapse;
  const int threads = (mode & 2) ? 2 : 1;
  fuzz::expect_typed([&] {
    (void)funnelnet::TransitionCounts::from_events<std::int64_t>(space, lead, ti, stage, rep, threads);
  });
  fuzz::expect_typed(
      [&] { (void)funnelnet::TransitionCounts::from_events<double>(space, lead, tf, stage, rep, threads); });
  return 0;
}
