// CRM opportunity tables reshaped into event logs (declared in funnelnet/funnel/opportunities.hpp).
#include "funnelnet/funnel/opportunities.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

FUNNELNET_BEGIN

OpportunityEvents opportunity_events(const StageSpace& space, std::span<const std::int32_t> current,
                                     std::span<const double> dates, std::span<const double> close,
                                     MissingDates missing, std::optional<double> cutoff) {
  const std::size_t n = current.size();
  const auto& stages = space.transient();
  const std::size_t k = stages.size();
  if (n == 0) fail(Errc::empty_input, "the opportunity table has no rows");
  if (k == 0) fail(Errc::invalid_argument, "the stage space has no stages (only outcomes)");
  require_size(dates.size(), n * k, "dates (rows x stages)");
  if (!close.empty()) require_size(close.size(), n, "close");
  if (missing != MissingDates::censor && missing != MissingDates::untimed)
    fail(Errc::invalid_argument, "missing: unknown value ", static_cast<int>(missing),
         " (0 = censor, 1 = untimed)");
  if (cutoff && !std::isfinite(*cutoff)) fail(Errc::invalid_argument, "cutoff must be finite, got ", *cutoff);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  // Position of each state among the stages (-1 for outcomes).
  std::vector<std::int32_t> pos(space.size(), -1);
  for (std::size_t j = 0; j < k; ++j) pos[static_cast<std::size_t>(stages[j])] = static_cast<std::int32_t>(j);
  // Per row: the times of its path (k stages + the close), NaN where undated or off the path.
  std::vector<double> t(n * (k + 1), nan);
  std::vector<std::uint8_t> on(n * (k + 1), 0);
  double latest = -std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < n; ++r) {
    const std::int32_t code = current[r];
    if (code < 0 || static_cast<std::size_t>(code) >= space.size())
      fail(Errc::out_of_range, "current: row ", r, " is ", code, ", expected 0..", space.size() - 1);
    const bool closed = space.is_absorbing(static_cast<std::size_t>(code));
    std::size_t last_dated = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double d = dates[r * k + j];
      if (std::isinf(d))
        fail(Errc::invalid_argument, "dates: row ", r, ", stage '",
             space.name(static_cast<std::size_t>(stages[j])), "' is ", d,
             "; expected a finite date or NaN (no date)");
      if (!std::isnan(d)) last_dated = j;
    }
    const std::size_t reached =
        closed ? last_dated : static_cast<std::size_t>(pos[static_cast<std::size_t>(code)]);
    for (std::size_t j = 0; j <= reached; ++j) {
      on[r * (k + 1) + j] = 1;
      t[r * (k + 1) + j] = dates[r * k + j];
    }
    if (closed) {
      const double c = close.empty() ? nan : close[r];
      if (std::isinf(c))
        fail(Errc::invalid_argument, "close: row ", r, " is ", c,
             "; expected a finite date or NaN (no date)");
      on[r * (k + 1) + k] = 1;
      t[r * (k + 1) + k] = c;
    }
    for (std::size_t j = 0; j <= k; ++j)
      if (!std::isnan(t[r * (k + 1) + j])) latest = std::max(latest, t[r * (k + 1) + j]);
  }
  OpportunityEvents out;
  out.cutoff = cutoff ? *cutoff : (std::isfinite(latest) ? latest : 0.0);
  auto step_name = [&](std::size_t j, std::int32_t code) {
    return j < k ? "stage '" + space.name(static_cast<std::size_t>(stages[j])) + "'"
                 : "the close ('" + space.name(static_cast<std::size_t>(code)) + "')";
  };
  std::vector<double> row_t(k + 1);
  for (std::size_t r = 0; r < n; ++r) {
    const double* tr = &t[r * (k + 1)];
    const std::uint8_t* onr = &on[r * (k + 1)];
    std::vector<std::uint8_t> keep(k + 1, 0);
    if (missing == MissingDates::censor) {
      bool seen = false;
      for (std::size_t j = 0; j <= k; ++j) {
        if (!onr[j]) continue;
        if (!std::isnan(tr[j])) {
          seen = true;
          keep[j] = 1;
          row_t[j] = tr[j];
        } else if (seen) {
          break;  // an undated step after a dated one: the history stops here
        }
      }
    } else {
      for (std::size_t j = 0; j <= k; ++j) {
        if (!onr[j]) continue;
        keep[j] = 1;
        double v = tr[j];
        for (std::size_t m = j + 1; std::isnan(v) && m <= k; ++m)
          if (onr[m]) v = tr[m];
        for (std::size_t m = j; std::isnan(v) && m-- > 0;)
          if (onr[m]) v = tr[m];
        row_t[j] = std::isnan(v) ? out.cutoff : v;
      }
    }
    double before = -std::numeric_limits<double>::infinity();
    std::size_t before_j = 0;
    for (std::size_t j = 0; j <= k; ++j) {
      if (!keep[j]) continue;
      if (row_t[j] < before)
        fail(Errc::invalid_argument, "opportunity row ", r, ": the date of ", step_name(j, current[r]), " (",
             row_t[j], ") is before the date of ", step_name(before_j, current[r]), " (", before,
             "); dates must not go backwards along the stages");
      before = row_t[j];
      before_j = j;
      out.lead.push_back(static_cast<std::int64_t>(r));
      out.stage.push_back(j < k ? stages[j] : current[r]);
      out.time.push_back(row_t[j]);
    }
  }
  if (out.lead.empty())
    fail(Errc::empty_input, "no opportunity has a dated step (missing = censor leaves out undated steps)");
  return out;
}

FUNNELNET_END
