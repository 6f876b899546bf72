"""fn.graph.learn_ic_probabilities against hand counts (successes / exposures, Beta
posterior means) and its typed errors naming the row and labels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


def test_counts_by_hand_with_string_labels():
    edges = pd.DataFrame({"source": ["a", "a", "a", "b", "c"], "target": ["b", "c", "d", "d", "d"]})
    refs = pd.DataFrame({"referrer": ["a", "a", "b", "a"], "referee": ["b", "d", "d", "b"]})
    per_edge = fn.graph.learn_ic_probabilities(edges, refs, active=["a", "b"])
    assert per_edge["successes"].tolist() == [1, 0, 1, 1, 0]  # the repeated a -> b counts once
    assert per_edge["exposures"].tolist() == [1, 1, 1, 1, 0]
    assert np.isnan(per_edge["probability"].iloc[4])
    pooled = fn.graph.learn_ic_probabilities(edges, refs, active=["a", "b"], by="source", beta_prior=(1, 1))
    np.testing.assert_allclose(pooled["probability"], [3 / 5, 3 / 5, 3 / 5, 2 / 3, 1 / 2])
    np.testing.assert_allclose(pooled["std_error"].iloc[0], np.sqrt(0.6 * 0.4 / 3))
    assert list(pooled[["source", "target"]].itertuples(index=False, name=None))[0] == ("a", "b")


def test_integer_and_string_labels_are_not_confused():
    edges = pd.DataFrame({"source": [1, 1], "target": [2, 3]})
    refs = pd.DataFrame({"referrer": [1], "referee": [2]})
    with pytest.raises(fn.InvalidArgumentError, match="referral row 0 \\(1 -> 2\\) comes from a node not in active"):
        fn.graph.learn_ic_probabilities(edges, refs, active=["1"])


@pytest.mark.parametrize("edges,refs,kwargs,error,needle", [
    ({"source": ["a", "a"], "target": ["b", "b"]}, {"referrer": [], "referee": []}, {}, fn.InvalidArgumentError,
     "edge rows 0 and 1 are both 'a' -> 'b'"),
    ({"source": ["a"], "target": ["b"]}, {"referrer": ["b"], "referee": ["a"]}, {}, fn.UnknownLabelError,
     "referral row 0 ('b' -> 'a') is not an edge"),
    ({"source": ["a"], "target": ["b"]}, {"referrer": ["a"], "referee": ["b"]}, {"beta_prior": (-1, 0)},
     fn.InvalidArgumentError, "beta_prior must be two numbers >= 0"),
    ({"from": ["a"], "target": ["b"]}, {"referrer": [], "referee": []}, {}, fn.UnknownLabelError,
     "source column 'source' is not in the DataFrame"),
])
def test_bad_inputs_are_typed_errors_naming_the_row(edges, refs, kwargs, error, needle):
    with pytest.raises(error) as e:
        fn.graph.learn_ic_probabilities(pd.DataFrame(edges), pd.DataFrame(refs), active=["a"], **kwargs)
    assert needle in str(e.value)
