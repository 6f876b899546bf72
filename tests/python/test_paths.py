"""One path parser for the funnel and attribution (core/paths.hpp): every input form
gives the counts a brute-force count in this file gives, and both areas report bad
paths in the same words (path number, position, the offending label)."""
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

F = fn.Funnel(["lead", "demo", "offer"], outcomes=["won", "lost"])
STRINGS = ["lead > demo > offer > won", "lead>lost", " lead > demo>demo > lost", "lead > offer > offer > won"]


def brute_force_counts(paths, weights, states, collapse=False):
    """Transition counts by a dictionary, in the funnel's state order."""
    c = Counter()
    for p, w in zip(paths, weights):
        for a, b in zip(p, p[1:]):
            if a == b and collapse:
                continue
            c[(a, b)] += w
    m = np.zeros((len(states), len(states)))
    for (a, b), w in c.items():
        m[states.index(a), states.index(b)] = w
    return m


def test_every_input_form_counts_like_brute_force():
    lists = [[t.strip() for t in s.split(">")] for s in STRINGS]
    w = [3.0, 1.0, 2.0, 0.5]
    want = brute_force_counts(lists, w, F.states)
    forms = {
        "list of str": STRINGS,
        "Series of str": pd.Series(STRINGS, index=[10, 11, 12, 13]),
        "list of lists": lists,
        "Series of tuples": pd.Series([tuple(p) for p in lists]),
    }
    try:
        forms["Arrow strings"] = pd.Series(STRINGS, dtype="string[pyarrow]")
    except (ImportError, TypeError):  # pragma: no cover - pyarrow is a dependency
        pass
    for name, paths in forms.items():
        sep = ">" if "str" in name else None
        got = fn.TransitionCounts.from_paths(paths, w, funnel=F, sep=sep).to_numpy()
        np.testing.assert_array_equal(got, want, err_msg=name)
    collapse = fn.TransitionCounts.from_paths(STRINGS, w, funnel=F, sep=">", repeats="collapse").to_numpy()
    np.testing.assert_array_equal(collapse, brute_force_counts(lists, w, F.states, collapse=True))


def test_states_inferred_from_paths_put_outcomes_last():
    counts = fn.TransitionCounts.from_paths(["a>won", "b>a>lost", "b>won"], absorbing=["won", "lost"], sep=">")
    states = ["a", "b", "won", "lost"]
    assert list(counts.funnel.states) == states
    lists = [["a", "won"], ["b", "a", "lost"], ["b", "won"]]
    np.testing.assert_array_equal(counts.to_numpy(), brute_force_counts(lists, [1, 1, 1], states))


@pytest.mark.parametrize("paths, sep, error, message", [
    (["lead>won", "lead>>won"], ">", fn.InvalidArgumentError, "path 1, step 1: empty stage name in 'lead>>won'"),
    (["lead>won", "  "], ">", fn.InvalidArgumentError, "path 1 is empty \\(no steps\\)"),
    (["lead>won", "lead > nowhere"], ">", fn.UnknownLabelError, "path 1, step 1: unknown stage 'nowhere'"),
    ([["lead", "won"], []], None, fn.InvalidArgumentError, "path 1 is empty \\(no steps\\)"),
    ([["lead", "won"], ["lead", "", "won"]], None, fn.InvalidArgumentError, "path 1, step 1: empty stage name"),
    ([["lead", "won"], ["lead", "nowhere"]], None, fn.UnknownLabelError, "path 1, step 1: unknown stage 'nowhere'"),
])
def test_funnel_errors_name_path_step_and_stage(paths, sep, error, message):
    with pytest.raises(error, match=message):
        fn.TransitionCounts.from_paths(paths, funnel=F, sep=sep)


def test_attribution_reports_bad_paths_in_the_same_words():
    bad = pd.DataFrame({"path": ["a > b", "a > > b"], "c": [1, 0]})
    with pytest.raises(fn.InvalidArgumentError, match="path 1, touch 1: empty channel name in 'a > > b'"):
        fn.attribution.heuristic(bad, path="path", conversions="c")
    unknown = pd.DataFrame({"path": ["a > b", "a > zz"], "c": [1, 0]})
    with pytest.raises(fn.UnknownLabelError, match="path 1, touch 1: unknown channel 'zz'"):
        fn.attribution.heuristic(unknown, path="path", conversions="c", channels=["a", "b"])


def test_non_string_path_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="path 1 is not a string"):
        fn.TransitionCounts.from_paths(["lead>won", 7], funnel=F, sep=">")
