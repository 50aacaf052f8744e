"""What every section builder returns (:class:`Section`) and the page that shows them.

A section builder takes a notebook's loaded inputs and parameters and returns a
:class:`Section`: its named results, the tables and figures to show, the sentences under
them, the findings and KPI cards for ``headline.json``, and, when it cannot run, the one
sentence saying why. It decides everything; a notebook cell only calls it and shows it
with a :class:`Page`, which also gathers the findings, cards and skip reasons of every
section into the page's ``headline.json``. An analyst can build the same section from
Python without the notebook.
"""
from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...core.display import TABLE_CSS, TableView, column_label, people_table
from ...core.scales import Scale, resolve_scales
from ...core.tally import is_counted
from ...io.engines import choose_engine, scan_tickets
from ...io.tables import load_tickets
from ...errors import ParameterError, show_values
from ..headline import sentences_html, write_headline

__all__ = ["Section", "Page", "figure_of", "figure_html", "page_parameters",
           "notebook_defaults", "rows_of", "ticket_rows"]

# The section's own look (tables bring theirs: core.display.TABLE_CSS), scoped class names.
SECTION_CSS = (
    ".ct-section{max-width:100%}"
    # figures side by side where they fit (two narrow charts on a laptop), stacked on a phone
    ".ct-section img.ct-figure{display:inline-block;vertical-align:top;max-width:100%;"
    "height:auto;margin:.6em .6em .6em 0}"
    ".ct-section .ct-skipped{font-style:italic}"
    ".ct-section details.ct-details{margin:.4em 0 1.2em;padding:.2em .8em;font-size:13px;"
    "border-left:3px solid rgba(127,127,127,.35)}"
    ".ct-section details.ct-details>summary{cursor:pointer;font-weight:600}"
    ".ct-section details.ct-details ul{margin:.3em 0;padding-left:1.2em}"
)
_ALT_LENGTH = 400  # characters of alt text; a screen reader reads it all


@dataclass
class Section:
    """What one section of a report shows.

    Attributes
    ----------
    name : str
        The section ("revenue by category", "churn", "SLA compliance", ...).
    skipped : str or None
        Why the section is skipped (one sentence), or None when it ran.
    results : dict
        Named results (tables and result objects) for code that reads them:
        ``section["compare"]`` reads one; a missing name reads None.
    tables : dict of str to DataFrame
        The tables to show, in order, already trimmed to the columns a reader needs.
    figures : list
        Matplotlib figures to show, in order (built and closed by the builder).
    sentences : list of str
        What to show under the tables (summaries, warnings, notes).
    findings : list of str
        The sentences that go to ``headline.json`` findings.
    notes : list of str
        Parts skipped inside a section that ran (e.g. "no churn observed: no log-rank
        test"); shown and added to ``headline["skipped"]``.
    cards : list of dict
        KPI cards (``ct.report.card`` / ``ct.report.kpi``) for the report's headline.
    details : list
        What a reader may open under the section ("Details", folded): accounting,
        method and model tables (DataFrames or ``people_table`` views) and sentences
        (method text, warnings), shown after the section's ``notes``.
    captions : list of str
        Alt text of the figures, in order; a figure without one is described by its
        titles and the section's first finding (or sentence).
    titled : bool or None
        Whether the tables show their names as titles; None (default): when there are
        several. True for tables whose name says what they are about (a language).

    Examples
    --------
    >>> section = Section("churn", skipped="No customers table: churn is skipped.")
    >>> section.missing, section["curves"]
    (['No customers table: churn is skipped.'], None)
    """

    name: str
    skipped: str | None = None
    results: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    details: list = field(default_factory=list)
    captions: list = field(default_factory=list)
    titled: bool | None = None

    def __getitem__(self, key):
        return self.results.get(key)

    def to_html(self) -> str:
        """The section as a report shows it: the skip reason, tables, figures (with alt
        text), sentences, then a folded "Details" block with the notes and ``details``.

        Every text from the data is escaped; the CSS is inline and scoped.

        Examples
        --------
        >>> import pandas as pd
        >>> section = Section("by channel", tables={"tests": pd.DataFrame({"n": [1200]})},
        ...                   sentences=["<b>chat</b> is ahead."], notes=["No NPS answers."])
        >>> html = section.to_html()
        >>> "1,200" in html, "&lt;b&gt;chat&lt;/b&gt;" in html, "<summary>Details</summary>" in html
        (True, True, True)
        """
        parts = [f'<div class="ct-section"><style>{SECTION_CSS}{TABLE_CSS}</style>']
        if self.skipped:
            parts.append(f'<p class="ct-skipped">{html.escape(self.skipped)}</p>')
        titled = len(self.tables) > 1 if self.titled is None else self.titled
        for name, table in self.tables.items():
            parts.append(_table_html(table, column_label(str(name)) if titled else None))
        for i, figure in enumerate(self.figures):
            parts.append(figure_html(figure, self.alt_text(i)))
        if self.sentences:
            parts.append(sentences_html(list(self.sentences)).data)
        if self.notes or self.details:
            parts.append('<details class="ct-details"><summary>Details</summary>')
            texts = list(self.notes) + [d for d in self.details if isinstance(d, str)]
            if texts:
                parts.append(sentences_html(texts).data)
            parts += [_table_html(d, None) for d in self.details if not isinstance(d, str)]
            parts.append("</details>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def alt_text(self, index: int) -> str:
        """The alt text of figure ``index``: its caption, else its titles and the
        section's first finding or sentence.

        Examples
        --------
        >>> Section("churn", captions=["Retention curves by category"]).alt_text(0)
        'Retention curves by category'
        """
        if index < len(self.captions) and self.captions[index]:
            return _shorten(str(self.captions[index]))
        titles = _figure_titles(self.figures[index]) if index < len(self.figures) else []
        said = (list(self.findings) + list(self.sentences))[:1]
        lead = f"Chart: {'; '.join(titles)}." if titles else f"Chart ({self.name})."
        return _shorten(" ".join([lead, *said]))

    @property
    def missing(self) -> list[str]:
        """The skip reason (if any) and the parts skipped inside the section."""
        return ([self.skipped] if self.skipped else []) + list(self.notes)


def figure_of(draw, *args, **kwargs):
    """Draw with a plot function and return its figure, closed so it shows only once.

    ``draw`` is any ``ct.plots`` function that returns a matplotlib Axes (or Figure).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = figure_of(lambda: plt.subplots()[1].plot([1, 2]))
    >>> type(fig).__name__
    'Figure'
    """
    import matplotlib.pyplot as plt

    drawn = draw(*args, **kwargs)
    figure = getattr(drawn, "figure", None) or (drawn if hasattr(drawn, "savefig") else None)
    if figure is None:  # a list of artists (e.g. Axes.plot): the current figure
        figure = plt.gcf()
    plt.close(figure)
    return figure


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ALT_LENGTH else text[: _ALT_LENGTH - 1].rstrip() + "\u2026"


def _figure_titles(figure) -> list[str]:
    """The figure's suptitle and axes titles, in order, without repeats."""
    found = []
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        found.append(suptitle.get_text())
    for ax in getattr(figure, "axes", []):
        for loc in ("center", "left", "right"):
            title = ax.get_title(loc=loc).strip()
            if title and title not in found:
                found.append(" ".join(title.split()))
    return found


def _table_html(table, title: str | None) -> str:
    """A table of a section (DataFrame, TableView or anything with ``_repr_html_``)."""
    if isinstance(table, pd.DataFrame):
        return people_table(table, title=title).to_html(css=False)
    if isinstance(table, TableView):
        return table.to_html(css=False)
    if hasattr(table, "_repr_html_"):
        return table._repr_html_()
    return f"<p>{html.escape(str(table))}</p>"


def figure_html(figure, alt: str, *, max_svg_bytes: int = 150_000) -> str:
    """A matplotlib figure as an ``<img>`` with alt text, sharp on any screen.

    SVG with its text kept as text (small and exact at any zoom); a PNG at twice the
    figure's dpi instead when the SVG is over ``max_svg_bytes`` and the PNG is smaller
    (charts of thousands of points). Shown at the figure's own width (its size in
    inches times its dpi), shrinking to the screen's width (``max-width:100%``). The
    output is the same for the same figure (no date, fixed ids).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 2), dpi=100)
    >>> _ = ax.plot([1, 2])
    >>> img = figure_html(fig, 'CSAT "by" <channel>')
    >>> img.startswith('<img class="ct-figure" src="data:image/svg+xml;base64,')
    True
    >>> re.search(r'alt="[^"]*"', img).group(0)
    'alt="CSAT &quot;by&quot; &lt;channel&gt;"'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    dpi = float(figure.dpi)
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "csat_toolkit"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _trim_svg(buffer.getvalue())
    size = re.search(rb'<svg[^>]*?width="([0-9.]+)pt"[^>]*?height="([0-9.]+)pt"', svg)
    width, height = ((float(size.group(1)) * dpi / 72, float(size.group(2)) * dpi / 72)
                     if size else (figure.get_figwidth() * dpi, figure.get_figheight() * dpi))
    data, mime = svg, "image/svg+xml"
    if len(svg) > max_svg_bytes:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=2 * dpi, bbox_inches="tight",
                       metadata={"Software": None})
        png = buffer.getvalue()
        if len(png) < len(svg):
            data, mime = png, "image/png"
            width = int.from_bytes(png[16:20], "big") / 2
            height = int.from_bytes(png[20:24], "big") / 2
    source = base64.b64encode(data).decode("ascii")
    return (f'<img class="ct-figure" src="data:{mime};base64,{source}" '
            f'alt="{html.escape(alt, quote=True)}" width="{round(width)}" '
            f'height="{round(height)}" style="max-width:100%;height:auto">')


def _trim_svg(svg: bytes) -> bytes:
    """matplotlib's SVG without its XML declaration, DOCTYPE and metadata block."""
    svg = re.sub(rb"<\?xml[^>]*>\s*", b"", svg, count=1)
    svg = re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", svg, count=1)
    return re.sub(rb"\s*<metadata>.*?</metadata>", b"", svg, count=1, flags=re.S)


class Page:
    """Shows sections in a notebook and gathers what goes to ``headline.json``.

    Parameters
    ----------
    title : str
        The report's title.
    output_dir : str or Path
        Where ``headline.json`` (and the section builders' files) are written.

    Examples
    --------
    >>> import tempfile
    >>> page = Page("Churn", tempfile.mkdtemp())
    >>> _ = page.add(Section("churn", skipped="No customers table: churn is skipped."))
    >>> page.skipped
    ['No customers table: churn is skipped.']
    """

    def __init__(self, title: str, output_dir: str | Path):
        self.title = title
        self.out = Path(output_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.kpis: list[dict] = []
        self.findings: list[str] = []
        self.skipped: list[str] = []
        self.sections: dict[str, Section] = {}

    def add(self, section: Section) -> Section:
        """Gather a section's cards, findings and skip reasons without showing it."""
        self.sections[section.name] = section
        self.kpis += section.cards
        self.findings += section.findings
        self.skipped += section.missing
        return section

    def show(self, section: Section) -> Section:
        """Show a section and gather it: one HTML output (:meth:`Section.to_html`:
        tables for people, figures with alt text, sentences, a folded "Details")."""
        from IPython.display import HTML, display

        self.add(section)
        if (section.tables or section.figures or section.sentences or section.missing
                or section.details):
            display(HTML(section.to_html()))
        return section

    def show_all(self, sections) -> list[Section]:
        """Show several sections in order (e.g. one chart section per segment column)."""
        return [self.show(section) for section in sections]

    def write_headline(self, extra: dict | None = None) -> Path:
        """Write ``headline.json`` with every section's cards, findings and skip reasons."""
        return write_headline(self.out, title=self.title, kpis=self.kpis,
                              findings=self.findings,
                              extra={"skipped": self.skipped, **(extra or {})})


def page_parameters(params, names, page: str, output_dir=None) -> tuple[dict, Path]:
    """A page's parameters, every one of ``names`` required, and its output folder (made).

    ``output_dir`` defaults to ``params["output_dir"]``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> page_parameters({"min_n": 30, "output_dir": folder}, ["min_n"], "drivers")[0]
    {'min_n': 30}
    >>> page_parameters({}, ["min_n"], "drivers")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: The drivers page needs the parameter(s) 'min_n'; ...
    """
    missing = [name for name in names if name not in params]
    if missing:
        raise ParameterError(f"The {page} page needs the parameter(s) {show_values(missing)}; "
                             "give every name of PARAMETERS (the notebook's parameter cells "
                             "have them all).")
    out = Path(params["output_dir"] if output_dir is None else output_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {name: params[name] for name in names}, out


def notebook_defaults(notebook: str) -> dict:
    """The default parameters of a notebook, read from its ``parameters`` cell.

    What a page's ``load`` needs to build its sections from Python exactly as the notebook
    would with its defaults; change what you need (``| {"min_n": 50}``). Input files
    (``*_path``) are made absolute from the notebooks folder, as the notebook reads them.

    Examples
    --------
    >>> notebook_defaults("04_nps_revenue")["link_survey"]
    'nps'
    """
    from ..runner import NOTEBOOKS_DIR, notebook_parameters

    path = NOTEBOOKS_DIR / f"{Path(notebook).stem}.ipynb"
    if not path.exists():
        known = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
        raise ParameterError(f"No notebook {notebook!r} in {NOTEBOOKS_DIR}; the notebooks "
                             f"are {show_values(known)}.")
    defaults = {name: spec["default"] for name, spec in notebook_parameters(path).items()}
    for name, value in defaults.items():  # input files are relative to the notebook
        if name.endswith("_path") and isinstance(value, str) and not Path(value).is_absolute():
            defaults[name] = str((NOTEBOOKS_DIR / value).resolve())
    return defaults


def rows_of(loaded, seed: int = 0):
    """The load with one row per answer, for pages that model answers row by row.

    A pandas load is returned as it is. An engine's counts (:class:`~csat_toolkit.io.
    engines.ScanResult`) become the rows used: all of them up to
    :data:`~csat_toolkit.io.engines.ROW_LIMIT`, else a seeded random sample of that many
    drawn by the engine, stated in the notes; the accounting stays the engine's.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2], "survey": "csat", "score": [5, 2]})
    >>> rows = rows_of(load_responses(frame, engine="duckdb"))
    >>> rows.data["score"].tolist(), rows.notes[-1]
    ([5.0, 2.0], 'All 2 rows used are brought back for the analyses that model rows one by one.')
    """
    return loaded.to_rows(seed=seed) if is_counted(loaded.data) else loaded


def ticket_rows(path, columns, options):
    """Tickets for a page, one row each: read into pandas, or validated in an engine when
    ``options`` (a notebook's ``ticket_options``) sets one or the path is a folder, a glob
    or a file over 1 GiB, and brought back as rows (all up to
    :data:`~csat_toolkit.io.engines.ROW_LIMIT`, else a stated seeded sample).

    Examples
    --------
    >>> frame = pd.DataFrame({"ticket_id": [1, 2], "created_at": ["2024-01-02 10:00"] * 2})
    >>> ticket_rows(frame, {}, {"engine": "duckdb"}).data["ticket_id"].tolist()
    [1, 2]
    """
    options = dict(options or {})
    engine, engine_options = options.pop("engine", None), options.pop("engine_options", None)
    if choose_engine(path, engine) == "pandas":
        return load_tickets(path, columns=columns, **options)
    scan = scan_tickets(path, engine=engine, engine_options=engine_options, columns=columns,
                        **options)
    return scan.to_rows()


def loaded_scales(loaded, params) -> dict[str, Scale]:
    """The scales the loaded answers were read on, for every analysis of them.

    The loader's: the ``scales`` the user named (with ``thresholds``), else a vendor
    reader's own (Zendesk's Good/Bad is ``csat_binary``), else the defaults. A result
    built without a loader falls back to ``scales``/``thresholds`` in ``params``.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_toolkit.io import load_responses
    >>> loaded = load_responses(pd.DataFrame({"response_id": [1], "survey": "csat", "score": [7]}),
    ...                         scales={"csat": "csat_7"})
    >>> loaded_scales(loaded, {})["csat"].name
    'csat_7'
    """
    if getattr(loaded, "scales", None):
        return dict(loaded.scales)
    return resolve_scales(params.get("scales"), params.get("thresholds"))
