// A sales funnel in C++: declare the stages, count transitions from paths, fit the
// chain, and ask where leads end and how long they take.
//   (built in-tree, and against an installed funnelnet by tests/package/run.cmake)
#include <cmath>
#include <cstdio>
#include <vector>

#include "funnelnet/funnel.hpp"

int main() {
  using namespace funnelnet;
  const StageSpace funnel = StageSpace::funnel({"potential", "possible", "target"}, {"won", "lost"});

  // Three observed paths (as stage indices) with how often each was seen.
  //   potential > possible > target > won     x 10
  //   potential > possible > lost             x 25
  //   potential > potential > lost            x 65
  const std::vector<std::int32_t> stages{0, 1, 2, 3, 0, 1, 4, 0, 0, 4};
  const std::vector<std::int64_t> offsets{0, 4, 7, 10};
  const std::vector<double> weights{10, 25, 65};
  const auto counts = TransitionCounts::from_paths(funnel, stages, offsets, weights);
  const MarkovChain chain = fit(counts, {.smoothing = 0.0});
  const AbsorbingAnalysis a = analyze_absorbing(chain);

  std::printf("%-10s %8s %8s %12s\n", "stage", "P(won)", "P(lost)", "E[steps]");
  for (std::size_t i = 0; i < a.transient.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    std::printf("%-10s %8.3f %8.3f %12.3f\n", funnel.name(a.transient[i]).c_str(), a.absorption(r, 0),
                a.absorption(r, 1), a.expected_steps(r));
  }
  // 10 of 100 leads are won: the win probability from 'potential' must be 0.1.
  return std::abs(a.absorption(0, 0) - 0.1) < 1e-12 ? 0 : 1;
}
