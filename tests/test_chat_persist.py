"""A reload keeps the conversation: the turns are kept in the browser's storage (gr.BrowserState),
redrawn on load, dropped when they no longer fit the index, and cleared with the chat."""

import httpx
import pytest

from samples import SMALL_ZH, free_port

ZH = "长江全长多少公里？"
NOWHERE = "火星上有多少人？"  # the small corpus does not answer it: an abstention with closest passages


@pytest.fixture(scope="module")
def small_bot(tmp_path_factory):
    """The hash embedder over the small mixed document (built in a second or two)."""
    from assistant import Assistant, Settings

    root = tmp_path_factory.mktemp("persist")
    (root / "corpus").mkdir()
    (root / "corpus" / "small.md").write_text(SMALL_ZH, encoding="utf-8")
    return Assistant.load(Settings(corpus_dir=root / "corpus", index_root=root / "index", embedder="hash"),
                          progress=False, log=lambda *_: None)


def _turns(bot, *questions):
    from assistant.app.session import answer_turn

    return [answer_turn(bot, q, []) for q in questions]  # each on its own: no follow-up rewriting


def test_stored_turns_redraw_the_same_messages(small_bot):
    import json

    from assistant.app.session import messages_for
    from assistant.app.storage import restored_turns, stored_turns

    from dataclasses import replace

    turns = _turns(small_bot, ZH, NOWHERE, "")  # an answer, an abstention, a notice
    turns[1] = replace(turns[1], resolved="长江上有多少人？")  # a follow-up, as it was understood
    assert turns[0].answer.citations and turns[1].answer.abstained and turns[2].notice is not None
    stored = json.loads(json.dumps(stored_turns(small_bot, turns)))  # what the browser keeps is JSON
    again = restored_turns(small_bot, stored)
    docs = small_bot.index.documents
    assert messages_for(again, docs, "both") == messages_for(turns, docs, "both")
    assert [t.resolved for t in again] == [t.resolved for t in turns]


def test_stored_turns_are_bounded(small_bot):
    from assistant.app.storage import MAX_STORED_TURNS, restored_turns, stored_turns

    turns = _turns(small_bot, ZH) * (MAX_STORED_TURNS + 5)
    stored = stored_turns(small_bot, turns)
    assert len(stored["turns"]) == MAX_STORED_TURNS
    assert len(restored_turns(small_bot, stored)) == MAX_STORED_TURNS


@pytest.mark.parametrize("spoil", ["corpus", "quote", "chunk", "shape"])
def test_a_conversation_that_no_longer_fits_is_dropped(small_bot, spoil):
    import json

    from assistant.app.storage import restored_turns, stored_turns

    stored = json.loads(json.dumps(stored_turns(small_bot, _turns(small_bot, ZH, NOWHERE))))
    if spoil == "corpus":  # the index was rebuilt over other documents
        stored["corpus"] = "0" * 64
    elif spoil == "quote":  # the document changed under the same name
        stored["turns"][0]["answer"]["citations"][0]["quote"] = "另一句话。"
    elif spoil == "chunk":  # an abstention's passage is no longer in the index
        stored["turns"][1]["answer"]["passages"][0]["chunk_id"] = "gone-00000000"
    else:  # something else wrote the key
        stored["turns"] = [{"question": 3}]
    assert restored_turns(small_bot, stored) == []
    for junk in (None, [], "x", {"version": 99}, {"turns": None}):
        assert restored_turns(small_bot, junk) == []


# --- in the browser --------------------------------------------------------------------------------

TIMEOUT = 30_000  # ms


@pytest.fixture(scope="module")
def small_url(small_bot):
    from samples import serve_chat

    yield from serve_chat(small_bot)


@pytest.mark.browser
def test_a_reload_keeps_the_conversation_and_clear_empties_it(small_url):
    from test_chat_browser import browser_page, sync_api  # skips here without Chromium or Playwright

    expect = sync_api.expect
    with browser_page(small_url) as page:
        page.fill("#question textarea", ZH)
        page.keyboard.press("Enter")
        answer = page.locator("#chat .answer:not(.streaming)")
        expect(answer).to_have_count(1, timeout=TIMEOUT)
        text = answer.locator(".answer-text").inner_text()
        assert "6300" in text
        page.wait_for_function("localStorage.getItem('assistant-chat')", timeout=TIMEOUT)  # written after it

        page.reload()
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)
        expect(page.locator("#chat .answer")).to_have_count(1, timeout=TIMEOUT)
        expect(page.locator("#chat")).to_contain_text(ZH)
        assert page.locator("#chat .answer .answer-text").inner_text() == text
        page.locator("#chat .answer .answer-text button.cite").first.click()
        mark = page.locator("#cite-panel .doc-body mark")  # the whole document, from the server
        expect(mark).to_contain_text("6300", timeout=TIMEOUT)

        page.click("#new-conversation")
        expect(page.locator("#chat .answer")).to_have_count(0, timeout=TIMEOUT)
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)
        page.wait_for_timeout(2000)  # time for a stored conversation, were there one, to be redrawn
        assert page.locator("#chat .answer").count() == 0
        expect(page.locator("#chat .welcome")).to_be_visible()


@pytest.mark.browser
def test_a_reload_keeps_the_interface_language(small_url):
    from test_chat_browser import browser_page, sync_api

    expect = sync_api.expect
    with browser_page(small_url) as page:
        page.get_by_label("English", exact=True).check()
        expect(page.locator("#send")).to_have_text("Send", timeout=TIMEOUT)
        page.fill("#question textarea", ZH)
        page.keyboard.press("Enter")
        expect(page.locator("#chat .answer:not(.streaming)")).to_have_count(1, timeout=TIMEOUT)
        page.wait_for_timeout(1000)  # the choice and the turn are written to the browser's storage

        page.reload()
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)
        expect(page.get_by_label("English", exact=True)).to_be_checked(timeout=TIMEOUT)
        expect(page.locator("#send")).to_have_text("Send", timeout=TIMEOUT)
        expect(page.locator("#chat .sources-title")).to_have_text("Sources", timeout=TIMEOUT)  # the answer too
        assert "发送" not in page.locator("#send").inner_text()

        page.get_by_label("中文", exact=True).check()  # a choice made again is kept again
        expect(page.locator("#send")).to_have_text("发送", timeout=TIMEOUT)
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)
        expect(page.locator("#send")).to_have_text("发送", timeout=TIMEOUT)
        expect(page.get_by_label("中文", exact=True)).to_be_checked()


# --- the first start: a page with the build's progress, then the chat on the same address -----------
# (here rather than in a file of its own: both are what a reader sees of the chat before asking)

def _get(url: str) -> tuple[int, str] | None:
    """(status, body) of a GET, or None while nothing listens there."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except OSError:
        return None


def _poll(url: str, ok, seconds: float = 60) -> tuple[int, str]:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = _get(url)
        if got is not None and ok(*got):
            return got
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer as expected within {seconds} s; last: {got and got[0]}")


@pytest.fixture
def starting(fake_settings, monkeypatch):
    """``python -m assistant chat`` with no index yet, in a thread: (its address, an event that lets
    the build go on; until it is set the build is held at its first embedding)."""
    import threading

    from assistant.app.cli import serve_chat
    from assistant.index.embedders import load_embedder

    embedder, go = load_embedder(fake_settings.embedder), threading.Event()
    encode = embedder.encode

    def held(texts, *args, **kwargs):
        go.wait(30)
        return encode(texts, *args, **kwargs)

    monkeypatch.setattr(embedder, "encode", held)
    port, served = free_port(), []
    thread = threading.Thread(target=lambda: served.append(serve_chat(fake_settings, "127.0.0.1", port, block=False)),
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/", go
    go.set()
    thread.join(60)
    for app in served:
        app.close()


def test_the_first_start_serves_a_page_with_progress_then_the_chat(starting):
    from gradio_client import Client

    url, go = starting
    status, body = _poll(url, lambda status, body: "Embedding chunks" in body)
    assert status == 503 and "Building the index" in body and "正在建立索引" in body
    assert "Embedding chunks: 0/" in body and "<progress" in body  # the build's own progress bar, held
    assert "setInterval" in body and 'http-equiv="refresh"' in body  # it looks again by itself
    early = httpx.post(url + "api/ask", json={"question": ZH})  # a program is told to come back, in JSON
    assert early.status_code == 503 and early.headers["retry-after"] and "being built" in early.json()["error"]
    go.set()
    status, body = _poll(url, lambda status, body: status == 200)
    assert "gradio" in body.lower() and "Building the index" not in body  # the chat, on the same port
    answer = Client(url, verbose=False).predict(ZH, api_name="/ask")
    assert not answer["abstained"] and "6300" in answer["citations"][0]["quote"]
    assert httpx.post(url + "api/ask", json={"question": ZH}).json() == answer


@pytest.mark.browser
def test_the_start_page_turns_into_the_chat_by_itself(starting):
    from test_chat_browser import ARGS, CHROMIUM, sync_api  # skips here without Chromium or Playwright

    url, go = starting
    _poll(url, lambda status, body: "Embedding chunks" in body)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(url)
        sync_api.expect(page.locator("h1")).to_contain_text("Building the index")
        sync_api.expect(page.locator("#bars")).to_contain_text("Embedding chunks")
        go.set()
        page.wait_for_selector("#question textarea", timeout=TIMEOUT)  # no reload by hand
        browser.close()
