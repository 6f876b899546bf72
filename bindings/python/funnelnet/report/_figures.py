"""The report's charts: one helper per section, each taking the section's own table and
returning PNG bytes (private).

This is the one place the report draws.  Today it uses matplotlib directly; when
:mod:`funnelnet.plot` has a chart for an analysis, the helper's body becomes that call
(``ax = fn.plot.<chart>(...)``) and :func:`_png` stays.  Sections never import
matplotlib themselves.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

_BLUE, _ORANGE, _GREY, _RED = "#2b6cb0", "#dd6b20", "#a0aec0", "#c53030"


def available() -> bool:
    """Whether charts can be drawn (matplotlib is installed)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _axes(width: float = 8.0, height: float = 3.6) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96, layout="constrained")
    return fig, fig.add_subplot()


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _side_by_side(ax: Any, labels: list[str], series: dict[str, np.ndarray], colors: list[str],
                  horizontal: bool = False) -> None:
    n = len(series)
    width = 0.8 / max(n, 1)
    pos = np.arange(len(labels))
    for k, ((name, vals), c) in enumerate(zip(series.items(), colors)):
        off = pos - 0.4 + width * (k + 0.5)
        if horizontal:
            ax.barh(off, vals, height=width, label=name, color=c)
        else:
            ax.bar(off, vals, width=width, label=name, color=c)
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, labels)
    if n > 1:  # beside the plot, never over the bars
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)


def funnel(stages: pd.DataFrame) -> bytes:
    """Leads reaching each stage (bars) and where they were lost."""
    fig, ax = _axes()
    labels = [str(s) for s in stages.index]
    _side_by_side(ax, labels, {"reached": stages["reached"].to_numpy(float),
                               "lost from here": stages["lost_from_here"].to_numpy(float)}, [_BLUE, _RED])
    ax.set_ylabel("leads")
    ax.set_title("Leads reaching each stage and lost from it")
    return _png(fig)


def time_to_close(table: pd.DataFrame) -> bytes:
    """Expected days to close from each stage, with the 90th percentile."""
    fig, ax = _axes()
    labels = [str(s) for s in table.index]
    series = {"mean days": table["mean"].to_numpy(float), "90 % close within": table["q90"].to_numpy(float)}
    if "true_mean" in table:
        series = {"mean days (fitted)": table["mean"].to_numpy(float), "mean days (true)": table["true_mean"].to_numpy(float),
                  "90 % close within": table["q90"].to_numpy(float)}
    _side_by_side(ax, labels, series, [_BLUE, _ORANGE, _GREY])
    ax.set_ylabel("days")
    ax.set_title("Days until a lead is won or lost, by its stage")
    return _png(fig)


def bottlenecks(table: pd.DataFrame) -> bytes:
    """Won deals gained per 100 leads by a 10 % better transition."""
    fig, ax = _axes()
    t = table.head(8)
    labels = [f"{a} -> {b}" for a, b in zip(t["from"], t["to"])]
    col = "gain_10pct_exact" if "gain_10pct_exact" in t else "gain_10pct"
    _side_by_side(ax, labels, {"won per 100 leads": 100 * t[col].to_numpy(float)}, [_BLUE], horizontal=True)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("extra won deals per 100 new leads if this step were 10 % more likely")
    ax.set_title("Where a better step wins the most deals")
    return _png(fig)


def attribution(table: pd.DataFrame) -> bytes:
    """Share of conversions per channel: Markov removal effects vs last touch."""
    fig, ax = _axes()
    cols = [c for c in ("markov_share", "last_touch_share", "first_touch_share", "true_share") if c in table]
    names = {"markov_share": "Markov (removal effect)", "last_touch_share": "last touch",
             "first_touch_share": "first touch", "true_share": "true"}
    _side_by_side(ax, [str(c) for c in table.index], {names[c]: table[c].to_numpy(float) for c in cols},
                  [_BLUE, _GREY, _ORANGE, _RED])
    ax.set_ylabel("share of conversions")
    ax.set_title("Which channels earn the conversions")
    return _png(fig)


def influencers(seeds: pd.DataFrame) -> bytes:
    """Expected referred revenue as the best accounts to cultivate are added."""
    fig, ax = _axes()
    x = np.arange(1, len(seeds) + 1)
    cols = [c for c in ("referred_revenue", "true_referred_revenue", "true_best_revenue") if c in seeds]
    top = float(np.nanmax(seeds[cols].to_numpy(float))) if len(seeds) else 0.0
    scale, unit = (1e6, " (millions)") if top >= 1e6 else ((1e3, " (thousands)") if top >= 1e4 else (1.0, ""))
    ax.plot(x, seeds["referred_revenue"].to_numpy(float) / scale, marker="o", color=_BLUE,
            label="chosen from the data (observed referrals)")
    if "true_best_revenue" in seeds:
        ax.plot(x, seeds["true_referred_revenue"].to_numpy(float) / scale, marker="o", color=_BLUE, ls=":",
                label="the same accounts on the true network")
        ax.plot(x, seeds["true_best_revenue"].to_numpy(float) / scale, marker="s", color=_ORANGE, ls="--",
                label="best by the true network")
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xlabel("accounts cultivated (k)")
    ax.set_ylabel("expected referred revenue" + unit)
    ax.set_title("Referred revenue from the best k accounts to cultivate")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def forecast(months: pd.DataFrame) -> bytes:
    """Fan chart of the cumulative won revenue of the open deals: P10-P90 band, P50,
    mean, and last year's same months (the target)."""
    fig, ax = _axes()
    x = np.arange(1, len(months) + 1)
    top = float(np.nanmax(months[["cumulative_revenue_p90", "cumulative_target"]].to_numpy(float)))
    scale, unit = (1e6, " (millions)") if top >= 1e6 else ((1e3, " (thousands)") if top >= 1e4 else (1.0, ""))
    ax.fill_between(x, months["cumulative_revenue_p10"] / scale, months["cumulative_revenue_p90"] / scale,
                    color=_BLUE, alpha=0.25, label="P10-P90")
    ax.plot(x, months["cumulative_revenue_p50"] / scale, color=_BLUE, marker="o", label="P50")
    ax.plot(x, months["expected_cumulative_revenue"] / scale, color=_BLUE, ls="--", label="mean")
    ax.plot(x, months["cumulative_target"] / scale, color=_ORANGE, marker="s", ls=":",
            label="last year, same months")
    ax.set_xticks(x, [str(m) for m in months.index])
    ax.set_ylabel("won revenue, cumulative" + unit)
    ax.set_title("What the deals open today bring, month by month")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def tiers(matrix: pd.DataFrame) -> bytes:
    """Monthly tier migration, fitted vs true, per (from, to) pair."""
    fig, ax = _axes()
    labels = [f"{a}->{b}" for a, b in zip(matrix["from"], matrix["to"])]
    series = {"fitted": matrix["fitted"].to_numpy(float)}
    if "true" in matrix:
        series["true"] = matrix["true"].to_numpy(float)
    _side_by_side(ax, labels, series, [_BLUE, _ORANGE])
    ax.set_ylabel("probability per month")
    ax.set_title("Monthly tier migration")
    return _png(fig)


def repeat_buying(customers: pd.DataFrame) -> bytes:
    """Distribution of the customers' lifetime value over the next year."""
    fig, ax = _axes()
    v = customers["clv"].to_numpy(float)
    v = v[np.isfinite(v)]
    cap = float(np.quantile(v, 0.99)) if v.size else 0.0
    ax.hist(np.minimum(v, cap), bins=40, color=_BLUE)
    ax.set_xlabel("expected value of the next 12 months (the top 1 % in the last bar)")
    ax.set_ylabel("customers")
    ax.set_title("Customer lifetime value (BG/NBD + Gamma-Gamma)")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def gain(tables: dict[str, pd.DataFrame]) -> bytes:
    """Cumulative gain per scorer: the share of all wins found when the top x % of leads
    are worked first (one line per scorer, the diagonal for a random order)."""
    fig, ax = _axes()
    for (name, g), c in zip(tables.items(), [_BLUE, _ORANGE, _GREY]):
        ax.plot([0.0, *g["cum_share"].to_numpy(float)], [0.0, *g["cum_gain"].to_numpy(float)], marker="o",
                color=c, label=name)
    ax.plot([0, 1], [0, 1], ls=":", color=_GREY, label="random order")
    ax.set_xlabel("share of leads worked, best scores first")
    ax.set_ylabel("share of all wins found")
    ax.set_title("Cumulative gain on leads the scorer never saw")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
