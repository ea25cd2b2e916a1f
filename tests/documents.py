"""Real documents for the tests: Markdown rendered as HTML, printed to PDF by Debian's Chromium
(with a running header and page numbers, in one or two columns), and written as DOCX."""

from __future__ import annotations

import html
import re
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
_SUP = re.compile(r"<sup>(\d+)</sup>")


def _inline(text: str) -> str:
    text = html.escape(text.replace("\\*", "*"))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"&lt;sup&gt;(\d+)&lt;/sup&gt;", r"<sup>\1</sup>", text)


def markdown_to_html(markdown: str, columns: int = 1, title: str = "") -> str:
    """A plain HTML page of a Markdown document's headings and paragraphs."""
    body = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = " ".join(line.strip() for line in block.splitlines())
        heading = re.match(r"(#{1,6})\s+(.*)", block)
        if heading:
            level = len(heading.group(1))
            body.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif block:
            body.append(f"<p>{_inline(block)}</p>")
    style = ("body{font-family:'WenQuanYi Micro Hei',sans-serif;font-size:11pt;line-height:1.5}"
             f"main{{column-count:{columns};column-gap:2em}}h1,h2,h3{{break-after:avoid}}p{{text-align:justify}}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><main>{''.join(body)}</main></body></html>")


def print_pdf(page_html: str, path: Path, header: str = "") -> Path:
    """Print an HTML page to PDF with Chromium: A4, a running header, "page N" at the foot."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.set_content(page_html, wait_until="load")
            page.pdf(path=str(path), format="A4", display_header_footer=True,
                     header_template=f"<div style='font-size:8pt;width:100%;text-align:center'>{html.escape(header)}</div>",
                     footer_template="<div style='font-size:8pt;width:100%;text-align:center'>"
                                     "<span class='pageNumber'></span></div>",
                     margin={"top": "2cm", "bottom": "2cm", "left": "2cm", "right": "2cm"})
        finally:
            browser.close()
    return path


def write_docx(markdown: str, path: Path) -> Path:
    """A Word document of a Markdown document: headings as Word headings, paragraphs as paragraphs."""
    import docx

    document = docx.Document()
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = " ".join(line.strip() for line in block.splitlines())
        block = _SUP.sub("", block).replace("**", "").replace("\\*", "*")
        heading = re.match(r"(#{1,6})\s+(.*)", block)
        if heading:
            document.add_heading(heading.group(2), level=min(len(heading.group(1)), 9))
        elif block:
            document.add_paragraph(block)
    document.save(str(path))
    return path
