"""Deflection: self-service against assisted contacts per period, and the cost avoided
under stated assumptions (published costs per contact, with their citations).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import stats
from ..core.display import result_html
from ..core.tally import period_code, period_labels
from ..errors import DataError, ParameterError, require_columns, show_values
from ._common import _check_frame, _check_min_n, _wilson

__all__ = ["COST_SOURCES", "DEFAULT_COSTS", "DeflectionResult", "deflection"]

COST_SOURCES = (
    {"figure": "up to 12 USD per call-centre (phone) interaction",
     "citation": "figure given in the project's issue 6 ('up to 12 USD for a call-centre "
                 "interaction'); its primary source was not found. Published figures for an "
                 "inbound call range from 5.25 USD (ContactBabel, US Contact Center HR & "
                 "Operational Benchmarking Report, 2017, via Incent/CRM magazine 'The Shifting "
                 "Costs of Customer Contacts') and about 6 USD (HelpSocial, 'Should social "
                 "customer care be in the contact center? A cost/benefit analysis') to 15 USD "
                 "(ClickFox infographic, reported by SiliconANGLE, 20 July 2011)."},
    {"figure": "under 1 USD per social-media conversation",
     "citation": "HelpSocial, 'Should social customer care be in the contact center? A "
                 "cost/benefit analysis' (white paper, undated): 'a social media conversation "
                 "is usually less than $1 per conversation, compared to a voice call where it "
                 "averages around $6'."},
    {"figure": "4.42 USD per e-mail, 3.82 USD per web chat",
     "citation": "ContactBabel, US Contact Center HR & Operational Benchmarking Report "
                 "(2017), as reported in Incent/CRM magazine, 'The Shifting Costs of Customer "
                 "Contacts'."},
    {"figure": "0.25 USD per website (self-service) visit",
     "citation": "ClickFox infographic on failed social-media interactions, reported by "
                 "SiliconANGLE, 'Failed Social Media Customer Support Will Cost You', "
                 "20 July 2011."},
)
"""Published cost-per-contact figures behind :data:`DEFAULT_COSTS` (USD), with citations."""

DEFAULT_COSTS = {
    "phone": 12.0,        # upper figure for a call-centre interaction (COST_SOURCES[0])
    "email": 4.42,        # ContactBabel 2017 (COST_SOURCES[2])
    "chat": 3.82,         # ContactBabel 2017 (COST_SOURCES[2])
    "social": 1.0,        # "less than 1 USD" taken at its upper bound (COST_SOURCES[1])
    "whatsapp": 1.0,      # assumed: a messaging conversation costs as much as a social one
    "help_center": 0.25,  # a website visit (COST_SOURCES[3])
    "community": 0.25,    # assumed: as a website visit
    "chatbot": 0.25,      # assumed: as a website visit
}
"""Default cost per contact by channel in USD (see :data:`COST_SOURCES`); override with
``costs=`` in :func:`deflection`."""

_COST_NOTES = {
    "phone": "up to 12 USD per call-centre interaction (issue 6; published 5.25-15 USD)",
    "email": "ContactBabel 2017",
    "chat": "ContactBabel 2017 (web chat)",
    "social": "HelpSocial: under 1 USD per social conversation (upper bound used)",
    "whatsapp": "assumed equal to a social conversation",
    "help_center": "ClickFox 2011: a website visit",
    "community": "assumed equal to a website visit",
    "chatbot": "assumed equal to a website visit",
}


# --- deflection --------------------------------------------------------------------------


@dataclass
class DeflectionResult:
    """Outcome of :func:`deflection`.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``period``, ``self_service``, ``assisted``, ``n`` (all
        contacts), ``estimate`` (% self-service) with ``ci_low``, ``ci_high``, ``conf``,
        ``method``, ``small_n``; ``deflection_ratio`` (self-service per assisted contact)
        with ``ratio_ci_low``, ``ratio_ci_high``; ``assisted_cost`` and
        ``self_service_cost`` (average cost per contact, weighted by the channel mix),
        ``deflected`` (self-service contacts that would otherwise have reached an agent)
        and ``cost_avoided``.
    overall : DataFrame
        The same columns over all periods (``period`` is ``"all"``).
    by_channel : DataFrame
        ``period``, ``channel``, ``kind``, ``contacts``, ``share`` (% of the period's
        contacts), ``cost_per_contact``, ``cost``.
    costs : DataFrame
        ``channel``, ``kind``, ``cost_per_contact``, ``source``: the costs used.
    assumptions : list of str
        The assumptions behind the cost avoided, as sentences to print.
    accounting : DataFrame
        ``item``, ``rows``: rows read, used, set aside by reason.
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    by_channel: pd.DataFrame
    costs: pd.DataFrame
    assumptions: list[str]
    accounting: pd.DataFrame

    def summary(self) -> str:
        """One sentence over all periods.

        Examples
        --------
        >>> volume = pd.DataFrame({"date": ["2024-01-02"] * 3,
        ...     "channel": ["phone", "email", "help_center"],
        ...     "kind": ["assisted", "assisted", "self_service"], "contacts": [10, 10, 30]})
        >>> deflection(volume, costs={"phone": 12, "email": 4, "help_center": 0.25}).summary()
        'Self-service handled 30 of 50 contacts (60.0%, 95% CI 46.2% to 72.4%): 1.50 self-service contacts per assisted one; cost avoided up to 230 USD (see the assumptions).'
        """
        row = self.overall.iloc[0]
        return (f"Self-service handled {int(row['self_service']):,} of {int(row['n']):,} contacts "
                f"({row['estimate']:.1f}%, {row['conf']:.0%} CI {row['ci_low']:.1f}% to "
                f"{row['ci_high']:.1f}%): {row['deflection_ratio']:.2f} self-service contacts per "
                f"assisted one; cost avoided {_bound_word(self.assumptions)}"
                f"{_round_money(row['cost_avoided'])} USD (see the assumptions).")

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, notes=self.assumptions)


def _bound_word(assumptions: list[str]) -> str:
    """ "up to " when every self-service contact is assumed to replace an assisted one."""
    return "up to " if any(a.startswith("100% of self-service contacts") for a in assumptions) \
        else "about "


def _round_money(value: float) -> str:
    """Two significant figures: an estimate resting on assumed costs has no cents."""
    if not np.isfinite(value) or value == 0:
        return f"{value:,.0f}"
    magnitude = int(np.floor(np.log10(abs(value))))
    if magnitude >= 1:
        return f"{round(value, 1 - magnitude):,.0f}"
    return f"{value:,.{1 - magnitude}f}"


def _cost_table(costs, channels: pd.DataFrame) -> pd.DataFrame:
    if costs is None:
        given = dict(DEFAULT_COSTS)
    elif isinstance(costs, Mapping):
        given = dict(DEFAULT_COSTS) | dict(costs)
    else:
        raise ParameterError(
            "costs must map channels to a cost per contact, for example {'phone': 12, "
            f"'email': 4.42, 'help_center': 0.25}}; got {costs!r}."
        )
    bad = {k: v for k, v in given.items()
           if isinstance(v, bool) or not isinstance(v, (int, float, np.number))
           or not math.isfinite(v) or v < 0}
    if bad:
        raise ParameterError(
            "costs must be numbers of 0 or more (cost per contact); got "
            f"{show_values([f'{k}={v!r}' for k, v in bad.items()])}."
        )
    missing = sorted(set(channels["channel"]) - set(given))
    if missing:
        raise ParameterError(
            f"No cost per contact for channel(s) {show_values(missing)}. Pass costs= with them, "
            f"for example costs={{{missing[0]!r}: 2.5}} (defaults exist for "
            f"{', '.join(DEFAULT_COSTS)})."
        )
    rows = []
    for channel, kind in channels[["channel", "kind"]].itertuples(index=False):
        user = costs is not None and isinstance(costs, Mapping) and channel in costs
        rows.append({"channel": channel, "kind": kind, "cost_per_contact": float(given[channel]),
                     "source": "given in costs=" if user else _COST_NOTES.get(channel, "default")})
    return pd.DataFrame(rows, columns=["channel", "kind", "cost_per_contact", "source"])


def _deflection_rows(frame: pd.DataFrame, costs: dict, self_kinds, deflected_share, conf,
                     min_n) -> dict:
    is_self = frame["kind"].isin(self_kinds).to_numpy()
    contacts = frame["contacts"].to_numpy(float)
    price = frame["channel"].map(costs).to_numpy(float)
    self_n, assisted_n = contacts[is_self].sum(), contacts[~is_self].sum()
    total = self_n + assisted_n
    estimate, low, high = _wilson(self_n, total, conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        assisted_cost = (contacts[~is_self] * price[~is_self]).sum() / assisted_n
        self_cost = (contacts[is_self] * price[is_self]).sum() / self_n
        ratio = self_n / assisted_n if assisted_n else np.nan
    deflected = deflected_share * self_n
    # No self-service: nothing avoided; no assisted contacts: no cost to compare with.
    avoided = 0.0 if not self_n else deflected * (assisted_cost - self_cost) if assisted_n \
        else np.nan
    odds = (lambda p: p / (100 - p) if p < 100 else np.nan)
    return {"self_service": self_n, "assisted": assisted_n, "n": total,
            "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "conf": conf, "small_n": total < min_n,
            "deflection_ratio": ratio, "ratio_ci_low": odds(float(low)),
            "ratio_ci_high": odds(float(high)),
            "assisted_cost": assisted_cost, "self_service_cost": self_cost,
            "deflected": deflected, "cost_avoided": avoided}


def deflection(
    volume: pd.DataFrame,
    *,
    period: str = "M",
    costs: Mapping[str, float] | None = None,
    assisted_kinds: Sequence[str] = ("assisted",),
    self_kinds: Sequence[str] = ("self_service",),
    deflected_share: float = 1.0,
    conf: float = 0.95,
    min_n: int = 30,
    self_channels: Sequence[str] = (),
) -> DeflectionResult:
    """Self-service against assisted contacts per period, and the cost avoided.

    The deflection ratio is self-service contacts per assisted contact; the share
    self-service (self-service / all contacts) gets a Wilson interval, and the ratio's
    interval is the share's mapped through ``p / (1 - p)``. Contacts are treated as
    independent trials, which understates the uncertainty of day-to-day swings.

    Cost avoided per period = deflected contacts x (average assisted cost per contact
    - average self-service cost per contact), the averages weighted by that period's
    channel mix, and deflected contacts = ``deflected_share`` x self-service contacts.
    Costs per contact (USD) default to :data:`DEFAULT_COSTS` (sources in
    :data:`COST_SOURCES`); the result's ``.assumptions`` state them.

    Parameters
    ----------
    volume : DataFrame
        Channel volume: ``date``, ``channel``, ``kind``, ``contacts``.
    period : str
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    costs : mapping, optional
        Channel -> cost per contact; merged over the defaults.
    assisted_kinds, self_kinds : sequence of str
        Values of ``kind`` counted as assisted (calls, e-mail, social replies by
        agents ...) and as self-service (help centre, community, chatbot). Rows of other
        kinds are set aside and counted.
    self_channels : sequence of str
        Channels counted on the deflecting side whatever their ``kind``, e.g.
        ``("social",)`` to count social contacts with self-service against calls and
        e-mail (a social reply costs a fraction of a call).
    deflected_share : float
        Share (0-1) of self-service contacts that would otherwise have reached an agent;
        1 (default) is an upper bound: many self-service visits would never have become
        a ticket.
    conf, min_n

    Returns
    -------
    DeflectionResult

    Examples
    --------
    Hand-checkable arithmetic: 10 calls at 12 USD and 10 e-mails at 4 USD average 8 USD
    per assisted contact; 30 help-centre visits at 0.25 USD avoid 30 x (8 - 0.25) USD.

    >>> volume = pd.DataFrame({"date": ["2024-01-02"] * 3,
    ...     "channel": ["phone", "email", "help_center"],
    ...     "kind": ["assisted", "assisted", "self_service"], "contacts": [10, 10, 30]})
    >>> result = deflection(volume, costs={"phone": 12, "email": 4, "help_center": 0.25})
    >>> row = result.table.iloc[0]
    >>> str(row["period"]), float(row["deflection_ratio"]), float(row["cost_avoided"])
    ('2024-01', 1.5, 232.5)
    """
    _check_frame(volume, "volume")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    code = period_code(period)
    require_columns(volume, ["date", "channel", "kind", "contacts"],
                    "deflection needs channel volume with the column(s) {missing}; found "
                    "{found}. Give one row per date and channel with kind ('assisted' or "
                    "'self_service') and contacts.")
    if isinstance(deflected_share, bool) or not isinstance(deflected_share, (int, float)) \
            or not 0 <= deflected_share <= 1:
        raise ParameterError(f"deflected_share must be between 0 and 1; got {deflected_share!r}.")
    assisted_kinds, self_kinds = list(assisted_kinds), list(self_kinds)
    if self_channels:
        moved = volume["channel"].isin(list(self_channels))
        volume = volume.assign(kind=volume["kind"].where(~moved, self_kinds[0]))
    if set(assisted_kinds) & set(self_kinds):
        raise ParameterError(
            "A kind cannot be both assisted and self-service: "
            f"{show_values(sorted(set(assisted_kinds) & set(self_kinds)))}."
        )
    frame, accounting = _clean_volume(volume, assisted_kinds + self_kinds)
    frame["period"] = period_labels(frame["date"], code)
    channels = frame[["channel", "kind"]].drop_duplicates().sort_values(["kind", "channel"])
    cost_table = _cost_table(costs, channels)
    price = dict(zip(cost_table["channel"], cost_table["cost_per_contact"]))
    rows = [{"period": p} | _deflection_rows(part, price, self_kinds, deflected_share, conf, min_n)
            for p, part in frame.groupby("period", sort=True, observed=True)]
    method = ("Wilson score interval of the self-service share of contacts; ratio interval "
              "= share interval mapped by p / (1 - p)")
    table = pd.DataFrame(rows)
    table["method"] = method
    overall = pd.DataFrame([{"period": "all"} | _deflection_rows(
        frame, price, self_kinds, deflected_share, conf, min_n)])
    overall["method"] = method
    columns = ["period", "self_service", "assisted", "n", "estimate", "ci_low", "ci_high",
               "conf", "method", "small_n", "deflection_ratio", "ratio_ci_low",
               "ratio_ci_high", "assisted_cost", "self_service_cost", "deflected",
               "cost_avoided"]
    return DeflectionResult(
        table=table[columns], overall=overall[columns],
        by_channel=_channel_table(frame, price),
        costs=cost_table,
        assumptions=_deflection_assumptions(cost_table, deflected_share, assisted_kinds, self_kinds),
        accounting=accounting,
    )


def _clean_volume(volume: pd.DataFrame, kinds: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = volume[["date", "channel", "kind", "contacts"]].copy()
    contacts = pd.to_numeric(frame["contacts"], errors="coerce")
    bad = (contacts.isna() & frame["contacts"].notna()) | (contacts < 0)
    if bad.any():
        raise DataError(
            f"contacts must be counts of 0 or more; {int(bad.sum()):,} rows have "
            f"{show_values(frame.loc[bad, 'contacts'].tolist())}. Fix them in the source."
        )
    frame["contacts"] = contacts
    dates = pd.to_datetime(frame["date"], errors="coerce", format="mixed") \
        if not pd.api.types.is_datetime64_any_dtype(frame["date"]) else frame["date"]
    frame["date"] = dates
    reasons = {
        "missing or unreadable date": dates.isna(),
        "missing contacts": contacts.isna() & dates.notna(),
        "kind neither assisted nor self-service": ~frame["kind"].isin(kinds) & dates.notna()
                                                  & contacts.notna(),
    }
    used = ~np.logical_or.reduce([m.to_numpy() for m in reasons.values()])
    if not used.any():
        raise DataError(
            f"No usable volume rows: kinds found {show_values(frame['kind'].unique().tolist())} "
            f"but assisted_kinds/self_kinds are {show_values(kinds)}. Set them to the kind values "
            "of the data, and check the date column."
        )
    accounting = pd.DataFrame(
        [{"item": "rows read", "rows": len(frame)}, {"item": "rows used", "rows": int(used.sum())}]
        + [{"item": f"set aside: {reason}", "rows": int(mask.sum())} for reason, mask in
           reasons.items() if mask.any()])
    return frame[used].reset_index(drop=True), accounting


def _channel_table(frame: pd.DataFrame, price: dict) -> pd.DataFrame:
    out = (frame.groupby(["period", "channel", "kind"], sort=True, observed=True)["contacts"]
           .sum().reset_index())
    totals = out.groupby("period", observed=True)["contacts"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = 100 * out["contacts"] / totals
    out["cost_per_contact"] = out["channel"].map(price).astype(float)
    out["cost"] = out["contacts"] * out["cost_per_contact"]
    return out


def _deflection_assumptions(costs: pd.DataFrame, deflected_share, assisted_kinds,
                            self_kinds) -> list[str]:
    listed = "; ".join(f"{r.channel} {r.cost_per_contact:.2f} USD ({r.source})"
                       for r in costs.itertuples(index=False))
    return [
        f"Cost per contact by channel: {listed}.",
        f"{deflected_share:.0%} of self-service contacts ({', '.join(self_kinds)}) are assumed to "
        f"replace an assisted contact ({', '.join(assisted_kinds)}); 100% is an upper bound, "
        "as many help-centre visits would never have become a ticket.",
        "Each deflected contact is valued at that period's average assisted cost minus its "
        "average self-service cost, both weighted by the period's channel mix.",
        "Published costs per contact vary widely by company, country and year (an inbound "
        "call is quoted from about 5 to 15 USD); use your own costs where you have them.",
    ]
