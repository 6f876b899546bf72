"""The public API's annotations help a type checker: ``mypy --strict`` accepts a user
script that uses the package correctly and rejects the usual mistakes (a misspelled
option string, a fitted model used as another type, a misspelled family).  The option
strings are ``Literal`` aliases written beside the runtime tables of codes; this file
also checks that each alias and its table agree.

mypy runs once over all the snippets (about 10-20 s, most of it reading numpy's and
pandas-stubs' annotations), with its cache under the test's tmp path.  Settings:
``--strict`` (nothing relaxed), checking the installed package (its ``py.typed``),
whose own errors mypy does not report for an installed package.

A second run checks the package's own source (``bindings/python/funnelnet``, the
``_core`` stubs included) with ``--strict``: zero errors, except in the sub-packages of
``strictness.NOT_YET_STRICT`` (written in parallel; the lead shrinks that list)."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest

from strictness import NOT_YET_STRICT, mypy_config

# ---------------------------------------------------------------------- Literal vs tables


def _literal_tables() -> list[tuple[str, object, object]]:
    from funnelnet._common import time as t
    from funnelnet.attribution import _shared as attr_shared
    from funnelnet.customers import grading, repeat_buying, summary, tiers
    from funnelnet.funnel import _shared as funnel_shared
    from funnelnet.funnel import continuous, counts, opportunities, semi_markov
    from funnelnet.graph import influence, referral

    return [
        ("funnel Repeats", funnel_shared.Repeats, funnel_shared.REPEATS),
        ("EmptyRows", funnel_shared.EmptyRows, funnel_shared.EMPTY_ROWS),
        ("Align", counts.Align, counts._ALIGN),
        ("Missing", opportunities.Missing, opportunities.MISSING),
        ("ContinuousEmptyRows", continuous.ContinuousEmptyRows, continuous._CONTINUOUS_EMPTY_ROWS),
        ("TimeUnit", continuous.TimeUnit, continuous._UNITS),
        ("Family", semi_markov.Family, semi_markov.FAMILIES),
        ("attribution Repeats", attr_shared.Repeats, attr_shared.REPEATS),
        ("SelfLoops", referral.SelfLoops, referral._SELF_LOOPS),
        ("Duplicates", referral.Duplicates, referral._DUPLICATES),
        ("DegreeKind", referral.DegreeKind, referral._DEGREE),
        ("Dangling", referral.Dangling, referral._DANGLING),
        ("DiffusionModel", influence.DiffusionModel, {k.upper() for k in influence._MODELS} | {k.lower() for k in influence._MODELS}),
        ("Timezone", t.Timezone, t._TIMEZONES),
        ("Gaps", tiers.Gaps, tiers._GAPS),
        ("Future", summary.Future, summary._FUTURE),
        ("Normalize", grading.Normalize, grading._NORMALIZE),
        ("ClvFreq", repeat_buying.ClvFreq, repeat_buying._FREQ_FACTOR),
    ]


def test_literal_aliases_match_the_runtime_tables() -> None:
    for name, alias, table in _literal_tables():
        assert typing.get_origin(alias) is typing.Literal, name
        assert set(typing.get_args(alias)) == set(table), f"{name}: {typing.get_args(alias)} != {sorted(table)}"


# ---------------------------------------------------------------------- mypy --strict

GOOD = """
from typing import assert_type

import numpy as np
import numpy.typing as npt
import pandas as pd

import funnelnet as fn
from funnelnet.attribution import MarkovAttribution
from funnelnet.customers import BetaGeo, GammaGamma, TierMigration, grade, summary_from_transactions
from funnelnet.graph import ReferralGraph, imm

events = pd.DataFrame({"lead": [1, 1, 2], "stage": ["a", "won", "a"], "time": [1, 2, 3]})
counts = fn.TransitionCounts.from_events(events, lead="lead", stage="stage", time="time", repeats="keep")
chain: fn.MarkovChain = counts.fit(empty_rows="absorbing")

semi = fn.SemiMarkovFunnel(family="weibull").fit(events, lead="lead", stage="stage", time="time", time_unit="h")
assert_type(semi, fn.SemiMarkovFunnel)

paths = pd.DataFrame({"path": ["a > b"], "total_conversions": [1], "total_null": [0]})
attribution = MarkovAttribution(order=1, repeats="collapse").fit(paths)
assert_type(attribution, MarkovAttribution)

tx = pd.DataFrame({"customer": [1, 1], "time": pd.to_datetime(["2024-01-01", "2024-02-01"]), "amount": [1.0, 2.0]})
rfm = summary_from_transactions(tx, customer="customer", time="time", freq="W", future="drop", timezone="utc")
bg = BetaGeo().fit(rfm["frequency"], rfm["recency"], rfm["T"])
assert_type(bg, BetaGeo)
alive = bg.conditional_probability_alive(np.array([1.0]), np.array([2.0]), np.array([3.0]))
assert_type(alive, npt.NDArray[np.float64] | pd.Series[float])
if isinstance(alive, pd.Series):
    print(alive.index)
else:
    print(alive.sum())
gg = GammaGamma().fit(rfm["frequency"], rfm["monetary_value"])
clv = gg.customer_lifetime_value(bg, rfm["frequency"], rfm["recency"], rfm["T"], rfm["monetary_value"], freq="W")
tiers_fit = TierMigration(gaps="skip").fit(pd.DataFrame(), customer="c", period="p", tier="t")
assert_type(tiers_fit, TierMigration)
graded = grade(pd.DataFrame(), mode="score", normalize="zscore")

g = ReferralGraph.from_edges([1], [2], self_loops="drop", duplicates="merge")
ranks = g.pagerank(dangling="uniform")
deg = g.degree(kind="in")
chosen = imm(g, 1, model="LT")
"""

# file name -> (snippet, regexes that must each match one of mypy's error lines for it)
BAD = {
    "bad_repeats": ("""
        from funnelnet.attribution import MarkovAttribution
        MarkovAttribution(repeats="colapse")
        """, [r'Argument "repeats" to "MarkovAttribution" has incompatible type "Literal\[.colapse.\]"']),
    "bad_counts_repeats": ("""
        import pandas as pd
        import funnelnet as fn
        fn.TransitionCounts.from_events(pd.DataFrame(), lead="l", stage="s", time="t", repeats="colapse")
        """, [r'Argument "repeats" to "from_events" of "TransitionCounts" has incompatible type']),
    "bad_fit_type": ("""
        from funnelnet.customers import BetaGeo, ParetoNBD
        from funnelnet.attribution import MarkovAttribution
        import pandas as pd
        model: ParetoNBD = BetaGeo().fit([1.0], [1.0], [2.0])
        name: str = MarkovAttribution().fit(pd.DataFrame())
        """, [r'Incompatible types in assignment \(expression has type "BetaGeo", variable has type "ParetoNBD"\)',
              r'Incompatible types in assignment \(expression has type "MarkovAttribution", variable has type "str"\)']),
    "bad_family": ("""
        import funnelnet as fn
        fn.SemiMarkovFunnel(family="weibul")
        """, [r'Argument "family" to "SemiMarkovFunnel" has incompatible type "Literal\[.weibul.\]"']),
    "bad_prediction": ("""
        from funnelnet.customers import BetaGeo
        p: str = BetaGeo().p_alive([1.0], [1.0], [2.0])
        """, [r'Incompatible types in assignment \(expression has type "ndarray\[.*\| Series\[float\]", variable has type "str"\)']),
    "bad_options": ("""
        from funnelnet.graph import ReferralGraph, imm
        g = ReferralGraph.from_edges([1], [2], self_loops="dorp")
        imm(g, 1, model="XX")
        """, [r'Argument "self_loops" to "from_edges" of "ReferralGraph" has incompatible type',
              r'Argument "model" to "imm" has incompatible type']),
}


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    pytest.importorskip("mypy")
    try:
        importlib.metadata.version("pandas-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pandas-stubs is not installed (tests/requirements/base.txt)")
    root = tmp_path_factory.mktemp("typing")
    (root / "good.py").write_text(textwrap.dedent(GOOD))
    for name, (code, _) in BAD.items():
        (root / f"{name}.py").write_text(textwrap.dedent(code))
    files = ["good.py"] + [f"{name}.py" for name in BAD]
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-color-output", "--no-error-summary",
                           "--show-error-codes", "--cache-dir", str(root / ".mypy_cache"), *files],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 2: mypy itself failed
    errors: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"(\w+)\.py:\d+: error: (.*)", line)
        if m:
            errors.setdefault(m.group(1), []).append(m.group(2))
    return errors


def test_mypy_strict_accepts_correct_use(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output.get("good", []) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_mypy_strict_rejects_mistakes(mypy_output: dict[str, list[str]], name: str) -> None:
    got = mypy_output.get(name, [])
    for pattern in BAD[name][1]:
        assert any(re.search(pattern, e) for e in got), f"{name}: no error matching {pattern!r} in {got}"
    assert len(got) == len(BAD[name][1]), f"{name}: unexpected errors {got}"


# ---------------------------------------------------------------------- the whole package

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "bindings" / "python"


def test_mypy_strict_passes_on_the_whole_package(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    try:
        importlib.metadata.version("pandas-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pandas-stubs is not installed (tests/requirements/base.txt)")
    if not (PACKAGE_ROOT / "funnelnet" / "__init__.py").is_file():
        pytest.skip("the package source is not beside the tests")
    config = tmp_path / "mypy.ini"
    config.write_text(mypy_config())
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--no-color-output",
                           "--show-error-codes", "--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "funnelnet"],
                          cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=600)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert proc.returncode == 0 and not errors, (
        f"mypy --strict reports {len(errors)} error(s) in the package (sub-packages not yet held to it: "
        f"{', '.join(NOT_YET_STRICT)}):\n" + "\n".join(errors[:50]) + proc.stderr)


def test_the_not_yet_strict_list_names_real_or_planned_subpackages() -> None:
    # A name that is neither a sub-package today nor one being written would hide nothing:
    # the list only shrinks.
    planned = {"pipeline", "scoring", "plot", "report", "cli", "dask"}
    assert set(NOT_YET_STRICT) <= planned
