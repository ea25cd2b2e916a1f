"""Sample texts and paths shared by the tests."""

import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "corpus" / "chen-2026-belt-and-road-15th-five-year-plan.md"
GENERAL = ROOT / "evals" / "general"

# A small mixed document: numbered sections, a sentence a page break cut in two (with a
# footnote marker), and an English abstract.
SMALL_ZH = """# 河流概况

## 一、长江

长江全长约 6300 公里，是亚洲第一长河。流域面积约180万平方公里。

2020年长江干线港口货物吞吐量达到12000万吨。三峡大坝建设已经全部完工。

## 二、黄河

黄河每年输送的泥沙从 1950 年的 16 亿吨减少到2020年的

2.4 亿吨，入海口的湿地面积扩大了一倍。<sup>1</sup>

## Abstract

The Yangtze is the longest river in Asia. Its main ports handled 12000 million tonnes of cargo in 2020.
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a test server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_chat(bot):
    """Serve the chat app over ``bot`` on 127.0.0.1; yields its URL, then closes it (for fixtures)."""
    from assistant.app.chat import build_app, launch_app

    app = build_app(bot)
    _, local_url, _ = launch_app(app, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    yield local_url
    app.close()
