// benchmarks/ab/ab_counts.sh: shuffled events with random 64-bit lead ids (2-18 events per
// lead), counted by two builds of the core alternately (A B, then B A) in CPU seconds.
//   ab_counts ROUNDS MODE EVENTS THREADS
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>
double runA(const std::vector<std::int64_t>&, const std::vector<std::int64_t>&,
            const std::vector<std::int8_t>&, const std::vector<std::int64_t>&,
            const std::vector<std::int32_t>&, int, int);
double runB(const std::vector<std::int64_t>&, const std::vector<std::int64_t>&,
            const std::vector<std::int8_t>&, const std::vector<std::int64_t>&,
            const std::vector<std::int32_t>&, int, int);
static double cpu() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10;
  int mode = argc > 2 ? atoi(argv[2]) : 8;
  std::size_t n = argc > 3 ? (std::size_t)atof(argv[3]) : 10000000;
  int threads = argc > 4 ? atoi(argv[4]) : 1;
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> lead, time;
  std::vector<std::int8_t> st8;
  std::vector<std::int64_t> st64;
  std::vector<std::int32_t> st32;
  std::int64_t t = 0;
  while (lead.size() < n) {
    std::size_t len = std::min<std::size_t>(n - lead.size(), 2 + rng() % 17);
    std::int64_t id = (std::int64_t)rng();
    for (std::size_t k = 0; k < len; ++k) {
      lead.push_back(id);
      time.push_back(t += 1 + rng() % 86400);
      int s = k + 1 == len ? 8 + (int)(rng() % 2) : (int)(rng() % 8);
      st8.push_back((std::int8_t)s);
      st64.push_back(s);
      st32.push_back(s);
    }
  }
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = rng() % i;
    std::swap(lead[i - 1], lead[j]);
    std::swap(time[i - 1], time[j]);
    std::swap(st8[i - 1], st8[j]);
    std::swap(st64[i - 1], st64[j]);
    std::swap(st32[i - 1], st32[j]);
  }
  double ra = runA(lead, time, st8, st64, st32, mode, threads),
         rb = runB(lead, time, st8, st64, st32, mode, threads);
  if (ra != rb) {
    std::printf("RESULTS DIFFER %.9f %.9f\n", ra, rb);
    return 1;
  }
  std::vector<double> a, b, ratio;
  for (int k = 0; k < rounds; ++k) {
    double c0 = cpu();
    runA(lead, time, st8, st64, st32, mode, threads);
    double c1 = cpu();
    runB(lead, time, st8, st64, st32, mode, threads);
    double c2 = cpu();
    a.push_back(c1 - c0);
    b.push_back(c2 - c1);
    ratio.push_back((c2 - c1) / (c1 - c0));
    c0 = cpu();
    runB(lead, time, st8, st64, st32, mode, threads);
    c1 = cpu();
    runA(lead, time, st8, st64, st32, mode, threads);
    c2 = cpu();
    b.push_back(c1 - c0);
    a.push_back(c2 - c1);
    ratio.push_back((c1 - c0) / (c2 - c1));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::sort(ratio.begin(), ratio.end());
  std::printf(
      "mode %d n %zu: A min %.4f med %.4f | B min %.4f med %.4f | B/A median of pairs %.4f (q1 %.4f q3 "
      "%.4f)\n",
      mode, n, a[0], a[a.size() / 2], b[0], b[b.size() / 2], ratio[ratio.size() / 2], ratio[ratio.size() / 4],
      ratio[3 * ratio.size() / 4]);
}
