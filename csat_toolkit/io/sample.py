"""Seeded, deterministic sample data for the whole toolkit.

:func:`make_sample` builds five related frames (``responses``, ``tickets``,
``revenue``, ``customers``, ``volume``) in the canonical columns of the design
document; :func:`write_sample` writes them as CSV files. Everything comes from
``numpy.random.default_rng(seed)`` (the words of the comments from a second stream,
``default_rng([seed, 16])``): the same seed gives the same frames and byte-identical
files, and no wall clock is read. :func:`comment_truth` tells what each comment was
generated from (language, tone, topics).

The data are fictitious but carry known effects, so that the analyses (trends,
key drivers, NPS and revenue, support operations) can be checked against the
truth. The defaults (``seed=2024``, 3,000 customers, 24 months from 2023-01-01)
give about 40,000 tickets and 22,000 survey responses. Months are counted from
``start``; the incident month is month 15 (``start + 14``, 2024-03 with the
defaults; no incident in shorter windows). ``data/sample/README.md`` repeats these
tables with the values found in the committed files.

Notes
-----
True parameters of the built-in effects.

Customers and accounts

========================  ==========================================================
customers                 ``n_customers`` users of ~900 B2B accounts (SMB 60%,
                          Mid-market 30%, Enterprise 10% of accounts; 1-3, 2-6
                          and 4-15 customers per account)
signed up                 55% of accounts before ``start`` (up to 4 years), the rest
                          uniformly within the window; further customers of an
                          account join an exponential delay (mean 90 days) later
attributes                region NA 40%, EMEA 32%, APAC 18%, LATAM 10%; six
                          industries; plan Starter/Growth (SMB), Growth/Pro
                          (Mid-market), Pro/Enterprise (Enterprise); monthly
                          revenue lognormal around 120, 450, 1,400, 5,200 per plan
ticket propensity         Gamma(2, 0.5) per customer (mean 1)
========================  ==========================================================

Relationship state, NPS, revenue and churn (effect 4). Every customer has a
hidden state (promoter, passive, detractor). It starts from the base mix
42% / 33% / 25% and changes at each NPS wave month (March, June, September,
December): kept with probability 0.7, otherwise redrawn from the base mix. An
NPS answer reports the state of its wave month (promoter 9-10, passive 7-8,
detractor 0-6), except for the wave mood shift below. The state of a month sets
that month's revenue growth and churn hazard:

==========  ============================  ==========================
state       median monthly revenue growth  monthly churn hazard
==========  ============================  ==========================
promoter    +1.2%                          0.5%
passive     +0.4%                          1.0%
detractor   -0.6%                          2.5%
==========  ============================  ==========================

Revenue is multiplied each month by ``(1 + growth) * exp(e)``, ``e ~ N(0, 0.04)``;
churn can happen from the second billed month; the last revenue row is the month
of ``churned_at``. Because the state may change at the next waves, the expected
outcomes after a wave, by the state at the wave, are (survivors' log growth of
revenue from the wave month; share churned within 12 months):

==========  ===============  ================  ==================
state       6-month growth   12-month growth   churned in 12 mo
==========  ===============  ================  ==================
promoter    +6.2%            +10.7%            8.9%
passive     +2.5%            +5.2%             12.0%
detractor   -2.1%            -1.6%             20.6%
==========  ===============  ================  ==================

Answers are classified with the mood shift below, so growth by *answered*
category is slightly closer together than by state.

NPS (quarterly waves, 10th of the month, answers within ~3 weeks). Each active
customer answers a wave with its own propensity ``p ~ Beta(2, 6)`` (mean 0.25),
so many customers answer several waves. Wave mood shift (answer only, not the
state): March waves move 6% of answers up one category (detractor to passive,
passive to promoter), December waves move 10% down one category (promoter to
passive, passive to detractor), the incident wave (2024-03) moves 35% down
(instead of the spring shift). Score within a category: 9/10 with 45/55%,
7/8 with 45/55%, 0-6 with 4, 3, 5, 8, 12, 25, 43%. Expected NPS: +17 in June and
September waves, +20.5 in March, +9.5 in December, -9.3 in the incident wave.

PMF: each month an active customer answers with probability ``0.08 * p``
(about 1,000 answers). Shares very / somewhat / not disappointed / no longer use:
promoter 60/30/8/2%, passive 35/40/20/5%, detractor 15/35/40/10%.

Tickets and operations (effects 1, 2 and the drivers of effect 3)

=====================  =============================================================
ticket rate            0.034 tickets per active customer per day, times the factors
weekday factor         Mon 1.15, Tue 1.10, Wed 1.05, Thu 1.00, Fri 0.90, Sat 0.40,
                       Sun 0.35; hours follow an office-day profile (peaks 10-11 h,
                       14-15 h)
month factor           Jan 1.05, Jul 0.90, Aug 0.90, Nov 1.20, Dec 1.30, else 1.00
incident month         x 1.5 tickets (month ``start + 14``: 2024-03)
deflection             x (1 - 0.15 r); chatbot ramp r = (m - 4) / 12 in months
                       m = 5 ... 16 (2023-06, the launch, to 2024-05), then 1, and 0
                       before (months m counted from 0 = ``start``)
channel                email 38%, chat 27%, phone 18%, social 7%, whatsapp 10%
priority               urgent 5%, high 20%, normal 55%, low 20%
first response         lognormal, median chat 2 min, phone 1 min, whatsapp 20 min,
                       social 60 min, email 150 min; x 0.3 urgent, 0.6 high,
                       1.6 low; x 1.2 in November, 1.4 in December, x 2.5 in
                       the incident month; outside Mon-Fri 08-18 h the clock starts
                       at the next opening for 85% of tickets
contacts               1 + Poisson(email 0.7, chat 0.35, phone 0.3, social 0.6,
                       whatsapp 0.45)
reopened               probability 0.05 + 0.03 (contacts - 1), at most 0.3
agents                 25 agents in 4 teams; Agent 23 works 15% of a full load;
                       Agents 24 and 25 start in the last month (few answers)
=====================  =============================================================

CSAT (1-5; satisfied = 4-5). ``logit P(satisfied)`` is the sum of:

============================  =========================================================
intercept                     2.0 (email, first response < 1 h, one contact, not
                              reopened, other agents and products, months at 0)
first response (elapsed)      < 1 h 0; 1-4 h -0.5; 4-24 h -1.0; > 24 h -1.7
extra contacts                -0.35 per contact beyond the first
reopened                      -1.0
channel                       email 0, chat +0.3, phone +0.2, social -0.4,
                              whatsapp +0.1
agent                         Agent 07 +0.9 (best), Agent 18 -0.9 (worst), others 0
product                       Integrations -0.3, Mobile app -0.15, others 0
calendar month (answer)       Mar +0.15, Apr +0.25, May +0.20, Jun +0.10,
                              Oct -0.05, Nov -0.30, Dec -0.40, others 0
incident month (answer)       -0.7 (on top of the month; responses are also slower)
============================  =========================================================

Months are those of ``responded_at``. With the defaults this gives satisfied
shares near 85%, 73%, 64% and 50% across the first-response buckets, about 75%
overall, and about 62% in the incident month against 75-78% in its neighbours.

Satisfied answers are 5 (60%) or 4; others 3 (45%), 2 (25%) or 1 (30%).

CES (1-7, higher is easier): round and clip to 1-7 of ``5.6 - 0.3 / 0.6 / 1.0``
(first response 1-4 h / 4-24 h / > 24 h) ``- 0.5`` per extra contact ``- 0.9``
if reopened, channel chat +0.2, phone +0.3, social -0.3, whatsapp +0.1,
November-December -0.2, incident month -0.5, plus ``N(0, 1.2)`` noise.

Response (effect 5): every resolved ticket is offered one survey, CSAT (82%) or
CES (18%); the answer rate depends on the channel only (missing at random given
channel): email 45%, chat 55%, phone 25%, social 30%, whatsapp 50%. Answers
arrive a lognormal delay (median 2 h) after resolution; answers that would fall
after the window are not collected, and tickets still open at the end (empty
``resolved_at``) have no survey.

Comments: 12% of satisfied and 22% of other CSAT answers, 25% of NPS, 8% of
CES and 30% of PMF answers have a comment. NA and LATAM write English; EMEA English
55%, Greek, Latvian and Romanian 15% each; APAC English 45%, Thai 20%, Chinese
traditional 18%, simplified 17%. The wording follows the tone of the answer:
positive (CSAT 4-5, NPS promoter, CES 5-7, PMF very disappointed), neutral (CSAT 3,
passive, CES 4, PMF somewhat disappointed) or negative (the rest; note that the
comment frame of ``csat_toolkit.comments`` counts CSAT 3 as unhappy). 2% of comments
are short remarks that start with ``=``, ``+``, ``-`` or ``@`` (e.g. ``-- not happy``)
and carry no built-in topic. Every other comment is about one of the seven built-in
topics, drawn by tone from the mix below, and 20% add a sentence about a second,
different topic (drawn from the same mix without the first); the sentences are written
per topic, tone and language in ``io/sample_comments.py``, and the default dictionary
``comments/topics.yaml`` tags each with its topic. Share of comments, in %:

===============  =====================  ==================================
topic            first topic            mentioned (with second topics)
                 pos / neu / neg        pos / neu / neg
===============  =====================  ==================================
response_time    16 / 22 / 30           19.7 / 26.0 / 35.0
resolution       12 / 14 / 24           14.9 / 16.9 / 28.6
agent_attitude   28 / 10 /  6           33.3 / 12.2 /  7.4
billing_refund    3 / 16 / 14            3.8 / 19.2 / 17.1
product_bugs      3 / 14 / 16            3.8 / 16.9 / 19.5
delivery          4 /  8 /  8            5.0 /  9.8 /  9.9
ease_of_use      34 / 16 /  2           39.6 / 19.2 /  2.5
===============  =====================  ==================================

So agent_attitude and ease_of_use come mostly from satisfied customers and promoters,
billing_refund, product_bugs and delivery mostly from the others, and response_time and
resolution (written fast / slow, solved / still open) lean to the unhappy side. With
the defaults (3,665 comments) the CSAT comments tagged with a topic are satisfied in
about 84% (agent_attitude, ease_of_use), 51-53% (response_time, resolution), 37%
(delivery), 25% (billing_refund) and 18% (product_bugs) of cases against 51-64% for
the rest; NPS of the tagged comments runs from +63 (ease_of_use) to -30
(product_bugs). 1% of the topic comments end with a sentence holding fictitious
personal data, for the masking to find: an e-mail address at example.com or
example.org, a phone number in the ranges kept for drama (+44 20 7946 0xxx,
(212) 555-01xx) or the test card number 4111 1111 1111 1111. :func:`comment_truth`
gives each comment's language, tone, topics and personal data. Topics, second
sentences and personal data come from their own generator,
``default_rng([seed, 16])``: every other value of the data set is drawn as before.

Channel volume: assisted rows count the tickets created per day and channel;
self-service contacts are Poisson with mean ``ratio x`` the day's ticket rate
before deflection: help_center 1.6 rising linearly to 2.6, community 0.25 to
0.45, chatbot ``1.0 r`` from its launch (no chatbot rows before month 5).
"""
from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pandas as pd

from csat_toolkit.errors import ParameterError
from csat_toolkit.io.sample_comments import (INJECTION_COMMENTS, PHRASES, PII, PII_KINDS,
                                             PII_NAMES, TONES, TOPICS, UNSPACED)

__all__ = ["make_sample", "write_sample", "comment_truth", "FRAMES", "TOPICS"]

FRAMES = ("responses", "tickets", "revenue", "customers", "volume")

# --- vocabularies -------------------------------------------------------------
CHANNELS = ("email", "chat", "phone", "social", "whatsapp")
CHANNEL_SHARE = (0.38, 0.27, 0.18, 0.07, 0.10)
SELF_SERVICE = ("help_center", "chatbot", "community")
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_SHARE = (0.05, 0.20, 0.55, 0.20)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.40, 0.32, 0.18, 0.10)
INDUSTRIES = ("Software", "Retail", "Finance", "Healthcare", "Manufacturing", "Education")
INDUSTRY_SHARE = (0.28, 0.18, 0.16, 0.14, 0.14, 0.10)
SEGMENTS = ("SMB", "Mid-market", "Enterprise")
SEGMENT_SHARE = (0.60, 0.30, 0.10)
PLANS = ("Starter", "Growth", "Pro", "Enterprise")
PLAN_REVENUE = (120.0, 450.0, 1400.0, 5200.0)  # median monthly revenue per plan
PRODUCTS = ("Billing", "Reporting", "Integrations", "Mobile app", "Admin console")
PRODUCT_SHARE = (0.20, 0.25, 0.20, 0.20, 0.15)
TEAMS = ("Frontline", "Technical", "Accounts", "Onboarding")
TEAM_SIZES = (7, 7, 6, 5)
AGENTS = tuple(f"Agent {i:02d}" for i in range(1, 26))
AGENT_TEAM = tuple(t for t, size in zip(TEAMS, TEAM_SIZES) for _ in range(size))
PMF_ANSWERS = (
    "Very disappointed",
    "Somewhat disappointed",
    "Not disappointed",
    "N/A - I no longer use the product",
)
NPS_STATES = ("promoter", "passive", "detractor")

# --- true parameters (see the module docstring) -------------------------------
STATE_MIX = (0.42, 0.33, 0.25)
STATE_KEEP = 0.7
STATE_GROWTH = (0.012, 0.004, -0.006)
STATE_HAZARD = (0.005, 0.010, 0.025)
REVENUE_NOISE = 0.04
NPS_WAVE_MONTHS = (3, 6, 9, 12)
NPS_WAVE_SHIFT = {3: 0.06, 12: -0.10}  # + moves answers up, - down one category
NPS_INCIDENT_SHIFT = -0.35
NPS_SCORE_P = {0: ((9, 10), (0.45, 0.55)), 1: ((7, 8), (0.45, 0.55)),
               2: (tuple(range(7)), (0.04, 0.03, 0.05, 0.08, 0.12, 0.25, 0.43))}
PMF_P = ((0.60, 0.30, 0.08, 0.02), (0.35, 0.40, 0.20, 0.05), (0.15, 0.35, 0.40, 0.10))
PMF_RATE = 0.08
INCIDENT_OFFSET = 14  # months after start: 2024-03 with the defaults

TICKET_RATE = 0.034
WEEKDAY_FACTOR = (1.15, 1.10, 1.05, 1.00, 0.90, 0.40, 0.35)
MONTH_FACTOR = {1: 1.05, 7: 0.90, 8: 0.90, 11: 1.20, 12: 1.30}
TICKET_INCIDENT = 1.5
CHATBOT_LAUNCH, CHATBOT_RAMP, DEFLECTION = 5, 12, 0.15
HOURS_WEEKDAY = (0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.6, 4.0, 3.9,
                 3.2, 3.6, 3.9, 3.7, 3.3, 2.6, 1.8, 1.3, 1.0, 0.8, 0.5, 0.3)
HOURS_WEEKEND = (0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 1.9, 2.0,
                 2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.1, 0.9, 0.7, 0.5)
FRT_MEDIAN = (150.0, 2.0, 1.0, 60.0, 20.0)  # minutes, per channel
FRT_SIGMA = (1.1, 1.0, 0.8, 1.2, 1.2)
FRT_PRIORITY = (0.3, 0.6, 1.0, 1.6)
FRT_MONTH = {11: 1.2, 12: 1.4}
FRT_INCIDENT = 2.5
OFFICE_WAIT = 0.85
CONTACTS_LAMBDA = (0.7, 0.35, 0.3, 0.6, 0.45)
RESOLVE_MEDIAN = (480.0, 40.0, 30.0, 300.0, 180.0)  # minutes after first response
HANDLE_MEDIAN = (300.0, 540.0, 420.0, 240.0, 360.0)  # seconds per contact
AGENT_WEIGHT = {"Agent 23": 0.15}
LATE_AGENTS = ("Agent 24", "Agent 25")

FRT_BUCKETS = ("<1h", "1-4h", "4-24h", ">24h")
FRT_EDGES = (60, 240, 1440)  # minutes
CSAT_INTERCEPT = 2.0
CSAT_FRT = (0.0, -0.5, -1.0, -1.7)
CSAT_CONTACT = -0.35
CSAT_REOPENED = -1.0
CSAT_CHANNEL = (0.0, 0.3, 0.2, -0.4, 0.1)
CSAT_AGENT = {"Agent 07": 0.9, "Agent 18": -0.9}
CSAT_PRODUCT = {"Integrations": -0.3, "Mobile app": -0.15}
CSAT_MONTH = {3: 0.15, 4: 0.25, 5: 0.20, 6: 0.10, 10: -0.05, 11: -0.30, 12: -0.40}
CSAT_INCIDENT = -0.7
CES_INTERCEPT, CES_CONTACT, CES_REOPENED, CES_NOISE = 5.6, -0.5, -0.9, 1.2
CES_FRT = (0.0, -0.3, -0.6, -1.0)
CES_CHANNEL = (0.0, 0.2, 0.3, -0.3, 0.1)
CES_MONTH = {11: -0.2, 12: -0.2}
CES_INCIDENT = -0.5
CES_SHARE = 0.18
ANSWER_RATE = (0.45, 0.55, 0.25, 0.30, 0.50)
ANSWER_DELAY = 120.0  # median minutes after resolution

SELF_SERVICE_RATIO = {"help_center": (1.6, 2.6), "community": (0.25, 0.45)}
CHATBOT_RATIO = 1.0

_MIN_PER_DAY = 1440


@dataclasses.dataclass(frozen=True)
class _Window:
    """Calendar of the simulation, in whole minutes since ``start``."""

    start: pd.Timestamp
    months: int
    edges: np.ndarray  # minute at which each month starts, plus the end
    cal_month: np.ndarray  # calendar month (1-12) of each simulated month

    @property
    def end(self) -> int:
        return int(self.edges[-1])

    @property
    def days(self) -> int:
        return self.end // _MIN_PER_DAY

    @property
    def incident(self) -> int:
        return INCIDENT_OFFSET

    def month_of(self, minutes: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.edges, minutes, side="right") - 1

    def weekday_of(self, minutes: np.ndarray) -> np.ndarray:
        return (self.start.weekday() + np.asarray(minutes) // _MIN_PER_DAY) % 7

    def stamp(self, minutes: np.ndarray) -> pd.Series:
        minutes = np.asarray(minutes, dtype="float64")
        return pd.Series(self.start + pd.to_timedelta(minutes, unit="min"))


def _window(start: str, months: int) -> _Window:
    if months < 1:
        raise ParameterError(f"months must be at least 1; got {months}.")
    try:
        first = pd.Timestamp(start).to_period("M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"start must be a date such as '2023-01-01'; got {start!r}."
        ) from exc
    stamps = [first + pd.DateOffset(months=k) for k in range(months + 1)]
    edges = np.array([(s - first) // pd.Timedelta(minutes=1) for s in stamps])
    cal = np.array([s.month for s in stamps[:-1]])
    return _Window(first, months, edges.astype("int64"), cal)


def _lookup(table: dict, keys: np.ndarray, default: float = 0.0) -> np.ndarray:
    return np.array([table.get(k, default) for k in range(13)])[keys]


def _choice(rng: np.random.Generator, n: int, p: tuple) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


# --- customers, states, revenue, churn ----------------------------------------
def _accounts(rng: np.random.Generator, n_customers: int, win: _Window) -> pd.DataFrame:
    n_acc = n_customers  # more than enough; cut below
    seg = _choice(rng, n_acc, SEGMENT_SHARE)
    size = np.choose(seg, [1 + rng.poisson(0.8, n_acc).clip(max=2),
                           2 + rng.poisson(2.0, n_acc).clip(max=4),
                           4 + rng.poisson(6.0, n_acc).clip(max=11)])
    before = rng.random(n_acc) < 0.55
    signup = np.where(before, -rng.integers(1, 4 * 365, n_acc),
                      rng.integers(0, win.days, n_acc))
    return pd.DataFrame({
        "segment": seg, "size": size, "signup": signup,
        "industry": _choice(rng, n_acc, INDUSTRY_SHARE),
        "region": _choice(rng, n_acc, REGION_SHARE),
    })


def _customers(rng: np.random.Generator, n: int, win: _Window) -> pd.DataFrame:
    acc = _accounts(rng, n, win)
    idx = np.repeat(np.arange(len(acc)), acc["size"].to_numpy())[:n]
    first = np.r_[True, idx[1:] != idx[:-1]]
    seg = acc["segment"].to_numpy()[idx]
    offset = np.where(first, 0, rng.exponential(90.0, n).astype("int64"))
    signup = acc["signup"].to_numpy()[idx] + offset
    signup = np.where(signup >= win.days, acc["signup"].to_numpy()[idx], signup)
    upper = np.choose(seg, [0, 1, 2]) + (rng.random(n) < np.choose(seg, [0.4, 0.5, 0.7]))
    return pd.DataFrame({
        "account": idx, "segment": seg, "plan": upper,
        "industry": acc["industry"].to_numpy()[idx],
        "region": acc["region"].to_numpy()[idx],
        "signup": signup, "product": _choice(rng, n, PRODUCT_SHARE),
        "propensity": rng.beta(2.0, 6.0, n), "weight": rng.gamma(2.0, 0.5, n),
        "revenue0": np.array(PLAN_REVENUE)[upper] * np.exp(rng.normal(0, 0.5, n)),
    })


def _wave_index(win: _Window) -> np.ndarray:
    """Quarter index of each month: it steps up at every NPS wave month."""
    return np.cumsum(np.isin(win.cal_month, NPS_WAVE_MONTHS))


def _states(rng: np.random.Generator, n: int, win: _Window) -> np.ndarray:
    """Hidden relationship state (0 promoter, 1 passive, 2 detractor) per month."""
    quarters = int(_wave_index(win)[-1]) + 1
    states = np.empty((n, quarters), dtype="int64")
    states[:, 0] = _choice(rng, n, STATE_MIX)
    for q in range(1, quarters):
        keep = rng.random(n) < STATE_KEEP
        states[:, q] = np.where(keep, states[:, q - 1], _choice(rng, n, STATE_MIX))
    return states[:, _wave_index(win)]


def _churn(rng: np.random.Generator, cust: pd.DataFrame, state: np.ndarray,
           win: _Window) -> tuple[np.ndarray, np.ndarray]:
    """First billed month and churn day (or -1) of each customer."""
    n, months = state.shape
    first = np.maximum(win.month_of(cust["signup"].to_numpy() * _MIN_PER_DAY), 0)
    hazard = np.array(STATE_HAZARD)[state]
    hit = (rng.random((n, months)) < hazard) & (np.arange(months) > first[:, None])
    month = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    lo = win.edges[np.maximum(month, 0)] // _MIN_PER_DAY
    hi = win.edges[np.maximum(month, 0) + 1] // _MIN_PER_DAY
    day = lo + (rng.random(n) * (hi - lo)).astype("int64")
    return first, np.where(month >= 0, day, -1)


def _revenue(rng: np.random.Generator, cust: pd.DataFrame, state: np.ndarray,
             first: np.ndarray, churn_day: np.ndarray, win: _Window) -> pd.DataFrame:
    n, months = state.shape
    growth = np.log1p(np.array(STATE_GROWTH)[state]) + rng.normal(0, REVENUE_NOISE, (n, months))
    log_level = np.cumsum(growth, axis=1)
    log_level -= log_level[np.arange(n), first][:, None]
    last = np.where(churn_day >= 0, win.month_of(churn_day * _MIN_PER_DAY), months - 1)
    m = np.arange(months)
    keep = (m >= first[:, None]) & (m <= last[:, None])
    rows, cols = np.nonzero(keep)
    amount = cust["revenue0"].to_numpy()[rows] * np.exp(log_level[rows, cols])
    periods = pd.period_range(win.start, periods=months, freq="M").strftime("%Y-%m")
    return pd.DataFrame({
        "customer_id": _ids("C", rows + 1, 5),
        "period": np.asarray(periods)[cols],
        "revenue": np.round(amount, 2),
    })


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width))


def _customer_frame(cust: pd.DataFrame, churn_day: np.ndarray, win: _Window) -> pd.DataFrame:
    day = pd.Timedelta(days=1)
    churned = pd.Series(win.start + churn_day * day).where(churn_day >= 0)
    return pd.DataFrame({
        "customer_id": _ids("C", np.arange(1, len(cust) + 1), 5),
        "account_id": _ids("A", cust["account"].to_numpy() + 1, 5),
        "industry": np.array(INDUSTRIES)[cust["industry"].to_numpy()],
        "region": np.array(REGIONS)[cust["region"].to_numpy()],
        "segment": np.array(SEGMENTS)[cust["segment"].to_numpy()],
        "plan": np.array(PLANS)[cust["plan"].to_numpy()],
        "signed_up_at": win.start + cust["signup"].to_numpy() * day,
        "churned_at": churned.to_numpy(),
    })


# --- tickets --------------------------------------------------------------------
def _deflection_ramp(month: np.ndarray) -> np.ndarray:
    return np.clip((month - CHATBOT_LAUNCH + 1) / CHATBOT_RAMP, 0.0, 1.0)


def _active_count(cust: pd.DataFrame, churn_day: np.ndarray, days: np.ndarray) -> np.ndarray:
    signed = np.searchsorted(np.sort(cust["signup"].to_numpy()), days, side="right")
    gone = np.searchsorted(np.sort(churn_day[churn_day >= 0]), days, side="right")
    return signed - gone


def _day_rate(cust: pd.DataFrame, churn_day: np.ndarray, win: _Window) -> pd.DataFrame:
    """Expected tickets per day, before and after chatbot deflection."""
    days = np.arange(win.days)
    month = win.month_of(days * _MIN_PER_DAY)
    base = (TICKET_RATE * _active_count(cust, churn_day, days)
            * np.array(WEEKDAY_FACTOR)[win.weekday_of(days * _MIN_PER_DAY)]
            * _lookup(MONTH_FACTOR, win.cal_month[month], 1.0)
            * np.where(month == win.incident, TICKET_INCIDENT, 1.0))
    ramp = _deflection_ramp(month)
    return pd.DataFrame({"day": days, "month": month, "base": base,
                         "rate": base * (1 - DEFLECTION * ramp), "ramp": ramp})


def _created(rng: np.random.Generator, rate: pd.DataFrame, win: _Window) -> np.ndarray:
    counts = rng.poisson(rate["rate"].to_numpy())
    day = np.repeat(rate["day"].to_numpy(), counts)
    weekend = win.weekday_of(day * _MIN_PER_DAY) >= 5
    hour = np.where(weekend, _choice(rng, len(day), HOURS_WEEKEND),
                    _choice(rng, len(day), HOURS_WEEKDAY))
    return np.sort(day * _MIN_PER_DAY + hour * 60 + rng.integers(0, 60, len(day)))


def _pick_customers(rng: np.random.Generator, cust: pd.DataFrame, churn_day: np.ndarray,
                    when: np.ndarray) -> np.ndarray:
    """Customer of each event: weighted draw among customers active at ``when``."""
    start = cust["signup"].to_numpy() * _MIN_PER_DAY
    stop = np.where(churn_day >= 0, churn_day * _MIN_PER_DAY, np.iinfo("int64").max)
    p = cust["weight"].to_numpy() / cust["weight"].sum()
    out = np.full(len(when), -1)
    todo = np.arange(len(when))
    while todo.size:
        pick = rng.choice(len(p), size=todo.size, p=p)
        ok = (start[pick] <= when[todo]) & (when[todo] < stop[pick])
        out[todo[ok]] = pick[ok]
        todo = todo[~ok]
    return out


def _agents(rng: np.random.Generator, created: np.ndarray, win: _Window) -> np.ndarray:
    late = win.month_of(created) >= win.months - 1
    weight = np.array([AGENT_WEIGHT.get(a, 1.0) for a in AGENTS])
    early = np.where(np.isin(AGENTS, LATE_AGENTS), 0.0, weight)
    return np.where(late, _choice(rng, len(created), tuple(weight)),
                    _choice(rng, len(created), tuple(early)))


def _next_opening(minutes: np.ndarray, win: _Window) -> np.ndarray:
    """Minute the office (Mon-Fri 08:00-18:00) is next open, or ``minutes`` if open."""
    day, hour = minutes // _MIN_PER_DAY, (minutes % _MIN_PER_DAY) // 60
    wd = win.weekday_of(minutes)
    open_now = (wd < 5) & (hour >= 8) & (hour < 18)
    morning = (wd < 5) & (hour < 8)
    skip = np.select([wd == 4, wd == 5, wd == 6], [3, 2, 1], default=1)
    nxt = np.where(morning, day, day + skip) * _MIN_PER_DAY + 8 * 60
    return np.where(open_now, minutes, nxt)


def _first_response(rng: np.random.Generator, t: pd.DataFrame, win: _Window) -> np.ndarray:
    ch, month = t["channel"].to_numpy(), win.month_of(t["created"].to_numpy())
    median = (np.array(FRT_MEDIAN)[ch] * np.array(FRT_PRIORITY)[t["priority"].to_numpy()]
              * _lookup(FRT_MONTH, win.cal_month[month], 1.0)
              * np.where(month == win.incident, FRT_INCIDENT, 1.0))
    wait = np.exp(np.log(median) + np.array(FRT_SIGMA)[ch] * rng.standard_normal(len(t)))
    clock = np.where(rng.random(len(t)) < OFFICE_WAIT,
                     _next_opening(t["created"].to_numpy(), win), t["created"].to_numpy())
    return clock + np.maximum(np.rint(wait), 1).astype("int64")


def _tickets(rng: np.random.Generator, cust: pd.DataFrame, churn_day: np.ndarray,
             rate: pd.DataFrame, win: _Window) -> pd.DataFrame:
    created = _created(rng, rate, win)
    n = len(created)
    t = pd.DataFrame({
        "created": created,
        "customer": _pick_customers(rng, cust, churn_day, created),
        "channel": _choice(rng, n, CHANNEL_SHARE),
        "priority": _choice(rng, n, PRIORITY_SHARE),
        "agent": _agents(rng, created, win),
    })
    ch = t["channel"].to_numpy()
    contacts = 1 + rng.poisson(np.array(CONTACTS_LAMBDA)[ch])
    reopened = rng.random(n) < np.minimum(0.05 + 0.03 * (contacts - 1), 0.3)
    first = _first_response(rng, t, win)
    resolve = np.array(RESOLVE_MEDIAN)[ch] * contacts ** 1.2 * np.exp(rng.normal(0, 0.9, n))
    resolve = resolve + reopened * rng.uniform(1, 4, n) * _MIN_PER_DAY
    handle = np.array(HANDLE_MEDIAN)[ch] * contacts * np.exp(rng.normal(0, 0.4, n))
    return t.assign(first=first, resolved=first + np.maximum(np.rint(resolve), 1).astype("int64"),
                    contacts=contacts, reopened=reopened.astype("int64"),
                    handle_time=np.rint(handle).astype("int64"))


def _ticket_frame(t: pd.DataFrame, cust: pd.DataFrame, win: _Window) -> pd.DataFrame:
    end = win.end
    agent = np.array(AGENTS)[t["agent"].to_numpy()]
    return pd.DataFrame({
        "ticket_id": _ids("T", np.arange(1, len(t) + 1), 6),
        "created_at": win.stamp(t["created"]),
        "first_response_at": win.stamp(t["first"].where(t["first"] < end)),
        "resolved_at": win.stamp(t["resolved"].where(t["resolved"] < end)),
        "channel": np.array(CHANNELS)[t["channel"].to_numpy()],
        "priority": np.array(PRIORITIES)[t["priority"].to_numpy()],
        "agent": agent,
        "team": np.array(AGENT_TEAM)[t["agent"].to_numpy()],
        "region": np.array(REGIONS)[cust["region"].to_numpy()[t["customer"].to_numpy()]],
        "customer_id": _ids("C", t["customer"].to_numpy() + 1, 5),
        "contacts": t["contacts"].to_numpy(),
        "handle_time": t["handle_time"].to_numpy(),
        "reopened": t["reopened"].to_numpy(),
    })


# --- surveys --------------------------------------------------------------------
def _frt_bucket(t: pd.DataFrame) -> np.ndarray:
    return np.searchsorted(np.array(FRT_EDGES), (t["first"] - t["created"]).to_numpy(),
                           side="right")


def _answered(rng: np.random.Generator, t: pd.DataFrame, win: _Window) -> pd.DataFrame:
    """Resolved tickets that got a survey answer inside the window."""
    n = len(t)
    ces = rng.random(n) < CES_SHARE
    answer = rng.random(n) < np.array(ANSWER_RATE)[t["channel"].to_numpy()]
    delay = np.rint(ANSWER_DELAY * np.exp(rng.normal(0, 1.2, n))).astype("int64")
    at = t["resolved"].to_numpy() + delay
    a = t.assign(ticket=t.index.to_numpy(), ces=ces, at=at, bucket=_frt_bucket(t),
                 product=_choice(rng, n, PRODUCT_SHARE))
    return a[answer & (at < win.end)].reset_index(drop=True)


def _csat_scores(rng: np.random.Generator, a: pd.DataFrame, win: _Window) -> np.ndarray:
    month = win.month_of(a["at"].to_numpy())
    agent = np.array([CSAT_AGENT.get(x, 0.0) for x in AGENTS])[a["agent"].to_numpy()]
    product = np.array([CSAT_PRODUCT.get(x, 0.0) for x in PRODUCTS])[a["product"].to_numpy()]
    logit = (CSAT_INTERCEPT + np.array(CSAT_FRT)[a["bucket"].to_numpy()]
             + CSAT_CONTACT * (a["contacts"].to_numpy() - 1)
             + CSAT_REOPENED * a["reopened"].to_numpy()
             + np.array(CSAT_CHANNEL)[a["channel"].to_numpy()] + agent + product
             + _lookup(CSAT_MONTH, win.cal_month[month])
             + np.where(month == win.incident, CSAT_INCIDENT, 0.0))
    satisfied = rng.random(len(a)) < 1 / (1 + np.exp(-logit))
    high = 4 + (rng.random(len(a)) < 0.6)
    low = 3 - _choice(rng, len(a), (0.45, 0.25, 0.30))
    return np.where(satisfied, high, low)


def _ces_scores(rng: np.random.Generator, a: pd.DataFrame, win: _Window) -> np.ndarray:
    month = win.month_of(a["at"].to_numpy())
    latent = (CES_INTERCEPT + np.array(CES_FRT)[a["bucket"].to_numpy()]
              + CES_CONTACT * (a["contacts"].to_numpy() - 1)
              + CES_REOPENED * a["reopened"].to_numpy()
              + np.array(CES_CHANNEL)[a["channel"].to_numpy()]
              + _lookup(CES_MONTH, win.cal_month[month])
              + np.where(month == win.incident, CES_INCIDENT, 0.0)
              + rng.normal(0, CES_NOISE, len(a)))
    return np.clip(np.rint(latent), 1, 7).astype("int64")


def _transactional(rng: np.random.Generator, t: pd.DataFrame, cust: pd.DataFrame,
                   win: _Window) -> pd.DataFrame:
    a = _answered(rng, t, win)
    score = np.where(a["ces"], _ces_scores(rng, a, win), _csat_scores(rng, a, win))
    return pd.DataFrame({
        "at": a["at"], "survey": np.where(a["ces"], "ces", "csat"), "score": score,
        "customer": a["customer"], "ticket": a["ticket"],
        "channel": a["channel"], "agent": a["agent"], "product": a["product"],
    })


def _active_at(cust: pd.DataFrame, churn_day: np.ndarray, who: np.ndarray,
               when: np.ndarray) -> np.ndarray:
    stop = np.where(churn_day >= 0, churn_day * _MIN_PER_DAY, np.iinfo("int64").max)
    return (cust["signup"].to_numpy()[who] * _MIN_PER_DAY <= when) & (when < stop[who])


def _answer_time(rng: np.random.Generator, day0: np.ndarray, spread: np.ndarray) -> np.ndarray:
    day = day0 + np.minimum(rng.exponential(1.0, len(day0)) * spread, 3 * spread).astype("int64")
    hour = _choice(rng, len(day0), HOURS_WEEKDAY)
    return day * _MIN_PER_DAY + hour * 60 + rng.integers(0, 60, len(day0))


def _shift_category(rng: np.random.Generator, cat: np.ndarray, shift: np.ndarray) -> np.ndarray:
    moved = rng.random(len(cat)) < np.abs(shift)
    step = np.where(moved, -np.sign(shift), 0).astype("int64")  # up = towards promoter
    return np.clip(cat + step, 0, 2)


def _nps_scores(rng: np.random.Generator, cat: np.ndarray) -> np.ndarray:
    score = np.empty(len(cat), dtype="int64")
    for k, (values, p) in NPS_SCORE_P.items():
        hit = cat == k
        score[hit] = np.array(values)[_choice(rng, int(hit.sum()), p)]
    return score


def _nps(rng: np.random.Generator, cust: pd.DataFrame, churn_day: np.ndarray,
         state: np.ndarray, win: _Window) -> pd.DataFrame:
    waves = np.flatnonzero(np.isin(win.cal_month, NPS_WAVE_MONTHS))
    n = len(cust)
    who = np.tile(np.arange(n), len(waves))
    month = np.repeat(waves, n)
    day0 = win.edges[month] // _MIN_PER_DAY + 9
    at = _answer_time(rng, day0, np.full(len(who), 4.0))
    answers = rng.random(len(who)) < cust["propensity"].to_numpy()[who]
    keep = answers & _active_at(cust, churn_day, who, day0 * _MIN_PER_DAY) \
        & _active_at(cust, churn_day, who, at) & (at < win.end)
    who, month, at = who[keep], month[keep], at[keep]
    shift = np.where(month == win.incident, NPS_INCIDENT_SHIFT,
                     _lookup(NPS_WAVE_SHIFT, win.cal_month[month]))
    cat = _shift_category(rng, state[who, month], shift)
    return _relationship(at, "nps", _nps_scores(rng, cat), who)


def _pmf(rng: np.random.Generator, cust: pd.DataFrame, churn_day: np.ndarray,
         state: np.ndarray, win: _Window) -> pd.DataFrame:
    n, months = state.shape
    who = np.tile(np.arange(n), months)
    month = np.repeat(np.arange(months), n)
    lo = win.edges[month] // _MIN_PER_DAY
    length = win.edges[month + 1] // _MIN_PER_DAY - lo
    at = (lo + (rng.random(len(who)) * length).astype("int64")) * _MIN_PER_DAY \
        + _choice(rng, len(who), HOURS_WEEKDAY) * 60 + rng.integers(0, 60, len(who))
    answers = rng.random(len(who)) < PMF_RATE * cust["propensity"].to_numpy()[who]
    keep = answers & _active_at(cust, churn_day, who, at)
    who, month, at = who[keep], month[keep], at[keep]
    cat = state[who, month]
    answer = np.empty(len(who), dtype=object)
    for k, p in enumerate(PMF_P):
        hit = cat == k
        answer[hit] = np.array(PMF_ANSWERS, dtype=object)[_choice(rng, int(hit.sum()), p)]
    return _relationship(at, "pmf", answer, who)


def _relationship(at: np.ndarray, survey: str, score: np.ndarray, who: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"at": at, "survey": survey, "score": score, "customer": who,
                         "ticket": -1, "channel": -1, "agent": -1, "product": -1})


# --- comments -------------------------------------------------------------------
# The sentences per topic, language and tone live in sample_comments (word banks).
LANGUAGES = ("en", "el", "lv", "ro", "th", "zh_hant", "zh_hans")
LANGUAGE_SHARE = {  # per region, in the order of LANGUAGES
    "NA": (1, 0, 0, 0, 0, 0, 0), "LATAM": (1, 0, 0, 0, 0, 0, 0),
    "EMEA": (0.55, 0.15, 0.15, 0.15, 0, 0, 0), "APAC": (0.45, 0, 0, 0, 0.20, 0.18, 0.17),
}
COMMENT_RATE = {"csat": (0.12, 0.22), "nps": (0.25, 0.25), "ces": (0.08, 0.08),
                "pmf": (0.30, 0.30)}  # (positive answers, others)
INJECTION_RATE = 0.02
# Share of each built-in topic (in the order of TOPICS) among the comments of a tone.
TOPIC_MIX = {
    "pos": (0.16, 0.12, 0.28, 0.03, 0.03, 0.04, 0.34),
    "neu": (0.22, 0.14, 0.10, 0.16, 0.14, 0.08, 0.16),
    "neg": (0.30, 0.24, 0.06, 0.14, 0.16, 0.08, 0.02),
}
SECOND_TOPIC_RATE = 0.20  # a second, different topic (drawn from the same mix)
PII_RATE = 0.01  # a sentence with a fictitious e-mail address, phone or card number
COMMENT_STREAM = 16  # the comment words' generator: default_rng([seed, COMMENT_STREAM])
TONE_NAMES = {"pos": "positive", "neu": "neutral", "neg": "negative"}


def _sentiment(survey: np.ndarray, score: np.ndarray) -> np.ndarray:
    """0 positive, 1 neutral, 2 negative, from the survey and its score."""
    num = np.array([s if isinstance(s, (int, np.integer)) else -1 for s in score])
    pmf = np.array([PMF_ANSWERS.index(s) if isinstance(s, str) else 0 for s in score])
    return np.select(
        [survey == "csat", survey == "nps", survey == "ces"],
        [np.where(num >= 4, 0, np.where(num == 3, 1, 2)),
         np.where(num >= 9, 0, np.where(num >= 7, 1, 2)),
         np.where(num >= 5, 0, np.where(num == 4, 1, 2))],
        default=np.minimum(pmf, 2))


def _draw(p: np.ndarray, u: float) -> int:
    """Index drawn from the probabilities ``p`` (not necessarily summing to 1) by ``u``."""
    cum = np.cumsum(p) / p.sum()
    return int(min(np.searchsorted(cum, u, side="right"), len(p) - 1))


def _pii_value(kind: str, number: int, name: int) -> str:
    """A fictitious e-mail address, phone number or the Visa test card number."""
    if kind == "email":
        return f"{PII_NAMES[name]}@example.{('com', 'org')[number % 2]}"
    if kind == "phone":
        return (f"+44 20 7946 0{number:03d}" if name % 2 == 0
                else f"(212) 555-01{number % 100:02d}")
    return "4111 1111 1111 1111"


def _comments(rng: np.random.Generator, survey: np.ndarray, score: np.ndarray,
              region: np.ndarray, words: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Comment texts and, for :func:`comment_truth`, what each one was drawn from.

    Who comments, in which language, which comments start with a formula character and
    the first sentence's variant are drawn from ``rng`` (as before the topics existed, so
    that the other frames are unchanged); topics, second sentences and personal data come
    from ``words``, the generator of the comment words.
    """
    n = len(survey)
    tone = _sentiment(survey, score)
    rate = np.array([COMMENT_RATE[s][int(t > 0)] for s, t in zip(survey, tone)])
    has = rng.random(n) < rate
    lang = np.empty(n, dtype="int64")
    for name, p in LANGUAGE_SHARE.items():
        hit = region == name
        lang[hit] = _choice(rng, int(hit.sum()), p)
    inject = rng.random(n) < INJECTION_RATE
    pick = rng.random(n)
    first_u, second_u, other_u, variant_u, pii_u = words.random((5, n))
    pii_kind = words.integers(0, len(PII_KINDS), n)
    pii_number = words.integers(0, 1000, n)
    pii_name = words.integers(0, len(PII_NAMES), n)
    out = np.full(n, None, dtype=object)
    topics = np.empty(n, dtype=object)
    topics[:] = [()] * n
    pii = np.full(n, "", dtype=object)
    for i in np.flatnonzero(has):
        key, code = TONES[tone[i]], LANGUAGES[lang[i]]
        if inject[i]:
            bank = INJECTION_COMMENTS[key]
            out[i] = bank[int(pick[i] * len(bank))]
            continue
        mix = np.array(TOPIC_MIX[key])
        drawn = [_draw(mix, first_u[i])]
        if second_u[i] < SECOND_TOPIC_RATE:
            drawn.append(_draw(np.where(np.arange(len(mix)) == drawn[0], 0.0, mix), other_u[i]))
        parts = []
        for t, u in zip(drawn, (pick[i], variant_u[i])):
            bank = PHRASES[TOPICS[t]][code][key]
            parts.append(bank[int(u * len(bank))])
        if pii_u[i] < PII_RATE:
            pii[i] = PII_KINDS[pii_kind[i]]
            value = _pii_value(pii[i], int(pii_number[i]), int(pii_name[i]))
            parts.append(PII[code][pii_kind[i]].format(value=value))
        out[i] = ("" if code in UNSPACED else " ").join(parts)
        topics[i] = tuple(TOPICS[t] for t in drawn)
    truth = {"has": has, "language": np.array(LANGUAGES)[lang],
             "tone": np.array([TONE_NAMES[k] for k in TONES])[tone],
             "topics": topics, "pii": pii, "formula": inject}
    return out, truth


# --- assembly -------------------------------------------------------------------
def _response_frame(rng: np.random.Generator, parts: list[pd.DataFrame], cust: pd.DataFrame,
                    tickets: pd.DataFrame, win: _Window,
                    words: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = pd.concat(parts, ignore_index=True)
    r = r.sort_values(["at", "customer", "survey"], kind="stable").reset_index(drop=True)
    who, ticket = r["customer"].to_numpy(), r["ticket"].to_numpy()
    is_ticket = ticket >= 0
    region = np.array(REGIONS)[cust["region"].to_numpy()[who]]
    product = np.where(is_ticket, r["product"].to_numpy(), cust["product"].to_numpy()[who])
    survey = r["survey"].to_numpy().astype(str)
    score = np.array([v if isinstance(v, str) else int(v) for v in r["score"]], dtype=object)
    comments, truth = _comments(rng, survey, score, region, words)
    ids = _ids("R", np.arange(1, len(r) + 1), 6)
    has = truth.pop("has")
    truth = pd.DataFrame({"response_id": ids, **truth})[has].reset_index(drop=True)
    return pd.DataFrame({
        "response_id": ids,
        "responded_at": win.stamp(r["at"]),
        "survey": survey,
        "score": pd.Series(score, dtype=object),
        "customer_id": _ids("C", who + 1, 5),
        "ticket_id": _optional(tickets["ticket_id"].to_numpy(), ticket),
        "channel": _optional(np.array(CHANNELS), r["channel"].to_numpy()),
        "agent": _optional(np.array(AGENTS), r["agent"].to_numpy()),
        "team": _optional(np.array(AGENT_TEAM), r["agent"].to_numpy()),
        "region": region,
        "industry": np.array(INDUSTRIES)[cust["industry"].to_numpy()[who]],
        "product": np.array(PRODUCTS)[product],
        "comment": pd.Series(comments, dtype="str"),
    }), truth


def _optional(values: np.ndarray, index: np.ndarray) -> pd.Series:
    """``values[index]`` with missing values where ``index`` is negative."""
    out = pd.Series(np.asarray(values)[np.maximum(index, 0)], dtype="str")
    return out.where(index >= 0)


def _volume(rng: np.random.Generator, tickets: pd.DataFrame, rate: pd.DataFrame,
            win: _Window) -> pd.DataFrame:
    day = pd.Series(win.start + pd.to_timedelta(rate["day"].to_numpy(), unit="D"))
    created = tickets["created_at"].dt.floor("D")
    counts = pd.crosstab(created, tickets["channel"]).reindex(
        index=day, columns=list(CHANNELS), fill_value=0)
    frames = [pd.DataFrame({"date": day, "channel": ch, "kind": "assisted",
                            "contacts": counts[ch].to_numpy()}) for ch in CHANNELS]
    frames += _self_service(rng, day, rate, win)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "kind", "channel"], kind="stable").reset_index(drop=True)


def _self_service(rng: np.random.Generator, day: pd.Series, rate: pd.DataFrame,
                  win: _Window) -> list[pd.DataFrame]:
    base = rate["base"].to_numpy()
    share = rate["day"].to_numpy() / max(win.days - 1, 1)
    frames = []
    for ch in SELF_SERVICE:
        if ch == "chatbot":
            ratio = CHATBOT_RATIO * rate["ramp"].to_numpy()
            live = rate["month"].to_numpy() >= CHATBOT_LAUNCH
        else:
            lo, hi = SELF_SERVICE_RATIO[ch]
            ratio, live = lo + (hi - lo) * share, np.ones(len(base), dtype=bool)
        frames.append(pd.DataFrame({"date": day[live].to_numpy(), "channel": ch,
                                    "kind": "self_service",
                                    "contacts": rng.poisson(base * ratio)[live]}))
    return frames


def make_sample(seed: int = 2024, n_customers: int = 3000, start: str = "2023-01-01",
                months: int = 24) -> dict[str, pd.DataFrame]:
    """Build the seeded sample data set: responses, tickets, revenue, customers, volume.

    Parameters
    ----------
    seed : int
        Seed for ``numpy.random.default_rng``; the same seed gives the same frames.
    n_customers : int
        Number of customers (users of B2B accounts). Tickets and answers scale with it;
        the default gives about 40,000 tickets and 22,000 responses.
    start : str
        First month of the window (the day is ignored).
    months : int
        Length of the window in months. The incident month is month 15 (``start + 14``).

    Returns
    -------
    dict of str to pandas.DataFrame
        Frames keyed ``"responses"``, ``"tickets"``, ``"revenue"``, ``"customers"`` and
        ``"volume"``, in the canonical columns. ``responses.score`` holds integers
        (CSAT 1-5, NPS 0-10, CES 1-7) and, for PMF, the answer text. The built-in
        effects and their true parameters are listed in the module docstring.

    Examples
    --------
    >>> frames = make_sample(seed=1, n_customers=200, months=6)
    >>> sorted(frames)
    ['customers', 'responses', 'revenue', 'tickets', 'volume']
    >>> frames["tickets"]["ticket_id"].is_unique
    True
    """
    return _make(seed, n_customers, start, months)[0]


def comment_truth(seed: int = 2024, n_customers: int = 3000, start: str = "2023-01-01",
                  months: int = 24) -> pd.DataFrame:
    """What each comment of the sample was generated from: its language, tone and topics.

    The answer key for the comment analyses: :func:`make_sample` with the same arguments
    writes these comments; this table says which built-in topics each one was drawn
    about (see "Comments" in the module docstring).

    Parameters
    ----------
    seed, n_customers, start, months
        As for :func:`make_sample`.

    Returns
    -------
    pandas.DataFrame
        One row per response with a comment, in ``response_id`` order: ``response_id``,
        ``language`` (``en``, ``el``, ``lv``, ``ro``, ``th``, ``zh_hant``, ``zh_hans``),
        ``tone`` of the wording (``positive``: satisfied CSAT 4-5, NPS promoter, CES 5-7,
        PMF very disappointed; ``neutral``: CSAT 3, passive, CES 4, PMF somewhat
        disappointed; ``negative``: the rest), ``topics`` (tuple of one or two names from
        ``TOPICS``; empty for the comments that start with a formula character),
        ``pii`` (``email``, ``phone``, ``card`` or ``""``) and ``formula`` (bool).

    Examples
    --------
    >>> truth = comment_truth(seed=1, n_customers=200, months=6)
    >>> list(truth.columns)
    ['response_id', 'language', 'tone', 'topics', 'pii', 'formula']
    >>> set(truth["tone"]) <= {"positive", "neutral", "negative"}
    True
    """
    return _make(seed, n_customers, start, months)[1]


def _make(seed: int, n_customers: int, start: str,
          months: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    if n_customers < 10:
        raise ParameterError(f"n_customers must be at least 10; got {n_customers}.")
    rng = np.random.default_rng(seed)
    # The comment words (topics, second sentences, personal data) have their own stream,
    # so that changing them never moves a draw of the other frames.
    words = np.random.default_rng([seed, COMMENT_STREAM])
    win = _window(start, months)
    cust = _customers(rng, n_customers, win)
    state = _states(rng, n_customers, win)
    first, churn_day = _churn(rng, cust, state, win)
    rate = _day_rate(cust, churn_day, win)
    t = _tickets(rng, cust, churn_day, rate, win)
    tickets = _ticket_frame(t, cust, win)
    parts = [_transactional(rng, t[t["resolved"] < win.end], cust, win),
             _nps(rng, cust, churn_day, state, win), _pmf(rng, cust, churn_day, state, win)]
    responses, truth = _response_frame(rng, parts, cust, tickets, win, words)
    frames = {
        "responses": responses,
        "tickets": tickets,
        "revenue": _revenue(rng, cust, state, first, churn_day, win),
        "customers": _customer_frame(cust, churn_day, win),
        "volume": _volume(rng, tickets, rate, win),
    }
    return frames, truth


_DATE_FORMAT = {"customers": "%Y-%m-%d", "volume": "%Y-%m-%d"}


def write_sample(folder: str | pathlib.Path, seed: int = 2024,
                 **kwargs: int | str) -> dict[str, pathlib.Path]:
    """Write the sample data set as one CSV file per frame.

    Files are UTF-8, comma separated, without an index, with ``\\n`` line ends;
    timestamps are written as ``2024-03-05 14:07:00``, dates as ``2024-03-05``,
    missing values as empty fields. The same arguments give byte-identical files.

    Parameters
    ----------
    folder : str or pathlib.Path
        Output folder, created if needed; existing files of the same names are replaced.
    seed : int
        Seed passed to :func:`make_sample`.
    **kwargs
        Other arguments of :func:`make_sample` (``n_customers``, ``start``, ``months``).

    Returns
    -------
    dict of str to pathlib.Path
        The path of each written file, keyed like the frames of :func:`make_sample`.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp(), seed=1, n_customers=200, months=6)
    >>> paths["tickets"].name
    'tickets.csv'
    """
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in make_sample(seed=seed, **kwargs).items():
        paths[name] = folder / f"{name}.csv"
        frame.to_csv(paths[name], index=False, encoding="utf-8", lineterminator="\n",
                     date_format=_DATE_FORMAT.get(name, "%Y-%m-%d %H:%M:%S"),
                     float_format="%.2f")
    return paths
