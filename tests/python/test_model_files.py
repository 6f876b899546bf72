"""Model files of every model kind (the C++ core's versioned JSON): exact round trips
through to_json/from_json, save/load and fn.load_model, with the original object's
answers as the oracle; corrupt, old/new-version and unknown-kind files raise
fn.FormatError naming the problem; pickles go through the same JSON."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from test_pickle import SAMPLES, assert_same, rfm

# Sample name -> the kind its model file holds (the C++ registry's names).
KINDS = {
    "TransitionCounts": "transition_counts",
    "MarkovChain": "markov_chain",
    "ExposureCounts": "exposure_counts",
    "ContinuousChain": "continuous_chain",
    "HigherOrderChain": "higher_order_chain",
    "ReferralGraph": "referral_graph",
    "MarkovAttribution": "markov_attribution",
    "BetaGeo": "repeat_model",
    "BetaGeoBetaBinom": "repeat_model",
    "ParetoNBD": "repeat_model",
    "GammaGamma": "gamma_gamma",
}


def outputs_without_training_data(name, obj):
    """The sample's outputs, less those that read the training data (not in a model file)."""
    if name == "MarkovAttribution":
        return (obj.channels(), obj.transition_matrix(), obj.sequences(["a > b"]), obj.conversion_probability,
                obj.simulate(2000, seed=3, threads=1))
    if name == "BetaGeoBetaBinom":  # its repr names the fit's customer count, which a model file does not hold
        return tuple(o for o in SAMPLES[name][1](obj) if not isinstance(o, str))
    return SAMPLES[name][1](obj)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_round_trips_are_exact(name, tmp_path):
    obj = SAMPLES[name][0]()
    text = obj.to_json()
    head = json.loads(text)
    assert (head["format"], head["version"], head["kind"]) == ("funnelnet", 1, KINDS[name])
    cls = type(obj)
    path = tmp_path / f"{name}.json"
    obj.save(path)
    for back in (cls.from_json(text), cls.load(path), fn.load_model(path)):
        assert type(back) is cls
        for a, b in zip(outputs_without_training_data(name, obj), outputs_without_training_data(name, back)):
            assert_same(a, b)
        assert back.to_json() == text  # and the file it writes is the same, byte for byte


@pytest.mark.parametrize("name", ["HigherOrderChain", "ReferralGraph", "MarkovAttribution", "BetaGeo",
                                  "ParetoNBD", "BetaGeoBetaBinom", "GammaGamma"])
def test_pickles_go_through_the_model_file(name):
    obj = SAMPLES[name][0]()
    text = obj.to_json()
    _, args = obj.__reduce__()[:2]
    assert text in args  # the JSON text itself is pickled
    back = pickle.loads(pickle.dumps(obj))
    assert back.to_json() == text


def test_repeat_models_load_as_their_own_class():
    x, tx, T, _ = (np.array([0.0, 2, 5, 1]), np.array([0.0, 10, 30, 4]), np.array([40.0, 40, 38, 20]), None)
    pn = fn.customers.ParetoNBD.from_params(r=0.55, alpha=10.6, s=0.61, beta=11.7)
    back = fn.customers.repeat_buying.repeat_model_from_json(pn.to_json())
    assert type(back) is fn.customers.ParetoNBD
    np.testing.assert_array_equal(back.p_alive(x, tx, T), pn.p_alive(x, tx, T))
    with pytest.raises(fn.FormatError, match="holds a ParetoNBD model, not a BetaGeo"):
        fn.customers.BetaGeo.from_json(pn.to_json())
    with pytest.raises(fn.FormatError, match="expected a 'gamma_gamma'"):
        fn.customers.GammaGamma.from_json(pn.to_json())


def test_graph_labels_and_ids():
    # integer ids are the node ids; string labels travel as labels; others cannot
    g = fn.ReferralGraph.from_edges([10, 10, 30], [20, 30, 10], weight=[0.5, 1.5, 2.0])
    back = fn.ReferralGraph.from_json(g.to_json())
    assert_same(back.edges(), g.edges())
    assert_same(back.nodes, g.nodes)
    assert "labels" not in json.loads(g.to_json())
    s = SAMPLES["ReferralGraph"][0]()
    assert json.loads(s.to_json())["labels"] == list(s.nodes)
    f = fn.ReferralGraph.from_edges([0.5, 1.5], [1.5, 2.5])
    with pytest.raises(fn.InputTypeError, match="integer or string node labels"):
        f.to_json()
    assert_same(pickle.loads(pickle.dumps(f)).edges(), f.edges())  # still pickles (its validated state)


def test_model_read_from_a_file_has_no_training_paths():
    m = SAMPLES["MarkovAttribution"][0]()
    with pytest.raises(fn.InvalidArgumentError, match="journeys\\(\\) needs the training paths"):
        fn.attribution.MarkovAttribution.from_json(m.to_json()).journeys()


@pytest.mark.parametrize("name", sorted(set(KINDS) - {"ParetoNBD", "BetaGeoBetaBinom"}))
def test_bad_files_raise_format_errors(name, tmp_path):
    obj = SAMPLES[name][0]()
    cls = type(obj)
    good = json.loads(obj.to_json())
    newer = dict(good, version=2)
    with pytest.raises(fn.FormatError, match="unsupported model file version 2"):
        cls.from_json(json.dumps(newer))
    with pytest.raises(fn.FormatError, match="unsupported model file version 0"):
        cls.from_json(json.dumps(dict(good, version=0)))
    other = dict(good, kind="crystal_ball")
    with pytest.raises(fn.FormatError, match="holds a 'crystal_ball'"):
        cls.from_json(json.dumps(other))
    path = tmp_path / "m.json"
    path.write_text(json.dumps(other))
    with pytest.raises(fn.FormatError, match="'crystal_ball', a kind this build does not know"):
        fn.load_model(path)
    with pytest.raises(fn.FormatError, match="not valid JSON"):
        cls.from_json(obj.to_json()[:-3])
    # a field missing, then a field of the wrong type: the message names the field
    field = next(k for k in good if k not in ("format", "version", "kind"))
    with pytest.raises(fn.FormatError, match=f"missing field '{field}'"):
        cls.from_json(json.dumps({k: v for k, v in good.items() if k != field}))
    with pytest.raises(fn.FormatError, match=field if field not in ("states",) else "states"):
        cls.from_json(json.dumps(dict(good, **{field: "garbage"})))
    with pytest.raises(fn.FileError):
        cls.load(tmp_path / "missing.json")


def test_corrupt_contents_fail_the_objects_own_validation():
    g = json.loads(SAMPLES["ReferralGraph"][0]().to_json())
    g["weights"][0] = -1.0
    with pytest.raises(fn.FormatError, match="weight at row 0 must be finite and >= 0"):
        fn.ReferralGraph.from_json(json.dumps(g))
    bg = json.loads(SAMPLES["BetaGeo"][0]().to_json())
    bg["params"][1] = 0.0
    with pytest.raises(fn.FormatError, match="alpha"):
        fn.customers.BetaGeo.from_json(json.dumps(bg))
    bg = json.loads(SAMPLES["BetaGeo"][0]().to_json())
    bg["model"] = "beta_geo_beta_binomial_x"
    with pytest.raises(fn.FormatError, match="a repeat-buying model this build does not know"):
        fn.customers.BetaGeo.from_json(json.dumps(bg))
    ma = json.loads(SAMPLES["MarkovAttribution"][0]().to_json())
    ma["q_probabilities"][0] += 0.25
    with pytest.raises(fn.FormatError, match="transitions and exits sum to"):
        fn.attribution.MarkovAttribution.from_json(json.dumps(ma))
    ho = json.loads(SAMPLES["HigherOrderChain"][0]().to_json())
    ho["histories"][0][0] = 99
    with pytest.raises(fn.FormatError, match="history 0 has stage 99"):
        fn.HigherOrderChain.from_json(json.dumps(ho))


def test_a_non_converged_fit_stays_visible_after_a_round_trip():
    x, tx, T, _ = rfm()
    with pytest.warns(fn.ConvergenceWarning):
        m = fn.customers.BetaGeo(max_iterations=2).fit(x, tx, T)
    assert not m.converged_
    back = fn.customers.BetaGeo.from_json(m.to_json())
    assert not back.converged_
    assert back.report_ == m.report_
    assert_same(pd.Series(back.params_), pd.Series(m.params_))


@pytest.fixture
def file_limit():
    """Restores the loaders' size limit after the test."""
    old = fn.max_file_bytes()
    yield
    fn.set_max_file_bytes(old)


def test_oversized_files_are_refused_with_the_size_and_the_limit(tmp_path, file_limit):
    assert fn.max_file_bytes() == 2**31
    chain = fn.MarkovChain([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
    path = tmp_path / "chain.json"
    chain.save(path)
    size = path.stat().st_size
    assert fn.set_max_file_bytes(size) == 2**31
    assert fn.load_model(path).states == chain.states  # at the limit: read
    fn.set_max_file_bytes(size - 1)
    for load in (fn.load_model, fn.MarkovChain.load):
        with pytest.raises(fn.FileError, match=f"{size} bytes, over the limit of {size - 1}"):
            load(path)
    edges = tmp_path / "edges.txt"
    edges.write_text("1 2\n2 3\n3 1\n")  # 12 bytes
    fn.set_max_file_bytes(11)
    with pytest.raises(fn.FileError, match="12 bytes, over the limit of 11"):
        fn.ReferralGraph.read_edge_list(str(edges))
    with pytest.raises(fn.FileError, match="12 bytes, over the limit of 11"):
        fn.ReferralGraph.read_metis(str(edges))
    fn.set_max_file_bytes(12)
    assert fn.ReferralGraph.read_edge_list(str(edges)).number_of_edges == 3


def test_endless_devices_stop_at_the_limit(file_limit):
    fn.set_max_file_bytes(1 << 20)
    with pytest.raises(fn.FileError, match="more than 1048576 bytes"):
        fn.load_model("/dev/zero")
    with pytest.raises(fn.FileError, match="more than 1048576 bytes"):
        fn.ReferralGraph.read_edge_list("/dev/zero")


@pytest.mark.parametrize("bad, error", [(0, fn.OutOfRangeError), (-1, fn.OutOfRangeError),
                                        (2**64, fn.OutOfRangeError), (1.5, fn.InputTypeError),
                                        ("1", fn.InputTypeError), (True, fn.InputTypeError)])
def test_bad_limits_are_typed_errors_and_change_nothing(bad, error, file_limit):
    with pytest.raises(error, match="limit"):
        fn.set_max_file_bytes(bad)
    assert fn.max_file_bytes() == 2**31


def test_the_cli_refuses_an_oversized_table(tmp_path, file_limit):
    from funnelnet.cli._io import read_table

    table = tmp_path / "events.csv"
    table.write_text("a,b\n1,2\n")  # 8 bytes
    fn.set_max_file_bytes(7)
    with pytest.raises(fn.FileError, match="8 bytes, over the limit of 7"):
        read_table(str(table), {})
    fn.set_max_file_bytes(8)
    assert read_table(str(table), {}).shape == (1, 2)
