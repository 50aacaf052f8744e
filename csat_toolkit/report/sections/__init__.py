"""Section builders: what each section of each notebook shows, decided in tested code.

Every builder takes loaded inputs and parameters and returns a :class:`Section` (results,
tables, figures, sentences, findings, cards, or the reason it is skipped); a notebook cell
calls one and shows it with :class:`Page`. One module per notebook: ``metrics``
(01_metrics), ``trends`` (02_trends), ``drivers`` (03_drivers), ``revenue``
(04_nps_revenue), ``ops`` (05_operations); ``ct.report.sections.revenue.churn(inputs)``
builds the churn section from Python exactly as the notebook does.
"""
from . import drivers, metrics, ops, revenue, trends
from .base import Page, Section, figure_of, notebook_defaults, page_parameters

__all__ = ["Page", "Section", "figure_of", "notebook_defaults", "page_parameters", "metrics", "trends", "drivers",
           "revenue", "ops"]
