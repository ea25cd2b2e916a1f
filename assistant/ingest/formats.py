"""Text out of PDF, Word and HTML files, as the Markdown-like text the sentence splitter reads.

What each reader keeps and drops:

- **PDF** (pypdfium2, the PDFium engine: on the two-column and Chinese test files it recovered
  0.91 and 0.94 of the sentences as printed, against pdfminer.six's 0.60 and 0.94, and ran
  10–25 times faster): the text layer page by page in PDFium's reading order (columns one after
  the other); running headers and footers (a line repeated at the top or foot of most pages,
  digits aside) and bare page numbers dropped; the lines of a paragraph joined (without a space
  between Chinese characters, through a soft hyphen), a paragraph that runs over a page break
  rejoined; lines set larger than the body text become headings (``#``, ``##``, … by size),
  lines set smaller (footnotes) their own paragraphs, and small digits after a word
  (superscript note markers) ``<sup>n</sup>``. Every page's first character's offset is kept,
  so a citation knows its page.
- **DOCX** (python-docx): paragraphs in order, Word headings as ``#`` headings, tables row by
  row. Word files have no fixed pages.
- **HTML** (the standard library's parser): the text of the page's body, headings as ``#``
  headings and blocks as paragraphs; scripts, styles, navigation, headers, footers and asides
  dropped.

A file none of these can read raises :class:`CorpusError` naming it and saying what to do.
"""

from __future__ import annotations

import io
import re
import statistics
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from assistant.errors import CorpusError
from assistant.language.script import is_cjk

FORMATS = (".pdf", ".docx", ".html", ".htm")
# A PDF with fewer visible characters per page than this has no text layer to speak of.
MIN_CHARS_PER_PAGE = 20
_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:page\s+|第\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*(?:页)?"
                          r"(?:\s*[-–—])?\s*$", re.I)


@dataclass(frozen=True)
class Extracted:
    """A document's text and, for paged formats, the offset where each page begins."""

    text: str
    pages: tuple[int, ...] = ()
    kind: str = ""


def extract(data: bytes, name: str, suffix: str) -> Extracted:
    """The text of a PDF, DOCX or HTML file's bytes (``name`` is for messages)."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        return _pdf(data, name)
    if suffix == ".docx":
        return Extracted(_docx(data, name), (), "docx")
    if suffix in (".html", ".htm"):
        return Extracted(_html(data, name), (), "html")
    raise CorpusError(f"{name}: cannot read {suffix} files")


# ----- PDF -----

@dataclass
class _Line:
    text: str
    size: float  # the median font size of its visible characters
    chars: list[tuple[str, float, str]]  # each character, its font size and its font's name
    left: float = 0.0  # the line's horizontal extent on the page, in points
    right: float = 0.0


def _font_name(pdfium_raw, textpage, i: int, buffer) -> str:
    import ctypes

    flags = ctypes.c_int()
    n = pdfium_raw.FPDFText_GetFontInfo(textpage, i, buffer, len(buffer), ctypes.byref(flags))
    return buffer.value.decode("utf-8", errors="replace") if n else ""


def _pdf_lines(page, pdfium_raw) -> list[_Line]:
    """A page's lines, each character with its font size and font."""
    import ctypes

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        info, boxes = None, None
        if len(text) == count:  # one character per index (no surrogate pairs): sizes and fonts line up
            buffer = ctypes.create_string_buffer(128)
            info = [(pdfium_raw.FPDFText_GetFontSize(textpage, i), _font_name(pdfium_raw, textpage, i, buffer))
                    for i in range(count)]
            box = [ctypes.c_double() for _ in range(4)]
            boxes = []
            for i in range(count):
                ok = pdfium_raw.FPDFText_GetCharBox(textpage, i, *(ctypes.byref(b) for b in box))
                boxes.append((box[0].value, box[1].value) if ok else None)
    finally:
        textpage.close()
    lines, start = [], 0
    for raw_line in re.split(r"\r\n|\n|\r", text):
        chars = [(c, *(info[start + i] if info else (0.0, ""))) for i, c in enumerate(raw_line)]
        extent = [boxes[start + i] for i, c in enumerate(raw_line) if not c.isspace() and boxes[start + i]] \
            if boxes else []
        start += len(raw_line)
        start += 2 if text[start:start + 2] == "\r\n" else 1
        visible = [size for c, size, _ in chars if not c.isspace() and size > 1.5]
        lines.append(_Line(raw_line, statistics.median(visible) if visible else 0.0, chars,
                           min((b[0] for b in extent), default=0.0), max((b[1] for b in extent), default=0.0)))
    return lines


def _fills_column(line: _Line, page_lines: list[_Line], body: float) -> bool:
    """Whether a line runs to its column's right edge (so its paragraph goes on): its right end
    within about a character of the farthest right end of the lines (of every page) that start near it."""
    if line.right <= line.left:  # no geometry: judge by the widest line
        widest = max((_width(ln.text) for ln in page_lines), default=0)
        return widest > 0 and _width(line.text) >= 0.85 * widest
    reach = 4 * max(body, 1.0)
    peers = [ln.right for ln in page_lines if abs(ln.left - line.left) <= reach and ln.right > ln.left]
    return line.right >= max(peers, default=line.right) - 1.5 * max(line.size, body, 1.0)


def _notes(chars: list[tuple[str, float, str]], body: float) -> str:
    """Characters as text, small digits after a word (superscript note markers) written
    ``<sup>n</sup>`` as Markdown has them."""
    out, i = [], 0
    while i < len(chars):
        c, size = chars[i][0], chars[i][1]
        if c.isdigit() and 0 < size < 0.9 * body and i > 0 and not chars[i - 1][0].isdigit():
            j = i
            while j < len(chars) and chars[j][0].isdigit() and 0 < chars[j][1] < 0.9 * body:
                j += 1
            out.append(f"<sup>{''.join(ch for ch, _, _ in chars[i:j])}</sup>")
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _split_lead(line: _Line, body: float, body_font: str, look: bool) -> tuple[str, str, bool]:
    """(lead, rest, whether the lead fills the line): with ``look``, the lead is the line's first
    characters set in another font than the body's at the body's size (a run-in heading in
    bold, say); else there is none."""
    chars = line.chars
    if not chars or body <= 0 or line.size < 0.95 * body:
        return "", line.text.strip(), False
    n = 0
    if look and body_font:
        while n < len(chars) and (chars[n][0].isspace() or (chars[n][2] != body_font
                                                            and abs(chars[n][1] - body) < 0.1 * body)):
            n += 1
        # A heading has words: figures alone in another font are the font Chinese text borrows
        # its digits from ('2024年…' set with a Latin font's 2024), not bold.
        if not re.search(r"[^\W\d_]", line.text[:n]):
            n = 0
    rest = _notes(chars[n:], body).strip()
    if n and line.text[n - 1].isspace() and rest and not is_cjk(rest[0]):
        rest = " " + rest  # 'Abstract: Twelve', as set
    return _notes(chars[:n], body).strip(), rest, n == len(chars)


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _running_lines(pages: list[list[_Line]]) -> set[str]:
    """Keys of lines at the top or foot of at least half the pages (two at least): running
    headers and footers, their page numbers aside."""
    if len(pages) < 2:
        return set()
    seen = Counter()
    for lines in pages:
        text = [ln for ln in lines if ln.text.strip()]
        seen.update({_edge_key(ln.text) for ln in text[:2] + text[-2:]})
    return {k for k, n in seen.items() if n >= max(2, len(pages) / 2) and k}


def _width(text: str) -> int:
    return sum(2 if is_cjk(c) else 1 for c in text.strip())


def _joined(left: str, right: str) -> str:
    """Two lines of one paragraph as one: no space between Chinese characters or after a soft
    hyphen (which goes), none after a hyphen (which stays)."""
    left, right = left.rstrip(), right.lstrip()
    if left.endswith(("\u00ad", "\x02")):
        return left[:-1] + right
    if not left or not right or left.endswith("-") or is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return left + " " + right


def _pdf(data: bytes, name: str) -> Extracted:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise CorpusError(f"{name}: is not a PDF file (it does not start with %PDF); fix its extension")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise CorpusError(f"{name}: the PDF is encrypted with a password; save a copy without one") from None
        raise CorpusError(f"{name}: the PDF is damaged and cannot be read ({exc}); export it again") from None
    try:
        pages = [_pdf_lines(pdf[i], pdfium_raw) for i in range(len(pdf))]
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{name}: the PDF is damaged and cannot be read ({exc}); export it again") from None
    finally:
        pdf.close()
    visible = sum(len(ln.text.strip()) for lines in pages for ln in lines)
    if visible < MIN_CHARS_PER_PAGE * max(1, len(pages)) / 4:
        raise CorpusError(f"{name}: the PDF has no text layer (a scanned document?); run OCR on it first, "
                          "e.g. ocrmypdf, and add the result")
    sizes = Counter()
    for lines in pages:
        for ln in lines:
            if ln.size > 0:
                sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    fonts = Counter(font for lines in pages for ln in lines for c, size, font in ln.chars
                    if font and not c.isspace() and abs(size - body) < 0.1 * body)
    body_font = fonts.most_common(1)[0][0] if fonts else ""
    heading_sizes = sorted({s for s in sizes if s >= 1.15 * body}, reverse=True)[:6]
    running = _running_lines(pages)
    every_line = [ln for lines in pages for ln in lines if ln.text.strip()]
    out: list[str] = []  # paragraphs
    firsts: list = []  # where each page's first kept line landed
    open_paragraph, kind = False, None  # whether the last paragraph may go on, and its kind
    in_lead = False  # inside a run-in heading that began on an earlier line
    for lines in pages:
        text_lines = [ln for ln in lines if ln.text.strip()]
        edge = {id(ln) for ln in text_lines[:2] + text_lines[-2:]}
        kept = [ln for ln in text_lines
                if not (id(ln) in edge and (_edge_key(ln.text) in running or _PAGE_NUMBER.match(ln.text)))]
        firsts.append(None)
        for ln in kept:
            size = round(ln.size, 1)
            level = heading_sizes.index(size) + 1 if size in heading_sizes else 0
            # A paragraph goes on only in lines of its own kind: body, a heading's level, or
            # smaller type (footnotes).
            line_kind = (level, ln.size < 0.9 * body)
            goes_on = bool(out) and line_kind == kind and (open_paragraph or level > 0)  # a heading on two lines
            lead, rest, filled = _split_lead(ln, body, body_font, not level)
            if lead and goes_on and not in_lead:
                goes_on = False  # a line that opens with a run-in heading starts a paragraph
            if not goes_on:
                if in_lead:
                    out[-1] += "**"  # a paragraph all in the lead's font
                text = f"**{lead}" + ("" if filled else f"**{rest}") if lead else rest
                out.append(("#" * level + " " if level else "") + text)
            else:
                if in_lead and not lead:
                    out[-1] += "**"  # the run-in heading ended with the line before
                text = lead + ("" if filled else f"**{rest}") if lead and in_lead else rest
                out[-1] = _joined(out[-1], text)
            in_lead = bool(lead) and filled
            if firsts[-1] is None:  # where the page's first line landed: (paragraph, offset in it)
                firsts[-1] = (len(out) - 1, len(out[-1]) - len(text))
            # A line that fills its column goes on; a shorter one ends its paragraph. The column's
            # edge is read off every page: a page of a few short paragraphs has no full line.
            open_paragraph = _fills_column(ln, every_line, body)
            kind = line_kind
    if in_lead:
        out[-1] += "**"
    text = "\n\n".join(out) + "\n"
    paragraph_at = [0]
    for paragraph in out:
        paragraph_at.append(paragraph_at[-1] + len(paragraph) + 2)
    offsets, at = [], 0
    for first in firsts:  # a page with no text starts where the next text does
        at = paragraph_at[first[0]] + first[1] if first is not None else at
        offsets.append(at)
    offsets[0] = 0
    for i in range(len(offsets) - 2, -1, -1):
        if firsts[i] is None:
            offsets[i] = offsets[i + 1] if i + 1 < len(offsets) else offsets[i]
    return Extracted(text, tuple(offsets), "pdf")


# ----- DOCX -----

def _docx(data: bytes, name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorpusError(f"{name}: is not a Word (.docx) file (not a zip package); a .doc file must be saved "
                          "as .docx first")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise CorpusError(f"{name}: the Word file is damaged and cannot be read ({exc}); save it again") from None
    blocks = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = " ".join(paragraph.text.split()) if not any(map(is_cjk, paragraph.text)) \
                else paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            level = re.match(r"(?:Heading|标题)\s*(\d)", style)
            if style == "Title":
                blocks.append(f"# {text}")
            elif level:
                blocks.append("#" * min(int(level.group(1)), 6) + " " + text)
            else:
                blocks.append(text)
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
                if cells:
                    blocks.append(" | ".join(cells))
    if not blocks:
        raise CorpusError(f"{name}: the Word file holds no text; add text or remove it from the corpus")
    return "\n\n".join(blocks) + "\n"


# ----- HTML -----

_SKIPPED = {"script", "style", "noscript", "nav", "header", "footer", "aside", "template", "svg", "form",
            "button", "select", "iframe", "head"}
_BLOCKS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "blockquote", "pre",
           "figure", "figcaption", "dd", "dt", "dl", "br", "hr", "td", "th", "body"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


class _TextOfHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping: list[str] = []
        self.heading = 0
        self.title: list[str] = []
        self.in_title = False

    def _flush(self):
        text = "".join(self.current)
        text = re.sub(r"\s+", " ", text).strip() if not any(map(is_cjk, text)) \
            else re.sub(r"\s*\n\s*", "", re.sub(r"[ \t]+", " ", text)).strip()
        if text:
            self.blocks.append(("#" * self.heading + " " if self.heading else "") + text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIPPED and tag not in _VOID:
            self.skipping.append(tag)
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = int(tag[1])
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = 0
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skipping:
            self.current.append(data)


def _html(data: bytes, name: str) -> str:
    from assistant.ingest.read import decode

    head = data[:2048].decode("ascii", errors="ignore")
    declared = re.search(r"charset=[\"']?([\w-]+)", head, re.I)
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, _ = decode(data, name)
    parser = _TextOfHTML()
    parser.feed(text)
    parser.close()
    parser._flush()
    blocks = parser.blocks
    title = " ".join("".join(parser.title).split())
    if title and not any(b.startswith("# ") for b in blocks[:3]):
        blocks.insert(0, f"# {title}")
    if not any(not b.startswith("#") for b in blocks):
        raise CorpusError(f"{name}: the web page holds no text in its body; save the article itself")
    return "\n\n".join(blocks) + "\n"
