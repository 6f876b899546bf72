"""Customer charts: the ABC grade mix, the tier-migration heatmap and the repeat-buying
plots users know from lifetimes (frequency/recency and P(alive) matrices, expected
against actual repeat purchases)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError
from ._mpl import axes, heatmap

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["grade_mix", "grade_mix_frame", "tier_migration", "tier_migration_frame", "frequency_recency",
           "frequency_recency_frame", "p_alive_matrix", "p_alive_matrix_frame", "period_transactions",
           "period_transactions_frame"]


def grade_mix_frame(grades: Any, value: Any = None) -> pd.DataFrame:
    """Customers per tier: ``customers`` and ``share`` (of all customers), and with
    ``value`` (a column name of ``grades`` or a Series on its index) ``value`` and
    ``value_share``.  ``grades`` is the table of :func:`funnelnet.customers.grade` (its
    ``tier`` column) or a Series of tiers; tiers keep their categorical order (best first).

    Parameters
    ----------
    grades : DataFrame or Series
        The table of fn.customers.grade (its tier column) or a Series of tiers.
    value : str or Series, optional
        A column of grades or a Series on its index: the value per customer.

    Returns
    -------
    DataFrame
        One row per tier (best first): customers, share, and with value also value and
        value_share.
    """
    if isinstance(grades, pd.DataFrame):
        if "tier" not in grades.columns:
            raise InputTypeError("grades has no 'tier' column: pass fn.customers.grade(...) or a Series of tiers")
        if isinstance(value, str):
            value = grades[value]
        tiers = grades["tier"]
    elif isinstance(grades, pd.Series):
        tiers = grades
    else:
        raise InputTypeError(f"grades must be a DataFrame or Series, got {type(grades).__name__}")
    if len(tiers) == 0:
        raise EmptyInputError("grades is empty: nothing to plot")
    if tiers.isna().any():
        raise InvalidArgumentError(f"tier is missing for customer {tiers.index[np.flatnonzero(tiers.isna().to_numpy())[0]]!r}")
    cat = tiers if isinstance(tiers.dtype, pd.CategoricalDtype) else tiers.astype("category")
    counts = cat.value_counts(sort=False).reindex(cat.cat.categories).fillna(0).astype(np.int64)
    out = pd.DataFrame({"customers": counts.to_numpy(), "share": counts.to_numpy() / counts.sum()},
                       index=pd.Index([str(t) for t in counts.index], name="tier"))
    if value is not None:
        v = pd.Series(value).reindex(tiers.index).astype(np.float64)
        s = v.groupby(cat, observed=False).sum().reindex(cat.cat.categories).fillna(0.0)
        out["value"] = s.to_numpy()
        out["value_share"] = s.to_numpy() / s.sum() if s.sum() != 0 else np.nan
    return out


def grade_mix(grades: Any, value: Any = None, *, ax: Any = None, **kw: Any) -> "Axes":
    """Plot the grade mix (:func:`grade_mix_frame`): customers per tier as bars labelled
    with their share (and, with ``value``, the value share as a second bar on the right
    axis).  Returns the Axes (``ax.containers[0]`` holds the customer bars).

    Parameters
    ----------
    grades : DataFrame or Series
        As in grade_mix_frame.
    value : str or Series, optional
        As in grade_mix_frame.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.containers[0] holds the customer bars; the value shares are on ax.right_ax.
    """
    f = grade_mix_frame(grades, value)
    ax = axes(ax, (max(4.5, 1.5 + 0.9 * len(f)), 4.0))
    x = np.arange(len(f), dtype=np.float64)
    two = "value" in f.columns
    w = 0.4 if two else 0.7
    bars = ax.bar(x - (w / 2 if two else 0), f["customers"].to_numpy(), w, label="customers", **kw)
    ax.bar_label(bars, labels=[f"{s:.0%}" for s in f["share"]], fontsize=8)
    ax.set_xticks(x, list(f.index))
    ax.set(xlabel="tier", ylabel="customers", title="Grade mix")
    ax.set_ylim(0, f["customers"].max() * 1.15)
    if two:
        right = ax.twinx()
        vb = right.bar(x + w / 2, f["value_share"].to_numpy() * 100, w, color="tab:orange", label="share of value")
        right.bar_label(vb, labels=[f"{s:.0%}" for s in f["value_share"]], fontsize=8)
        right.set_ylabel("share of value (%)")
        right.set_ylim(0, float(f["value_share"].max()) * 115)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = right.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=8)
        ax.right_ax = right
    return cast("Axes", ax)


def tier_migration_frame(model: Any, segment: str | None = None) -> pd.DataFrame:
    """The fitted tier-to-tier transition probabilities of a
    :class:`~funnelnet.customers.TierMigration` (its ``matrix(segment)``); an unfitted
    model raises InvalidArgumentError.

    Parameters
    ----------
    model : TierMigration
        A fitted tier-migration model.
    segment : str, optional
        The segment's matrix (default: the pooled one).

    Returns
    -------
    DataFrame
        Transition probabilities, rows this period's tier, columns next period's.
    """
    from ..customers import TierMigration

    if not isinstance(model, TierMigration):
        raise InputTypeError(f"expected a TierMigration, got {type(model).__name__}")
    m = model.matrix(segment)
    if m.empty:
        raise EmptyInputError("the tier migration model has no tiers: nothing to plot")
    return m


def tier_migration(model: Any, segment: str | None = None, *, ax: Any = None, annotate: bool | None = None,
                   **kw: Any) -> "Axes":
    """Plot the tier-migration matrix (:func:`tier_migration_frame`) as a heatmap: the
    row is this period's tier, the column next period's.  Returns the Axes
    (``ax.images[0].get_array()`` is the matrix).

    Parameters
    ----------
    model : TierMigration
        A fitted tier-migration model.
    segment : str, optional
        The segment's matrix.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    annotate : bool, optional
        Write the probabilities in the cells (default: for at most 15 x 15 tiers).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.images[0].get_array() is the matrix.
    """
    f = tier_migration_frame(model, segment)
    ax = axes(ax, (1.8 + 0.7 * f.shape[1], 1.2 + 0.6 * f.shape[0]))
    f = f.rename_axis(index="tier this period", columns="tier next period")
    heatmap(ax, f, vmin=0.0, vmax=1.0, colorbar="probability", annotate=annotate, **kw)
    ax.set_title("Tier migration" + (f" ({segment})" if segment else ""))
    return cast("Axes", ax)


def _repeat(model: Any) -> Any:
    from ..customers import BetaGeo, ParetoNBD

    if not isinstance(model, (BetaGeo, ParetoNBD)):
        raise InputTypeError(f"expected a fitted BetaGeo or ParetoNBD model, got {type(model).__name__}")
    model._fitted()  # InvalidArgumentError when not fitted
    return model


def _grid_sizes(summary: Any, max_frequency: int | None, max_recency: int | None) -> tuple[int, int]:
    if max_frequency is None or max_recency is None:
        if summary is None:
            raise InvalidArgumentError("give summary= (the customers' frequency, recency, T) or both max_frequency= and max_recency=")
        if len(summary) == 0:
            raise EmptyInputError("summary is empty: nothing to plot")
        if max_frequency is None:
            max_frequency = int(np.max(summary["frequency"]))
        if max_recency is None:
            max_recency = int(np.max(summary["T"]))
    if int(max_frequency) < 0 or int(max_recency) < 0:
        raise InvalidArgumentError(f"max_frequency and max_recency must be >= 0, got {max_frequency} and {max_recency}")
    return int(max_frequency), int(max_recency)


def _on_possible(fn: Any, f: np.ndarray, r: np.ndarray, mr: int) -> np.ndarray:
    """fn(frequency, recency, T) on the grid's possible cells; NaN where frequency is 0
    but recency is not (no customer has a last repeat purchase without one; lifetimes
    fills these cells with the formula's value anyway)."""
    f, r = f.ravel(), r.ravel()
    ok = ~((f == 0) & (r > 0))
    z = np.full(f.size, np.nan)
    z[ok] = np.asarray(fn(f[ok], r[ok], np.full(int(ok.sum()), float(mr))), dtype=np.float64)
    return z


def _rf_matrix(values: np.ndarray, mf: int, mr: int) -> pd.DataFrame:
    return pd.DataFrame(values.reshape(mr + 1, mf + 1), index=pd.RangeIndex(mr + 1, name="recency"),
                        columns=pd.RangeIndex(mf + 1, name="frequency"))


def frequency_recency_frame(model: Any, summary: Any = None, *, t: float = 1, max_frequency: int | None = None,
                            max_recency: int | None = None) -> pd.DataFrame:
    """Expected purchases in the next ``t`` periods of a customer with each frequency
    (columns 0..max_frequency) and recency (rows 0..max_recency) observed for
    ``T = max_recency`` periods: lifetimes' ``plot_frequency_recency_matrix`` grid, NaN
    in the impossible cells (frequency 0 with recency > 0).  The maxima default to the
    largest frequency and T in ``summary``.

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame, optional
        The customers' frequency, recency and T; sets the grid's maxima when they are not
        given.
    t : float
        The future periods of the expected purchases.
    max_frequency : int, optional
        The largest frequency shown (default: the summary's largest).
    max_recency : int, optional
        The largest recency shown, also the age T of every cell (default: the summary's
        largest T).

    Returns
    -------
    DataFrame
        Rows recency 0..max_recency, columns frequency 0..max_frequency; NaN in the
        impossible cells.
    """
    m = _repeat(model)
    mf, mr = _grid_sizes(summary, max_frequency, max_recency)
    r, f = np.meshgrid(np.arange(mr + 1, dtype=np.float64), np.arange(mf + 1, dtype=np.float64), indexing="ij")
    return _rf_matrix(_on_possible(lambda ff, rr, tt: m.conditional_expected_number_of_purchases_up_to_time(
        float(t), ff, rr, tt), f, r, mr), mf, mr)


def frequency_recency(model: Any, summary: Any = None, *, t: float = 1, max_frequency: int | None = None,
                      max_recency: int | None = None, ax: Any = None, **kw: Any) -> "Axes":
    """Plot :func:`frequency_recency_frame` as lifetimes does (recency down the rows,
    frequency across, the best customers bottom right).  Returns the Axes
    (``ax.images[0].get_array()`` is the matrix).

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame, optional
        The customers' frequency, recency and T; sets the grid's maxima when they are not
        given.
    t : float
        The future periods of the expected purchases.
    max_frequency : int, optional
        The largest frequency shown (default: the summary's largest).
    max_recency : int, optional
        The largest recency shown, also the age T of every cell (default: the summary's
        largest T).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.images[0].get_array() is the matrix.
    """
    f = frequency_recency_frame(model, summary, t=t, max_frequency=max_frequency, max_recency=max_recency)
    ax = axes(ax, (6.5, 5.0))
    ahead = f"the next {t:g} period{'' if float(t) == 1 else 's'}"
    heatmap(ax, f, cmap="viridis", vmin=None, colorbar=f"expected purchases in {ahead}", annotate=False, **kw)
    _thin_ticks(ax, f)
    ax.set(xlabel="historical frequency (repeat purchases)", ylabel="recency (age at last purchase)",
           title=f"Expected purchases in {ahead}\nby frequency and recency (T = {f.index[-1]})")
    return cast("Axes", ax)


def p_alive_matrix_frame(model: Any, summary: Any = None, *, max_frequency: int | None = None,
                         max_recency: int | None = None) -> pd.DataFrame:
    """P(alive) of a customer with each frequency (columns) and recency (rows) observed
    for ``T = max_recency`` periods: lifetimes' ``plot_probability_alive_matrix`` grid.

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame, optional
        The customers' frequency, recency and T; sets the grid's maxima when they are not
        given.
    max_frequency : int, optional
        The largest frequency shown (default: the summary's largest).
    max_recency : int, optional
        The largest recency shown, also the age T of every cell (default: the summary's
        largest T).

    Returns
    -------
    DataFrame
        Rows recency, columns frequency: P(alive) of a customer observed for T = max_recency
        periods; NaN in the impossible cells.
    """
    m = _repeat(model)
    mf, mr = _grid_sizes(summary, max_frequency, max_recency)
    r, f = np.meshgrid(np.arange(mr + 1, dtype=np.float64), np.arange(mf + 1, dtype=np.float64), indexing="ij")
    return _rf_matrix(_on_possible(m.conditional_probability_alive, f, r, mr), mf, mr)


def p_alive_matrix(model: Any, summary: Any = None, *, max_frequency: int | None = None,
                   max_recency: int | None = None, ax: Any = None, **kw: Any) -> "Axes":
    """Plot :func:`p_alive_matrix_frame` (recency down the rows, frequency across).
    Returns the Axes (``ax.images[0].get_array()`` is the matrix).

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame, optional
        The customers' frequency, recency and T; sets the grid's maxima when they are not
        given.
    max_frequency : int, optional
        The largest frequency shown (default: the summary's largest).
    max_recency : int, optional
        The largest recency shown, also the age T of every cell (default: the summary's
        largest T).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.images[0].get_array() is the matrix.
    """
    f = p_alive_matrix_frame(model, summary, max_frequency=max_frequency, max_recency=max_recency)
    ax = axes(ax, (6.5, 5.0))
    heatmap(ax, f, cmap="viridis", vmin=0.0, vmax=1.0, colorbar="P(alive)", annotate=False, **kw)
    _thin_ticks(ax, f)
    ax.set(xlabel="historical frequency (repeat purchases)", ylabel="recency (age at last purchase)",
           title=f"Probability a customer is alive\nby frequency and recency (T = {f.index[-1]})")
    return cast("Axes", ax)


def _thin_ticks(ax: Any, f: pd.DataFrame) -> None:
    """At most about 12 tick labels per axis on the large frequency/recency grids."""
    for n, setter in ((f.shape[1], ax.set_xticks), (f.shape[0], ax.set_yticks)):
        step = max(1, int(np.ceil(n / 12)))
        ticks = np.arange(0, n, step)
        setter(ticks, [str(t) for t in ticks], rotation=0)


def period_transactions_frame(model: Any, summary: Any, *, max_frequency: int = 7, draws: int = 20,
                              seed: int = 0, threads: int = 0) -> pd.DataFrame:
    """Customers by number of repeat purchases in their own observation window, actual
    (from ``summary``) against the model (the average over ``draws`` seeded simulations of
    every customer with their own T): one row per count 0..max_frequency-1 and a last row
    ``">=max_frequency"``; columns ``actual`` and ``model`` (lifetimes'
    ``plot_period_transactions``, with the tail pooled instead of cut).

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame
        The customers' frequency, recency and T (their ages are simulated).
    max_frequency : int
        Frequencies from this value up are pooled in the last row.
    draws : int
        Simulated populations averaged.
    seed : int
        Seed of the simulation.
    threads : int, default 0
        Threads of the simulation: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.  The same seed gives the same counts
        at any thread count.

    Returns
    -------
    DataFrame
        One row per repeat-purchase count: actual and model customers.
    """
    m = _repeat(model)
    if summary is None or len(summary) == 0:
        raise EmptyInputError("summary is empty: nothing to plot")
    for c in ("frequency", "T"):
        if c not in summary:
            raise InputTypeError(f"summary has no {c!r} column: pass summary_from_transactions(...)")
    if int(max_frequency) < 1 or int(draws) < 1:
        raise InvalidArgumentError(f"max_frequency and draws must be >= 1, got {max_frequency} and {draws}")
    mf = int(max_frequency)
    x = np.asarray(summary["frequency"], dtype=np.float64)
    t = np.asarray(summary["T"], dtype=np.float64)
    sim = m.simulate(np.tile(t, int(draws)), seed=seed, threads=threads)
    actual = np.bincount(np.minimum(x, mf).astype(np.int64), minlength=mf + 1)
    model_counts = np.bincount(np.minimum(sim["frequency"].to_numpy(), mf).astype(np.int64), minlength=mf + 1) / int(draws)
    labels = [str(k) for k in range(mf)] + [f">={mf}"]
    return pd.DataFrame({"actual": actual.astype(np.float64), "model": model_counts},
                        index=pd.Index(labels, name="repeat_purchases"))


def period_transactions(model: Any, summary: Any, *, max_frequency: int = 7, draws: int = 20, seed: int = 0,
                        threads: int = 0, ax: Any = None, **kw: Any) -> "Axes":
    """Plot :func:`period_transactions_frame`: customers by number of repeat purchases,
    actual and model side by side.  Returns the Axes (``ax.containers[0]`` actual,
    ``ax.containers[1]`` model).

    Parameters
    ----------
    model : BetaGeo or ParetoNBD
        A fitted repeat-buying model.
    summary : DataFrame
        The customers' frequency, recency and T.
    max_frequency : int
        Frequencies from this value up are pooled in the last bar.
    draws : int
        Simulated populations averaged.
    seed : int
        Seed of the simulation.
    threads : int, default 0
        Threads of the simulation: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.  The same seed gives the same counts
        at any thread count.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.containers[0] holds the actual bars, ax.containers[1] the model's.
    """
    f = period_transactions_frame(model, summary, max_frequency=max_frequency, draws=draws, seed=seed, threads=threads)
    ax = axes(ax)
    x = np.arange(len(f), dtype=np.float64)
    ax.bar(x - 0.2, f["actual"].to_numpy(), 0.4, label="actual", **kw)
    ax.bar(x + 0.2, f["model"].to_numpy(), 0.4, label=f"model ({type(model).__name__})")
    ax.set_xticks(x, list(f.index))
    ax.set(xlabel="repeat purchases in the calibration period", ylabel="customers",
           title="Frequency of repeat transactions: actual against model")
    ax.legend()
    return cast("Axes", ax)
