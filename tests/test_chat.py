"""The chat: its 'ask' API through gradio_client (also 50 requests at once), its plain JSON endpoint
/api/ask over real HTTP, and what it renders."""

import time
from concurrent.futures import ThreadPoolExecutor
from html import escape

import pytest

from assistant.app.places import context_of
from assistant.app.render import answer_html, answer_text, context_html, info_markdown, stream_steps
from assistant.app.session import Turn, paced, reply

ZH = "2025年中欧（亚）班列发车数达到多少列？"
EN = "How many China–Europe (Asia) freight trains departed in 2025?"
EVIDENCE = "12000列"
UNANSWERABLE = "2030年中欧班列开行多少列？"


@pytest.fixture(scope="session")
def bot(real_bot):
    return real_bot


@pytest.fixture(scope="module")
def client(chat_url):
    from gradio_client import Client

    return Client(chat_url, verbose=False)


def cited(record: dict, evidence: str = EVIDENCE) -> bool:
    return any(evidence in "".join(c["quote"].split()) for c in record["citations"])


@pytest.mark.e2e
@pytest.mark.parametrize("question, lang", [(ZH, "zh"), (EN, "en")])
def test_api_answers_like_ask_json(bot, client, question, lang):
    record = client.predict(question, api_name="/ask")
    assert record == bot.ask(question).to_dict()  # the `ask --json` object, field for field
    assert record["lang"] == lang and not record["abstained"] and cited(record)
    assert "[1]" in record["answer"]


@pytest.mark.e2e
@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001, "中欧班列\x00", "こんにちは、元気ですか"])
def test_api_bad_input_is_a_json_error(client, bad):
    record = client.predict(bad, api_name="/ask")
    assert set(record) == {"error"} and record["error"] and "Traceback" not in record["error"]


@pytest.mark.e2e
def test_api_50_parallel_requests(client, capsys):
    questions = [ZH if i % 2 else EN for i in range(50)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        records = list(pool.map(lambda q: client.predict(q, api_name="/ask"), questions))
    elapsed = time.perf_counter() - start
    with capsys.disabled():  # shown even without -s
        print(f"\n50 parallel 'ask' requests answered in {elapsed:.2f} s ({50 / elapsed:.1f} per second)")
    assert len(records) == 50
    assert all(r.get("question") == q and cited(r) for r, q in zip(records, questions))


@pytest.fixture(scope="module")
def http(chat_url):
    import httpx

    with httpx.Client(base_url=chat_url, timeout=60) as client:
        yield client


@pytest.mark.e2e
@pytest.mark.parametrize("question", [ZH, EN])
def test_rest_answers_like_ask_json_by_post_and_get(bot, http, question):
    posted = http.post("/api/ask", json={"question": question})
    assert posted.status_code == 200 and posted.headers["content-type"].startswith("application/json")
    assert posted.json() == bot.ask(question).to_dict() and cited(posted.json())
    got = http.get("/api/ask", params={"question": question})
    assert got.status_code == 200 and got.json() == posted.json()


@pytest.mark.e2e
def test_rest_follow_up_resolves_against_its_history(bot, http):
    history = ["2013年中国与沿线国家的货物贸易额是多少？"]
    record = http.post("/api/ask", json={"question": "那2024年呢？", "history": history}).json()
    answer, resolution = bot.ask_followup("那2024年呢？", history)
    assert record == {**answer.to_dict(), "resolved": resolution.resolved}
    assert "2024" in record["resolved"] and "2013" not in record["resolved"] and not record["abstained"]


@pytest.mark.e2e
@pytest.mark.parametrize("body, says", [
    (b"not json", "not JSON"), (b"[1, 2]", "JSON object"), (b'{"question": 7}', '"question"'),
    (b'{"question": "x", "history": "earlier"}', '"history"'), (b'{"question": ""}', None),
    ('{"question": "こんにちは、元気ですか"}'.encode(), None),
])
def test_rest_bad_input_is_a_400_with_a_reason(http, body, says):
    response = http.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    record = response.json()
    assert set(record) == {"error"} and record["error"] and "Traceback" not in record["error"]
    assert says is None or says in record["error"]


@pytest.mark.e2e
def test_rest_refuses_a_huge_body_with_413(http):
    response = http.post("/api/ask", json={"question": "x", "history": ["y" * 1000] * 100})
    assert response.status_code == 413 and "at most" in response.json()["error"]


@pytest.mark.e2e
def test_rest_50_parallel_requests_each_get_their_own_answer(http):
    questions = [ZH if i % 2 else EN for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        records = list(pool.map(lambda q: http.post("/api/ask", json={"question": q}).json(), questions))
    assert all(r.get("question") == q and cited(r) for r, q in zip(records, questions))


def test_markers_and_highlight(bot):
    answer = bot.ask(ZH)
    html = answer_html(answer, bot.index.documents, "both", turn=3)
    c = answer.citations[0]
    assert 'class="cite" data-ctx="ctx-3-1"' in html and 'id="ctx-3-1"' in html  # marker → its passage
    assert "<mark>2025年中欧（亚）班列发车数达到12000列。</mark>" in html
    assert f"chars {c.start}–{c.end}" in html and "% into the document" in html
    assert "来源 · Sources" in html and 'class="copy-answer"' in html
    assert "abstained" not in html


def test_abstention_looks_different_and_lists_closest_passages(bot):
    answer = bot.ask(UNANSWERABLE)
    assert answer.abstained
    html = answer_html(answer, bot.index.documents, "both", turn=0)
    assert 'class="answer abstained"' in html and "未找到答案 · No answer found" in html
    assert "最接近的段落 · Closest passages" in html and html.count("<mark>") >= 2
    assert "[P1]" in html
    assert '<div class="badge">No answer found</div>' in answer_html(answer, bot.index.documents, "en")
    # The reader is told why: here, a year the paper never gives.
    assert answer.reasons and '<div class="why">原因 · Why: ' in html and escape(answer.reasons[0]) in html


def test_paper_text_is_escaped():
    doc = "Intro. Tariffs <b>fell</b> & rose in 2025. More text follows here."
    start = doc.index("Tariffs")
    ctx = context_of(doc, start, doc.index(" More"), "1 > <i>x</i>")
    html = context_html(ctx, 1, "en")
    assert "<mark>Tariffs &lt;b&gt;fell&lt;/b&gt; &amp; rose in 2025.</mark>" in html
    assert "<b>fell" not in html and "<i>" not in html
    assert html.index("Intro. <mark>")  # the space between words survives cleaning


def test_a_pdf_citation_names_its_page_first():
    from dataclasses import replace

    doc = "第一页的内容。第二页：2025年中欧（亚）班列发车数达到12000列。下文。"
    start = doc.index("2025")
    ctx = context_of(doc, start, doc.index("下文"), "三、路径", page=2)
    assert "p. 2 · chars" in context_html(ctx, 1, "en") and "第 2 页 · 第" in context_html(ctx, 1, "zh")
    assert "p. " not in context_html(replace(ctx, page=None), 1, "en")


def test_copy_text_has_the_sources(bot):
    answer = bot.ask(ZH)
    text = answer_text(answer, bot.index.documents, "en")
    assert text.startswith(answer.text) and "\nSources\n[1] " in text and "12000" in text.split("Sources")[1]


def test_stream_steps_grow_to_the_whole_text():
    text = "根据论文：2025年中欧（亚）班列发车数达到12000列。[1]其次，合作继续扩大。[2]"
    steps = stream_steps(text)
    assert steps[-1] == text and len(steps) >= 3
    assert all(a != b and b.startswith(a) for a, b in zip(steps, steps[1:]))


class FakeClock:
    """A clock that moves only when slept on or when a consumer spends time."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.mark.parametrize("spent, shown", [(0.0, list("abcdefghij")), (0.1, list("aeij"))])
def test_streaming_keeps_its_pace_when_each_step_is_slow(spent, shown):
    # A step the reader's browser took 0.1 s to take (a busy server) makes the next three overdue:
    # they are skipped, so the answer still takes about ten delays, not ten slow steps.
    clock = FakeClock()
    seen, last = [], None
    for step in paced(list("abcdefghij"), 0.03, clock, clock.sleep):
        seen.append(step)
        last = clock()
        clock.sleep(spent)
    assert seen == shown
    assert last <= 10 * 0.03 + spent + 1e-9  # the whole text is shown on time, give or take one step


def test_streaming_reads_the_delay_when_it_streams_and_none_shows_only_the_whole_text(monkeypatch):
    from assistant.app import session

    clock = FakeClock()
    monkeypatch.setattr(session, "STREAM_DELAY", 0.5)  # what a test slowing the chat sets
    assert list(paced(list("abc"), clock=clock, sleep=clock.sleep)) == list("abc") and clock() == 1.0
    monkeypatch.setattr(session, "STREAM_DELAY", 0.0)
    assert list(paced(list("abc"), clock=clock, sleep=clock.sleep)) == ["c"]


def test_reply_streams_then_shows_citations(bot):
    frames = list(reply(bot, ZH, [], "both"))
    assert len(frames) >= 3
    partial = frames[1][0][-1]["content"]
    assert "streaming" in partial and 'class="cite"' not in partial
    messages, turns, panel = frames[-1]
    assert 'class="cite"' in messages[-1]["content"] and len(turns) == 1
    assert "<mark>" in panel and "12000" in panel


def test_followups_use_only_their_own_session(bot):
    *_, (_, session_a, _) = reply(bot, "2013年中国与沿线国家的货物贸易额是多少？", [])
    *_, (messages, _, _) = reply(bot, "那2024年呢？", session_a)
    assert "理解为 · Understood as：2024年中国与沿线国家的货物贸易额是多少？" in messages[-1]["content"]
    *_, (messages, session_b, _) = reply(bot, "那2024年呢？", [])  # a new session has no history
    assert "Understood as" not in messages[-1]["content"] and session_a != session_b


def test_a_followup_in_the_chat_does_not_ask_the_previous_question_again(bot, monkeypatch):
    first = "How much did trade with Belt and Road countries grow in 2025?"
    *_, (_, turns, _) = reply(bot, first, [])
    asked, ask = [], bot.ask
    monkeypatch.setattr(bot, "ask", lambda q, *a, **k: asked.append(q) or ask(q, *a, **k))
    *_, (messages, turns, _) = reply(bot, "And what about investment?", turns)
    assert asked and first not in asked  # its readings are asked; the turn before kept its answer
    assert turns[-1].answer is not None and not turns[-1].answer.abstained


@pytest.mark.parametrize("bad", ["", "x" * 2001, "bonjour, où est la gare?"])
def test_bad_input_gets_a_friendly_notice(bot, bad):
    *_, (messages, turns, panel) = reply(bot, bad, [], "both")
    content = messages[-1]["content"]
    assert 'class="answer notice"' in content and "无法回答这个问题" in content and "Traceback" not in content
    assert turns[-1].answer is None and "<mark>" not in panel


def test_unexpected_errors_become_a_notice(bot, monkeypatch):
    monkeypatch.setattr(bot, "ask", lambda q: 1 / 0)
    *_, (messages, turns, _) = reply(bot, ZH, [Turn("earlier")], "en")
    assert "Something went wrong" in messages[-1]["content"] and "ZeroDivisionError" not in messages[-1]["content"]


def test_info_panel_lists_the_index_facts(bot):
    md = info_markdown(bot.info, list(bot.index.documents), "en")
    assert bot.info["embedder"] in md and "chen-2026-belt-and-road-15th-five-year-plan.md" in md
    assert f"`{bot.info['chunks']}`" in md


def test_info_panel_names_no_server_path(bot):
    info = {**bot.info, "index_dir": "/srv/assistant/index/use/v-1", "corpus_dir": "/home/reader/papers"}
    for ui in ("both", "zh", "en"):
        md = info_markdown(info, list(bot.index.documents), ui)
        assert "/srv" not in md and "/home" not in md and bot.info["embedder"] in md


def test_the_queue_does_not_summarise_its_whole_history_after_every_event(fake_settings):
    # Gradio's default: a pandas summary of the last 10,000 events after each event (19 ms at
    # 10,000 here), for a monitoring page the chat does not serve.
    from assistant import Assistant
    from assistant.app.chat import build_app

    app = build_app(Assistant.load(fake_settings, progress=False, log=lambda *_: None))
    app.queue()
    assert app._queue.ANALYTICS_MAX_EVENTS <= 200 and app._queue.ANAYLTICS_CACHE_FREQUENCY >= 500
