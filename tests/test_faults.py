"""Fault injection: builds killed at every filesystem step, builders racing each other and a
reader, a disk that fills, a corpus edited while it is indexed.

After every fault the index folder must hold an index that loads and answers as before the
build or as after it (never neither), it must be called current only for text that was indexed,
and the next build must leave nothing behind.
"""

from __future__ import annotations

import errno
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import faiss
import pytest

from assistant import Assistant
from assistant.errors import AssistantError
from assistant.index.disk import LOCK, POINTER, TMP_PREFIX, VERSION_PREFIX, IndexFolder
from assistant.index.store import Index, build_index

import fault_child
from samples import ROOT

QUESTIONS = ["长江全长多少公里？", "How much cargo did the main ports handle in 2020?", "黄河入海口的湿地面积怎样了？"]
EDITED = ("长江全长约 6300 公里", "长江全长约 6397 公里")
ADDED = "# 珠江\n\n珠江全长 2320 公里，是中国南方最大的河流。\n"


def quiet(*_):
    pass


@pytest.fixture(scope="module")
def ctx():
    """Children forked from a server that imported fault_child once (fork-safe, fast)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["fault_child"])
    return context


def run(ctx, target, *args, timeout: float = 120) -> int:
    child = ctx.Process(target=target, args=args)
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        pytest.fail(f"{target.__name__}{args[1:]} did not finish in {timeout} s")
    return child.exitcode


def snapshot(index: Index, settings) -> dict:
    """What a reader sees of an index: its documents and its answers."""
    bot = Assistant(index, settings)
    return {"documents": index.documents,
            "answers": [(a.text, [(c.source, c.start, c.end) for c in a.citations])
                        for a in map(bot.ask, QUESTIONS)]}


def edit_corpus(corpus: Path) -> None:
    small = corpus / "small.md"
    small.write_text(small.read_text(encoding="utf-8").replace(*EDITED), encoding="utf-8")
    (corpus / "zhujiang.md").write_text(ADDED, encoding="utf-8")


def assert_clean_after_next_build(settings) -> None:
    """Build once more, normally: what a crash left is gone, and the index is current."""
    build_index(settings, progress=False, log=quiet)
    names = sorted(p.name for p in settings.index_dir.iterdir())
    versions = [n for n in names if n.startswith(VERSION_PREFIX)]
    assert set(names) - set(versions) <= {POINTER, LOCK}, names
    assert 1 <= len(versions) <= 2, names
    assert not list(settings.index_dir.parent.glob(f".{settings.index_dir.name}.*"))  # the old save's leftovers
    assert Index.load(settings.index_dir).stale_reason(settings) is None


@pytest.fixture
def before_after(fake_settings, tmp_path):
    """An index of the corpus as it was (the folder to restore before each fault), the corpus
    edited since, and what a reader sees before and after a rebuild."""
    for _ in range(2):  # a current version and the one before it, which the next build removes
        build_index(fake_settings, progress=False, log=quiet)
    assert len(list(fake_settings.index_dir.glob(f"{VERSION_PREFIX}*"))) == 2
    before = snapshot(Index.load(fake_settings.index_dir), fake_settings)
    pristine = tmp_path / "pristine"
    shutil.copytree(fake_settings.index_dir, pristine)
    edit_corpus(fake_settings.corpus_dir)
    after = snapshot(Index.build(fake_settings, progress=False), fake_settings)
    assert before != after  # the faults below must be able to tell them apart

    def restore():
        shutil.rmtree(fake_settings.index_dir)
        shutil.copytree(pristine, fake_settings.index_dir)

    return fake_settings, before, after, restore


def test_a_build_killed_at_any_step_leaves_the_old_or_the_new_index(ctx, before_after, tmp_path):
    settings, before, after, restore = before_after
    record = tmp_path / "steps.json"
    restore()
    assert run(ctx, fault_child.build_killed_at, settings, 0, str(record)) == 0
    steps = json.loads(record.read_text(encoding="utf-8"))
    # Reading the corpus and embedding, each file written, synced and renamed, the pointer
    # replaced, the old version removed file by file: dozens of points to die at.
    assert len(steps) >= 30 and any(s.startswith("replace") for s in steps), steps
    print(f"{len(steps)} steps:", ", ".join(steps))
    outcomes = {}
    for k in range(1, len(steps) + 1):
        restore()
        assert run(ctx, fault_child.build_killed_at, settings, k) == fault_child.KILLED, f"step {k}: {steps[k - 1]}"
        index = Index.load(settings.index_dir)  # never neither: this must not raise
        seen = snapshot(index, settings)
        assert seen in (before, after), f"killed at step {k} ({steps[k - 1]}): an index that is neither"
        outcomes[k] = "after" if seen == after else "before"
        stale = index.stale_reason(settings)
        # Current only for text that was indexed: the old index knows the corpus changed.
        assert (stale is None) == (outcomes[k] == "after"), f"step {k}: stale_reason {stale!r}"
        assert_clean_after_next_build(settings)
    # Dying before the pointer moves keeps the old index; after it, the new one.
    pointer = next(k for k, s in enumerate(steps, 1) if s.startswith("replace"))
    assert {outcomes[k] for k in outcomes if k <= pointer} == {"before"}
    assert {outcomes[k] for k in outcomes if k > pointer} == {"after"}


def test_a_write_failing_at_any_step_keeps_the_previous_index(before_after, monkeypatch):
    # Every write, sync and pointer replacement of a save fails in turn, as a full disk or an
    # I/O error would fail it: the build reports it in one line and the old index stays.
    settings, before, after, restore = before_after
    built = Index.build(settings, progress=False)
    real = {"open": io.open, "write_index": faiss.write_index, "fsync": os.fsync, "replace": os.replace}
    calls = []

    def failing(name):
        def call(*args, **kwargs):
            if name == "open" and not fault_child._writes(args[1] if len(args) > 1 else kwargs.get("mode", "r")):
                return real[name](*args, **kwargs)
            calls.append(name)
            if len(calls) == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real[name](*args, **kwargs)
        return call

    monkeypatch.setattr("builtins.open", failing("open"))
    monkeypatch.setattr(io, "open", failing("open"))
    monkeypatch.setattr(faiss, "write_index", failing("write_index"))
    monkeypatch.setattr(os, "fsync", failing("fsync"))
    monkeypatch.setattr(os, "replace", failing("replace"))
    fail_at = 0
    restore()
    calls.clear()
    built.save(settings.index_dir)
    # Up to the pointer's replacement; a failure after it (syncing the folder) is not one the
    # new index can be undone for, and the save does not report it.
    total = len(calls) - calls[::-1].index("replace")
    assert total >= 12, calls
    for k in range(1, total + 1):
        fail_at = 0
        restore()
        versions = sorted(p.name for p in settings.index_dir.glob(f"{VERSION_PREFIX}*"))
        calls.clear()
        fail_at = k
        with pytest.raises(AssistantError, match=r"No space left on device.*previous index is untouched"):
            built.save(settings.index_dir)
        fail_at = 0
        assert snapshot(Index.load(settings.index_dir), settings) == before, f"failed at {calls[-1]} ({k})"
        leftovers = [p.name for p in settings.index_dir.iterdir() if p.name.startswith(TMP_PREFIX)]
        assert leftovers == [] and sorted(p.name for p in settings.index_dir.glob(f"{VERSION_PREFIX}*")) == versions


def test_two_builders_and_a_reader_at_once(ctx, before_after, tmp_path):
    settings, before, after, restore = before_after
    restore()
    stop, started, release, said = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Event()
    reader = ctx.Process(target=fault_child.read_until, args=(str(settings.index_dir), stop, str(tmp_path / "r.json")))
    reader.start()
    first = ctx.Process(target=fault_child.build_logged, args=(settings, str(tmp_path / "1.json"), started, 0.0),
                        kwargs={"release": release})
    first.start()
    assert started.wait(60), "the first builder never began embedding"
    # The second builder arrives while the first holds the lock and is embedding; the first
    # goes on once the second has said it waits (however slowly a loaded machine starts it).
    second = ctx.Process(target=fault_child.build_logged, args=(settings, str(tmp_path / "2.json")),
                         kwargs={"said": said})
    second.start()
    said.wait(60)
    release.set()
    for p in (first, second):
        p.join(120)
    stop.set()
    reader.join(60)
    assert (first.exitcode, second.exitcode, reader.exitcode) == (0, 0, 0)
    log2 = json.loads((tmp_path / "2.json").read_text(encoding="utf-8"))
    assert any("Another process is building" in line for line in log2), log2
    read = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    # Readers never saw a missing or broken index while two builds replaced it.
    assert read["loaded"] > 0 and read["errors"] == [], read["errors"][:3]
    assert snapshot(Index.load(settings.index_dir), settings) == after
    assert_clean_after_next_build(settings)


def test_two_readers_finding_a_stale_index_build_it_once(ctx, before_after, tmp_path):
    settings, before, after, restore = before_after
    restore()
    started = ctx.Event()
    first = ctx.Process(target=fault_child.build_logged, args=(settings, str(tmp_path / "1.json"), started, 1.0, True))
    first.start()
    assert started.wait(60)
    second = ctx.Process(target=fault_child.build_logged, args=(settings, str(tmp_path / "2.json"), None, 0, True))
    second.start()
    for p in (first, second):
        p.join(120)
    assert (first.exitcode, second.exitcode) == (0, 0)
    logs = [json.loads((tmp_path / f"{i}.json").read_text(encoding="utf-8")) for i in (1, 2)]
    built = [line for log in logs for line in log if line.startswith("Indexed")]
    assert len(built) == 1, logs  # the second waited and used what the first built
    assert snapshot(Index.load(settings.index_dir), settings) == after


def test_a_corpus_edited_while_it_is_indexed_is_stale_not_current(ctx, fake_settings, tmp_path):
    # Another process edits one file and adds one while the build embeds: the index holds the
    # text as it was read and says it is stale; opening it again indexes the edit.
    started = ctx.Event()
    builder = ctx.Process(target=fault_child.build_logged, args=(fake_settings, str(tmp_path / "b.json"), started, 1.0))
    builder.start()
    assert started.wait(60)
    edit_corpus(fake_settings.corpus_dir)
    builder.join(120)
    assert builder.exitcode == 0
    index = Index.load(fake_settings.index_dir)
    assert EDITED[0] in index.documents["small.md"] and "zhujiang.md" not in index.documents
    assert "changed since the index was built" in (index.stale_reason(fake_settings) or "")
    from assistant.index.store import open_index

    reopened = open_index(fake_settings, progress=False, log=quiet)
    assert EDITED[1] in reopened.documents["small.md"] and "zhujiang.md" in reopened.documents
    assert reopened.stale_reason(fake_settings) is None


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB filesystem (tmpfs), where this machine lets us mount one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small filesystem needs root (the write-failure test covers a full disk without it)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the filesystem until ``leave`` bytes are free."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(disk)
    size = max(0, st.f_bavail * st.f_frsize - leave)
    with open(filler, "wb") as f:
        f.truncate(0)
        f.write(b"\0" * size)
    return filler


def test_a_full_disk_keeps_the_previous_index(small_disk, small_corpus):
    from assistant.settings import Settings

    settings = Settings(corpus_dir=small_corpus, index_root=small_disk / "index", embedder="hash")
    build_index(settings, progress=False, log=quiet)
    before = snapshot(Index.load(settings.index_dir), settings)
    size = sum(p.stat().st_size for p in IndexFolder(settings.index_dir).current().iterdir())
    edit_corpus(small_corpus)
    for leave in (0, size // 4, size // 2, 3 * size // 4):
        fill(small_disk, leave)
        with pytest.raises(AssistantError, match="No space left on device"):
            build_index(settings, progress=False, log=quiet)
        assert snapshot(Index.load(settings.index_dir), settings) == before, f"{leave} bytes free"
        assert not [p for p in settings.index_dir.iterdir() if p.name.startswith(TMP_PREFIX)]
    # On the command line: one line on stderr, exit 2, and the old index still answers.
    fill(small_disk, 0)
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-m", "assistant", "index", "build", "--corpus", str(small_corpus),
                           "--index-root", str(settings.index_root), "--embedder", "hash"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "No space left on device" in errors[0], done.stderr
    assert snapshot(Index.load(settings.index_dir), settings) == before
    # Space again: the next build succeeds and leaves nothing behind.
    (small_disk / "filler").unlink()
    assert_clean_after_next_build(settings)
