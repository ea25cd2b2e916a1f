"""PDF, Word and HTML documents: real files (Chromium's print-to-PDF with a CJK font, python-docx),
their text, their pages, and what bad files do. pdftotext (poppler) reads the PDFs back to check
every page a citation names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from assistant.evaluation.qa import load_qa
from assistant.evaluation.scoring import squash
from assistant.ingest.formats import extract
from assistant.ingest.read import read_corpus
from documents import CHROMIUM, markdown_to_html, print_pdf, write_docx
from samples import GENERAL, PAPER, ROOT

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
ENGLISH = sorted((GENERAL / "xquad-en" / "corpus").glob("*.md"))[:3]
CORPUS_DATA = ("profile.json", "glossary.tsv", "answer_model.json")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The seed paper as a PDF (one column, a running header, page numbers) and as DOCX, and three
    English Wikipedia articles as a two-column PDF."""
    folder = tmp_path_factory.mktemp("documents")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    paper = PAPER.read_text(encoding="utf-8")
    english = "\n\n".join(p.read_text(encoding="utf-8") for p in ENGLISH)
    (folder / "english.md").write_text(english, encoding="utf-8")
    return {
        "paper.pdf": print_pdf(markdown_to_html(paper), folder / "paper.pdf", header="向新而行：“十五五”时期高质量共建“一带一路”展望"),
        "paper.docx": write_docx(paper, folder / "paper.docx"),
        "english.pdf": print_pdf(markdown_to_html(english, columns=2), folder / "english.pdf",
                                 header="Three Wikipedia articles"),
        "english.md": folder / "english.md",
    }


def pdf_pages(path) -> list[str]:
    """Each page's text as poppler reads it, whitespace removed."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [squash(page) for page in text.split("\f")]


def starts_on(quote: str, page: str) -> bool:
    """Whether a quote begins on a page (as pdftotext reads it): its first characters are there,
    or the page ends with the start of it (a sentence running over the page break)."""
    head = visible(quote)[:12]
    if head in page:
        return True
    body = re.sub(r"\d+$", "", page)  # the page number is the page's last line
    return any(body.endswith(head[:k]) for k in range(4, len(head)))


def corpus_of(tmp_path, name, *files, data=False):
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    for extra in CORPUS_DATA if data else ():
        shutil.copy(PAPER.parent / extra, folder / extra)
    return folder


def visible(text: str) -> str:
    return squash(re.sub(r"<sup>\d+</sup>|\*\*|\\", "", text))


def found_in_order(sentences: list[str], text: str) -> int:
    """How many of ``sentences`` are found whole in ``text``, each after the one found before."""
    flat, at, found = visible(text), 0, 0
    for s in sentences:
        i = flat.find(visible(s), at)
        if i >= 0:
            found, at = found + 1, i
    return found


# ----- extraction -----

@needs_chromium
def test_a_pdf_keeps_every_sentence_in_reading_order_without_headers_or_page_numbers(made):
    paper = PAPER.read_text(encoding="utf-8")
    got = extract(made["paper.pdf"].read_bytes(), "paper.pdf", ".pdf")
    assert got.kind == "pdf" and len(got.pages) >= 8 and list(got.pages) == sorted(got.pages)
    assert "向新而行：“十五五”时期" not in got.text  # the running header, on every page, is gone
    assert not re.search(r"^\d{1,2}$", got.text, re.M)  # and so are the page numbers
    # Headings by size, run-in headings by font, note markers by size: as the Markdown has them.
    assert "\n## 内容摘要\n" in got.text and "**6. 加强海外利益保护。**随着" in got.text
    assert "共同讲好共建“一带一路”故事。<sup>1</sup>" in got.text
    sentences = [s for s in re.split(r"(?<=[。！？])", paper) if 12 <= len(visible(s)) and "|" not in s]
    found = found_in_order(sentences, got.text)
    assert found / len(sentences) >= 0.95, f"{found} of {len(sentences)} sentences found in order"


@needs_chromium
def test_two_columns_are_read_one_after_the_other(made):
    got = extract(made["english.pdf"].read_bytes(), "english.pdf", ".pdf")
    source = made["english.md"].read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", source) if len(s) > 40 and not s.startswith("#")]
    found = found_in_order(sentences, got.text)
    # Reading across the columns would break nearly every sentence; in order, nearly all survive.
    assert found / len(sentences) >= 0.9, f"{found} of {len(sentences)}"
    assert "Three Wikipedia articles" not in got.text
    assert "defense gave up just 308 points" in got.text  # a sentence set across a line break


def test_docx_paragraphs_headings_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("长江", level=1)
    document.add_paragraph("长江全长约 6300 公里，是亚洲第一长河。")
    document.add_heading("Ports", level=2)
    document.add_paragraph("Its main ports handled 12000 million tonnes of cargo in 2020.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "港口", (0, 1): "吞吐量", (1, 0): "上海", (1, 1): "7.3 亿吨"}.items():
        table.cell(r, c).text = text
    document.save(str(tmp_path / "rivers.docx"))
    got = extract((tmp_path / "rivers.docx").read_bytes(), "rivers.docx", ".docx")
    assert got.text == ("# 长江\n\n长江全长约 6300 公里，是亚洲第一长河。\n\n## Ports\n\n"
                        "Its main ports handled 12000 million tonnes of cargo in 2020.\n\n港口 | 吞吐量\n\n上海 | 7.3 亿吨\n")
    assert got.pages == ()


def test_html_keeps_the_article_and_drops_the_page_around_it():
    page = """<!doctype html><html><head><meta charset="utf-8"><title>长江 - 百科</title>
    <style>p{color:red}</style><script>var x = "不要这个";</script></head><body>
    <nav><a href="/">首页</a> <a href="/x">登录</a></nav><header>网站标题</header>
    <main><h1>长江</h1><p>长江全长约 6300 公里，<b>是亚洲第一长河</b>。</p>
    <h2>港口</h2><ul><li>上海港</li><li>宁波港</li></ul><p>Its ports handled   12000
    million tonnes &amp; more.</p></main><footer>版权所有</footer></body></html>"""
    got = extract(page.encode("utf-8"), "page.html", ".html").text
    assert got == ("# 长江\n\n长江全长约 6300 公里，是亚洲第一长河。\n\n## 港口\n\n上海港\n\n宁波港\n\n"
                   "Its ports handled 12000 million tonnes & more.\n")
    assert got.encode("gb18030") and extract(page.replace("utf-8", "gb18030").encode("gb18030"), "p.htm",
                                             ".htm").text == got


# ----- bad files -----

@needs_chromium
def test_bad_files_get_one_message_each_and_the_rest_is_indexed(made, tmp_path):
    from pypdf import PdfReader, PdfWriter

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text("# 长江\n\n长江全长约 6300 公里。\n", encoding="utf-8")
    shutil.copy(made["paper.pdf"], corpus / "paper.pdf")
    scanned = print_pdf("<html><body><div style='width:400px;height:600px;background:#888'></div></body></html>",
                        tmp_path / "scan.pdf")
    shutil.copy(scanned, corpus / "scanned.pdf")
    writer = PdfWriter(clone_from=PdfReader(str(made["paper.pdf"])))
    writer.encrypt("secret")
    with open(corpus / "locked.pdf", "wb") as f:
        writer.write(f)
    data = made["paper.pdf"].read_bytes()
    (corpus / "truncated.pdf").write_bytes(data[:len(data) // 2])
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "notes.pdf").write_text("just text, not a PDF", encoding="utf-8")
    shutil.copy(made["paper.pdf"], corpus / "report.docx")
    (corpus / "page.html").write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    read = read_corpus(corpus)
    assert sorted(d.source for d in read.documents) == ["good.md", "paper.pdf"]
    messages = {m.split(":")[0].removeprefix("skipped ").rsplit("/", 1)[-1]: m for m in read.warnings}
    expected = {"scanned.pdf": "no text layer (a scanned document?); run OCR",
                "locked.pdf": "encrypted with a password", "truncated.pdf": "damaged and cannot be read",
                "empty.pdf": "the file is empty", "notes.pdf": "is not a PDF file",
                "report.docx": "is not a Word (.docx) file", "page.html": "holds no text in its body"}
    for name, says in expected.items():
        assert name in messages and says in messages[name], (name, read.warnings)
    assert len(read.warnings) == len(expected), read.warnings


# ----- answers with pages, end to end -----

def answer_cites(bot, record) -> bool:
    a = bot.ask(record["question"])
    return not a.abstained and any(squash(record["answer"]) in squash(c.quote) for c in a.citations)


def paper_against_markdown(real_bot, document, tmp_path, within: float):
    """The paper in another format beside the Markdown on evals/qa.jsonl: its assistant, after
    checking hit@1 and citation recall are within ``within`` of the Markdown's."""
    from assistant import Assistant, Settings
    from assistant.evaluation.run import evaluate

    qa = load_qa(ROOT / "evals" / "qa.jsonl")
    corpus = corpus_of(tmp_path, document.suffix[1:], document, data=True)
    bot = Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index"), progress=False,
                         log=lambda *_: None)
    markdown, other = (evaluate(b, qa)["overall"] for b in (real_bot, bot))
    for metric in ("hit@1", "citation_recall"):
        assert other[metric] >= markdown[metric] - within, (metric, other[metric], markdown[metric])
    return bot, qa


@pytest.mark.e2e
@needs_chromium
@needs_pdftotext
def test_the_paper_as_pdf_answers_like_the_markdown_with_the_right_pages(made, real_bot, tmp_path):
    bot, qa = paper_against_markdown(real_bot, made["paper.pdf"], tmp_path, 0.03)
    pages = pdf_pages(made["paper.pdf"])
    text = bot.index.documents["paper.pdf"]
    checked = 0
    for record in qa:
        answer = bot.ask(record["question"])
        for c in answer.citations:
            assert text[c.start:c.end] == c.quote and c.page is not None
            assert starts_on(c.quote, pages[c.page - 1]), f"{record['id']}: [{c.n}] is not on page {c.page}: {c.quote[:40]}"
            checked += 1
        for p in answer.passages:
            assert starts_on(p.chunk.text, pages[p.page - 1]), (record["id"], p.page, p.chunk.text[:40])
    assert checked > 100
    # The page reaches the JSON schema, and the chat's position line.
    d = bot.ask("2025年中欧（亚）班列发车数达到多少列？").to_dict()
    on = [i + 1 for i, page in enumerate(pages) if "班列发车数达到12000列" in page]
    assert [c["page"] for c in d["citations"]][:1] == on[:1] and all(isinstance(p["page"], int) for p in d["passages"])


@pytest.mark.e2e
@needs_chromium
@needs_pdftotext
def test_a_two_column_pdf_answers_like_its_text(made, tmp_path):
    from assistant import Assistant, Settings

    records = [r for name in ("qa_en.jsonl", "qa_zh.jsonl")
               for r in map(json.loads, (GENERAL / "xquad-en" / name).read_text(encoding="utf-8").splitlines())
               if r.get("answerable") and r.get("source") in {p.name for p in ENGLISH}]
    assert len(records) > 60
    bots = {kind: Assistant.load(Settings(corpus_dir=corpus_of(tmp_path, kind, made[f"english.{kind}"]),
                                          index_root=tmp_path / "index"), progress=False, log=lambda *_: None)
            for kind in ("md", "pdf")}
    cited = {kind: sum(answer_cites(bot, r) for r in records) / len(records) for kind, bot in bots.items()}
    assert cited["pdf"] >= cited["md"] - 0.03, cited
    pages = pdf_pages(made["english.pdf"])
    for r in records[:40]:
        for c in bots["pdf"].ask(r["question"]).citations:
            # poppler reads this page's columns line by line across both, so look for the words.
            words = re.findall(r"[A-Za-z0-9']{3,}", c.quote)[:3]
            assert words and all(w in pages[c.page - 1] for w in words), (r["id"], c.page, c.quote[:40])


@pytest.mark.e2e
@needs_chromium
def test_the_paper_as_docx_answers_like_the_markdown(made, real_bot, tmp_path):
    bot, _ = paper_against_markdown(real_bot, made["paper.docx"], tmp_path, 0.05)
    assert all(c.page is None for c in bot.ask("2025年中欧（亚）班列发车数达到多少列？").citations)


def test_the_command_line_names_the_page(tmp_path, made):
    corpus = corpus_of(tmp_path, "pdf", made["paper.pdf"])
    env = {"HF_HUB_OFFLINE": "1", "ASSISTANT_EMBEDDER": "hash", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "assistant", "ask", "--corpus", str(corpus), "--index-root",
                        str(tmp_path / "index"), "--json", "2025年中欧（亚）班列发车数达到多少列？"],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["citations"] and all(isinstance(c["page"], int) for c in d["citations"])


@needs_chromium
def test_footnotes_in_smaller_type_stay_out_of_the_sentences(tmp_path):
    page = ("<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'WenQuanYi Micro Hei';"
            "font-size:12pt} .fn{font-size:8pt}</style></head><body>"
            "<p>港口吞吐量持续增长。2025年全年完成货物吞吐量一百七十亿吨<sup>1</sup>，比上年增长百分之三点五。</p>"
            "<p class='fn'>1 资料来源：交通运输部统计公报。</p><p>下一段讲述集装箱运输的情况。</p></body></html>")
    pdf = print_pdf(page, tmp_path / "notes.pdf")
    got = extract(pdf.read_bytes(), "notes.pdf", ".pdf").text
    assert "2025年全年完成货物吞吐量一百七十亿吨<sup>1</sup>，比上年增长百分之三点五。" in got
    assert "\n\n1 资料来源：交通运输部统计公报。\n\n下一段讲述集装箱运输的情况。" in got


@needs_chromium
def test_figures_set_in_a_latin_font_are_not_a_run_in_heading(tmp_path):
    # Chinese text whose digits come from another font (the first font of the list has no Han
    # characters): a paragraph opening with '2024年' must not read as a bold heading '**2024**'.
    # And a page of a few short paragraphs keeps them apart: its column's edge is the document's.
    page = ("<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans',"
            "'WenQuanYi Micro Hei';font-size:12pt}</style></head><body>"
            "<p>青岚天文台位于云岭山脉主峰的山顶，海拔3200米，是区域内最大的光学观测基地之一，常年对外开放，"
            "每年吸引大批天文爱好者、中小学生和科研人员前来参观学习，也承担着多项国家级巡天观测任务。</p>"
            "<p>2024年，巡天望远镜共发现小行星37颗，其中两颗已获国际编号。</p>"
            "<p><b>科普工作</b>：全年接待公众参观者约2.6万人次。</p>"
            "<p style='page-break-before:always'>全年举办科普讲座58场。</p><p>明年新建展厅。</p>"
            "</body></html>")
    pdf = print_pdf(page, tmp_path / "figures.pdf")
    got = extract(pdf.read_bytes(), "figures.pdf", ".pdf").text
    assert "\n\n2024年，巡天望远镜共发现小行星37颗，其中两颗已获国际编号。\n\n" in got, got
    assert "\n\n**科普工作**：全年接待公众参观者约2.6万人次。\n\n" in got, got  # a bold run-in heading is one
    assert "全年举办科普讲座58场。\n\n明年新建展厅。" in got, got
