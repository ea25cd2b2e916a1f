"""What the processes of the fault-injection tests (test_faults.py) run.

The forkserver imports this module once, so every child starts warm (jieba's dictionary
loaded) and forks in milliseconds. A child dies the way ``kill -9`` kills: ``os._exit`` at
one chosen step, with no cleanup, no ``finally`` and no flush.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import time

import faiss
from tqdm.auto import tqdm

from assistant.index import store
from assistant.index.lexical import tokenize
from assistant.index.store import Index, build_index, open_index

tokenize("预热 warm up")  # load jieba's dictionary in the forkserver, once
tqdm.get_lock()  # and tqdm's lock, which a child killed at a step could not release

KILLED = 137  # the exit code of a child killed at its step (as a shell reports kill -9)

_real_open = builtins.open


def _writes(mode: str) -> bool:
    return any(c in mode for c in "wax+")


def install_steps(kill_at: int, record: list[str]) -> None:
    """Make every filesystem step a build takes (and its embedding calls) a numbered point;
    die at step ``kill_at`` (1-based) before it happens; 0 never dies, only records."""

    def step(name: str) -> None:
        record.append(name)
        if len(record) == kill_at:
            os._exit(KILLED)

    def wrap(module, attr: str) -> None:
        real = getattr(module, attr)

        def stepped(*args, **kwargs):
            where = "" if attr == "_embed" else os.path.basename(str(args[-1] if attr == "write_index" else args[0]))
            step(f"{attr} {where}".strip())
            return real(*args, **kwargs)

        setattr(module, attr, stepped)

    for attr in ("mkdir", "rename", "replace", "unlink", "rmdir"):
        wrap(os, attr)
    real_fsync = os.fsync

    def fsync(fd):
        step("fsync")
        return real_fsync(fd)

    os.fsync = fsync
    wrap(faiss, "write_index")
    wrap(store, "_embed")

    def opened(file, mode="r", *args, **kwargs):
        if _writes(mode):
            step(f"open {os.path.basename(str(file))}")
        return _real_open(file, mode, *args, **kwargs)

    builtins.open = io.open = opened


def build_killed_at(settings, kill_at: int, record_path: str | None = None) -> None:
    """Build (and save, and clean) the index for ``settings``, dying at step ``kill_at``; with
    ``record_path``, write there the list of the steps taken."""
    record: list[str] = []
    install_steps(kill_at, record)
    build_index(settings, progress=False, log=lambda *_: None)
    if record_path:
        with _real_open(record_path, "w", encoding="utf-8") as f:
            json.dump(record, f)


def _slow_embedding(started, seconds: float, release=None) -> None:
    """Make the build signal ``started`` when it begins embedding, then take ``seconds`` (or,
    with ``release``, wait until it is set, at most a minute)."""
    real = store._embed

    def slow(*args, **kwargs):
        started.set()
        if release is not None:
            release.wait(60)
        else:
            time.sleep(seconds)
        return real(*args, **kwargs)

    store._embed = slow


def build_logged(settings, log_path: str, started=None, seconds: float = 0.0, opening: bool = False,
                 release=None, said=None) -> None:
    """``index build`` (or, with ``opening``, what ``ask`` does: open, rebuilding if stale),
    its log lines written to ``log_path``; with ``started``, slowed while it holds the lock
    (see :func:`_slow_embedding`); ``said`` is set when the build logs its first line."""
    if started is not None:
        _slow_embedding(started, seconds, release)
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if said is not None:
            said.set()

    (open_index if opening else build_index)(settings, progress=False, log=log)
    with _real_open(log_path, "w", encoding="utf-8") as f:
        json.dump(lines, f, ensure_ascii=False)


def read_until(directory: str, stop, result_path: str) -> None:
    """Load the index over and over until ``stop`` is set; write how many loads worked and the
    errors of those that did not."""
    loaded, errors = 0, []
    while not stop.is_set():
        try:
            Index.load(directory)
            loaded += 1
        except Exception as exc:  # every failure is what the test looks for
            errors.append(f"{exc.__class__.__name__}: {exc}")
    with _real_open(result_path, "w", encoding="utf-8") as f:
        json.dump({"loaded": loaded, "errors": errors}, f, ensure_ascii=False)
