"""The report (fn.report.build, issue 12): the page renders with every registered
section, a chart in every section that ran, the CSV behind every table, no network
references and under 5 MB; its numbers are recomputed here independently (pandas
groupbys, merge_asof, numpy linear algebra) and, on the synthetic company, compared with
the generator's truth.  Attribution reads ../shared/data/journeys/Si05_attribution_data.csv."""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.report.registry import SECTION_MODULES

N_ACCOUNTS = 6000


@pytest.fixture(scope="module")
def crm() -> fn.datasets.SyntheticCRM:
    return fn.datasets.synthetic_crm(n_accounts=N_ACCOUNTS, months=24, seed=1)


@pytest.fixture(scope="module")
def built(crm, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return fn.report.build(crm, out=out, seed=0), out


def _section_html(page: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', page, re.S)
    assert m, f"section {sid} missing from the page"
    return m.group(1)


def test_page_has_every_section_chart_and_csv(built, crm):
    rep, out = built
    page = Path(rep.path).read_text(encoding="utf-8")
    assert [s.id for s in rep.sections] == SECTION_MODULES
    for s in rep.sections:
        html = _section_html(page, s.id)
        if s.skipped:
            assert escape(s.skipped) in html
            continue
        assert s.meaning and escape(s.meaning) in html
        n_img = html.count('<img alt="')
        assert n_img == len(s.figures) >= 1, s.id
        for png in s.figures.values():
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert s.tables, s.id
        for name, df in s.tables.items():
            f = out / f"{s.id}_{name}.csv"
            assert f.exists() and f"{s.id}_{name}.csv" in html
            back = pd.read_csv(f)
            assert len(back) == len(df)
    # the synthetic company has everything but touches; the placeholders say what will come
    shown = {s.id for s in rep.sections if not s.skipped}
    expected = {"funnel", "time_to_close", "bottlenecks", "referrals", "tiers", "repeat_buying", "forecast",
                "lead_scores"}
    if isinstance(getattr(crm, "touches", None), pd.DataFrame):   # the generator makes touches (issue 12)
        expected.add("attribution")
    else:
        assert "touches" in rep.section("attribution").skipped
    assert shown == expected


def test_page_is_self_contained_and_small(built):
    rep, _ = built
    page = Path(rep.path).read_text(encoding="utf-8")
    assert rep.size_bytes == Path(rep.path).stat().st_size < 5_000_000
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not fetch anything"
    assert page.count("data:image/png;base64,") == sum(len(s.figures) for s in rep.sections)


def test_funnel_stage_table_matches_pandas(built, crm):
    rep, _ = built
    t = rep.section("funnel").tables["stages"]
    ev = crm.events.assign(stage=crm.events["stage"].astype(str))
    reached = ev.groupby("stage")["lead"].nunique()
    for s in t.index:
        assert t.loc[s, "reached"] == reached[s]
    assert t["reached_share"].iloc[0] == pytest.approx(reached[t.index[0]] / ev["lead"].nunique())
    # where deals are lost: the stage of the lead's last event before its loss (merge_asof)
    lost = ev[ev["stage"] == "lost"].sort_values("time")
    before = ev[ev["stage"] != "lost"].sort_values("time")
    m = pd.merge_asof(lost, before, on="time", by="lead", allow_exact_matches=True, suffixes=("", "_prev"),
                      direction="backward")
    expect = m["stage_prev"].value_counts()
    assert t["lost_from_here"].to_dict() == {s: int(expect.get(s, 0)) for s in t.index}


def test_funnel_win_probability_is_the_absorbing_chain(built, crm):
    rep, _ = built
    t = rep.section("funnel").tables["stages"]
    states = list(fn.datasets.STAGES)
    d = crm.events.sort_values(["lead", "time"], kind="stable")
    nxt = d.groupby("lead")["stage"].shift(-1)
    pairs = pd.crosstab(d["stage"].astype(str), nxt.astype(str)).reindex(index=states, columns=states, fill_value=0)
    p = pairs.to_numpy(float)[:4]
    p = p / p.sum(axis=1, keepdims=True)
    n = np.linalg.inv(np.eye(4) - p[:, :4])
    won = n @ p[:, 4]
    assert t["win_probability"].to_numpy() == pytest.approx(won, abs=1e-9)


def test_fitted_vs_true_on_the_synthetic_company(built):
    rep, _ = built
    seg = rep.section("funnel").tables["segments"]
    big = seg[seg["leads"] >= 1500]
    assert len(big) >= 2
    # about 1,500+ leads: the win probability (~5 %) is within 0.02 of the truth
    assert np.abs(big["win_probability"] - big["true_win_probability"]).max() < 0.02
    ttc = rep.section("time_to_close").tables["segments"]
    big = ttc[ttc["leads"] >= 1500]
    assert (np.abs(big["mean_days"] / big["true_mean_days"] - 1) < 0.15).all()
    mig = rep.section("tiers").tables["migration"]
    assert np.abs(mig["fitted"] - mig["true"]).max() < 0.02
    churn = rep.section("tiers").tables["churn"]
    assert churn.loc["A lost per year", "true"] == pytest.approx(0.2, abs=1e-6)   # the generator's default
    assert abs(churn.loc["A lost per year", "fitted"] - 0.2) < 0.05


def test_tier_migration_matches_a_crosstab(built, crm):
    rep, _ = built
    mig = rep.section("tiers").tables["migration"].set_index(["from", "to"])["fitted"]
    t = crm.tiers
    a = np.concatenate([t[c].astype(str).to_numpy() for c in t.columns[:-1]])
    b = np.concatenate([t[c].astype(str).to_numpy() for c in t.columns[1:]])
    ct = pd.crosstab(a, b, normalize="index")
    for (f, to), v in mig.items():
        assert v == pytest.approx(ct.loc[f, to], abs=1e-12)


def test_referrals_and_customers_tables(built, crm):
    rep, _ = built
    inf = rep.section("referrals").tables["influencers"]
    made = crm.referrals.groupby("referrer").size()
    assert (inf["referrals_made"] == made.reindex(inf.index)).all()
    assert inf["referrals_made"].iloc[0] == made.max()
    assert (inf["true_influence"] == crm.truth.influence.reindex(inf.index)).all()
    seeds = rep.section("referrals").tables["cultivate"]
    assert len(seeds) == 10 and seeds["spread"].is_monotonic_increasing
    # IMM on the true network is (1 - 1/e - eps)-optimal: never far below the data's choice
    assert (seeds["true_best_spread"] >= 0.8 * seeds["true_spread"]).all()
    cust = rep.section("repeat_buying").tables["customers"]
    days = crm.transactions.assign(day=crm.transactions["time"].dt.floor("D"))
    freq = days.groupby("account")["day"].nunique() - 1
    assert (cust["frequency"] == freq.reindex(cust.index)).all()
    assert ((cust["p_alive"] >= 0) & (cust["p_alive"] <= 1)).all()
    params = rep.section("repeat_buying").tables["parameters"]
    assert params.loc[("BG/NBD", "r"), "true"] == crm.truth.bg_r


def test_attribution_from_touches(shared_data: Path, tmp_path: Path):
    # ../shared/data/journeys/Si05_attribution_data.csv: 62,483 touches, 1,838 conversions
    log = pd.read_csv(shared_data / "journeys" / "Si05_attribution_data.csv")
    t = log.rename(columns={"customer_id": "customer", "conversion": "converted", "conversion_value": "value"})
    rep = fn.report.build(fn.report.ReportInputs(touches=t), out=tmp_path, sections=["attribution", "funnel"])
    s = rep.section("attribution")
    assert not s.skipped and len(s.figures) == 1
    ch = s.tables["channels"]
    assert ch["markov_conversions"].sum() == pytest.approx(t["converted"].sum())
    d = t.sort_values(["customer", "time"], kind="stable")
    last = d[d["converted"] == 1]["channel"].value_counts(normalize=True)
    assert ch["last_touch_share"].to_numpy() == pytest.approx(last.reindex(ch.index).to_numpy(), abs=1e-12)
    assert "events" in rep.section("funnel").skipped
    assert (tmp_path / "attribution_channels.csv").exists()


def test_user_tables_with_other_stage_names(tmp_path: Path):
    ev = pd.DataFrame({"lead": [1, 1, 1, 2, 2, 3, 3, 3],
                       "stage": ["new", "quote", "signed", "new", "dropped", "new", "quote", "dropped"],
                       "time": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-20", "2024-01-02", "2024-01-09",
                                               "2024-01-03", "2024-01-04", "2024-02-01"])})
    rep = fn.report.build({"events": ev, "outcomes": ["signed", "dropped"]}, out=tmp_path,
                          sections=["funnel", "time_to_close"])
    t = rep.section("funnel").tables["stages"]
    assert list(t.index) == ["new", "quote"]
    assert t.loc["new", "win_probability"] == pytest.approx(1 / 3)   # 1 of 3 leads signed
    assert t.loc["quote", "win_probability"] == pytest.approx(1 / 2)
    tt = rep.section("time_to_close").tables["stages"]
    # exponential holding times: mean days in 'quote' = 43 days exposure / 2 exits = 21.5
    assert tt.loc["quote", "mean"] == pytest.approx(21.5)


def test_bad_input_raises_and_writes_nothing(tmp_path: Path, crm):
    with pytest.raises(fn.InvalidArgumentError, match="unknown section 'nope'.*funnel"):
        fn.report.build(crm, out=tmp_path / "a", sections=["nope"])
    with pytest.raises(fn.InputTypeError, match="int"):
        fn.report.build(42, out=tmp_path / "b")
    ev = crm.events.head(50).assign(stage=lambda d: d["stage"].astype(str))
    with pytest.raises(fn.UnknownLabelError, match="target"):
        fn.report.build(fn.report.ReportInputs(events=ev, stages=["potential", "possible"]), out=tmp_path / "c")
    assert not (tmp_path / "c" / "report.html").exists()
    with pytest.raises(fn.InvalidArgumentError, match="known inputs"):
        fn.report.build({"event": ev}, out=tmp_path / "d")


def test_sections_skip_with_a_note(tmp_path: Path, crm):
    rep = fn.report.build(fn.report.ReportInputs(events=crm.events), out=tmp_path)
    for sid, needs in (("referrals", "referrals"), ("tiers", "tiers"), ("repeat_buying", "transactions"),
                       ("attribution", "touches")):
        assert needs in rep.section(sid).skipped
    assert not rep.section("funnel").skipped
    assert rep.to_frame().loc["funnel", "shown"]


def test_touches_of_a_crm_light_up_attribution(crm, tmp_path: Path):
    # A CRM object with touches per lead (the generator's shape: lead, channel, time,
    # converted on a won lead's last touch) and a truth naming the channels' removal effects.
    import types

    rng = np.random.default_rng(0)
    leads = crm.leads
    n = rng.integers(1, 4, len(leads))
    lead = np.repeat(leads.index.to_numpy(), n)
    won = leads["outcome"].astype(str).eq("won").to_numpy()[lead]
    channel = np.where(rng.random(len(lead)) < 0.5, "email", "fair")
    channel = np.where(won & (rng.random(len(lead)) < 0.5), "visit", channel)   # visits only touch won leads
    time = leads["start"].to_numpy()[lead] + pd.to_timedelta(rng.integers(0, 30, len(lead)), unit="D").to_numpy()
    touches = pd.DataFrame({"lead": lead, "channel": channel, "time": time}).sort_values(["lead", "time"])
    last = ~touches["lead"].duplicated(keep="last")
    touches["converted"] = last & leads["outcome"].astype(str).eq("won").to_numpy()[touches["lead"].to_numpy()]
    truth = types.SimpleNamespace(channels=pd.DataFrame({"removal_effect": [0.1, 0.2, 0.9]},
                                                        index=["email", "fair", "visit"]))
    fake = types.SimpleNamespace(events=crm.events, accounts=crm.accounts, transactions=crm.transactions,
                                 referrals=crm.referrals, leads=leads, touches=touches, truth=truth)
    rep = fn.report.build(fake, out=tmp_path, sections=["attribution"])
    s = rep.section("attribution")
    assert not s.skipped, s.skipped
    ch = s.tables["channels"]
    assert ch["markov_conversions"].sum() == pytest.approx(float(touches["converted"].sum()))
    conv = touches[touches["converted"]]["channel"].value_counts(normalize=True)
    assert ch["last_touch_share"].to_numpy() == pytest.approx(conv.reindex(ch.index).to_numpy(), abs=1e-12)
    assert (ch["true_removal_effect"] == truth.channels["removal_effect"].reindex(ch.index)).all()
    same = list(ch["removal_effect"].rank()) == list(ch["true_removal_effect"].rank())
    assert ("as the truth does" in s.meaning) == same


def test_bottleneck_per_segment_true_step_is_the_brute_force_best(built, crm):
    # Brute force on the true chain of each segment: raise each transition by 10 % and
    # renormalise its row, solve for P(won | potential), keep the best.
    rep, _ = built
    seg = rep.section("bottlenecks").tables["segments"]
    states = list(fn.datasets.STAGES)

    def p_won(p: np.ndarray) -> float:
        return float(np.linalg.solve(np.eye(4) - p[:, :4], p[:, 4])[0])

    for s in seg.index:
        p = crm.truth.transition.loc[s].to_numpy(float)
        base = p_won(p)
        gains = {}
        for i in range(4):
            for j in range(6):
                if p[i, j] <= 0:
                    continue
                q = p.copy()
                q[i, j] *= 1.1
                q[i] /= 1 + 0.1 * p[i, j]   # raised by 10 %, the row renormalised
                gains[f"{states[i]} -> {states[j]}"] = p_won(q) - base
        best = max(gains, key=gains.get)
        assert seg.loc[s, "true_best_step"] == best, (s, sorted(gains.items(), key=lambda kv: -kv[1])[:3])
        assert seg.loc[s, "true_gain_10pct_exact"] == pytest.approx(gains[best], rel=1e-9)


def test_forecast_section_recomputed(built, crm):
    """Expected wins per month = the sum over open deals of P(won in the month), from
    scipy's expm of the generator refitted here; win quantiles from a Poisson-binomial
    pmf built by np.convolve; revenue P(reach) against a seeded Monte Carlo; targets
    and categories with pandas."""
    from scipy.linalg import expm

    from funnelnet.report.sections.forecast import HORIZON

    rep, _ = built
    sec = rep.section("forecast")
    months = sec.tables["months"]
    assert len(months) == HORIZON
    ev = crm.events
    chain = fn.ExposureCounts.from_events(ev, lead="lead", stage="stage", time="time", time_unit="D",
                                          funnel=fn.Funnel(["potential", "possible", "target", "effective"],
                                                           outcomes=["won", "lost"])).fit()
    q = chain.generator()
    opp = crm.opportunities
    open_ = opp[(opp["status"] == "C") & opp["stage"].astype(str).isin(q.index[:4])]
    last = ev.assign(stage=ev["stage"].astype(str)).groupby(["lead", "stage"])["time"].max()
    entered = last.reindex(pd.MultiIndex.from_arrays([open_["lead"], open_["stage"].astype(str)]))
    assert entered.notna().all() and len(sec.tables["deals"]) == len(open_)
    snap = ev["time"].max()
    stub = int(snap != snap.to_period("M").start_time)   # the rest of the snapshot's month: cumulative only
    ends = [(snap.to_period("M") + j + 1).start_time for j in range(HORIZON + stub)]
    days = [(e - snap) / pd.Timedelta(days=1) for e in ends]
    states = list(q.index)
    rows = [states.index(s) for s in open_["stage"].astype(str)]
    cum = np.column_stack([expm(q.to_numpy() * t)[rows, states.index("won")] for t in days])
    per = np.diff(np.column_stack([np.zeros(len(rows)), cum]), axis=1)[:, stub:]
    assert list(months.index) == [str(snap.to_period("M") + j + stub) for j in range(HORIZON)]
    np.testing.assert_allclose(months["expected_cumulative_wins"], cum.sum(axis=0)[stub:], rtol=1e-6)
    np.testing.assert_allclose(months["expected_wins"], per.sum(axis=0), rtol=1e-6, atol=1e-9)
    amount = open_["amount"].to_numpy()
    np.testing.assert_allclose(months["expected_revenue"], amount @ per, rtol=2e-3)
    for j in range(HORIZON):   # Poisson-binomial quantiles of the month's wins
        pmf = np.array([1.0])
        for p in per[:, j]:
            pmf = np.convolve(pmf, [1 - p, p])
        cdf = np.cumsum(pmf)
        for lv, col in ((0.1, "wins_p10"), (0.5, "wins_p50"), (0.9, "wins_p90")):
            assert months[col].iloc[j] == int(np.searchsorted(cdf, lv - 1e-12)), (j, col)
    won = opp[opp["status"] == "W"]
    by = won.groupby(pd.DatetimeIndex(won["closed"]).to_period("M"))["amount"].sum()
    target = [float(by.get(pd.Period(m, "M") - 12, 0.0)) for m in months.index]
    np.testing.assert_allclose(months["target"], target)
    rng = np.random.default_rng(0)
    draws = (rng.uniform(size=(20000, len(rows))) < cum[:, -1]) @ amount
    mc = float((draws >= months["cumulative_target"].iloc[-1]).mean())
    assert abs(months["p_reach_cumulative_target"].iloc[-1] - mc) <= 4 * np.sqrt(mc * (1 - mc) / 20000) + 0.01
    ph = cum[:, -1]
    cats = sec.tables["categories"]
    want = {"commit": (ph >= 0.8).sum(), "best_case": ((ph >= 0.5) & (ph < 0.8)).sum(),
            "pipeline": ((ph >= 0.1) & (ph < 0.5)).sum(), "omitted": (ph < 0.1).sum()}
    assert cats["deals"].to_dict() == want
    assert f"should bring {cum[:, -1].sum():.0f} wins" in sec.meaning


def test_lead_scores_section_recomputed(built):
    """The later leads' metrics with scikit-learn, the top-decile gain, tier win rates and
    the capacity table by brute force from the per-lead table the section writes."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    from funnelnet.report.sections.lead_scores import DECAY

    rep, out = built
    sec = rep.section("lead_scores")
    leads = pd.read_csv(out / "lead_scores_leads.csv")
    y = leads["won"].to_numpy()
    assert set(np.unique(y)) == {0, 1}
    m = sec.tables["metrics"]
    for col, name in (("p_lead_score", "lead score"), ("p_funnel_stage", "funnel stage")):
        p = leads[col].to_numpy()
        assert m.loc[name, "roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-9)
        assert m.loc[name, "average_precision"] == pytest.approx(average_precision_score(y, p), abs=1e-9)
    assert m.loc["lead score", "roc_auc"] > 0.5          # better than chance on leads it never saw
    tiers = sec.tables["tiers"]
    np.testing.assert_allclose(tiers["win_rate"].to_numpy(),
                               leads.groupby("tier")["won"].mean().reindex(tiers.index).to_numpy())
    cap = sec.tables["capacity"]
    k = int(round(0.05 * len(leads)))
    def worth(key):   # brute force: rank r is worked in week r // k and keeps (1 - decay)^week of its chance
        order = np.argsort(-key, kind="stable")
        return float(np.sum(y[order] * (1 - DECAY) ** (np.arange(len(y)) // k)))
    p = leads["p_lead_score"].to_numpy()
    assert cap.loc["lead score", "won_value"] == pytest.approx(worth(p), rel=1e-9)
    assert cap.loc["oracle", "won_value"] == pytest.approx(worth(y.astype(float)), rel=1e-9)
    assert (cap["share_of_oracle"] <= 1 + 1e-12).all()


def test_charts_are_drawn_by_fn_plot(built, crm):
    # one drawing code path: each section's PNG is, byte for byte, the fn.plot chart of the
    # section's own objects drawn on a figure of the same size (Agg output is deterministic)
    from funnelnet.report import _figures

    rep, _ = built
    from funnelnet.report._shared import Context

    counts = Context(fn.report.inputs_from_crm(crm)).counts
    stages = rep.section("funnel").tables["stages"]
    assert rep.section("funnel").figures["funnel"] == _figures.draw(fn.plot.funnel, counts,
                                                                    size=(8.0, 1.2 + 0.8 * len(stages)))
    steps = rep.section("bottlenecks").tables["steps"]
    assert rep.section("bottlenecks").figures["bottlenecks"] == _figures.draw(
        fn.plot.bottlenecks, steps, 8, "gain_10pct_exact", size=(8.0, 4.0))
    months = rep.section("forecast").tables["months"]
    assert rep.section("forecast").figures["forecast"] == _figures.draw(
        fn.plot.forecast_fan, months, "revenue", months["cumulative_target"], target_label="last year, same months")
    seeds = rep.section("referrals").tables["cultivate"]
    ax_png = rep.section("referrals").figures["cultivate"]
    assert ax_png[:8] == b"\x89PNG\r\n\x1a\n" and len(seeds) == 10
