# %% [markdown]
# # Quick start: one synthetic company, every analysis
#
# This notebook walks through funnelnet on a **synthetic B2B company** made by
# `fn.datasets.synthetic_crm`. Because we generated the company ourselves, we also know the
# *truth* behind it, so every fitted number can be checked against the real answer.
#
# The story a sales manager cares about:
# 1. **How do leads move through the funnel** and what share end up won?
# 2. **Which marketing channels earn the wins?**
# 3. **Which customers bring in new customers** by referral?
# 4. **Which customers will keep buying** and what are they worth?
# 5. One **HTML report** with all of it.
#
# Measured run time: about 40 s on a shared, busy 2-core machine (`pytest tests/python/test_notebooks.py`).

# %%
import tempfile
import time

import matplotlib.pyplot as plt
import pandas as pd

import funnelnet as fn

_t0 = time.perf_counter()
pd.set_option("display.precision", 3)

# %% [markdown]
# ## 1. Generate a company
# 3,000 accounts over 24 months. The generator returns tables shaped like a CRM export:
# accounts, leads, stage events, opportunities, marketing touches, referrals and purchases.

# %%
crm = fn.datasets.synthetic_crm(n_accounts=3_000, months=24, seed=0)
pd.Series({name: len(getattr(crm, name)) for name in
           ["accounts", "leads", "events", "opportunities", "touches", "referrals", "transactions"]},
          name="rows")

# %%
crm.events.head()

# %% [markdown]
# ## 2. The sales funnel
# Each lead moves `potential -> possible -> target -> effective` and ends **won** or **lost**; it can
# skip a stage or fall back. We count the stage-to-stage moves in the event log and fit a
# Markov chain: each row says where a lead in that stage goes next (repeated entries of the same
# stage count once, so the diagonal is empty).

# %%
funnel = fn.Funnel(["potential", "possible", "target", "effective"], outcomes=["won", "lost"])
counts = fn.TransitionCounts.from_events(crm.events, lead="lead", stage="stage", time="time", funnel=funnel)
chain = counts.fit()
chain

# %%
fig, ax = plt.subplots(figsize=(10, 4.5))
fn.plot.funnel(chain, ax=ax);

# %%
fig, ax = plt.subplots(figsize=(7, 5.5))
fn.plot.transition_heatmap(chain, ax=ax);

# %% [markdown]
# **Reading it:** the funnel shows how many leads reach each stage (per lead entering) and where
# they end; the heatmap is the full picture of moves. The chance of winning from each stage is the absorption probability:

# %%
absorb = chain.absorption().to_frame()
absorb

# %%
p_won = absorb.loc["potential", "P(won)"]
print(f"A new lead in 'potential' is won with probability {p_won:.1%}: "
      f"about 1 in {1 / p_won:.0f} new leads becomes a customer.")

# %% [markdown]
# ### Where to coach the team
# `bottlenecks` ranks every step by how much a 10 % more likely step would change the win rate
# of a new lead. Red bars are steps towards *lost* (more of them hurts); the longest green bar is
# the step worth a sales manager's coaching first, and `what_if` applies that 10 % exactly.

# %%
bn = chain.bottlenecks("won", start="potential")
fn.plot.bottlenecks(bn, top=8)
step = bn[bn["elasticity"] > 0].iloc[0]
w = chain.what_if(step["from"], step["to"], 10, "won", start="potential")
print(f"Coach '{step['from']} -> {step['to']}': P(won) {w.value_before:.2%} -> {w.value_after:.2%} "
      f"({100 * w.gain:+.2f} won deals per 100 new leads)")

# %% [markdown]
# ## 3. Which channels earn the wins?
# Every lead got marketing touches (visits, exhibitions, phone, e-mail, web, adverts).
# Last-touch reporting gives all the credit to the final touch; the Markov **removal effect**
# asks instead how many wins would be lost if a channel disappeared from every journey.

# %%
paths = fn.attribution.journeys(crm.touches, customer="lead", time="time", channel="channel", converted="converted")
markov = fn.attribution.markov(paths, path="path", conversions="conversions", nulls="nulls")
heur = fn.attribution.heuristic(paths, path="path", conversions="conversions")
fn.plot.attribution(markov, heur)
markov.round(3)

# %% [markdown]
# The generator made visits and exhibitions the strongest channels; the removal effects rank
# the channels in the same order as the truth:

# %%
pd.DataFrame({"fitted removal effect": markov["removal_effect"],
              "true removal effect": crm.truth.channels["removal_effect"]}).sort_values(
    "true removal effect", ascending=False).round(3)

# %% [markdown]
# ## 4. Who brings in new customers?
# Won accounts refer peers. PageRank and the cascade size (everyone reached through a chain
# of referrals) show the influencers; IMM picks the few accounts whose cultivation spreads furthest.

# %%
g = fn.ReferralGraph.from_pandas(crm.referrals, "referrer", "referee")
infl = pd.DataFrame({"pagerank": g.pagerank(), "referrals made": g.degree("out")}).join(g.cascades()["size"])
infl.sort_values("size", ascending=False).head(5).round(4)

# %%
best = fn.influence.imm(g, 5, probabilities="wc", seed=1)
print("Cultivate first:", list(best.seeds), f"(expected reach {best.spread:.1f} accounts)")
fn.plot.spread_curve(g, best.seeds, n_sims=2000, seed=1);

# %% [markdown]
# ## 5. Customers: who keeps buying, and what are they worth?
# BG/NBD models how often each customer buys and the chance they are still active;
# Gamma-Gamma models how much they spend. Together they give a 12-month customer value.

# %%
s = fn.customers.summary_from_transactions(crm.transactions, customer="account", time="time", amount="amount",
                                           freq="D", freq_multiplier=7)  # in weeks
bg = fn.customers.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
bg

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
fn.plot.p_alive_matrix(bg, s, ax=axes[0])
fn.plot.period_transactions(bg, s, ax=axes[1])
fig.tight_layout()

# %% [markdown]
# Bottom-right of the P(alive) matrix: customers who bought often and recently (recency = age at
# the last purchase) are almost surely still active; a frequent buyer who has gone quiet (top-right)
# has probably left, and is a good person to call. On the right, the model reproduces how many
# customers made 0, 1, 2, ... repeat purchases.

# %% [markdown]
# ## 6. The report
# `fn.report.build` runs every analysis above (and more) and writes one self-contained HTML
# page with the CSV behind every table.

# %%
rep = fn.report.build(crm, out=tempfile.mkdtemp(prefix="funnelnet-report-"))
for sec in rep.sections:
    print(f"- {sec.title}: {sec.meaning or sec.skipped}")
print(f"\n{rep.path} ({rep.size_bytes / 1e6:.2f} MB)")

# %%
print(f"Notebook ran in {time.perf_counter() - _t0:.1f} s")
