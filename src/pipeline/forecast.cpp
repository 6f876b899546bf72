// Per-opportunity win probabilities by period (include/funnelnet/pipeline/forecast.hpp).
#include "funnelnet/pipeline/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

FUNNELNET_BEGIN

namespace {

void check(const StageSpace& space, std::span<const std::size_t> stage, std::size_t won,
           std::size_t periods) {
  if (periods == 0) fail(Errc::invalid_argument, "the horizon must be at least 1 period, got 0");
  if (won >= space.size() || !space.is_absorbing(won))
    fail(Errc::invalid_argument, "won stage ", won, " is not an absorbing stage of the chain (", space.size(),
         " stages)");
  for (std::size_t i = 0; i < stage.size(); ++i) {
    if (stage[i] >= space.size())
      fail(Errc::invalid_argument, "stage of deal ", i, " is ", stage[i], ", out of range (the chain has ",
           space.size(), " stages)");
    if (space.is_absorbing(stage[i]))
      fail(Errc::invalid_argument, "deal ", i, " is in stage ", stage[i], " (", space.name(stage[i]),
           "), an outcome, not an open opportunity");
  }
}

/// Row-major deals x periods from the per-period columns of P(won by then) per stage.
std::vector<double> gather(const std::vector<Vector>& by, std::span<const std::size_t> stage) {
  const std::size_t h = by.size();
  std::vector<double> out(stage.size() * h);
  for (std::size_t i = 0; i < stage.size(); ++i) {
    double prev = 0.0;
    for (std::size_t k = 0; k < h; ++k) {
      // monotone and in [0, 1] despite round-off
      prev = std::clamp(std::max(prev, by[k](static_cast<Eigen::Index>(stage[i]))), 0.0, 1.0);
      out[i * h + k] = prev;
    }
  }
  return out;
}

}  // namespace

std::vector<double> won_by_period(const MarkovChain& chain, std::span<const std::size_t> stage,
                                  std::size_t won, std::size_t periods) {
  check(chain.space(), stage, won, periods);
  // w_k = P^k e_won: entry s is P(absorbed in `won` within k steps from s).
  std::vector<Vector> by(periods);
  Vector w = Vector::Zero(static_cast<Eigen::Index>(chain.size()));
  w(static_cast<Eigen::Index>(won)) = 1.0;
  for (std::size_t k = 0; k < periods; ++k) {
    w = chain.matrix() * w;
    by[k] = w;
  }
  return gather(by, stage);
}

std::vector<double> won_by_period(const ContinuousChain& chain, std::span<const std::size_t> stage,
                                  std::size_t won, std::size_t periods, double period) {
  check(chain.space(), stage, won, periods);
  if (!(period > 0.0) || !std::isfinite(period))
    fail(Errc::invalid_argument, "period length must be finite and > 0, got ", period);
  std::vector<Vector> by(periods);
  const Matrix step = chain.transition_matrix(period);
  Vector w = Vector::Zero(static_cast<Eigen::Index>(chain.size()));
  w(static_cast<Eigen::Index>(won)) = 1.0;
  for (std::size_t k = 0; k < periods; ++k) {
    w = step * w;
    by[k] = w;
  }
  return gather(by, stage);
}

std::vector<double> won_by_period(const SemiMarkovFunnel& model, std::span<const std::size_t> stage,
                                  std::span<const double> age, std::size_t won, std::size_t periods,
                                  double period, std::size_t draws, std::uint64_t seed, int threads) {
  check(model.space(), stage, won, periods);
  require_size(age.size(), stage.size(), "ages");
  if (!(period > 0.0) || !std::isfinite(period))
    fail(Errc::invalid_argument, "period length must be finite and > 0, got ", period);
  if (draws == 0) fail(Errc::invalid_argument, "draws must be >= 1, got 0");
  for (std::size_t i = 0; i < age.size(); ++i)
    if (!(age[i] >= 0.0) || !std::isfinite(age[i]))
      fail(Errc::invalid_argument, "age of deal ", i, " must be finite and >= 0, got ", age[i]);
  std::map<std::pair<std::size_t, double>, std::vector<double>> by;  // (stage, age) -> P(won by each end)
  for (std::size_t i = 0; i < stage.size(); ++i) {
    auto [it, fresh] = by.try_emplace({stage[i], age[i]});
    if (!fresh) continue;
    const auto d = model.simulate_close(static_cast<std::int32_t>(stage[i]), age[i], draws, seed, threads);
    std::vector<double> t;
    for (std::size_t r = 0; r < d.outcome.size(); ++r)
      if (d.outcome[r] == static_cast<std::int32_t>(won)) t.push_back(d.time[r]);
    std::sort(t.begin(), t.end());
    it->second.resize(periods);
    for (std::size_t k = 0; k < periods; ++k) {
      const double end = period * static_cast<double>(k + 1);
      const auto hit = std::upper_bound(t.begin(), t.end(), end) - t.begin();
      it->second[k] = static_cast<double>(hit) / static_cast<double>(draws);
    }
  }
  std::vector<double> out(stage.size() * periods);
  for (std::size_t i = 0; i < stage.size(); ++i) {
    const std::vector<double>& v = by.at(std::make_pair(stage[i], age[i]));
    std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(i * periods));
  }
  return out;
}

std::vector<double> won_in_period(std::span<const double> won_by, std::size_t periods, std::size_t period,
                                  bool cumulative) {
  if (periods == 0 || won_by.size() % periods != 0)
    fail(Errc::shape_mismatch, "a table of ", won_by.size(), " entries is not deals x ", periods, " periods");
  if (period >= periods)
    fail(Errc::invalid_argument, "period ", period, " is beyond the horizon of ", periods);
  const std::size_t n = won_by.size() / periods;
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double c = won_by[i * periods + period];
    out[i] = cumulative || period == 0 ? c : std::max(c - won_by[i * periods + period - 1], 0.0);
  }
  return out;
}

FUNNELNET_END
