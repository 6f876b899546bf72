"""The one time rule (funnelnet/_common/time.py): aware times converted to UTC, naive
taken as UTC, nanoseconds since the epoch, calendar periods in UTC with ISO weeks from
Monday; every area buckets the same timestamps into the same periods.  Where 0.1
disagreed, the old result stays available through an explicit argument."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet._common import time as ftime

PARIS = "Europe/Paris"


def test_zones_and_numbers():
    naive = pd.Series(pd.to_datetime(["2024-03-04 00:30", "2024-03-10 23:59"]))
    aware = naive.dt.tz_localize(PARIS)
    ns_naive = ftime.times_as_ns(naive, "t")
    ns_aware = ftime.times_as_ns(aware, "t")
    # Paris is UTC+1 in March: the aware times are one hour earlier in UTC.
    np.testing.assert_array_equal(ns_naive - ns_aware, [3600 * 10**9] * 2)
    assert ns_naive[0] == pd.Timestamp("2024-03-04 00:30", tz="UTC").value
    # strings: naive ones as UTC, offsets converted
    s = ftime.times_as_ns(pd.Series(["2024-03-04 00:30+00:00", "2024-03-04 01:30+01:00"]), "t")
    assert s[0] == s[1] == ns_naive[0]
    assert ftime.times_as_ns(pd.Series(["2024-03-04 00:30"]), "t")[0] == ns_naive[0]
    # any resolution
    secs = naive.astype("datetime64[s]")
    np.testing.assert_array_equal(ftime.times_as_ns(secs, "t"), ns_naive)
    assert ftime.timestamp_ns("2024-03-04 01:30+01:00", "cutoff") == ns_naive[0]
    assert ftime.timestamp_ns(pd.Timestamp("2024-03-04 00:30"), "cutoff") == ns_naive[0]
    with pytest.raises(fn.InvalidArgumentError, match="row 1 is NaT"):
        ftime.times_as_ns(pd.Series(pd.to_datetime(["2024-01-01", None])), "t")
    with pytest.raises(fn.InputTypeError, match="t: cannot read"):
        ftime.times_as_ns(pd.Series(["not a date"]), "t")


def test_periods_are_calendar_periods_in_utc():
    t = pd.Series(pd.to_datetime(["1970-01-01 00:00", "1969-12-29 00:00", "1969-12-28 23:59",
                                  "2024-01-07 23:00", "2024-01-08 00:00", "2024-02-29 12:00"]))
    ns = ftime.times_as_ns(t, "t")
    weeks = ftime.period_index(ns, "week")
    assert weeks[:3].tolist() == [0, 0, -1]                      # ISO week of the epoch starts Monday 1969-12-29
    assert weeks[4] == weeks[3] + 1                              # Sunday -> Monday is a new week
    # brute force: ISO weeks by pandas' W-SUN periods (Monday to Sunday)
    ref = t.dt.to_period("W-SUN").dt.start_time
    np.testing.assert_array_equal(ftime.period_start(weeks, "week"), ref.to_numpy().astype("datetime64[ns]").view(np.int64))
    assert (pd.to_datetime(ftime.period_start(weeks, "week")).day_of_week == 0).all()
    months = ftime.period_index(ns, "month")
    assert months[-1] == (2024 - 1970) * 12 + 1
    assert ftime.readable(ftime.period_start(months[-1], "month")) == "2024-02-01"
    days = ftime.period_index(ns, "day")
    np.testing.assert_array_equal(days, (t - pd.Timestamp("1970-01-01")).dt.days.to_numpy())
    assert ftime.floor_ns(int(ns[-1]), "day") == pd.Timestamp("2024-02-29").value
    with pytest.raises(fn.InvalidArgumentError, match="period must be one of"):
        ftime.period_index(ns, "fortnight")


def weekly_log():
    # Lead x enters on a Wednesday and wins the next Tuesday; lead y enters on a Sunday
    # and is still open.  ISO weeks: x spends Wed..Sun in week 0, wins in week 1.
    t0 = pd.Timestamp("2024-01-03 10:00")  # a Wednesday
    return pd.DataFrame({"lead": ["x", "x", "y"],
                         "at": [t0, t0 + pd.Timedelta(days=6), t0 + pd.Timedelta(days=4)],
                         "stage": ["open", "won", "open"]})


def test_from_periods_weeks_are_iso_weeks_by_default():
    f = fn.Funnel(["open"], outcomes=["won"])
    log = weekly_log()
    cal = fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="at", period="week", funnel=f)
    # Calendar weeks: x in week 0 -> won in week 1 (no stay); y enters in week 0 (Sunday),
    # censored at the end of week 1 (the last event's week): one stay.
    np.testing.assert_array_equal(cal.to_numpy()[0], [1, 1])
    # the same as giving the Monday grid explicitly
    monday = pd.Timestamp("2024-01-01")
    explicit = fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="at", period="week",
                                                origin=monday, cutoff=monday + pd.Timedelta(weeks=2), funnel=f)
    np.testing.assert_array_equal(cal.to_numpy(), explicit.to_numpy())
    # 0.1's grid (weeks counted from the first event) stays available explicitly:
    # x's win falls in its first week (no move out of week 0 counted as a stay), and the
    # window ends one week after the first event.
    old = fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="at", period="week", funnel=f,
                                           align="first_event")
    np.testing.assert_array_equal(old.to_numpy()[0], [0, 1])
    with pytest.raises(fn.InvalidArgumentError, match="align must be one of"):
        fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="at", period="week", funnel=f,
                                         align="sunday")


def test_from_periods_aware_times_are_utc():
    f = fn.Funnel(["open"], outcomes=["won"])
    log = weekly_log()
    aware = log.assign(at=log["at"].dt.tz_localize("UTC").dt.tz_convert(PARIS))
    a = fn.TransitionCounts.from_periods(aware, lead="lead", stage="stage", time="at", period="day", funnel=f)
    b = fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="at", period="day", funnel=f)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def transactions(tz: str | None):
    # 23:30 UTC on Sunday 2024-01-07 is 00:30 on Monday in Paris.
    t = pd.to_datetime(["2024-01-01 10:00", "2024-01-07 23:30", "2024-01-20 10:00"])
    if tz:
        t = t.tz_localize("UTC").tz_convert(tz)
    return pd.DataFrame({"c": [1, 1, 1], "t": t, "amount": [1.0, 2.0, 4.0]})


def test_customers_follow_the_same_rule():
    utc = fn.customers.summary_from_transactions(transactions(None), customer="c", time="t", amount="amount", freq="W")
    paris = fn.customers.summary_from_transactions(transactions(PARIS), customer="c", time="t", amount="amount", freq="W")
    pd.testing.assert_frame_equal(utc, paris)
    # The first two purchases share the ISO week of 2024-01-01 in UTC: one repeat period.
    assert utc.loc[1, "frequency"] == 1.0
    # 0.1 read aware times at their wall clock: Monday 00:30 in Paris was a new week.
    local = fn.customers.summary_from_transactions(transactions(PARIS), customer="c", time="t", amount="amount",
                                                   freq="W", timezone="local")
    assert local.loc[1, "frequency"] == 2.0
    with pytest.raises(fn.InvalidArgumentError, match="timezone must be one of"):
        fn.customers.summary_from_transactions(transactions(None), customer="c", time="t", timezone="paris")


def test_funnel_and_customers_agree_on_weeks():
    # The same timestamps fall in the same ISO weeks in both areas.
    t = pd.Series(pd.date_range("2023-12-25", periods=40, freq="17h", tz=PARIS))
    ns = fn._common.time.times_as_ns(t, "t")
    weeks = ftime.period_index(ns, "week")
    tx = pd.DataFrame({"c": np.arange(len(t)), "t": t})
    s = fn.customers.summary_from_transactions(tx, customer="c", time="t", freq="W",
                                               calibration_end=t.max())
    # T counts whole weeks from each customer's (single) purchase week to the cut-off week.
    np.testing.assert_array_equal(s["T"].to_numpy(), weeks.max() - weeks)


def test_tier_snapshots_and_orders_by_month():
    snaps = pd.DataFrame({"customer": [1, 1, 2, 2],
                          "period": pd.to_datetime(["2024-01-31 23:30", "2024-02-29 23:30"] * 2).tz_localize("UTC")
                          .tz_convert("Asia/Tokyo"),
                          "tier": ["A", "A", "A", "B"]})
    tm = fn.customers.TierMigration(lost=()).fit(snaps)
    assert (tm.first_period_, tm.last_period_) == (2024 * 12 + 0, 2024 * 12 + 1)  # UTC months: Jan, Feb
    legacy = fn.customers.TierMigration(lost=(), timezone="local").fit(snaps)
    assert (legacy.first_period_, legacy.last_period_) == (2024 * 12 + 1, 2024 * 12 + 2)  # Tokyo wall clock: Feb, Mar
    # flag_idle takes order dates as well as month codes
    orders_codes = pd.DataFrame({"customer": [2], "period": [2024 * 12 + 1]})
    orders_dates = pd.DataFrame({"customer": [2], "period": pd.to_datetime(["2024-02-10"])})
    assert tm.flag_idle(orders_codes, 1).tolist() == tm.flag_idle(orders_dates, 1).tolist() == [1]
