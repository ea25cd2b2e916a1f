"""The chat's layout in Debian's Chromium: the phone viewport, the document panel, lists and long answers.

Geometry is read from element boxes (Playwright's ``bounding_box``), so a test fails when a reader
would see the fault: a squeezed header, a preview over the highlight, a highlight scrolled away.
"""

import re
from types import SimpleNamespace

import pytest

from test_chat_browser import OUT, ROOT, TIMEOUT, ask, browser_page, sync_api

from assistant.answer.compose import Answer, Citation
from assistant.app.places import section_path
from assistant.ingest.sentences import split_document

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PHONE = {"width": 390, "height": 844, "phone": True}
DESKTOP = {"width": 1366, "height": 900}
# Its answer cites a sentence that a page break cut in two, footnotes printed between the halves.
ACROSS_FOOTNOTES = "“十五五”时期推动共建“一带一路”高质量发展的首要要求是什么？"
TRAINS = "2025年中欧（亚）班列发车数达到多少列？"  # three citations from one section
DOCS = ROOT / "docs"


@pytest.fixture()
def phone(chat_url):
    with browser_page(chat_url, **PHONE) as page:
        yield page


@pytest.fixture()
def desktop(chat_url):
    with browser_page(chat_url, **DESKTOP) as page:
        yield page


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["y"] >= outer["y"] - slack and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
            and inner["x"] >= outer["x"] - slack and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack)


def on_top(page, selector: str) -> bool:
    """Whether the middle of the element is what the reader sees there (nothing drawn over it)."""
    return page.evaluate("""(sel) => { const e = document.querySelector(sel), r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !!hit && (e === hit || e.contains(hit)); }""", selector)


def cited_sentence(bot, question: str):
    """The document of the answer's first citation, and that citation's sentence as the index split it."""
    c = bot.ask(question).citations[0]
    document = bot.index.documents[c.source]
    sentence = next(s for p in split_document(document) for s in p.sentences if (s.start, s.end) == (c.start, c.end))
    return c, document, sentence


# ----- item 4: the phone -----

def test_phone_opens_at_the_top_with_a_readable_header(phone):
    phone.wait_for_timeout(800)  # whatever focusing or scrolling the page does on load has happened
    assert phone.evaluate("window.scrollY") == 0
    title, subtitle = phone.locator("#header h1").bounding_box(), phone.locator("#header p").bounding_box()
    assert title["y"] >= 0 and title["y"] + title["height"] <= PHONE["height"]  # seen without scrolling
    assert title["width"] >= 250 and subtitle["width"] >= 250
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('#header p')).lineHeight)")
    assert subtitle["height"] <= 4 * line  # a few lines, not one character a line
    assert phone.locator("#question textarea").bounding_box()["width"] >= 300  # the box has a line of its own
    phone.screenshot(path=str(OUT / "phone-open.png"))


def test_phone_a_tapped_marker_opens_its_document_as_a_sheet_nothing_covers(phone):
    ask(phone, TRAINS)
    phone.locator("#chat .answer-text button.cite").first.tap()
    mark = phone.locator("#cite-panel mark").first
    sync_api.expect(mark).to_contain_text("12000", timeout=TIMEOUT)
    phone.wait_for_timeout(500)
    assert inside(mark.bounding_box(), {"x": 0, "y": 0, **{k: PHONE[k] for k in ("width", "height")}})
    assert on_top(phone, "#cite-panel mark")  # no preview over the highlighted text
    sheet = phone.locator("#cite-panel .cite-panel")
    box = sheet.bounding_box()  # the whole document, over the chat
    assert box["x"] <= 1 and box["width"] >= PHONE["width"] - 2 and box["height"] >= PHONE["height"] - 2
    assert phone.locator("#cite-panel .doc-body mark").count() == 1
    phone.screenshot(path=str(OUT / "phone-sheet.png"))
    phone.locator("#cite-panel .cite-panel-close").tap()
    sync_api.expect(sheet).to_be_hidden(timeout=TIMEOUT)  # the chat is back, where the reader left it
    assert phone.evaluate("() => !document.elementFromPoint(innerWidth / 2, innerHeight / 2).closest('#cite-panel')")


# ----- item 5: the whole document beside the answer -----

def test_a_clicked_citation_opens_its_whole_document_at_the_sentence(desktop, real_bot):
    c, document, sentence = cited_sentence(real_bot, ACROSS_FOOTNOTES)
    notes = [s.text for p in split_document(document) for s in p.sentences if s.note and c.start < s.start < c.end]
    assert notes  # the case this test is about: footnotes inside the cited span
    ask(desktop, ACROSS_FOOTNOTES)
    desktop.locator("#chat .answer-text button.cite").first.click()
    body, mark = desktop.locator("#cite-panel .doc-body"), desktop.locator("#cite-panel .doc-body mark")
    sync_api.expect(mark).to_have_text(sentence.text, timeout=TIMEOUT)  # the sentence, without the notes
    assert mark.count() == 1
    text = body.inner_text()
    paragraphs = split_document(document)
    assert len(text) > 10 * 400  # far more than the 200 characters either side of the old preview
    assert paragraphs[0].sentences[0].text in text and paragraphs[-1].sentences[-1].text in text
    assert all(note in text for note in notes)  # the notes are there, as paragraphs of their own
    meta = desktop.locator("#cite-panel .doc-meta").inner_text()
    assert c.source in meta and section_path(c.section).split(" › ")[-1] in meta
    desktop.wait_for_timeout(300)
    assert inside(mark.bounding_box(), body.bounding_box())  # scrolled to the sentence
    assert body.evaluate("b => b.scrollTop") > 0 and on_top(desktop, "#cite-panel .doc-body mark")
    desktop.screenshot(path=str(OUT / "desktop-document-panel.png"))


def test_the_document_panel_escapes_document_text():
    from assistant.app.panel import document_html

    doc = "# Notes <b>bold</b>\n\nIntro & more. The <img src=x onerror=alert(1)> tag sits here. End <script>x</script>."
    start = doc.index("The <img")
    html = document_html(doc, start, doc.index(" End"))
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "<mark>The &lt;img src=x onerror=alert(1)&gt; tag sits here.</mark>" in html


# ----- item 3: lists and long answers -----

def _quoting(bot, sentences, section: tuple[str, ...], lang: str) -> Answer:
    """An answer in the shape the engine writes, quoting ``sentences`` of the first document."""
    source, document = next(iter(bot.index.documents.items()))
    citations = tuple(Citation(n, "chunk", source, " > ".join(section), "zh", s.start, s.end, document[s.start:s.end])
                      for n, s in enumerate(sentences, 1))
    if lang == "zh":
        text = "根据文档：" + "".join(f"{s.text}[{n}]" for n, s in enumerate(sentences, 1))
    else:
        text = "From the document (in Chinese):\n" + "\n".join(f"“{s.text}” [{n}]" for n, s in enumerate(sentences, 1))
    return Answer("q", lang, text, False, citations, ())


def _listed_answer(bot, lang: str) -> Answer:
    """An answer quoting a run of the paper's enumerated sentences (一是…二是…三是…) after the
    sentence before them, so the list's rendering is what is tested, whatever the engine picks."""
    for p in split_document(next(iter(bot.index.documents.values()))):
        items = [s for s in p.sentences if s.text[:2] in ("一是", "二是", "三是")]
        if [s.text[:2] for s in items[:3]] == ["一是", "二是", "三是"]:
            lead = p.sentences[p.sentences.index(items[0]) - 1]
            return _quoting(bot, [lead] + items[:3], p.section, lang)
    raise AssertionError("no paragraph with 一是, 二是, 三是")


def _long_answer(bot) -> Answer:
    """An answer quoting the eight sentences of the document's longest paragraph."""
    p = max(split_document(next(iter(bot.index.documents.values()))), key=lambda p: len(p.sentences))
    return _quoting(bot, p.sentences[:8], p.section, "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_items_render_as_a_list(desktop, real_bot, monkeypatch, lang):
    answer = _listed_answer(real_bot, lang)
    monkeypatch.setattr(real_bot, "ask_followup",
                        lambda q, history, previous=None: (answer, SimpleNamespace(changed=False)))
    ask(desktop, "列表 list")
    items = desktop.locator("#chat .answer").last.locator(".answer-text li")
    sync_api.expect(items).to_have_count(3)
    texts = [t.lstrip("“") for t in items.all_inner_texts()]
    assert [t[:2] for t in texts] == ["一是", "二是", "三是"]
    tops = [items.nth(i).bounding_box()["y"] for i in range(3)]
    assert tops[0] < tops[1] < tops[2]  # one item a line, not one paragraph
    lead = desktop.locator("#chat .answer").last.locator(".answer-text").inner_text().split(texts[0][:6])[0]
    assert answer.citations[0].quote[:6] in lead  # the sentence before the list stays out of it
    desktop.screenshot(path=str(OUT / f"list-{lang}.png"))


def test_sources_are_listed_once(desktop):
    ask(desktop, TRAINS)
    sources = desktop.locator("#chat .answer").last.locator(".sources")
    sections = sources.locator(".src-section").all_inner_texts()
    quotes = sources.locator(".src-quote").all_inner_texts()
    assert len(quotes) >= 2 and len(set(quotes)) == len(quotes)
    assert len(set(sections)) == len(sections)  # one heading for the citations under it
    markers = sources.locator("button.cite").all_inner_texts()
    cited = desktop.locator("#chat .answer").last.locator(".answer-text button.cite").all_inner_texts()
    assert set(cited) <= set(markers)  # every marker still has its source


def test_a_finished_answer_shows_its_start(phone, real_bot, monkeypatch):
    ask(phone, TRAINS)
    answer = _long_answer(real_bot)
    monkeypatch.setattr(real_bot, "ask_followup",
                        lambda q, history, previous=None: (answer, SimpleNamespace(changed=False)))
    ask(phone, "A question with a long answer")
    phone.wait_for_timeout(500)
    chat = phone.locator("#chat .bubble-wrap").bounding_box()
    answer = phone.locator("#chat .answer").last.bounding_box()
    assert answer["height"] > chat["height"]  # longer than the chat box: where it is scrolled matters
    assert chat["y"] - 1 <= answer["y"] < chat["y"] + chat["height"] / 2  # its start in the chat box
    assert 0 <= answer["y"] < PHONE["height"] / 2  # and the chat box on the screen


# ----- the README's screenshots -----

SHOTS = [("zh", "中文", TRAINS), ("en", "English", "How many China–Europe (Asia) freight trains departed in 2025?")]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_empty_chat(chat_url, device):
    """docs/chat-empty-{desktop,phone}.png: the welcome, the examples and the box's limit, as the page opens."""
    with browser_page(chat_url, **(PHONE if device == "phone" else DESKTOP)) as page:
        sync_api.expect(page.locator("#chat button.example").first).to_be_visible(timeout=TIMEOUT)
        page.wait_for_timeout(600)
        page.screenshot(path=str(DOCS / f"chat-empty-{device}.png"))


@pytest.mark.parametrize("lang, ui, question", SHOTS)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_for_the_readme(chat_url, device, lang, ui, question):
    """docs/chat-{zh,en}-{desktop,phone}.png, and the phone's document sheet (docs/chat-zh-phone-source.png)."""
    with browser_page(chat_url, **(PHONE if device == "phone" else DESKTOP)) as page:
        page.get_by_label(ui, exact=True).check()
        sync_api.expect(page.locator("#send")).to_have_text("发送" if lang == "zh" else "Send", timeout=TIMEOUT)
        ask(page, question)
        answer = page.locator("#chat .answer").last
        assert "12000" in answer.locator(".answer-text").inner_text()
        if device == "desktop":  # the document of the citation that holds the figure, beside the answer
            answer.locator(".answer-text .cite-wrap").filter(has_text="12000").first.locator("button.cite").click()
            sync_api.expect(page.locator("#cite-panel .doc-body mark")).to_contain_text("12000", timeout=TIMEOUT)
        page.mouse.move(0, 0)
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / f"chat-{lang}-{device}.png"))
        if device == "phone" and lang == "zh":
            answer.locator(".answer-text button.cite").first.tap()
            sync_api.expect(page.locator("#cite-panel .doc-body mark")).to_contain_text("12000", timeout=TIMEOUT)
            page.wait_for_timeout(400)
            page.screenshot(path=str(DOCS / "chat-zh-phone-source.png"))


# ----- item 7: what a reader sees before and around asking -----

FIRST_LOOK = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
UIS = {"both": "中文 + English", "zh": "中文", "en": "English"}


def in_view(page, locator) -> bool:
    """Whether the element lies wholly on the screen, as it is scrolled now."""
    view = page.viewport_size
    return inside(locator.bounding_box(), {"x": 0, "y": 0, "width": view["width"], "height": view["height"]})


@pytest.mark.parametrize("device", FIRST_LOOK)
def test_an_empty_chat_shows_how_to_ask_and_the_examples_without_scrolling(chat_url, real_bot, device):
    examples = list(real_bot.profile.examples)
    assert examples  # the bundled corpus names some
    with browser_page(chat_url, **device) as page:
        welcome = page.locator("#chat .welcome")
        sync_api.expect(welcome).to_be_visible(timeout=TIMEOUT)
        page.wait_for_timeout(800)
        assert page.evaluate("window.scrollY") == 0 and in_view(page, welcome)
        shown = [page.get_by_text(q, exact=True).first for q in examples]  # whole, not cut short
        for example in shown:
            sync_api.expect(example).to_be_visible()
            assert in_view(page, example), example
        page.screenshot(path=str(OUT / f"empty-chat-{device['width']}.png"))
        done = "#chat .answer:not(.streaming)"
        shown[0].click()  # asks it
        page.wait_for_function(f"document.querySelector('{done}')", timeout=TIMEOUT)
        assert examples[0] in page.locator("#chat").inner_text()


# An empty box's scroll height counts its placeholder (Chromium): half a line more than the box shows is cut
# off (a pixel or two over is Gradio's sizing, the border counted in).
PLACEHOLDER_FITS = """() => { const t = document.querySelector('#question textarea'), line = parseFloat(getComputedStyle(t).lineHeight);
    return !t.value && t.scrollHeight <= t.clientHeight + line / 2 && t.scrollWidth <= t.clientWidth + 1; }"""


@pytest.mark.parametrize("device", FIRST_LOOK)
def test_the_placeholder_is_shown_whole(chat_url, device):
    from assistant.app.labels import label

    with browser_page(chat_url, **device) as page:
        box = page.locator("#question textarea")
        for code, ui in UIS.items():
            page.get_by_label(ui, exact=True).check()
            sync_api.expect(box).to_have_attribute("placeholder", label("placeholder", code), timeout=TIMEOUT)
            page.wait_for_timeout(300)  # the box resizes itself to what it shows
            assert page.evaluate(PLACEHOLDER_FITS), (code, box.bounding_box())


# What the page says about the question box's limit, wherever it says it: every visible element
# outside the chat whose own text gives the figure, with its box.
LIMIT_HINTS = r"""() => [...document.querySelectorAll('body *')].filter((e) => !e.closest('#chat')
    && [...e.childNodes].some((n) => n.nodeType === 3 && /2[,，]?000/.test(n.textContent))
    && e.checkVisibility()).map((e) => ({text: e.textContent, ...e.getBoundingClientRect().toJSON()}))"""


@pytest.mark.parametrize("device", FIRST_LOOK)
def test_the_character_limit_is_shown_before_typing(chat_url, device):
    with browser_page(chat_url, **device) as page:
        ask(page, TRAINS)  # the empty chat's welcome, which says it too, has gone
        box = page.locator("#question textarea")
        box.scroll_into_view_if_needed()
        field = box.bounding_box()

        def near() -> list[dict]:  # hints just above or below the box, not somewhere on the page
            return [h for h in page.evaluate(LIMIT_HINTS) if h["height"] > 0
                    and field["y"] - 60 <= h["y"] <= field["y"] + field["height"] + 60
                    and h["x"] < field["x"] + field["width"] and h["x"] + h["width"] > field["x"]]

        assert near(), "no hint of the 2000-character limit beside the question box"
        page.screenshot(path=str(OUT / f"limit-{device['width']}.png"))
        box.fill("x" * 2001)
        sync_api.expect(page.locator("#question-limit")).to_contain_text("2001", timeout=TIMEOUT)
        assert page.locator("#question-limit .over").count() == 1  # said before sending, not after


# The page's own words, apart from what the documents, the questions and the answers say.
CONTENT = ("#chat .message-row .answer-text, #chat .user-row, .src-quote, .src-section, .ctx-section, .ctx-text, "
           ".doc-body, .doc-name, #ui-lang label, #chat .example, #index-info code, script, style, .cite-pop, "
           ".ctx-store, .why .reason")
CHROME_TEXT = """(content) => {
    const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement;
        if (n.textContent.trim() && e.checkVisibility() && !e.closest(content)) out.push(n.textContent.trim());
    }
    for (const e of document.querySelectorAll('button, textarea, input, [role=button], [title]')) {
        if (!e.checkVisibility() || e.closest(content)) continue;
        for (const a of ['placeholder', 'aria-label', 'title']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
    }
    return out; }"""
LATIN_WORD, CJK = re.compile(r"[A-Za-z]{2,}"), re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_label_is_in_the_interface_language(chat_url, lang):
    from assistant.app.labels import label

    questions = {"zh": (TRAINS, "2030年中欧班列开行多少列？"),
                 "en": ("How many China–Europe (Asia) freight trains departed in 2025?",
                        "How many China–Europe freight trains will depart in 2030?")}[lang]
    with browser_page(chat_url, **DESKTOP) as page:
        page.get_by_label(UIS[lang], exact=True).check()
        sync_api.expect(page.locator("#send")).to_have_text(label("send", lang), timeout=TIMEOUT)
        for question in questions:  # an answer with its sources, then an abstention with its closest passages
            ask(page, question)
        assert page.locator("#chat .answer.abstained").count() == 1
        page.locator("#index-info").get_by_text(label("info", lang)).click()
        sync_api.expect(page.locator("#index-info table")).to_be_visible(timeout=TIMEOUT)
        page.locator("#chat .answer-text button.cite").first.click()
        sync_api.expect(page.locator("#cite-panel .doc-body mark")).to_be_visible(timeout=TIMEOUT)
        page.mouse.move(0, 0)
        page.screenshot(path=str(OUT / f"labels-{lang}.png"), full_page=True)
        texts = page.evaluate(CHROME_TEXT, CONTENT)
    if lang == "zh":  # an acronym such as API has no Chinese of its own
        wrong = [t for t in texts if LATIN_WORD.search(t.replace("API", ""))]
    else:
        wrong = [t for t in texts if CJK.search(t)]
    assert not wrong
