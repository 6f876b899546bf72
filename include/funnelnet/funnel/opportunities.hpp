// CRM opportunity tables: one row per opportunity with its current stage and one date per
// stage (the shape CRMs export), reshaped into the event log every funnel reader takes.
//
// The stage space's transient stages, in index order, are the funnel's stages in order
// (one date column each); its absorbing states are the outcomes.  Each opportunity walks
// the stages in order: an open one up to its current stage, a closed one up to its last
// stage with a date (at least the first stage), then into its outcome on its close date.
// Stages without a date (NaN) are handled as `missing` says:
//  - censor: leading undated stages are skipped (the history starts at the first dated
//    stage); after a dated stage, an undated one cuts the history there, so the
//    opportunity counts as open in its last dated stage until the cut-off.  An
//    opportunity without any date is left out.
//  - untimed: an undated stage is a step without a time of its own: it takes the date of
//    the next dated step on the opportunity's path (coming first among equal times), or
//    the previous one's, or the cut-off when the opportunity has no date at all.
// Dates must not go backwards along a path (an error naming the row and stage).  The
// Python reader (funnelnet.funnel.opportunities) applies the same rules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// What an opportunity table's missing stage dates mean.  Values are stable (C ABI).
enum class MissingDates : int { censor = 0, untimed = 1 };

/// The event log of an opportunity table: row k says that opportunity lead[k] (its row
/// in the table) entered stage[k] at time[k]; rows per opportunity in path order.
struct OpportunityEvents {
  std::vector<std::int64_t> lead;
  std::vector<std::int32_t> stage;
  std::vector<double> time;
  double cutoff = 0.0;  ///< the cut-off given, else the latest date on any path (0 if none)
};

/// Reshape an opportunity table of n rows: `current[r]` is row r's state (an index into
/// `space`), `dates` is n x k row-major (k = the number of transient stages, NaN = no
/// date) and `close` holds each row's close date (n entries, read for closed rows only;
/// may be empty: no close dates).  Errors name the row, the stage and the value; an
/// opportunity table without any dated step is empty_input.
OpportunityEvents opportunity_events(const StageSpace& space, std::span<const std::int32_t> current,
                                     std::span<const double> dates, std::span<const double> close,
                                     MissingDates missing = MissingDates::censor,
                                     std::optional<double> cutoff = std::nullopt);

FUNNELNET_END
