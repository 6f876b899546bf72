"""The command line (``python -m funnelnet``, issue 12): every command on generated files
and on ../shared/data/crm/sales_pipeline.csv (and journeys/Si05_attribution_data.csv for
attribution), checked against numbers recomputed here (pandas, numpy, closed forms);
every bad input exits with status 2 and exactly one line on stderr, never a traceback
(run as subprocesses)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.cli import main

SIZE = 3000
PIPELINE_ARGS = ["--map", "lead=opportunity_id,stage=deal_stage", "--stage-dates", "Prospecting=,Engaging=engage_date",
                 "--close", "close_date", "--outcomes", "Won,Lost"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "funnelnet", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


@pytest.fixture(scope="module")
def crm_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("crm")
    assert main(["generate", "--size", str(SIZE), "--seed", "4", "--out", str(out)]) == 0
    return out


def test_help_is_for_newcomers():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("demo", "generate", "fit-funnel", "attribution", "influencers", "customers", "report", "examples:",
                "--map"):
        assert cmd in r.stdout
    r = run("report", "--help")
    assert r.returncode == 0 and "--stage-dates" in r.stdout and "funnelnet report --opportunities" in r.stdout


def test_demo_writes_the_report(tmp_path: Path):
    r = run("demo", "--size", "2000", "--seed", "2", "--out", str(tmp_path / "demo"))
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "demo" / "report.html").read_text(encoding="utf-8")
    for title in ("Funnel", "Time to close", "Bottlenecks", "Referral network", "tier migration", "Repeat buying",
                  "Pipeline forecast", "Lead scores"):
        assert title in r.stdout and title in page
    assert "Generated 2,000 accounts" in r.stdout
    assert len(list((tmp_path / "demo").glob("*.csv"))) >= 10


def test_generate_writes_the_frames(crm_dir: Path, tmp_path: Path):
    crm = fn.datasets.synthetic_crm(n_accounts=SIZE, seed=4)
    ev = pd.read_csv(crm_dir / "events.csv", parse_dates=["time"])
    assert (ev["lead"].to_numpy() == crm.events["lead"].to_numpy()).all()
    assert (ev["stage"].to_numpy() == crm.events["stage"].astype(str).to_numpy()).all()
    assert len(pd.read_csv(crm_dir / "accounts.csv")) == SIZE
    params = json.loads((crm_dir / "truth_params.json").read_text())
    assert params["bg_r"] == crm.truth.bg_r
    assert main(["generate", "--size", "500", "--format", "parquet", "--out", str(tmp_path)]) == 0
    tx = pd.read_parquet(tmp_path / "transactions.parquet")
    small = fn.datasets.synthetic_crm(n_accounts=500, seed=0)
    assert np.allclose(tx["amount"].to_numpy(), small.transactions["amount"].to_numpy())
    # Parquet in: the funnel fitted from events.parquet is the absorbing chain of its events
    out = tmp_path / "f.csv"
    assert main(["fit-funnel", str(tmp_path / "events.parquet"), "--out", str(out)]) == 0
    stages = ["potential", "possible", "target", "effective"]
    got = pd.read_csv(out).set_index("stage")["win_probability"].to_numpy()
    assert got == pytest.approx(_absorbing_win(small.events, stages, ["won", "lost"]), abs=1e-9)


def _absorbing_win(events: pd.DataFrame, stages: list[str], outcomes: list[str]) -> np.ndarray:
    states = stages + outcomes
    d = events.sort_values(["lead", "time"], kind="stable")
    nxt = d.groupby("lead")["stage"].shift(-1)
    ct = pd.crosstab(d["stage"].astype(str), nxt.astype(str)).reindex(index=states, columns=states, fill_value=0)
    p = ct.to_numpy(float)[: len(stages)]
    p = p / p.sum(axis=1, keepdims=True)
    return np.linalg.solve(np.eye(len(stages)) - p[:, : len(stages)], p[:, len(stages)])


def test_fit_funnel_on_generated_events(crm_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "f.json"
    assert main(["fit-funnel", str(crm_dir / "events.csv"), "--out", str(out)]) == 0
    got = pd.DataFrame(json.loads(out.read_text())["table"]).set_index("stage")
    ev = pd.read_csv(crm_dir / "events.csv", parse_dates=["time"])
    stages = ["potential", "possible", "target", "effective"]
    assert list(got.index) == stages   # the order leads move through, inferred
    assert got["win_probability"].to_numpy() == pytest.approx(_absorbing_win(ev, stages, ["won", "lost"]), abs=1e-9)
    assert "Transition probabilities" in capsys.readouterr().out


def test_fit_funnel_on_the_sales_pipeline(shared_data: Path, tmp_path: Path):
    # ../shared/data/crm/sales_pipeline.csv: Won 4,238 / Lost 2,473 / open 2,089
    out = tmp_path / "p.csv"
    assert main(["fit-funnel", str(shared_data / "crm" / "sales_pipeline.csv"), *PIPELINE_ARGS, "--out", str(out)]) == 0
    t = pd.read_csv(out).set_index("stage")
    assert t.loc["Engaging", "win_probability"] == pytest.approx(4238 / (4238 + 2473))


def test_customers_on_the_sales_pipeline(shared_data: Path, tmp_path: Path):
    path = shared_data / "crm" / "sales_pipeline.csv"
    out = tmp_path / "c.csv"
    r = run("customers", str(path), "--map", "customer=account,time=close_date,amount=close_value",
            "--where", "deal_stage=Won", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr   # the fit's non-convergence is a warning line, not a crash
    t = pd.read_csv(out).set_index("customer")
    df = pd.read_csv(path)
    won = df[df["deal_stage"] == "Won"]
    freq = won.groupby("account")["close_date"].nunique() - 1
    assert (t["frequency"] == freq.reindex(t.index)).all()
    assert t["clv"].is_monotonic_decreasing


def test_customers_and_influencers_on_generated_files(crm_dir: Path, tmp_path: Path):
    out = tmp_path / "c.json"
    assert main(["customers", str(crm_dir / "transactions.csv"), "--map", "customer=account", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert {"table", "parameters", "bg_converged"} <= set(res)
    out = tmp_path / "i.json"
    assert main(["influencers", str(crm_dir / "referrals.csv"), "--k", "5", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert len(res["table"]) == 5
    ref = pd.read_csv(crm_dir / "referrals.csv")
    made = ref.groupby("referrer").size()
    top = pd.DataFrame(res["top_referrers"]).set_index("account")
    assert (top["referrals_made"] == made.reindex(top.index)).all()
    assert top["referrals_made"].iloc[0] == made.max()


def test_attribution_on_touches(shared_data: Path, tmp_path: Path):
    # ../shared/data/journeys/Si05_attribution_data.csv: 1,838 conversions
    path = shared_data / "journeys" / "Si05_attribution_data.csv"
    out = tmp_path / "a.csv"
    assert main(["attribution", str(path), "--map", "customer=customer_id,converted=conversion,value=conversion_value",
                 "--out", str(out)]) == 0
    t = pd.read_csv(out).set_index("channel")
    assert t["conversions"].sum() == pytest.approx(1838)
    log = pd.read_csv(path).sort_values(["customer_id", "time"], kind="stable")
    last = log[log["conversion"] == 1]["channel"].value_counts()
    assert (t["last_touch"] == last.reindex(t.index)).all()


def test_report_on_user_files(crm_dir: Path, shared_data: Path, tmp_path: Path):
    assert main(["report", "--events", str(crm_dir / "events.csv"), "--referrals", str(crm_dir / "referrals.csv"),
                 "--transactions", str(crm_dir / "transactions.csv"), "--tiers", str(crm_dir / "tiers.csv"),
                 "--map", "customer=account", "--out", str(tmp_path / "mine")]) == 0
    page = (tmp_path / "mine" / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 6   # funnel, time, bottlenecks, referrals, tiers, CLV
    assert (tmp_path / "mine" / "tiers_migration.csv").exists()
    # the sales pipeline: funnel, time to close, bottlenecks and (won deals as purchases) repeat buying
    r = run("report", "--opportunities", str(shared_data / "crm" / "sales_pipeline.csv"), "--map",
            "lead=opportunity_id,stage=deal_stage,customer=account,amount=close_value", "--stage-dates",
            "Prospecting=,Engaging=engage_date", "--close", "close_date", "--outcomes", "Won,Lost",
            "--out", str(tmp_path / "pipe"))
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(tmp_path / "pipe" / "funnel_stages.csv").set_index("stage")
    assert t.loc["Engaging", "win_probability"] == pytest.approx(4238 / (4238 + 2473))
    assert (tmp_path / "pipe" / "repeat_buying_customers.csv").exists()


@pytest.mark.parametrize("args,needle", [
    (["fit-funnel", "no/such/file.csv"], "no/such/file.csv"),
    (["fit-funnel", "{pipeline}", "--map", "lead=opportunity"], "'opportunity'"),
    (["customers", "{events}"], "no column 'customer'"),
    (["fit-funnel", "{events}", "--stages", "potential,possible"], "target"),
    (["fit-funnel", "{pipeline}", "--map", "lead=opportunity_id,stage=deal_stage", "--stage-dates",
      "Prospecting=,Engaging=engage_date", "--close", "close_date", "--outcomes", "Won"], "Lost"),
    (["demo", "--size", "-3"], "--size"),
    (["demo", "--size", "many"], "many"),
    (["generate", "--format", "xlsx"], "xlsx"),
    (["fit-funnel", "{events}", "--out", "x.txt"], "x.txt"),
    (["influencers", "{events}", "--map", "referrer=lead,referee=stage", "--k", "0"], "--k"),
    (["customers", "{events}", "--map", "customer=lead,amount=lead", "--where", "nope=1"], "nope"),
    (["report"], "input file"),
    (["frobnicate"], "frobnicate"),
    (["attribution", "{events}", "--map", "customer=lead,channel=stage,converted=lead", "--map", "bad"], "bad"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle, crm_dir: Path, shared_data: Path, tmp_path: Path):
    args = [a.format(events=crm_dir / "events.csv", pipeline=shared_data / "crm" / "sales_pipeline.csv") for a in args]
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and "error" in lines[0] and needle in lines[0]
