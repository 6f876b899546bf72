"""CRM opportunity tables: one row per opportunity with its current stage and one date
column per stage (the shape CRMs export), reshaped into the event log that
:meth:`TransitionCounts.from_events` and :meth:`ExposureCounts.from_events` read.

Each opportunity walks the stages of ``stage_dates`` in order: an open one up to its
current stage, a closed one up to its last stage with a date (at least the first
stage), then into its outcome on its close date.  Stages without a date are handled as
``missing`` says:

- ``"censor"``: what is known before the missing date is kept and nothing after it.
  Leading stages without a date are skipped (the history starts at the first dated
  stage); after a dated stage, an undated one cuts the history there, so the
  opportunity counts as open in its last dated stage until the cut-off.  An
  opportunity without any date is left out.
- ``"untimed"``: an undated stage is a step without a time of its own: it takes the
  date of the next dated step on the opportunity's path (it comes first among equal
  times), or the previous one's, or the cut-off when the opportunity has no date at
  all.  It adds the step to the counts and no time in stage.

>>> import pandas as pd, funnelnet as fn
>>> deals = pd.DataFrame({
...     "id": ["a", "b", "c", "d"],
...     "stage": ["Prospecting", "Engaging", "Won", "Lost"],
...     "engage": pd.to_datetime([None, "2017-01-05", "2017-01-02", "2017-01-03"]),
...     "close": pd.to_datetime([None, None, "2017-01-12", "2017-01-07"])})
>>> counts = fn.TransitionCounts.from_opportunities(
...     deals, lead="id", stage="stage",
...     stage_dates={"Prospecting": None, "Engaging": "engage"},
...     outcomes=["Won", "Lost"], close="close", missing="untimed")
>>> counts.to_frame().loc[["Prospecting", "Engaging"], ["Engaging", "Won"]].to_numpy().tolist()
[[3.0, 0.0], [0.0, 1.0]]
>>> e = fn.ExposureCounts.from_opportunities(
...     deals, lead="id", stage="stage", stage_dates={"Prospecting": None, "Engaging": "engage"},
...     outcomes=["Won", "Lost"], close="close", cutoff="2017-01-15")
>>> float(e.exposure["Engaging"])  # 10 + 4 + 10 days (b is open until the cut-off)
24.0
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from .._common.options import choice
from .._common.time import is_calendar, times_as_ns, timestamp_ns
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError, UnknownLabelError
from .stages import Funnel

__all__ = ["opportunity_events", "opportunity_table_hint"]

MISSING = {"censor": 0, "untimed": 1}
#: ``missing=`` values (keys of MISSING).
Missing = Literal["censor", "untimed"]


def _times(df: pd.DataFrame, col: str | None, name: str) -> np.ndarray:
    """A date column as float nanoseconds (datetimes) or numbers; NaN where missing."""
    if col is None:
        return np.full(len(df), np.nan)
    s = df[col]
    if is_calendar(s):
        out = np.full(len(s), np.nan)
        ok = s.notna().to_numpy()
        if ok.any():  # the package's time rule on the dates present
            out[ok] = times_as_ns(s[ok], name).astype(np.float64)
        return out
    if s.dtype.kind in "iuf":
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if s.dtype == object and s.isna().all():
        return np.full(len(df), np.nan)
    raise InputTypeError(f"{name} column {col!r} must hold dates or numbers, got dtype {s.dtype}")


def opportunity_events(
    df: pd.DataFrame,
    *,
    stage: str,
    stage_dates: Mapping[str, str | None],
    outcomes: Sequence[str],
    close: str | None,
    lead: str | None = None,
    missing: Missing = "censor",
    cutoff: Any = None,
) -> tuple[pd.DataFrame, Funnel, Any]:
    """The event log (columns ``lead``, ``stage``, ``time``), the funnel and the time kind
    of an opportunity table; see the module docstring for the rules.  Vectorised: one
    pass per stage column, no loop over rows."""
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    mode = choice(missing, MISSING, "missing")
    if not isinstance(stage_dates, Mapping) or len(stage_dates) == 0:
        raise InvalidArgumentError("stage_dates must map each stage, in funnel order, to its date column (or None)")
    order = [str(s) for s in stage_dates]
    outs = [str(o) for o in outcomes]
    cols = {"stage": stage, "lead": lead, "close": close}
    cols.update({f"stage_dates[{s!r}]": c for s, c in stage_dates.items()})
    require_columns(df, cols)
    if len(df) == 0:
        raise EmptyInputError("the opportunity table has no rows")
    funnel = Funnel(order, outs)
    n, k = len(df), len(order)

    cur = df[stage]
    if cur.isna().any():
        raise InvalidArgumentError(f"{stage}: row {int(np.flatnonzero(cur.isna().to_numpy())[0])} is missing")
    states = order + outs
    code = pd.Index(states).get_indexer(cur.astype(str).to_numpy())  # type: ignore[arg-type]
    bad = np.flatnonzero(code < 0)
    if bad.size:
        raise UnknownLabelError(f"{stage}: row {int(bad[0])} has stage {cur.iloc[int(bad[0])]!r}, which is neither in "
                                f"stage_dates ({', '.join(order)}) nor an outcome ({', '.join(outs)})")
    closed = code >= k

    # Times: (n, k + 1), the last column the close date (closed opportunities only).
    t = np.empty((n, k + 1))
    for j, s in enumerate(order):
        t[:, j] = _times(df, stage_dates[s], f"stage_dates[{s!r}]")
    t[:, k] = _times(df, close, "close") if close is not None else np.nan
    t[~closed, k] = np.nan
    calendar = any(stage_dates[s] is not None and is_calendar(df[stage_dates[s]]) for s in order) or (
        close is not None and is_calendar(df[close]))

    # Which steps each opportunity took: stages 0..reached, then its outcome if closed.
    dated = ~np.isnan(t[:, :k])
    last_dated = np.where(dated.any(axis=1), k - 1 - np.argmax(dated[:, ::-1], axis=1), 0)
    reached = np.where(closed, last_dated, code)
    cols_idx = np.arange(k + 1)
    on_path = cols_idx[None, :k] <= reached[:, None]
    on_path = np.concatenate([on_path, closed[:, None]], axis=1)
    has_time = ~np.isnan(t)

    if cutoff is not None:
        cut = float(timestamp_ns(cutoff, "cutoff")) if calendar else float(cutoff)
    else:
        finite = t[has_time & on_path]
        cut = float(finite.max()) if finite.size else 0.0

    if mode == MISSING["censor"]:
        # Skip leading undated steps; cut at the first undated step after a dated one.
        seen = np.cumsum(has_time & on_path, axis=1) > 0
        gap = on_path & seen & ~has_time
        after_gap = np.cumsum(gap, axis=1) > 0
        keep = on_path & has_time & ~after_gap
    else:
        # Undated steps take the next dated step's time, else the previous one's, else
        # the cut-off (an opportunity without dates).
        tt = np.where(on_path, t, np.nan)
        nxt = pd.DataFrame(tt).bfill(axis=1).to_numpy()
        prv = pd.DataFrame(tt).ffill(axis=1).to_numpy()
        filled = np.where(np.isnan(nxt), prv, nxt)
        t = np.where(np.isnan(filled), cut, filled)
        keep = on_path

    # Dates must not go backwards along an opportunity's path.
    kt = np.where(keep, t, np.nan)
    before = np.fmax.accumulate(np.concatenate([np.full((n, 1), np.nan), kt[:, :-1]], axis=1), axis=1)
    back = keep & (kt < before)
    if back.any():
        r, j = (int(x[0]) for x in np.nonzero(back))
        who = df[lead].iloc[r] if lead is not None else df.index[r]
        col = close if j == k else stage_dates[order[j]]
        step = "the close" if j == k else f"stage {order[j]!r}"
        raise InvalidArgumentError(f"opportunity {who!r} (row {r}): {col} = {df[col].iloc[r]} for {step} is before an "
                                   f"earlier stage's date; dates must not go backwards along {' > '.join(order)} > outcome")
    rows, steps = np.nonzero(keep)  # row-major: per opportunity, in path order
    if rows.size == 0:
        raise EmptyInputError("no opportunity has a dated step (missing='censor' leaves out undated steps)")
    state_code = np.where(steps < k, steps, code[rows])
    ids = df[lead].to_numpy()[rows] if lead is not None else df.index.to_numpy()[rows]
    times: Any = t[rows, steps]
    if calendar:
        times = pd.to_datetime(times.astype(np.int64), unit="ns")
    elif np.all(times == np.round(times)) and all(
            (stage_dates[s] is None or df[stage_dates[s]].dtype.kind in "iu") for s in order):
        times = times.astype(np.int64)
    log = pd.DataFrame({"lead": ids, "stage": np.asarray(states, dtype=object)[state_code], "time": times})
    return log, funnel, cutoff


@contextlib.contextmanager
def opportunity_table_hint(df: Any, lead: str, time: str) -> Iterator[None]:
    """Re-raise an error of an event-log reader with a pointer to ``from_opportunities``
    when ``df`` looks like an opportunity table (one row per lead, stage date columns)."""
    try:
        yield
    except (UnknownLabelError, InvalidArgumentError, InputTypeError) as e:
        hint = _hint(df, lead, time)
        if not hint:
            raise
        raise type(e)(f"{e}.{hint}") from None


def _hint(df: Any, lead: str, time: str) -> str:
    if not isinstance(df, pd.DataFrame) or len(df) == 0 or lead not in df.columns:
        return ""
    date_cols = [str(c) for c in df.columns
                 if pd.api.types.is_datetime64_any_dtype(df[c]) or "date" in str(c).lower()]
    if len(date_cols) < 2 or df[lead].duplicated().any():
        return ""
    return (" This looks like an opportunity table (one row per opportunity, date columns "
            f"{', '.join(map(repr, date_cols))}): read it with TransitionCounts.from_opportunities(df, "
            "stage=..., stage_dates={stage: date column, ...}, outcomes=[...], close=...) or "
            "ExposureCounts.from_opportunities(...)")
