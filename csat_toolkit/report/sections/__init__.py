"""Section builders: what each section of each notebook shows, decided in tested code.

Every builder takes loaded inputs and parameters and returns a :class:`Section` (results,
tables, figures, sentences, findings, cards, or the reason it is skipped); a notebook cell
calls one and shows it with :class:`Page`. One module per notebook: ``metrics``,
``trends``, ``drivers``, ``revenue``, ``ops``.
"""
from .base import Page, Section, figure_of

__all__ = ["Page", "Section", "figure_of"]
