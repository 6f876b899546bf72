// One side of benchmarks/ab/ab_counts.sh: FUNNELNET_AB_RUN (runA or runB) counts the log with
// the core built under namespace funnelnetA or funnelnetB (-Dfunnelnet=...), through the
// integer-code, Categorical-like or int32 path (mode 64, 8, 32).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/funnel/counts.hpp"
double FUNNELNET_AB_RUN(const std::vector<std::int64_t>& lead, const std::vector<std::int64_t>& time,
                        const std::vector<std::int8_t>& st8, const std::vector<std::int64_t>& st64,
                        const std::vector<std::int32_t>& st32, int mode, int threads) {
  using namespace funnelnet;
  static StageSpace* space = nullptr;
  if (!space) {
    std::vector<std::string> names;
    std::vector<bool> ab;
    for (int i = 0; i < 10; ++i) {
      names.push_back("s" + std::to_string(i));
      ab.push_back(i >= 8);
    }
    space = new StageSpace(names, ab);
  }
  static const std::vector<std::int32_t> map = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  TransitionCounts c;
  if (mode == 8)
    c = TransitionCounts::from_events<std::int64_t, std::int8_t>(
        *space, lead, time, StageCodes<std::int8_t>{st8, map, 0}, Repeats::collapse, threads);
  else if (mode == 64)
    c = TransitionCounts::from_events<std::int64_t, std::int64_t>(
        *space, lead, time, StageCodes<std::int64_t>{st64, map, 0}, Repeats::collapse, threads);
  else
    c = TransitionCounts::from_events<std::int64_t>(*space, lead, time, std::span<const std::int32_t>(st32),
                                                    Repeats::collapse, threads);
  return c.matrix().sum() + c.matrix()(0, 1) * 1e-3 + c.matrix()(3, 8) * 1e-6;
}
