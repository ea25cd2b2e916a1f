"""The command line as a user runs it: real subprocesses, exit codes, no tracebacks."""

import json
import os
import subprocess
import sys

import pytest

from samples import ROOT


def run(args, env_extra, tmp_path, input_text=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **env_extra}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=300, input=input_text)


@pytest.fixture
def env(fake_settings):
    return {"ASSISTANT_EMBEDDER": "hash", "ASSISTANT_CORPUS_DIR": str(fake_settings.corpus_dir),
            "ASSISTANT_INDEX_ROOT": str(fake_settings.index_root), "PYTHONPATH": str(ROOT)}


def test_ask_prints_answer_and_citations(env, tmp_path):
    r = run(["ask", "2020年长江干线港口货物吞吐量达到多少？"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "12000" in r.stdout and "[1]" in r.stdout and "small.md chars" in r.stdout
    assert "building it now" in r.stderr  # first use builds the index, and says so


def test_ask_json_schema(env, tmp_path):
    r = run(["ask", "--json", "三峡大坝建设到了什么阶段？"], env, tmp_path)
    d = json.loads(r.stdout)
    assert d["lang"] == "zh" and d["citations"] and len(d["passages"]) <= 5
    assert d["citations"][0]["quote"] in (tmp_path / "corpus" / "small.md").read_text(encoding="utf-8")


def test_ask_questions_file(env, tmp_path):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text('{"id": "a", "question": "三峡大坝建设到了什么阶段？"}\n{"question": ""}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run(["ask", "--questions", str(qfile), "--out", str(out)], env, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["citations"]
    assert "empty" in rows[1]["error"]
    plain = tmp_path / "q.txt"
    plain.write_text("三峡大坝建设到了什么阶段？\nHow long is the Yangtze?\n", encoding="utf-8")
    r = run(["ask", "--questions", str(plain)], env, tmp_path)
    assert [json.loads(x)["lang"] for x in r.stdout.splitlines()] == ["zh", "en"]


@pytest.mark.parametrize("args, message", [
    (["ask", ""], "give a question"),
    (["ask", "   "], "empty"),
    (["ask", "x" * 2100], "limit is 2000"),
    (["ask", "Combien de trains sont partis en 2025 ?"], "only Chinese and English"),
    (["ask", "--corpus", "/nonexistent/folder", "问题？"], "does not exist"),
    (["ask", "--embedder", "bogus", "问题？"], "unknown embedder"),
])
def test_bad_input_exits_nonzero_without_traceback(env, tmp_path, args, message):
    r = run(args, env, tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_empty_corpus_folder(env, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run(["index", "build", "--corpus", str(empty)], env, tmp_path)
    assert r.returncode == 2 and "no .md or .txt files" in r.stderr and "Traceback" not in r.stderr


def test_index_build_and_info(env, tmp_path):
    r = run(["index", "build", "--quiet"], env, tmp_path)
    assert r.returncode == 0 and "chunks" in r.stderr
    r = run(["index", "info"], env, tmp_path)
    assert r.returncode == 0 and "status: current" in r.stdout


def test_failed_build_keeps_the_old_index(env, tmp_path, fake_settings):
    assert run(["index", "build", "--quiet"], env, tmp_path).returncode == 0
    manifest = fake_settings.index_dir / "manifest.json"
    before = manifest.read_text(encoding="utf-8")
    (fake_settings.corpus_dir / "broken.md").write_bytes(b"\xff\xfe\xfa not text")
    r = run(["index", "build", "--quiet"], env, tmp_path)
    assert r.returncode == 2 and "broken.md" in r.stderr
    assert manifest.read_text(encoding="utf-8") == before
