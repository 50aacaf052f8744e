"""The pages a run writes around the notebooks: the index, and each report's header.

:func:`write_index` writes ``index.html``, a manager's page that fits a laptop screen above
the fold: a header (data period, report date, source files, run time), one tile per
headline metric (value, interval, ``n``, the change against the previous period with an
arrow only when it is significant, a small trend line and the benchmark's verdict), at most
five findings ranked by importance, each linking to its section, then the reports with
their status. :func:`report_page` gives the header, summary and contents of one exported
report (``runner.export_html`` renders them with the ``csat_report`` template).

Every number on these pages comes from ``headline.json``, which the section builders write
with tested package functions; this module only chooses, orders and escapes. All text is
escaped: segment names, comments and errors are data, never markup. The index has no
script.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from .headline import HIGHLIGHT_KINDS

__all__ = ["write_index", "report_page", "table_of_contents", "rank_highlights", "sparkline",
           "readable_time", "report_date_text", "period_text", "rows_text", "MAX_FINDINGS"]

#: Findings the index shows at most.
MAX_FINDINGS = 5
#: Tiles shown when no report gives ``tiles`` (each report's KPI cards instead).
MAX_FALLBACK_TILES = 8
_ARROWS = {"up": "\u25b2", "down": "\u25bc"}


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


# --- wording of headline keys ----------------------------------------------------------


def readable_time(text: str) -> str:
    """``2024-12-31T23:59:00`` as ``2024-12-31 23:59``; a midnight as the date alone.

    Examples
    --------
    >>> readable_time("2024-12-31T22:29:00"), readable_time("2024-12-31T00:00:00")
    ('2024-12-31 22:29', '2024-12-31')
    >>> readable_time("soon")
    'soon'
    """
    try:
        stamp = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    shown = stamp.strftime("%Y-%m-%d")
    if (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) != (0, 0, 0, 0):
        shown += stamp.strftime(" %H:%M:%S" if stamp.second else " %H:%M")
    if stamp.tzinfo is not None:
        shown += f" {stamp.tzname()}"
    return shown


def report_date_text(headline: Mapping) -> str:
    """``report date 2024-12-31 22:29, the latest responded_at in the data`` from a headline.

    Empty when the headline has no ``as_of``.

    Examples
    --------
    >>> report_date_text({"as_of": "2021-03-31T23:59:00", "as_of_source": "parameter"})
    'report date 2021-03-31 23:59, given as as_of'
    >>> report_date_text({})
    ''
    """
    as_of = headline.get("as_of")
    if not as_of:
        return ""
    source, column = headline.get("as_of_source"), headline.get("as_of_column")
    if source == "parameter":
        how = "given as as_of"
    elif source == "data":
        how = f"the latest {column} in the data" if column else "the end of the data"
    else:
        how = str(source) if source else ""
    return f"report date {readable_time(str(as_of))}" + (f", {how}" if how else "")


def period_text(period: Mapping | None) -> str:
    """A ``data_period`` key (:func:`csat_toolkit.report.headline.data_period`) as text.

    Examples
    --------
    >>> period_text({"start": "2023-01-01T07:37:00", "end": "2024-12-31T22:29:00"})
    '2023-01-01 to 2024-12-31'
    >>> period_text(None)
    ''
    """
    if not period or not period.get("start"):
        return ""
    return f"{str(period['start'])[:10]} to {str(period['end'])[:10]}"


def rows_text(rows: Mapping | None) -> str:
    """A ``rows`` key (:func:`csat_toolkit.report.headline.rows_used`) as text.

    Examples
    --------
    >>> rows_text({"used": 14375, "read": 22569, "what": "answers"})
    '14,375 of 22,569 answers'
    """
    if not rows or rows.get("used") is None:
        return ""
    return f"{int(rows['used']):,} of {int(rows['read']):,} {rows.get('what') or 'rows'}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


# --- one report's header, summary and contents -------------------------------------------

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_QUESTION = re.compile(r"\*\*(.+?)\*\*", re.S)


def table_of_contents(markdown_html: Iterable[str]) -> list[dict]:
    """The h2 headings of rendered markdown cells, in order: ``{"id", "text"}`` each.

    The ids are the ones nbconvert gives the headings, so ``#id`` links resolve.

    Examples
    --------
    >>> table_of_contents(['<h2 id="Data-accounting">Data accounting<a class="anchor-link" '
    ...                    'href="#Data-accounting">&#182;</a></h2><p>x</p>'])
    [{'id': 'Data-accounting', 'text': 'Data accounting'}]
    """
    items = []
    for part in markdown_html:
        for ident, inner in _H2.findall(part):
            inner = re.sub(r'<a class="anchor-link".*?</a>', "", inner, flags=re.S)
            items.append({"id": html.unescape(ident),
                          "text": html.unescape(_TAGS.sub("", inner)).strip()})
    return items


def report_page(notebook, headline: Mapping | None, *, name: str, index_link: str | None = None,
                markdown=None) -> dict:
    """What the ``csat_report`` template shows around a report's cells.

    Parameters
    ----------
    notebook : NotebookNode
        The executed notebook. Its first markdown cell (title and the question in bold) is
        marked ``csat_header`` and shown in the header instead of the body.
    headline : mapping or None
        The report's ``headline.json`` (title, findings, highlights, ``data_period``,
        ``rows``, ``as_of``, ``skipped``).
    name : str
        The notebook's name, used when there is no title.
    index_link : str, optional
        Link back to the run's index page.
    markdown : callable, optional
        Markdown to HTML (nbconvert's ``markdown2html``), for the contents and the intro.

    Returns
    -------
    dict
        ``title``, ``question``, ``facts`` (label/value pairs), ``summary`` (at most four
        sentences: the report's highlights, then its findings), ``skipped``, ``toc``,
        ``summary_id``, ``about`` (HTML of the intro), ``index_link`` and ``footer``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# Metrics\\n\\nWhat this report answers: **how satisfied are customers?**")])
    >>> page = report_page(nb, {"findings": ["CSAT 60.0% (95% CI 53.8% to 65.9%, n=250)."],
    ...                         "rows": {"used": 250, "read": 251, "what": "answers"}},
    ...                    name="01_metrics")
    >>> page["title"], page["question"], page["facts"][0]["value"]
    ('Metrics', 'how satisfied are customers?', '250 of 251 answers')
    """
    headline = dict(headline or {})
    markdown = markdown or _markdown
    cells = [c for c in notebook.cells if c.cell_type == "markdown"]
    first = cells[0] if cells else None
    heading = question = about = None
    if first is not None:
        first.metadata["csat_header"] = True
        lines = first.source.splitlines()
        heading = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("# ")), None)
        found = _QUESTION.search(first.source)
        question = " ".join(found.group(1).split()) if found else None
        rest = "\n".join(ln for ln in lines if not ln.startswith("# ")).strip()
        about = markdown(rest) if rest else None
    toc_source = [markdown(c.source) for c in cells[1:] if "## " in c.source]
    summary_id = "Summary"
    facts = [{"label": label, "value": value} for label, value in (
        ("Rows used", rows_text(headline.get("rows"))),
        ("Data period", period_text(headline.get("data_period"))),
        ("Report date", report_date_text(headline).removeprefix("report date ")),
    ) if value]
    return {
        "title": str(headline.get("title") or heading or name.replace("_", " ")),
        "question": question,
        "facts": facts,
        "summary": _summary(headline),
        "skipped": [str(s) for s in headline.get("skipped") or []],
        "toc": [{"id": summary_id, "text": "Summary"}] + table_of_contents(toc_source),
        "summary_id": summary_id,
        "about": about,
        "index_link": index_link,
        "footer": ("Made with csat_toolkit. Every number comes from a tested function of the "
                   "package; intervals are at the level stated beside them."),
    }


def _summary(headline: Mapping, limit: int = 4) -> list[str]:
    chosen: list[str] = []
    for item in sorted(headline.get("highlights") or [], key=lambda h: h.get("rank", 99)):
        sentence = str(item.get("sentence") or "")
        if item.get("interval"):
            sentence = f"{sentence.rstrip('.')} ({item['interval']})."
        chosen.append(sentence)
    chosen += [str(s) for s in headline.get("findings") or []]
    out: list[str] = []
    for sentence in chosen:
        if sentence and sentence not in out:
            out.append(sentence)
    return out[:limit]


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(text)


# --- the index page ------------------------------------------------------------------------


def rank_highlights(entries: Sequence, limit: int = MAX_FINDINGS) -> list[dict]:
    """The findings the index shows: at most ``limit``, the most important first.

    Importance is the kind's place in
    :data:`~csat_toolkit.report.headline.HIGHLIGHT_KINDS` (a significant change, an
    out-of-control period, the top driver, the revenue gap, the SLA miss). The first of
    each kind comes before a second of any kind; within a kind, reports in name order and
    each report's own order. A sentence given twice is shown once; reports that did not
    run (``status`` other than ``ok``) give none.

    Parameters
    ----------
    entries : sequence
        Report entries with ``name``, ``html`` (the report's file or None) and
        ``headline`` (dict or None).

    Returns
    -------
    list of dict
        Each highlight with ``report`` (its title), ``href`` (``file#anchor``, or None
        without a report file).

    Examples
    --------
    >>> from types import SimpleNamespace as E
    >>> h = lambda kind, s: {"kind": kind, "sentence": s, "anchor": "A"}
    >>> runs = [E(name="01", html="01.html", headline={"highlights": [h("sla_miss", "s"),
    ...         h("change", "c1"), h("change", "c2")]})]
    >>> [x["sentence"] for x in rank_highlights(runs)], rank_highlights(runs)[0]["href"]
    (['c1', 's', 'c2'], '01.html#A')
    """
    found = []
    for order, run in enumerate(entries):
        if getattr(run, "status", "ok") != "ok":  # a failed report's findings are not shown
            continue
        headline = run.headline or {}
        title = str(headline.get("title") or run.name.replace("_", " "))
        for position, item in enumerate(headline.get("highlights") or []):
            if not isinstance(item, Mapping) or item.get("kind") not in HIGHLIGHT_KINDS:
                continue
            anchor = item.get("anchor")
            href = (f"{run.html}#{anchor}" if anchor else run.html) if run.html else None
            found.append((HIGHLIGHT_KINDS.index(item["kind"]), order, position,
                          {**item, "report": title, "href": href}))
    found.sort(key=lambda t: t[:3])
    first, rest, seen, kinds = [], [], set(), set()
    for kind, _, _, item in found:
        if item.get("sentence") in seen:
            continue
        seen.add(item.get("sentence"))
        (rest if kind in kinds else first).append(item)
        kinds.add(kind)
    ranked = first + sorted(rest, key=lambda i: HIGHLIGHT_KINDS.index(i["kind"]))
    return ranked[:limit]


def sparkline(series: Sequence[Mapping], *, width: int = 120, height: int = 32,
              label: str = "") -> str:
    """A small inline SVG line of a tile's series (``estimate`` per ``period``).

    Points without an estimate are left out; fewer than two points give ``""``. The
    band is the interval of each point (``ci_low``/``ci_high``) when given.

    Examples
    --------
    >>> svg = sparkline([{"period": "2024-01", "estimate": 70.0},
    ...                  {"period": "2024-02", "estimate": 80.0}], label="CSAT")
    >>> svg.startswith('<svg class="spark"'), 'points="2.0,30.0 118.0,2.0"' in svg
    (True, True)
    >>> sparkline([{"period": "2024-01", "estimate": 70.0}])
    ''
    """
    points = [p for p in series if p.get("estimate") is not None]
    if len(points) < 2:
        return ""
    lows = [p.get("ci_low") if p.get("ci_low") is not None else p["estimate"] for p in points]
    highs = [p.get("ci_high") if p.get("ci_high") is not None else p["estimate"] for p in points]
    low, high = min(lows + [p["estimate"] for p in points]), max(highs + [p["estimate"] for p in points])
    span = (high - low) or 1.0
    pad = 2.0
    step = (width - 2 * pad) / (len(points) - 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

    def xy(i: int, value: float) -> str:
        return f"{round(pad + i * step, 1)},{y(value)}"

    line = " ".join(xy(i, p["estimate"]) for i, p in enumerate(points))
    band = " ".join([xy(i, v) for i, v in enumerate(highs)]
                    + [xy(i, v) for i, v in reversed(list(enumerate(lows)))])
    first, last = points[0]["period"], points[-1]["period"]
    title = f"{label} per period, {first} to {last}".strip()
    cx, cy = xy(len(points) - 1, points[-1]["estimate"]).split(",")
    return (f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>'
            f'<polygon points="{band}" class="band"/>'
            f'<polyline points="{line}" class="line"/>'
            f'<circle cx="{cx}" cy="{cy}" r="2.5" class="dot"/></svg>')


def _badge(benchmark: Mapping | None) -> str:
    if not benchmark or not benchmark.get("verdict"):
        return ""
    verdict, label = str(benchmark["verdict"]), str(benchmark.get("label") or "benchmark")
    low, high = benchmark.get("low"), benchmark.get("high")
    value = ("" if low is None else f" ({low:g})" if high is None or low == high
             else f" ({low:g} to {high:g})")
    words = {"not distinguishable": f"not distinguishable from the {label}",
             "within": f"within the {label}"}.get(verdict, f"{verdict} the {label}")
    kind = verdict if verdict in ("above", "below", "within") else "unclear"
    source = benchmark.get("source")
    return (f'<span class="badge {kind}"' + (f' title="{_e(source)}"' if source else "")
            + f">{_e(words + value)}</span>")


def _change(change: Mapping | None) -> str:
    if not change:
        return '<div class="change none">no earlier period to compare</div>'
    direction = change.get("direction") if change.get("significant") else "none"
    arrow = _ARROWS.get(direction or "", "")
    text = f"{change.get('display', '')} {change.get('detail', '')}".strip()
    if arrow:
        return (f'<div class="change {direction}"><span class="arrow" aria-hidden="true">'
                f'{arrow}</span> {_e(text)}, significant</div>')
    return f'<div class="change none">{_e(text)}, not significant after correction</div>'


def _tile(item: Mapping) -> str:
    spark = sparkline(item.get("series") or [], label=str(item.get("label", "")))
    has_change = "change" in item
    return (f'<div class="tile"><div class="label">{_e(item.get("label", ""))}</div>'
            f'<div class="value">{_e(item.get("display", item.get("value", "")))}</div>'
            f'<div class="ci">{_e(item.get("detail", ""))}</div>'
            + (_change(item.get("change")) if has_change else "")
            + (f'<div class="sparkbox">{spark}</div>' if spark else "")
            + _badge(item.get("benchmark")) + "</div>")


def _tiles(entries: Sequence) -> str:
    for run in entries:
        tiles = (run.headline or {}).get("tiles")
        if run.status == "ok" and tiles:
            return "".join(_tile(t) for t in tiles)
    cards = [k for run in entries if run.status == "ok"
             for k in (run.headline or {}).get("kpis") or [] if isinstance(k, Mapping)]
    return "".join(_tile(k) for k in cards[:MAX_FALLBACK_TILES])


def _findings(entries: Sequence) -> str:
    items = []
    for item in rank_highlights(entries):
        sentence = str(item.get("sentence") or "")
        interval = f' <span class="interval">({_e(item["interval"])})</span>' \
            if item.get("interval") else ""
        text = (f'<a href="{_e(item["href"])}">{_e(sentence)}</a>' if item.get("href")
                else _e(sentence))
        items.append(f'<li class="{_e(item["kind"])}">{text}{interval} '
                     f'<span class="from">{_e(item["report"])}</span></li>')
    if not items:
        return ""
    return f'<section class="findings"><h2>Findings</h2><ol>{"".join(items)}</ol></section>'


def _entry(run) -> str:
    headline = run.headline or {}
    title = _e(headline.get("title") or run.name.replace("_", " "))
    date = report_date_text(headline)
    header = f"<h2>{title}" + (f' <span class="asof">{_e(date)}</span>' if date else "") + "</h2>"
    link = f'<a href="{_e(run.html)}">open the report</a>' if run.html else "no report"
    if run.status != "ok":
        label = "Timed out" if run.status == "timed out" else "Failed"
        return (f'<section class="report failed">{header}<p><b>{label}</b>: '
                f"<code>{_e(run.error or '')}</code></p><p>{link}</p></section>")
    skipped = [str(s) for s in headline.get("skipped") or []]
    findings = [str(s) for s in headline.get("findings") or []]
    parts = [f'<p class="status"><span class="badge ran">ran</span> &middot; {link}'
             + (f" &middot; {len(skipped)} part(s) skipped" if skipped else "") + "</p>"]
    if findings:
        parts.append(f"<details><summary>All findings ({len(findings)})</summary><ul>"
                     + "".join(f"<li>{_e(s)}</li>" for s in findings) + "</ul></details>")
    if skipped:
        parts.append(f"<details><summary>Skipped, with the reason ({len(skipped)})</summary><ul>"
                     + "".join(f"<li>{_e(s)}</li>" for s in skipped) + "</ul></details>")
    return f'<section class="report">{header}{"".join(parts)}</section>'


def _header_facts(entries: Sequence) -> list[tuple[str, str, str]]:
    headlines = [r.headline or {} for r in entries]
    periods = [h.get("data_period") for h in headlines if h.get("data_period")]
    facts = []
    if periods:
        facts.append(("period", "Data period", period_text(
            {"start": min(str(p["start"]) for p in periods),
             "end": max(str(p["end"]) for p in periods)})))
    dates = sorted({readable_time(str(h["as_of"])) for h in headlines if h.get("as_of")})
    if dates:
        facts.append(("date", "Report date", dates[0] if len(dates) == 1
                      else f"{dates[0]} to {dates[-1]}"))
    files = sorted({Path(p).name for r in entries for p in (getattr(r, "inputs", None) or {})})
    if files:
        facts.append(("files", "Source files", ", ".join(files)))
    seconds = sum(float(getattr(r, "seconds", 0) or 0) for r in entries)
    facts.append(("runtime", "Run time", f"{_duration(seconds)} of notebook time"))
    return facts


def write_index(result, *, title: str) -> Path:
    """Write ``index.html``: the manager's page of a run (see the module's description).

    Parameters
    ----------
    result : RunResult
        The run (:func:`csat_toolkit.report.runner.run_reports`); every report in the
        folder is listed (``result.entries``), in name order.
    title : str
        The page's title.

    Returns
    -------
    Path
        ``result.index``.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace as E
    >>> run = E(name="01_metrics", status="ok", html="01_metrics.html", error=None,
    ...         earlier=False, seconds=3.0, inputs={},
    ...         headline={"title": "Metrics", "kpis": [{"label": "CSAT", "display": "60.0%"}]})
    >>> folder = Path(tempfile.mkdtemp())
    >>> page = write_index(E(entries=[run], index=folder / "index.html"), title="CX").read_text()
    >>> "60.0%" in page and 'href="01_metrics.html"' in page
    True
    """
    entries = list(result.entries)
    failed = [r for r in entries if r.status != "ok"]
    status = "All reports ran." if not failed else "Some reports failed: see below."
    facts = "".join(f'<div><dt>{_e(label)}</dt><dd class="{key}">{_e(value)}</dd></div>'
                    for key, label, value in _header_facts(entries))
    tiles = _tiles(entries)
    page = _INDEX.format(
        title=_e(title), status=_e(status), facts=facts,
        tiles=f'<section class="tiles" aria-label="Headline metrics">{tiles}</section>' if tiles else "",
        findings=_findings(entries),
        reports="\n".join(_entry(r) for r in entries))
    result.index.write_text(page, encoding="utf-8")
    return result.index


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>
:root {{ --ink: #1a202c; --muted: #4a5568; --line: #e2e8f0; --accent: #2b6cb0; --soft: #f7fafc; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }}
a {{ color: var(--accent); }}
.wrap {{ max-width: 76rem; margin: 0 auto; padding: 0.9rem 1.2rem 2rem; }}
header h1 {{ margin: 0; font-size: 1.5rem; }}
header p {{ margin: 0.1rem 0 0.4rem; color: var(--muted); font-size: 0.85rem; }}
.facts {{ display: flex; flex-wrap: wrap; gap: 0.2rem 1.4rem; margin: 0 0 0.7rem; font-size: 0.85rem; }}
.facts dt {{ font-size: 0.7rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }}
.facts dd {{ margin: 0; font-weight: 600; overflow-wrap: anywhere; }}
.tiles {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: 0.6rem; }}
.tile {{ border: 1px solid #cbd5e0; border-radius: 6px; padding: 0.5rem 0.7rem; min-width: 0; }}
.tile .label {{ font-size: 0.8rem; color: var(--muted); }}
.tile .value {{ font-size: 1.6rem; font-weight: 650; line-height: 1.2; }}
.tile .ci, .tile .change {{ font-size: 0.75rem; color: var(--muted); }}
.change .arrow {{ font-size: 0.85rem; }} .change.up {{ color: #276749; }} .change.down {{ color: #9b2c2c; }}
.spark {{ display: block; margin: 0.2rem 0; max-width: 100%; height: auto; }}
.spark .band {{ fill: #bee3f8; stroke: none; }} .spark .line {{ fill: none; stroke: var(--accent); stroke-width: 1.5; }}
.spark .dot {{ fill: var(--accent); }}
.badge {{ display: inline-block; font-size: 0.72rem; padding: 0.05rem 0.45rem; border-radius: 999px; background: #edf2f7; color: #2d3748; }}
.badge.above, .badge.ran {{ background: #c6f6d5; color: #22543d; }} .badge.below {{ background: #fed7d7; color: #822727; }}
.badge.within {{ background: #bee3f8; color: #2a4365; }}
h2 {{ font-size: 1.1rem; margin: 0.9rem 0 0.3rem; }}
.findings ol {{ margin: 0; padding-left: 1.3rem; }} .findings li {{ margin: 0.15rem 0; }}
.findings a {{ color: var(--ink); }} .interval, .from {{ color: var(--muted); font-size: 0.85rem; }}
.from::before {{ content: "\\2014  "; }}
.report {{ border-top: 1px solid var(--line); padding: 0.3rem 0; }}
.report h2 {{ font-size: 1rem; margin: 0.3rem 0 0.1rem; }}
.report p {{ margin: 0.1rem 0; font-size: 0.9rem; }} .report details {{ font-size: 0.85rem; }}
.failed {{ background: #fff5f5; }}
.asof {{ font-size: 0.8rem; font-weight: normal; color: var(--muted); }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
@media print {{ details > * {{ display: block; }} a {{ color: inherit; text-decoration: none; }} }}
</style></head>
<body><div class="wrap"><header><h1>{title}</h1><p>{status} Details of the run (parameters,
input hashes, versions) are in <a href="manifest.json">manifest.json</a>.</p>
<dl class="facts">{facts}</dl></header>
{tiles}
{findings}
<h2>Reports</h2>
{reports}
</div></body></html>
"""
