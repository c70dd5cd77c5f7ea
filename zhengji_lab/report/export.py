"""HTML export of an executed report notebook: no code, no scripts, print CSS for A4 pages.

Facts this module is built on (DESIGN.md, "Reports"): papermill's ``--report-mode`` does not
hide code in nbconvert's HTML, so the page is exported with ``HTMLExporter(exclude_input=True)``;
without A4 print CSS, headless Chromium prints Letter pages and crops wide figures; SVG figures
keep their text as text, so the page names a CJK font stack for the browser to draw it.
nbconvert is imported only when exporting.

Examples
--------
>>> "@page { size: A4; margin: 15mm; }" in PRINT_CSS
True
"""
from __future__ import annotations

import threading
from pathlib import Path

from zhengji_lab import safeio
from zhengji_lab.report.escape import unescape_markdown

#: Tag of the notebook cell whose Markdown output is the report's title.
TITLE_TAG = "report-title"

#: Print and screen CSS injected into the exported HTML (A4 pages, figures and tables that fit
#: the page, a CJK font stack so the browser draws Chinese in tables and SVG figures). In print,
#: JupyterLab's output areas (a table each, ``break-inside: avoid-page``, ``overflow: hidden``)
#: become plain breakable blocks, so a long table starts right after the text before it and
#: breaks between rows, repeating its header; only figures and single rows stay whole, and
#: headings stay with what follows. That took the sample city's report from 11 A4 pages, some a
#: fifth full, to 8 full ones (tests/test_pdf.py).
PRINT_CSS = """
<style id="zhengji-report-css">
  body, .jp-Notebook, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown, svg text {
    font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
                 "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif;
  }
  body { max-width: 1100px; margin: 0 auto; }
  .jp-Notebook { padding: 8px 16px; }
  img, svg, .jp-OutputArea-output img, .jp-RenderedSVG svg, table { max-width: 100%; }
  .jp-RenderedSVG svg, .jp-RenderedSVG img, .jp-RenderedImage img { height: auto; }
  .jp-RenderedHTMLCommon table { font-size: 0.85em; border-collapse: collapse; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 2px 6px; }
  .jp-RenderedHTMLCommon th { white-space: nowrap; }
  @page { size: A4; margin: 15mm; }
  @media print {
    html, body { max-width: none; margin: 0; padding: 0; background: #fff; }
    .jp-Notebook, main { padding: 0; }
    .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child,
    .jp-OutputArea-output, .jp-RenderedHTMLCommon {
      display: block; overflow: visible; break-inside: auto; page-break-inside: auto;
    }
    .jp-OutputPrompt, .jp-InputPrompt, .jp-Collapser { display: none; }
    body table, .jp-RenderedHTMLCommon table { font-size: 8pt; table-layout: auto;
      margin: 0 0 0.8em 0; }
    body td, body th, .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 1px 4px; }
    body td, .jp-RenderedHTMLCommon td { overflow-wrap: break-word; }
    body table:has(tr > :nth-child(14)),
    .jp-RenderedHTMLCommon table:has(tr > :nth-child(14)) { font-size: 7pt; }
    .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon ul { margin: 0.3em 0 0.5em; }
    thead { display: table-header-group; }
    tr, th, td { page-break-inside: avoid; break-inside: avoid; }
    .jp-RenderedSVG, .jp-RenderedImage, figure, svg, img { page-break-inside: avoid;
      break-inside: avoid; }
    img, svg { max-width: 100%; height: auto; }
    h1, h2, h3, h4 { page-break-after: avoid; break-after: avoid; break-inside: avoid;
      margin: 0.6em 0 0.3em; }
  }
</style>
"""

# JupyterLab's page without its scripts (require.js, MathJax and mermaid from a CDN): a report
# has no math or widgets, and a page that waits on a blocked CDN opens slowly on an intranet.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _title_of(nb) -> str | None:
    for cell in nb.cells:
        if TITLE_TAG in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                md = out.get("data", {}).get("text/markdown")
                if md:
                    return unescape_markdown(md.splitlines()[0].lstrip("# ").strip())
    return None


_EXPORTERS = threading.local()


def _exporter():
    """nbconvert's HTML exporter without code, one per thread: building one compiles its
    templates (~0.25 s), which a run of 47 pages should pay once per worker."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        # nbconvert is slow to import: only when exporting
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True,
                                template_file="zhengji_report.html.j2",
                                extra_loaders=[DictLoader({"zhengji_report.html.j2": _TEMPLATE})])
        _EXPORTERS.html = exporter
    return exporter



def html_text(notebook, *, title: str | None = None, default_title: str | None = None) -> str:
    """The HTML page of an executed notebook: no code cells or scripts, with the print CSS.

    Parameters
    ----------
    notebook : str, Path or NotebookNode
        The executed ``.ipynb`` (or the notebook read from it).
    title : str, optional
        The page title; by default the Markdown output of the cell tagged :data:`TITLE_TAG`,
        else ``default_title``, else the notebook's file stem.
    """
    import nbformat  # lazy: comes with nbconvert, only when exporting

    if isinstance(notebook, (str, Path)):
        nb, stem = nbformat.read(str(notebook), as_version=4), Path(notebook).stem
    else:
        nb, stem = notebook, "report"
    title = title or _title_of(nb) or default_title or stem
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = body.replace("</head>", PRINT_CSS + "</head>", 1)
    if 'lang="en"' in body[:300]:
        body = body.replace('lang="en"', 'lang="zh-CN"', 1)
    return body


def export_html(notebook: str | Path, html_path: str | Path, *, title: str | None = None,
                overwrite: bool = False) -> Path:
    """Export an executed notebook to HTML without code cells or scripts, with the print CSS.

    Parameters
    ----------
    notebook : str or Path
        The executed ``.ipynb``.
    html_path : str or Path
        Where to write the HTML (through a temporary file renamed into place).
    title : str, optional
        The page title; by default the Markdown output of the cell tagged :data:`TITLE_TAG`.
    overwrite : bool
        Replace an existing file; otherwise a ``FileExistsError``
        (:class:`~zhengji_lab.safeio.OutputExistsError`).
    """
    return safeio.write_text(html_path, html_text(notebook, title=title), overwrite=overwrite,
                             fix="choose another file")
