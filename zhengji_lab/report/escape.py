"""Escaping of workspace text (unit names, notes, evidence, scheme description, titles) before
it reaches the report's HTML or Markdown: the one helper every report function uses.

Workspace text is data, not markup: a unit named ``<script>alert(1)</script>`` shows as that
text in every page (issue 11). Tables stay unescaped DataFrames (the CSV files and the workbook
keep the text as it is); :func:`~zhengji_lab.report.show` escapes them when it styles them for
HTML, and the Markdown the report functions return escapes the workspace text it quotes.

Examples
--------
>>> escape_html("<b>A & B</b>")
'&lt;b&gt;A &amp; B&lt;/b&gt;'
>>> escape_markdown("<script>*x*</script>")
'&lt;script&gt;\\\\*x\\\\*&lt;/script&gt;'
>>> unescape_markdown(escape_markdown("a_b <i>"))
'a_b <i>'
>>> Link("<b>", "units/a b.html").html()
'<a href="units/a%20b.html">&lt;b&gt;</a>'
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

# ASCII punctuation that Markdown (CommonMark, mistune) may read as markup; a backslash before
# any of them shows it as itself. <, > and & are written as HTML entities instead.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape_html(text) -> str:
    """``text`` as HTML text: ``& < > " '`` written as entities."""
    return html.escape(str(text), quote=True)


def escape_markdown(text) -> str:
    """``text`` as inline Markdown text: raw HTML and Markdown markup shown as themselves.

    Markdown-active punctuation gets a backslash, ``& < >`` become HTML entities, and line
    breaks become spaces (so the text cannot start a heading, list or block of its own).
    """
    one_line = " ".join(str(text).split())
    return html.escape(_MARKDOWN_ACTIVE.sub(r"\\\1", one_line), quote=False)


def unescape_markdown(text: str) -> str:
    """The plain text of :func:`escape_markdown`'s output (for a page title, say)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


class Link(str):
    """Workspace text that links to a page (a unit's name in a ranking table): a ``str`` to
    every table, the CSV files and the console; :func:`~zhengji_lab.report.show` writes it as
    an ``<a>`` with the text escaped.
    """

    href: str

    def __new__(cls, text, href: str):
        obj = super().__new__(cls, str(text))
        obj.href = href
        return obj

    def __reduce__(self):
        return Link, (str(self), self.href)

    def html(self) -> str:
        """The link as HTML: the text escaped, the address percent-encoded."""
        return f'<a href="{escape_html(quote(self.href, safe="/#:?=&.-_~"))}">{escape_html(self)}</a>'
