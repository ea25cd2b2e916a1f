"""Sample texts and paths shared by the tests."""

import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "corpus" / "chen-2026-belt-and-road-15th-five-year-plan.md"

SMALL_ZH = """# 测试文档

## 一、贸易

中国与沿线国家的货物贸易额从 2013 年的 1.04 万亿美元增加到 2024 年的 3.1 万亿美元。占比提升至51.9%。

2025年中欧（亚）班列发车数达到12000列。平陆运河建设已经到了最后阶段。

## 二、投资

非金融类直接投资从126.3亿美元增加到2025年的

396.3 亿美元，拉动了超过一万亿美元的社会总投资。<sup>1</sup>

## Abstract

The Belt and Road initiative has achieved fruitful results. China-Europe freight trains reached 12000 in 2025.
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a test server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
