"""Volume: inbound contacts per hour, weekday and week, the weekday-by-hour table behind
a heatmap, the weekly trend (Mann-Kendall with Sen's slope) and a forecast spread over
weekdays and hours for staffing (the forecaster of :mod:`csat_toolkit.trends`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core import stats
from ..core.display import result_html
from ..core.tally import period_labels
from ..errors import DataError, MissingColumnError, ParameterError, show_values
from .businesshours import _zone
from ._common import _WEEKDAY_NAMES, _check_frame, _check_min_n, _times

__all__ = ["VolumeResult", "volume_profile"]


@dataclass
class VolumeResult:
    """Outcome of :func:`volume_profile`.

    Attributes
    ----------
    hourly : DataFrame
        ``hour`` (0-23, local), ``contacts``, ``n`` (days in the range), ``estimate``
        (mean contacts per day in that hour) with ``ci_low``, ``ci_high`` (t interval
        over the days), ``conf``, ``method``, ``small_n``, and ``share`` (% of all
        contacts). Empty for daily volume data (no time of day).
    weekday : DataFrame
        ``weekday`` (0 = Monday), ``weekday_name``, ``contacts``, ``n`` (days of that
        weekday in the range), ``estimate`` (mean contacts per such day) with
        ``ci_low``, ``ci_high`` (t interval over the days), ``conf``, ``method``,
        ``small_n``.
    heatmap : DataFrame
        Long weekday-by-hour table: ``weekday``, ``weekday_name``, ``hour``,
        ``contacts``, ``n`` (days of that weekday), ``estimate`` (mean contacts in that
        hour per day of that weekday) with ``ci_low``, ``ci_high``, ``conf``, ``method``,
        ``small_n``. :meth:`heatmap_table` pivots the estimates.
    weekly : DataFrame
        ``period`` (Monday-Sunday weeks), ``contacts``, ``days`` (days of the week inside
        the data's range), ``partial`` (True for a first or last week cut by the range).
    trend : TrendResult or None
        Mann-Kendall test with Sen's slope on the full weeks
        (:func:`csat_toolkit.trends.trend_test`).
    forecast : DataFrame or None
        Weekly forecast (:func:`csat_toolkit.forecast.forecast`): ``period``, ``step``,
        ``forecast``, ``pi_low``, ``pi_high`` (clipped at 0), ``conf``, ``method``.
    staffing : DataFrame or None
        Forecast contacts per weekday and hour of each forecast week (the weekly
        forecast spread by the observed weekday-by-hour pattern): ``period``,
        ``weekday``, ``weekday_name``, ``hour``, ``forecast``, ``pi_low``, ``pi_high``
        (Poisson quantiles at the week's limits: an hour's count varies around its share).
    accounting : DataFrame
        ``item``, ``rows``.
    warnings : list of str
    """

    hourly: pd.DataFrame
    weekday: pd.DataFrame
    heatmap: pd.DataFrame
    weekly: pd.DataFrame
    trend: object
    forecast: pd.DataFrame | None
    staffing: pd.DataFrame | None
    accounting: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def forecast_gap(self) -> str | None:
        """Why there is no forecast (a short history: too few full weeks), or ``None``."""
        if self.forecast is not None:
            return None
        reason = next((w for w in self.warnings if w.startswith("No forecast")), None)
        full = int((~self.weekly["partial"]).sum()) if "partial" in self.weekly else len(self.weekly)
        return (reason or "No forecast") + (f" ({full} full weeks of volume; the staffing "
                                            "forecast is skipped).")

    def busiest_hours(self, k: int = 8) -> pd.DataFrame:
        """The ``k`` busiest hours of the first forecast week (empty without a forecast)."""
        if self.staffing is None or self.staffing.empty:
            return pd.DataFrame(columns=["period", "weekday_name", "hour", "forecast"])
        first = self.staffing[self.staffing["period"] == self.staffing["period"].iloc[0]]
        return first.nlargest(k, "forecast")

    def heatmap_table(self) -> pd.DataFrame:
        """Mean contacts per day: weekdays (Monday first) as rows, hours 0-23 as columns."""
        if self.heatmap.empty:
            return pd.DataFrame(index=pd.Index(_WEEKDAY_NAMES, name="weekday"))
        table = self.heatmap.pivot(index="weekday_name", columns="hour", values="estimate")
        return table.reindex(list(_WEEKDAY_NAMES)).rename_axis(index="weekday")

    def summary(self) -> str:
        """One or two sentences: the busiest weekday and hour, and the weekly trend."""
        busiest = self.weekday.loc[self.weekday["estimate"].idxmax()]
        if np.isfinite(busiest["ci_low"]) and np.isfinite(busiest["ci_high"]):
            spread = (f"{busiest['conf']:.0%} CI {busiest['ci_low']:.1f} to "
                      f"{busiest['ci_high']:.1f}, over {int(busiest['n'])} days")
        else:  # one day of that weekday: no interval
            spread = f"a single {busiest['weekday_name']} observed, so no interval"
        text = (f"Busiest weekday: {busiest['weekday_name']} ({busiest['estimate']:.1f} contacts "
                f"a day, {spread})")
        if not self.hourly.empty:
            peak = self.hourly.loc[self.hourly["contacts"].idxmax()]
            text += f"; busiest hour {int(peak['hour']):02d}:00-{int(peak['hour']) + 1:02d}:00"
        text += "."
        if self.trend is not None:
            text += " " + self.trend.summary(unit="week", label="Weekly volume")
        return text

    def _repr_html_(self) -> str:
        weekday = self.weekday.drop(columns="weekday").rename(columns={"weekday_name": "weekday"})
        return result_html(self.summary(), weekday,
                           title="Contacts per day, by weekday", warnings=self.warnings)


def _local_times(times: pd.Series, timezone, source_timezone) -> pd.Series:
    """Wall times in ``timezone`` (as written when None)."""
    tz = getattr(times.dtype, "tz", None)
    if timezone is None:
        return times.dt.tz_localize(None) if tz is not None else times
    zone = _zone(timezone).key
    if tz is None:
        source = _zone(source_timezone).key
        times = times.dt.tz_localize(source, ambiguous=np.ones(len(times), dtype=bool),
                                     nonexistent="shift_forward")
    return times.dt.tz_convert(zone).dt.tz_localize(None)


def volume_profile(
    data: pd.DataFrame,
    *,
    timestamp: str = "created_at",
    timezone: str | None = None,
    source_timezone: str = "UTC",
    horizon: int = 8,
    seasonal: bool | None = False,
    conf: float = 0.95,
    min_n: int = 30,
) -> VolumeResult:
    """Inbound contacts per hour, weekday and week; the weekday-by-hour table; trend and forecast.

    Parameters
    ----------
    data : DataFrame
        Tickets (one row per inbound contact, time stamp in ``timestamp``) or daily
        channel volume (``date`` and ``contacts``, no time of day: no hourly tables).
    timestamp : str
        The time-stamp column of tickets.
    timezone : str, optional
        IANA zone in which to read hours and weekdays (for example the support team's).
        Zone-aware times are converted; naive ones are taken as ``source_timezone``.
        Without it, times are read as written.
    source_timezone : str
        Zone of naive time stamps when ``timezone`` is given (default UTC).
    horizon : int
        Weeks to forecast.
    seasonal : bool or None
        Passed to :func:`csat_toolkit.forecast.forecast`; False (default) fits a damped
        trend only (a yearly cycle of weeks needs two years and is slow to fit).
    conf : float
        Level of the weekday intervals and the forecast intervals.
    min_n : int
        Weekdays observed on fewer days are flagged ``small_n``.

    Returns
    -------
    VolumeResult

    Examples
    --------
    >>> tickets = pd.DataFrame({"created_at": pd.to_datetime([
    ...     "2024-03-04 09:10", "2024-03-04 09:40", "2024-03-05 14:00", "2024-03-11 09:05"])})
    >>> result = volume_profile(tickets)
    >>> float(result.heatmap_table().loc["Monday", 9]), int(result.weekday.loc[0, "n"])
    (1.5, 2)
    """
    _check_frame(data, "data")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"horizon must be a whole number of weeks, 1 or more; got {horizon!r}.")
    if timezone is not None:
        _zone(timezone)
    _zone(source_timezone)
    warnings: list[str] = []
    if timestamp in data.columns:
        times = _times(data, timestamp)
        missing = times.isna()
        local = _local_times(times[~missing], timezone, source_timezone)
        events = pd.DataFrame({"date": local.dt.normalize(), "hour": local.dt.hour,
                               "contacts": 1.0})
        accounting = [{"item": "rows read", "rows": len(data)},
                      {"item": "rows used", "rows": int((~missing).sum())}]
        if missing.any():
            accounting.append({"item": f"set aside: missing {timestamp}", "rows": int(missing.sum())})
    elif {"date", "contacts"} <= set(data.columns):
        dates = pd.to_datetime(data["date"], errors="coerce", format="mixed")
        contacts = pd.to_numeric(data["contacts"], errors="coerce")
        bad = dates.isna() | contacts.isna() | (contacts < 0)
        events = pd.DataFrame({"date": dates[~bad].dt.normalize(), "hour": -1,
                               "contacts": contacts[~bad].astype(float)})
        accounting = [{"item": "rows read", "rows": len(data)},
                      {"item": "rows used", "rows": int((~bad).sum())}]
        if bad.any():
            accounting.append({"item": "set aside: missing date or contacts", "rows": int(bad.sum())})
        warnings.append("Daily volume has no time of day: no hourly or weekday-by-hour tables.")
    else:
        raise MissingColumnError(
            f"volume_profile needs tickets with a {timestamp!r} time stamp, or daily volume with "
            f"'date' and 'contacts'; found {show_values(list(data.columns), 12)}. Set "
            "timestamp= to the time-stamp column."
        )
    if events.empty:
        raise DataError(f"No contacts with a usable {timestamp} or date to profile.")
    days = pd.date_range(events["date"].min(), events["date"].max(), freq="D")
    daily = events.groupby("date")["contacts"].sum().reindex(days, fill_value=0.0)
    weekday = _weekday_table(daily, conf, min_n)
    hourly, heat = _hour_tables(events, days, conf, min_n)
    weekly = _weekly_table(daily)
    trend, forecast_table = _weekly_models(weekly, horizon, seasonal, conf, warnings)
    staffing = _staffing(forecast_table, heat) if forecast_table is not None and not heat.empty \
        else None
    return VolumeResult(hourly=hourly, weekday=weekday, heatmap=heat, weekly=weekly,
                        trend=trend, forecast=forecast_table, staffing=staffing,
                        accounting=pd.DataFrame(accounting), warnings=warnings)


def _weekday_table(daily: pd.Series, conf: float, min_n: int) -> pd.DataFrame:
    rows = []
    weekdays = daily.index.day_of_week
    for day in range(7):
        values = daily.to_numpy(float)[weekdays == day]
        mean = float(values.mean()) if values.size else np.nan
        sd = float(values.std(ddof=1)) if values.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, values.size, conf=conf)
        rows.append({"weekday": day, "weekday_name": _WEEKDAY_NAMES[day],
                     "contacts": float(values.sum()), "n": values.size, "estimate": mean,
                     "ci_low": low, "ci_high": high})
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["method"] = ("t interval of the mean contacts per day of that weekday (days without "
                     "contacts count as 0)")
    out["small_n"] = out["n"] < min_n
    return out


def _mean_rows(matrix: np.ndarray, conf: float) -> dict[str, np.ndarray]:
    """Column means of a days x cells matrix with t intervals over the days."""
    n = matrix.shape[0]
    mean = matrix.mean(axis=0) if n else np.full(matrix.shape[1], np.nan)
    sd = matrix.std(axis=0, ddof=1) if n > 1 else np.full(matrix.shape[1], np.nan)
    low, high = stats.mean_interval(mean, sd, np.full(matrix.shape[1], n), conf=conf)
    return {"contacts": matrix.sum(axis=0), "n": np.full(matrix.shape[1], n),
            "estimate": mean, "ci_low": np.asarray(low), "ci_high": np.asarray(high)}


def _hour_tables(events: pd.DataFrame, days: pd.DatetimeIndex, conf: float,
                 min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contacts per hour of the day, and per weekday and hour: mean per day, t intervals."""
    columns = ["contacts", "n", "estimate", "ci_low", "ci_high", "conf", "method", "small_n"]
    timed = events[events["hour"] >= 0]
    if timed.empty:
        return (pd.DataFrame(columns=["hour", *columns, "share"]),
                pd.DataFrame(columns=["weekday", "weekday_name", "hour", *columns]))
    matrix = (timed.groupby(["date", "hour"])["contacts"].sum().unstack("hour")
              .reindex(index=days, columns=range(24), fill_value=0.0).fillna(0.0)
              .to_numpy(float))
    hourly = pd.DataFrame({"hour": range(24)} | _mean_rows(matrix, conf))
    hourly["share"] = 100 * hourly["contacts"] / hourly["contacts"].sum()
    weekdays = days.day_of_week.to_numpy()
    parts = []
    for day in range(7):
        part = pd.DataFrame({"weekday": day, "weekday_name": _WEEKDAY_NAMES[day],
                             "hour": range(24)} | _mean_rows(matrix[weekdays == day], conf))
        parts.append(part)
    heat = pd.concat(parts, ignore_index=True)
    for table, what in ((hourly, "hour"), (heat, "hour on days of that weekday")):
        table["conf"] = conf
        table["method"] = (f"t interval of the mean contacts per day in that {what} (days "
                           "without contacts count as 0)")
        table["small_n"] = table["n"] < min_n
    return (hourly[["hour", *columns, "share"]],
            heat[["weekday", "weekday_name", "hour", *columns]])


def _weekly_table(daily: pd.Series) -> pd.DataFrame:
    weeks = period_labels(pd.Series(daily.index), "W")
    frame = pd.DataFrame({"period": weeks.to_numpy(), "contacts": daily.to_numpy()})
    out = frame.groupby("period", sort=True).agg(contacts=("contacts", "sum"),
                                                 days=("contacts", "size")).reset_index()
    out["partial"] = out["days"] < 7
    return out


def _weekly_models(weekly: pd.DataFrame, horizon: int, seasonal, conf: float,
                   warnings: list[str]):
    from ..trends.forecast import forecast
    from ..trends.series import trend_test

    full = weekly[~weekly["partial"]]
    trend = None
    if len(full) >= 10:
        trend = trend_test(full["contacts"].to_numpy(float), alpha=1 - conf)
    else:
        warnings.append(f"Only {len(full)} full weeks: a trend test needs at least 10.")
    try:
        table = forecast(pd.DataFrame({"period": full["period"], "n": full["contacts"],
                                       "estimate": full["contacts"]}),
                         horizon=horizon, conf=conf, seasonal=seasonal)
    except DataError as error:
        warnings.append(f"No forecast: {error}")
        return trend, None
    for column in ("forecast", "pi_low", "pi_high"):
        table[column] = table[column].clip(lower=0.0)
    table["method"] = table["method"] + "; weekly contacts, full weeks only, clipped at 0"
    if not seasonal:
        warnings.append(
            "The weekly forecast models no yearly season (seasonal=False): it carries the "
            "recent level forward, so a known seasonal change (a December peak, a summer "
            "dip) is not in it. Compare with the same weeks of last year before staffing.")
    return trend, table


def _staffing(forecast_table: pd.DataFrame, heat: pd.DataFrame) -> pd.DataFrame:
    total = heat["estimate"].sum()
    share = heat["estimate"] / total if total > 0 else heat["estimate"] * 0
    cells = heat[["weekday", "weekday_name", "hour"]].assign(_share=share.to_numpy())
    out = forecast_table[["period", "forecast", "pi_low", "pi_high"]].merge(cells, how="cross")
    for column in ("forecast", "pi_low", "pi_high"):
        out[column] = out[column] * out["_share"]
    # An hour's count varies around its expected share of the week (Poisson) on top of the
    # week's own uncertainty: the limits are Poisson quantiles at the week's limits.
    conf = float(forecast_table["conf"].iloc[0]) if "conf" in forecast_table else 0.95
    out["pi_low"] = _st.poisson.ppf((1 - conf) / 2, out["pi_low"].clip(lower=0))
    out["pi_high"] = _st.poisson.ppf(1 - (1 - conf) / 2, out["pi_high"].clip(lower=0))
    return out[["period", "weekday", "weekday_name", "hour", "forecast", "pi_low", "pi_high"]]
