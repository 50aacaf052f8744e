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

from dataclasses import dataclass, field
from pathlib import Path


from ...core.scales import Scale, resolve_scales
from ...errors import ParameterError, show_values
from ..headline import sentences_html, write_headline

__all__ = ["Section", "Page", "figure_of", "page_parameters", "notebook_defaults"]


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

    def __getitem__(self, key):
        return self.results.get(key)

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
        """Show a section (tables, figures, then sentences) and gather it."""
        from IPython.display import display

        self.add(section)
        for table in section.tables.values():
            display(table)
        for figure in section.figures:
            display(figure)
        if section.sentences or section.missing:
            display(sentences_html(list(section.sentences) + section.missing))
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
