"""The ``funnelnet`` command line: ``python -m funnelnet <command> ...`` (or the
``funnelnet`` console script).  :func:`main` parses the arguments, runs the command and
returns its exit status: 0 on success, 2 with one line on stderr for bad input (a
missing file or column, an unknown stage, a bad option value), never a traceback.

>>> from funnelnet.cli import main
>>> main(["generate", "--size", "-5"])
2
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any, NoReturn, Sequence

import numpy as np
import pandas as pd

from . import _io
from ._errors import BAD_INPUT, UsageError, guarded

__all__ = ["main", "DEFAULT_SIZE"]

#: Accounts in the demo's company by default (about 20 s end to end on 2 shared cores).
DEFAULT_SIZE = 50_000

PROG = "funnelnet"

EPILOG = """\
examples:
  funnelnet demo                                  # a synthetic company, every analysis, report folder
  funnelnet demo --size 10000 --out my-demo --open
  funnelnet generate --size 20000 --out crm --format parquet
  funnelnet fit-funnel crm/events.csv             # columns lead, stage, time
  funnelnet fit-funnel sales_pipeline.csv --map lead=opportunity_id,stage=deal_stage \\
      --stage-dates Prospecting=,Engaging=engage_date --close close_date --outcomes Won,Lost
  funnelnet attribution touches.csv --map customer=customer_id,converted=conversion
  funnelnet influencers crm/referrals.csv --k 10
  funnelnet customers crm/transactions.csv --map customer=account --out clv.csv
  funnelnet report --opportunities sales_pipeline.csv --map lead=opportunity_id,stage=deal_stage \\
      --map customer=account,amount=close_value --stage-dates Prospecting=,Engaging=engage_date \\
      --close close_date --outcomes Won,Lost --out pipeline-report

Column names: funnelnet reads the names below; --map NAME=YOUR_COLUMN renames yours
(repeat --map or separate pairs with commas):
  funnel events   lead, stage, time         opportunities  lead, stage, close + --stage-dates
  touches         customer, time, channel, converted (0/1), value (optional)
  referrals       referrer, referee         transactions   customer, time, amount
  tier snapshots  customer, period, tier
Files: .csv or .parquet in; tables out as .csv or .json (--out).  Bad input: exit code 2
and one line on stderr.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` on one line and exit with status 2."""
        self.exit(BAD_INPUT, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {v}")
    return v


def _nonneg(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v


def _add_map(p: argparse.ArgumentParser) -> None:
    p.add_argument("--map", action="append", metavar="NAME=COLUMN",
                   help="your column for one of funnelnet's names, e.g. --map lead=opportunity_id (repeatable, "
                        "or comma-separated)")
    p.add_argument("--where", action="append", metavar="COLUMN=VALUE",
                   help="keep only the rows where COLUMN equals VALUE, e.g. --where deal_stage=Won (repeatable)")


def _add_funnel(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stages", metavar="A,B,C", help="the funnel's open stages in order (default: the generator's "
                   "stages, or the order leads move through)")
    p.add_argument("--outcomes", metavar="WON,LOST", default="won,lost",
                   help="the closed stages, the win first (default: won,lost)")
    p.add_argument("--stage-dates", metavar="STAGE=COLUMN,...",
                   help="read an opportunity table (one row per deal, a date column per stage; STAGE= for a stage "
                        "without a date) instead of an event log")
    p.add_argument("--close", metavar="COLUMN", help="with --stage-dates: the close-date column (or --map close=...)")


def _build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``funnelnet`` command (one sub-command per task).

    Returns
    -------
    argparse.ArgumentParser
    """
    ap = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
                 description="funnelnet: B2B sales analytics (funnels, attribution, referral networks, customers) "
                             "on your CRM exports or on a generated company.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("demo", help="generate a company, run every analysis, write the report folder",
                       description="Generate a synthetic B2B company with known truth, run every analysis, print a "
                                   "short summary and write the report folder (report.html + CSV).",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--size", type=_positive, default=DEFAULT_SIZE, help=f"accounts (default {DEFAULT_SIZE:,})")
    p.add_argument("--months", type=_positive, default=24, help="months of history (default 24)")
    p.add_argument("--seed", type=_nonneg, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="funnelnet-demo", help="report folder (default funnelnet-demo)")
    p.add_argument("--open", action="store_true", help="open the report in a web browser")
    p.add_argument("--threads", type=_nonneg, default=0, help="threads (default 0: all cores)")
    p.add_argument("--progress", action="store_true", help="show a progress bar over the sections")

    p = sub.add_parser("generate", help="write a synthetic CRM (CSV or Parquet) with its truth",
                       description="Write a synthetic company's tables (accounts, leads, events, opportunities, "
                                   "referrals, transactions, tiers) and its truth into a folder.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--size", type=_positive, default=10_000, help="accounts (default 10,000)")
    p.add_argument("--months", type=_positive, default=24, help="months of history (default 24)")
    p.add_argument("--seed", type=_nonneg, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="funnelnet-crm", help="folder to write (default funnelnet-crm)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)")

    p = sub.add_parser("fit-funnel", help="stage win probabilities, steps and days to close",
                       description="Fit the funnel (a Markov chain) from an event log (lead, stage, time) or an "
                                   "opportunity table (--stage-dates), print win probability, expected steps and "
                                   "days to close per stage.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("file", help="CSV or Parquet file")
    _add_map(p)
    _add_funnel(p)
    p.add_argument("--out", metavar="FILE", help="write the per-stage table (.csv) or everything (.json)")

    p = sub.add_parser("attribution", help="which channels earn the conversions",
                       description="Channel attribution from a touch log: Markov removal effects beside first/last "
                                   "touch, linear, time decay and position based.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("file", help="CSV or Parquet file: customer, time, channel, converted (0/1), value (optional)")
    _add_map(p)
    p.add_argument("--out", metavar="FILE", help="write the channel table (.csv or .json)")

    p = sub.add_parser("influencers", help="top referrers and the best accounts to cultivate",
                       description="Referral network: the top referrers and the best k accounts to cultivate "
                                   "(influence maximisation, IMM).",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("file", help="CSV or Parquet file: referrer, referee")
    _add_map(p)
    p.add_argument("--k", type=_positive, default=10, help="accounts to cultivate (default 10)")
    p.add_argument("--seed", type=_nonneg, default=0, help="random seed (default 0)")
    p.add_argument("--out", metavar="FILE", help="write the accounts to cultivate (.csv or .json)")

    p = sub.add_parser("customers", help="repeat buying (BG/NBD), P(alive) and lifetime value",
                       description="Customers: purchase summary, BG/NBD and Gamma-Gamma fits, P(alive) and CLV.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("file", help="CSV or Parquet file: customer, time, amount")
    _add_map(p)
    p.add_argument("--months", type=_positive, default=12, help="CLV horizon in months (default 12)")
    p.add_argument("--out", metavar="FILE", help="write the per-customer table (.csv or .json)")

    p = sub.add_parser("report", help="the report on your own files",
                       description="Write the report (report.html + CSV) from your own files; each section runs "
                                   "when its input is given.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    for name, what in (("events", "funnel events: lead, stage, time"),
                       ("opportunities", "opportunities (with --stage-dates: read as the funnel)"),
                       ("touches", "touches: customer, time, channel, converted"),
                       ("referrals", "referrals: referrer, referee"),
                       ("tiers", "tier snapshots: customer, period, tier"),
                       ("accounts", "accounts (grading criteria)"),
                       ("transactions", "purchases: customer, time, amount (default with --opportunities: the won "
                                        "deals when customer and amount are mapped)")):
        p.add_argument(f"--{name}", metavar="FILE", help=what)
    _add_map(p)
    _add_funnel(p)
    p.add_argument("--title", default="funnelnet report", help="the page's title")
    p.add_argument("--out", default="funnelnet-report", help="report folder (default funnelnet-report)")
    p.add_argument("--open", action="store_true", help="open the report in a web browser")
    p.add_argument("--seed", type=_nonneg, default=0, help="random seed (default 0)")
    p.add_argument("--progress", action="store_true", help="show a progress bar over the sections")
    return ap


# ------------------------------------------------------------------------ funnel input
def _outcomes(args: argparse.Namespace) -> list[str]:
    """The outcome stages of ``--outcomes`` (won first)."""
    outcomes = _io.parse_list(args.outcomes, "--outcomes")
    if outcomes is None:
        raise UsageError("--outcomes: give the outcome stages, won first, e.g. --outcomes won,lost")
    return outcomes


def _funnel_events(args: argparse.Namespace, path: str,
                   mapping: dict[str, str]) -> tuple[pd.DataFrame, list[str] | None, list[str]]:
    """(events, stages or None, outcomes) from an event log or, with --stage-dates, an opportunity table."""
    from ..funnel.opportunities import opportunity_events

    outcomes = _outcomes(args)
    stages = _io.parse_list(args.stages, "--stages")
    stage_dates = _io.parse_stage_dates(args.stage_dates)
    if stage_dates is None:
        ev = _read(args, path, mapping, ("lead", "stage", "time"), dates=("time",))
        return ev, stages, outcomes
    close = args.close or ("close" if "close" in mapping else None)
    date_cols = [c for c in stage_dates.values() if c] + ([close] if close else [])
    df = _read(args, path, mapping, ("lead", "stage"), dates=date_cols)
    for c in date_cols:
        if c not in df.columns:
            raise UsageError(f"{Path(path).name}: no column {c!r} (from --stage-dates/--close); "
                             f"columns are {', '.join(map(str, df.columns))}")
    ev, funnel, _ = opportunity_events(df, lead="lead", stage="stage", stage_dates=stage_dates, outcomes=outcomes,
                                       close=close, missing="untimed")
    return ev, funnel.stages, outcomes


def _read(args: argparse.Namespace, path: str, mapping: dict[str, str], required: Sequence[str] = (),
          dates: Sequence[str] = ()) -> pd.DataFrame:
    return _io.read_table(path, mapping, required, dates=dates, where=_io.parse_map(getattr(args, "where", None)))


def _check_out(path: str | None) -> None:
    if path is not None and Path(path).suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"--out {path}: give a .csv or .json file name")


# ------------------------------------------------------------------------ commands
def _demo(args: argparse.Namespace) -> int:
    from .. import datasets, report

    t0 = time.perf_counter()
    crm = datasets.synthetic_crm(n_accounts=args.size, months=args.months, seed=args.seed, threads=args.threads)
    t_gen = time.perf_counter() - t0
    sub = [f"{len(crm.accounts):,} accounts, {len(crm.leads):,} leads, {len(crm.events):,} funnel events, "
           f"{len(crm.opportunities):,} opportunities, {len(crm.referrals):,} referrals, "
           f"{len(crm.transactions):,} purchases over {args.months} months (seed {args.seed}).",
           "Generated by fn.datasets.synthetic_crm with known truth: where the truth is known, it is shown beside "
           "the fitted figure."]
    print(f"Generated {sub[0]} [{t_gen:.1f} s]")
    rep = report.build(crm, out=args.out, seed=args.seed, threads=args.threads, subtitle=sub, progress=args.progress)
    _summary(rep)
    print(f"\nDone in {time.perf_counter() - t0:.1f} s.  Report: {rep.path} ({rep.size_bytes / 1e6:.1f} MB), "
          f"{len(rep.files)} CSV files beside it.")
    if args.open:
        _open(rep.path)
    return 0


def _summary(rep: Any) -> None:
    for s in rep.sections:
        line = s.meaning if not s.skipped else s.skipped
        print(f"\n* {s.title}\n  {line}")


def _open(path: str) -> None:
    import webbrowser

    if not webbrowser.open(Path(path).resolve().as_uri()):
        print(f"(could not open a browser; open {path} yourself)")


def _generate(args: argparse.Namespace) -> int:
    import json

    from .. import datasets

    crm = datasets.synthetic_crm(n_accounts=args.size, months=args.months, seed=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    frames = {"accounts": crm.accounts, "leads": crm.leads, "events": crm.events, "opportunities": crm.opportunities,
              "referrals": crm.referrals, "transactions": crm.transactions, "tiers": crm.tier_snapshots()}
    for extra in ("touches", "activities"):  # frames of newer generators
        if isinstance(getattr(crm, extra, None), pd.DataFrame):
            frames[extra] = getattr(crm, extra)
    t = crm.truth
    frames["truth_transition"] = t.transition
    frames["truth_tier_matrix"] = t.tier_matrix
    frames["truth_influence"] = t.influence.to_frame()
    for name, df in frames.items():
        keep_index = not isinstance(df.index, pd.RangeIndex) or df.index.name is not None
        if args.format == "csv":
            df.to_csv(out / f"{name}.csv", index=keep_index)
        else:
            d = df.copy()
            d.columns = pd.Index([str(c) for c in d.columns])
            d.to_parquet(out / f"{name}.parquet", index=keep_index)
    params = {k: v for k, v in t.summary().items()}
    (out / "truth_params.json").write_text(json.dumps(params, indent=2), encoding="utf-8")
    print(f"Wrote {len(frames)} tables ({args.format}) and truth_params.json to {out}/: "
          + ", ".join(f"{k} {len(v):,}" for k, v in frames.items() if not k.startswith("truth")))
    return 0


def _fit_funnel(args: argparse.Namespace) -> int:
    from ..errors import InvalidArgumentError
    from ..funnel import ExposureCounts, Funnel, TransitionCounts
    from ..report._shared import infer_stage_order

    _check_out(args.out)
    mapping = _io.parse_map(args.map)
    ev, stages, outcomes = _funnel_events(args, args.file, mapping)
    if stages is None:
        stages = infer_stage_order(ev, outcomes)
    funnel = Funnel(stages, outcomes=outcomes)
    counts = TransitionCounts.from_events(ev, lead="lead", stage="stage", time="time", funnel=funnel)
    chain = counts.fit()
    win = outcomes[0]
    table = pd.DataFrame({"win_probability": chain.absorption_probabilities()[win],
                          "expected_steps": chain.expected_steps()})
    table.index.name = "stage"
    note = ""
    if pd.api.types.is_datetime64_any_dtype(ev["time"]):
        try:
            q = ExposureCounts.from_events(ev, lead="lead", stage="stage", time="time", funnel=funnel,
                                           time_unit="D").fit()
        except InvalidArgumentError as e:
            note = f"days to close left out: {e}"
        else:
            ttc = q.time_to_close(quantiles=[0.5, 0.9])
            table["mean_days_to_close"] = ttc["mean"]
            table["median_days"] = ttc["q50"]
            table["q90_days"] = ttc["q90"]
    print(f"{ev['lead'].nunique():,} leads, {len(ev):,} events; funnel {' > '.join(stages)} -> {'/'.join(outcomes)}")
    _io.show("Transition probabilities (rows: from, columns: to)", chain.to_frame().loc[stages])
    _io.show(f"Per stage: P({win}), expected steps and days to close", table)
    if note:
        print(f"note: {note}")
    written = _io.write_output(args.out, table, {"transitions": chain.to_frame(), "counts": counts.to_frame()})
    if written:
        print(f"\nWrote {written}")
    return 0


def _attribution(args: argparse.Namespace) -> int:
    from .. import attribution as at

    _check_out(args.out)
    mapping = _io.parse_map(args.map)
    df = _read(args, args.file, mapping, ("customer", "time", "channel", "converted"), dates=("time",))
    value = "value" if "value" in df.columns else None
    paths = at.journeys(df, customer="customer", time="time", channel="channel", converted="converted", value=value)
    mk = at.markov(paths, path="path", conversions="conversions", nulls="nulls", value="value" if value else None)
    hr = at.heuristic(paths, path="path", conversions="conversions", value="value" if value else None)
    table = mk.join(hr, how="outer")
    table.index.name = "channel"
    print(f"{len(df):,} touches, {len(paths):,} journeys, {paths['conversions'].sum():,.0f} conversions")
    _io.show("Conversions credited per channel (Markov removal effects beside the rules)", table)
    written = _io.write_output(args.out, table)
    if written:
        print(f"\nWrote {written}")
    return 0


def _influencers(args: argparse.Namespace) -> int:
    from ..graph import ReferralGraph, influence

    _check_out(args.out)
    mapping = _io.parse_map(args.map)
    df = _read(args, args.file, mapping, ("referrer", "referee"))
    g = ReferralGraph.from_pandas(df, source="referrer", target="referee")
    made = g.degree("out")
    top = pd.DataFrame({"referrals_made": made, "cascade_size": g.cascades()["size"].reindex(made.index)})
    top = top.sort_values(["referrals_made", "cascade_size"], ascending=False).head(20)
    top.index.name = "account"
    k = min(args.k, g.number_of_nodes)
    best = influence.imm(g, k, model="IC", probabilities="wc", eps=0.3, seed=args.seed)
    seeds = best.to_frame()
    seeds.index.name = "account"
    print(f"{g.number_of_nodes:,} accounts, {g.number_of_edges:,} referrals")
    _io.show("Top referrers", top)
    _io.show(f"The best {k} accounts to cultivate (IMM, expected spread as each is added)", seeds)
    written = _io.write_output(args.out, seeds, {"top_referrers": top})
    if written:
        print(f"\nWrote {written}")
    return 0


def _customers(args: argparse.Namespace) -> int:
    from ..customers import BetaGeo, GammaGamma, summary_from_transactions

    _check_out(args.out)
    mapping = _io.parse_map(args.map)
    df = _read(args, args.file, mapping, ("customer", "time", "amount"), dates=("time",))
    s = summary_from_transactions(df, customer="customer", time="time", amount="amount")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        bg = BetaGeo().fit(s["frequency"], s["recency"], s["T"])
        rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
        if len(rep) < 2:
            raise UsageError(f"{Path(args.file).name}: fewer than 2 customers bought more than once; "
                             "nothing to fit")
        gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
        clv = gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                         time=args.months, discount_rate=0.01, freq="D")
    for x in w:
        print(f"warning: {' '.join(str(x.message).split())}", file=sys.stderr)
    table = pd.DataFrame({
        "frequency": s["frequency"], "recency": s["recency"], "T": s["T"], "monetary_value": s["monetary_value"],
        "p_alive": bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"]),
        "purchases_next_year": bg.conditional_expected_number_of_purchases_up_to_time(
            365.0, s["frequency"], s["recency"], s["T"]),
        "clv": clv}).sort_values("clv", ascending=False)
    table.index.name = "customer"
    params = pd.concat({"BG/NBD": bg.params_, "Gamma-Gamma": gg.params_}).rename("value")
    print(f"{len(df):,} purchases of {len(s):,} customers ({int((s['frequency'] > 0).sum()):,} bought again); "
          f"times in days")
    _io.show("Fitted parameters", params.to_frame())
    print(f"BG/NBD converged: {bg.converged_}")
    _io.show(f"Customers by {args.months}-month lifetime value", table)
    written = _io.write_output(args.out, table, {"parameters": params.to_frame(), "bg_converged": bool(bg.converged_)})
    if written:
        print(f"\nWrote {written}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .. import report

    mapping = _io.parse_map(args.map)
    kw: dict[str, Any] = {"title": args.title}
    given = [n for n in ("events", "opportunities", "touches", "referrals", "tiers", "accounts", "transactions")
             if getattr(args, n)]
    if not given:
        raise UsageError("report: give at least one input file (--events, --opportunities, --touches, --referrals, "
                         "--tiers, --accounts, --transactions)")
    outcomes = _outcomes(args)
    kw["outcomes"] = outcomes
    if args.events:
        ev, stages, _ = _funnel_events(argparse.Namespace(**{**vars(args), "stage_dates": None}), args.events, mapping)
        kw["events"], kw["stages"] = ev, stages
    if args.opportunities:
        opp_path = args.opportunities
        if args.stage_dates and not args.events:
            ev, stages, _ = _funnel_events(args, opp_path, mapping)
            kw["events"], kw["stages"] = ev, stages
        opp = _read(args, opp_path, mapping, (), dates=tuple(c for c in (args.close or mapping.get("close"),) if c))
        kw["opportunities"] = opp
        close = args.close or mapping.get("close")
        if not args.transactions and {"customer", "amount", "stage"} <= set(opp.columns) and close in opp.columns:
            won = opp[opp["stage"].astype(str).eq(outcomes[0]) & opp[close].notna()]
            kw["transactions"] = pd.DataFrame({"customer": won["customer"].to_numpy(),
                                               "time": won[close].to_numpy(),
                                               "amount": won["amount"].to_numpy(float)})
    if args.touches:
        kw["touches"] = _read(args, args.touches, mapping, ("customer", "time", "channel", "converted"),
                                       dates=("time",))
    if args.referrals:
        kw["referrals"] = _read(args, args.referrals, mapping, ("referrer", "referee"))
    if args.tiers:
        kw["tiers"] = _read(args, args.tiers, mapping, ("customer", "period", "tier"), dates=("period",))
    if args.accounts:
        kw["accounts"] = _read(args, args.accounts, mapping, ())
    if args.transactions:
        kw["transactions"] = _read(args, args.transactions, mapping, ("customer", "time", "amount"),
                                            dates=("time",))
    rep = report.build(report.ReportInputs(**kw), out=args.out, seed=args.seed, progress=args.progress,
                       subtitle=[f"Inputs: {', '.join(f'{n} = {Path(getattr(args, n)).name}' for n in given)}."])
    _summary(rep)
    print(f"\nReport: {rep.path} ({rep.size_bytes / 1e6:.1f} MB), {len(rep.files)} CSV files beside it.")
    if args.open:
        _open(rep.path)
    return 0


COMMANDS = {"demo": _demo, "generate": _generate, "fit-funnel": _fit_funnel, "attribution": _attribution,
            "influencers": _influencers, "customers": _customers, "report": _report}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``funnelnet`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 success, 2 bad input or option (one line on stderr), 1 an
        internal error.
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else BAD_INPUT
    prog = f"{PROG} {args.command}"
    return guarded(prog, lambda: COMMANDS[args.command](args))
