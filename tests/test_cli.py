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
    assert r.returncode == 2 and "1 of 2 lines" in r.stderr and "Traceback" not in r.stderr
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
    assert r.returncode == 2 and "no .md, .txt, .pdf, .docx or .html files" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("command", [["index", "build"], ["ask", "长江有多长？"]])
@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_a_corpus_with_nothing_to_index_is_refused_before_any_build(env, tmp_path, command, folder):
    corpus = tmp_path / folder
    if folder == "empty":
        corpus.mkdir()
    root = tmp_path / "fresh-index"
    r = run([*command, "--corpus", str(corpus)], {**env, "ASSISTANT_INDEX_ROOT": str(root)}, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert ("does not exist" if folder == "missing" else "no .md, .txt") in r.stderr, r.stderr
    assert "building it now" not in r.stderr, r.stderr  # no promise of a build that cannot happen
    assert not root.exists() or not any(p.is_dir() and not any(p.rglob("*.json")) for p in root.rglob("*")), \
        "an empty index folder was left behind"


def test_a_corrupt_index_is_rebuilt_with_its_whole_reason_said(env, tmp_path, fake_settings):
    assert run(["index", "build", "--quiet"], env, tmp_path).returncode == 0
    (manifest,) = fake_settings.index_root.rglob("manifest.json")
    manifest.write_text("{not json", encoding="utf-8")
    r = run(["ask", "长江有多长？"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stderr.splitlines() if "building it now" in ln)
    assert "(JSONDecodeError: " in line and line.count("(") == line.count(")"), line


def test_index_build_and_info(env, tmp_path):
    r = run(["index", "build", "--quiet"], env, tmp_path)
    assert r.returncode == 0 and "chunks" in r.stderr
    r = run(["index", "info"], env, tmp_path)
    assert r.returncode == 0 and "status: current" in r.stdout


def test_failed_build_keeps_the_old_index(env, tmp_path, fake_settings):
    from assistant.index.disk import IndexFolder

    assert run(["index", "build", "--quiet"], env, tmp_path).returncode == 0
    manifest = IndexFolder(fake_settings.index_dir).current() / "manifest.json"
    before = manifest.read_text(encoding="utf-8")
    # One bad file is skipped with a warning naming it; the rest is indexed.
    (fake_settings.corpus_dir / "broken.md").write_bytes(b"\xff\xfe\xfa not text")
    r = run(["index", "build", "--quiet"], env, tmp_path)
    assert r.returncode == 0 and "broken.md" in r.stderr and "cannot decode" in r.stderr
    # A build that fails (nothing readable is left) keeps the index that was there.
    manifest = IndexFolder(fake_settings.index_dir).current() / "manifest.json"
    before = manifest.read_text(encoding="utf-8")
    (fake_settings.corpus_dir / "small.md").write_bytes(b"\x00\x01\x02")
    r = run(["index", "build", "--quiet"], env, tmp_path)
    assert r.returncode == 2 and "no readable document" in r.stderr and "Traceback" not in r.stderr
    assert (IndexFolder(fake_settings.index_dir).current() / "manifest.json").read_text(encoding="utf-8") == before


def test_batch_answers_every_good_line(env, tmp_path):
    """A BOM, a malformed line and a lone surrogate cost only their own lines."""
    qfile = tmp_path / "q.jsonl"
    lines = ['{"id": "a", "question": "三峡大坝建设到了什么阶段？"}', '{"id": "b", "question": ',
             '{"id": "c", "question": "\\ud800"}', '["not", "an", "object"]', '{"id": "d", "question": 7}',
             "", '{"id": "e", "question": "How long is the Yangtze?"}']
    qfile.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n")
    out = tmp_path / "out.jsonl"
    r = run(["ask", "--questions", str(qfile), "--out", str(out)], env, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "4 of 6 lines" in r.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["a", None, "c", None, "d", "e"]
    assert [row["line"] for row in rows] == [1, 2, 3, 4, 5, 7]
    good = [row for row in rows if "error" not in row]
    assert [row["id"] for row in good] == ["a", "e"] and all(row["citations"] for row in good)
    bad = {row["line"]: row["error"] for row in rows if "error" in row}
    assert "not valid JSON" in bad[2] and "'question' string" in bad[4] and "'question' string" in bad[5]
    assert "U+D800" in bad[3]  # the lone surrogate is refused with a message, not a crash


@pytest.mark.parametrize("where, message", [
    ("folder", "is a folder"), ("missing/out.jsonl", "does not exist"), ("/dev/full", "cannot write")])
def test_out_that_cannot_be_written(env, tmp_path, where, message):
    qfile = tmp_path / "q.txt"
    qfile.write_text("三峡大坝建设到了什么阶段？\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    target = where if where.startswith("/") else str(tmp_path / where)
    r = run(["ask", "--questions", str(qfile), "--out", target], env, tmp_path)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()[-1]) < 300


@pytest.mark.parametrize("variable, value, message", [
    ("ASSISTANT_K", "0", "ASSISTANT_K"), ("ASSISTANT_K", "-3", "from 1 to 100"),
    ("ASSISTANT_K", "two", "ASSISTANT_K='two'"), ("ASSISTANT_DENSE_WEIGHT", "nan", "from 0 to 1"),
    ("ASSISTANT_DENSE_WEIGHT", "1.5", "ASSISTANT_DENSE_WEIGHT"), ("ASSISTANT_CHUNK_SIZE", "0", "from 20 to 5000"),
    ("ASSISTANT_CHUNK_SIZE", "-5", "ASSISTANT_CHUNK_SIZE"), ("ASSISTANT_EMBEDDER", "hash:0", "from 8 to 4096"),
    ("ASSISTANT_EMBEDDER", " ", "is empty"), ("ASSISTANT_INDEX_ROOT", "FILE", "is a file"),
])
def test_bad_settings_give_one_line(env, tmp_path, variable, value, message):
    if value == "FILE":
        value = str(tmp_path / "a-file")
        (tmp_path / "a-file").write_text("x", encoding="utf-8")
    r = run(["ask", "三峡大坝建设到了什么阶段？"], dict(env, **{variable: value}), tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize("manifest", ["[]", "null", "{}", "not json", "DROP chunker"])
def test_a_broken_manifest_is_rebuilt(env, tmp_path, fake_settings, manifest):
    from assistant.index.disk import IndexFolder

    assert run(["index", "build", "--quiet"], env, tmp_path).returncode == 0
    path = IndexFolder(fake_settings.index_dir).current() / "manifest.json"
    if manifest == "DROP chunker":
        data = json.loads(path.read_text(encoding="utf-8"))
        del data["chunker"]
        manifest = json.dumps(data)
    path.write_text(manifest, encoding="utf-8")
    r = run(["index", "info"], env, tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "index build" in r.stderr
    r = run(["ask", "三峡大坝建设到了什么阶段？"], env, tmp_path)
    assert r.returncode == 0 and "building it now" in r.stderr and "[1]" in r.stdout, r.stderr
    assert run(["index", "info"], env, tmp_path).stdout.strip().endswith("status: current")


def test_bench_ingest_prints_build_beside_jieba_per_size(env, tmp_path):
    r = run(["bench", "--ingest", "0.05,0.2"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [line.split("|")[1:-1] for line in r.stdout.splitlines() if line.startswith("| 0.")]
    assert len(rows) == 2, r.stdout
    for row in rows:
        build, jieba = (float(row[i].strip().rstrip(" s")) for i in (3, 4))
        assert build > 0 and jieba > 0 and row[8].strip().endswith(")")  # peak RSS with the idle figure
    assert int(rows[1][1]) > int(rows[0][1])  # more text, more sentences
    bad = run(["bench", "--ingest", "lots"], env, tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "give sizes in MB" in bad.stderr


def test_bench_incremental_embeds_only_the_changed_document(env, tmp_path):
    r = run(["bench", "--incremental"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = {cells[0]: cells for cells in ([c.strip() for c in line.split("|")[1:-1]] for line in r.stdout.splitlines()
                                          if line.startswith("| ") and not line.startswith("| build |"))
            if cells[0] != "---"}
    embedded = {name: int(cells[3]) for name, cells in rows.items()}
    assert embedded["rebuild, nothing changed"] == 0 == embedded["one document removed"], r.stdout
    assert 0 < embedded["one document added"] < embedded["build from nothing"] / 20, r.stdout
    assert rows["build from nothing"][1] == "50" and rows["one document added"][2] == "1 / 0 / 0 / 50"


def test_bench_prints_latency_and_the_build_beside_the_encoder(env, tmp_path):
    r = run(["bench", "--queries", "20"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = dict(line.split(" | ", 1) for line in (line.strip("| ") for line in r.stdout.splitlines())
                if " | " in line)
    encoder = float(rows[next(k for k in rows if k.startswith("encoder alone"))].split()[0])
    build = rows[next(k for k in rows if k.startswith("index build, texts embedded"))]
    assert encoder > 0 and float(build.split()[0]) > 0 and "% of the encoder alone" in build
    assert float(rows[next(k for k in rows if k.startswith("warm query (retrieve"))].split()[0]) > 0


def test_bench_http_times_both_ask_endpoints_one_at_a_time_and_together(env, tmp_path):
    r = run(["bench", "--http"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    rows = {line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
            for line in r.stdout.splitlines() if line.startswith("| /api/ask") or line.startswith("| Gradio")}
    assert set(rows) == {"/api/ask", "Gradio's ask API (/gradio_api/call/ask)"}
    for one, together, ratio, wall in rows.values():
        p50, p95 = (float(x.replace("ms", "")) for x in one.split("/"))
        assert 0 < p50 <= p95 and float(together.split("/")[0]) > 0
        assert ratio.endswith("x") and float(ratio[:-1]) > 0 and "per second" in wall
