"""Shared behaviour of the result objects (STYLE.md 2.3): one class to inherit from.

A result object keeps its tidy source of truth in ``frame`` and says what it holds in
``summary()``. :class:`ResultMixin` derives the rest of the protocol from those two:
``to_frame()``, a one-line ``repr`` (the first line of the summary, so that a notebook cell
never prints a whole table by accident) and ``_repr_html_``.

Dataclasses that inherit it must be declared with ``repr=False``, otherwise ``@dataclass``
writes its own field-by-field ``__repr__`` over the inherited one.
"""
from __future__ import annotations

import html

import pandas as pd


class ResultMixin:
    """``to_frame``, a one-line ``repr`` and ``_repr_html_`` from ``frame`` and ``summary()``."""

    frame: pd.DataFrame

    def summary(self) -> str:
        """A plain-text summary; its first line is the ``repr``."""
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`frame`, the tidy source of truth."""
        return self.frame.copy()

    def __repr__(self) -> str:
        lines = self.summary().splitlines()
        return f"<{type(self).__name__}: {lines[0] if lines else ''}>"

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(self.summary())}</p>"
                + self.frame.to_html(index=False, float_format=lambda v: f"{v:.4g}"))
