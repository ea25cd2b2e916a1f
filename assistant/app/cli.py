"""Command line: ``python -m assistant [chat|ask|index|eval|bench]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from html import escape
from pathlib import Path

from assistant.errors import AssistantError, IndexStateError, QuestionError
from assistant.settings import Settings


def _settings_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, help="folder of .md, .txt, .pdf, .docx and .html documents (default: corpus/)")
    p.add_argument("--index-root", type=Path, help="folder for built indexes (default: index/)")
    p.add_argument("--embedder", help="'use' (default), 'st:MODEL_NAME_OR_PATH' or 'hash'")
    p.add_argument("--chunk-size", type=int,
                   help=f"chunk target size in Chinese characters (default: {Settings.chunk_size})")
    p.add_argument("-k", "--k", type=int, help="passages to retrieve (default: 5)")
    p.add_argument("--backend", choices=("faiss", "milvus"),
                   help="where the searches run: 'faiss' (default) or 'milvus' (ASSISTANT_MILVUS_URI: a Milvus "
                        "Lite .db file or http://host:19530; default: a Lite file beside the index)")


def _settings(args) -> Settings:
    return Settings.from_env(corpus_dir=getattr(args, "corpus", None), index_root=getattr(args, "index_root", None),
                             embedder=getattr(args, "embedder", None), chunk_size=getattr(args, "chunk_size", None),
                             k=getattr(args, "k", None), backend=getattr(args, "backend", None))


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant",
                                     description="Bilingual question answering over policy papers, with citations.")
    sub = parser.add_subparsers(dest="command")

    chat = sub.add_parser("chat", help="start the chat in the browser (the default command)")
    _settings_args(chat)
    chat.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    chat.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")

    ask = sub.add_parser("ask", help="answer questions on the command line")
    _settings_args(ask)
    ask.add_argument("question", nargs="?", help="the question, in Chinese or English")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--questions", type=Path, help="JSONL file (a 'question' and optional 'id' per line) "
                                                     "or plain text (one question per line)")
    ask.add_argument("--out", type=Path, help="with --questions: write JSONL here (default: stdout)")

    index = sub.add_parser("index", help="build or inspect the index")
    index_sub = index.add_subparsers(dest="index_command")
    build = index_sub.add_parser("build", help="(re)build the index from the corpus")
    _settings_args(build)
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    info = index_sub.add_parser("info", help="show what the index holds and whether it is current")
    _settings_args(info)

    ev = sub.add_parser("eval", help="score answers and citations on a QA set")
    _settings_args(ev)
    ev.add_argument("--qa", type=Path, help="QA set (default: evals/qa.jsonl)")
    ev.add_argument("--predictions-out", type=Path, help="write the predictions JSONL here")
    ev.add_argument("--report", type=Path, help="report folder (default: evals/report)")
    ev.add_argument("--baselines", action="store_true", help="also score BM25-only, dense-only and a "
                                                            "tutorial LangChain pipeline")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ev.add_argument("--score-only", type=Path, metavar="PREDICTIONS",
                    help="score an existing predictions JSONL instead of running the assistant")
    ev.add_argument("--general", action="store_true",
                    help="run every question set under evals/general/ (each with its own corpus), scored by span")
    ev.add_argument("--general-root", type=Path, help="with --general: the folder of sets (default: evals/general)")
    ev.add_argument("--sets", nargs="+", metavar="NAME",
                    help="with --general: only these sets or suites (e.g. xquad-en or xquad-en/qa_zh)")
    ev.add_argument("--split", choices=("all", "dev", "test"), default="all",
                    help="with --general: the questions of one split only (default: all)")
    ev.add_argument("--limit", type=int, help="with --general: at most this many questions per suite, evenly spread")

    cal = sub.add_parser("calibrate", help="fit the answer model on dev questions: the general one "
                                           "(assistant/data/answer_model.json), or with --corpus and --qa one corpus's own")
    _settings_args(cal)
    cal.add_argument("--qa", type=Path, help="with --corpus: that corpus's dev questions (JSONL, the QA schema); "
                                             "writes DIR/answer_model.json")
    cal.add_argument("--general-root", type=Path, help="the folder of general sets (default: evals/general)")
    cal.add_argument("--no-paper", action="store_true",
                     help="leave the bundled corpus's dev set (evals/dev.jsonl) out of the general evidence model")
    cal.add_argument("--limit", type=int, help="at most this many dev questions per set, evenly spread")
    cal.add_argument("--ablate", action="store_true",
                     help="refit without each group of signals and print what each buys on the test sets "
                          "(writes evals/report/ablation.md; the model is not saved)")
    cal.add_argument("--target", type=float, default=0.04,
                     help="share of answerable dev questions each direction's threshold abstains on (default: 0.04)")
    cal.add_argument("--out", type=Path, help="where to write the model (default: assistant/data/answer_model.json, "
                                              "or DIR/answer_model.json with --corpus)")

    bench = sub.add_parser("bench", help="measure index build time and query latency")
    _settings_args(bench)
    bench.add_argument("--queries", type=int, default=200, help="warm queries to time (default: 200)")
    bench.add_argument("--ingest", nargs="?", const="1,4,16", metavar="MB,MB,…",
                       help="instead: time index builds of 1, 4 and 16 MB of text (or the sizes given) "
                            "with the hash embedder, beside jieba alone, with peak memory")
    bench.add_argument("--http", action="store_true",
                       help="instead: time the chat's ask endpoint over HTTP, one call at a time and 50 at once")
    bench.add_argument("--load", action="store_true",
                       help="instead: time a browser question idle and under load (50 /ask clients and 10 browser "
                            "sessions asking in a loop), checking every answer against its idle answer")
    bench.add_argument("--incremental", action="store_true",
                       help="instead: rebuild a 50-document corpus with one document added, changed and "
                            "removed, printing what each build embedded and reused")
    bench.add_argument("--scale", nargs="?", const="", metavar="N,N,…",
                       help="instead: build made corpora of 10^3, 10^4, 10^5 and 10^6 chunks (or the sizes given), "
                            "each in a fresh process: build time, query p50/p95, dense recall@10, memory, disk")
    bench.add_argument("--choose", action="store_true",
                       help="with --scale: measure flat, HNSW and IVF indexes (default at 10^4, 10^5 and 10^6 "
                            "chunks) and write the choice to assistant/data/vectors.json")
    return parser


def _safe(text: str) -> str:
    """Text that can be written as UTF-8 whatever it holds (a lone surrogate is shown escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _read_questions(path: Path) -> list[dict]:
    """One item per non-blank line of a questions file: ``{"line", "id", "question"}``, or for a
    line that cannot be read, ``{"line", "id", "error"}``. A ``.jsonl`` file holds a JSON object
    with a ``question`` and optional ``id`` per line; any other file one question per line (a line
    starting with ``{`` is read as JSON). A UTF-8 BOM is allowed."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise AssistantError(f"questions file {path} does not exist: check the path") from None
    except IsADirectoryError:
        raise AssistantError(f"questions file {path} is a folder: give a .jsonl or .txt file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read questions file {path}: {exc}") from None
    out = []
    jsonl = Path(path).suffix.lower() in (".jsonl", ".json")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if not jsonl and not line.lstrip().startswith("{"):
            out.append({"line": number, "id": None, "question": line.strip()})
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append({"line": number, "id": None, "error": f"{path}:{number}: not valid JSON ({exc.msg})"})
            continue
        qid = obj.get("id") if isinstance(obj, dict) else None
        qid = None if qid is None else _safe(str(qid))
        if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
            out.append({"line": number, "id": qid,
                        "error": f"{path}:{number}: expected a JSON object with a 'question' string"})
        else:
            out.append({"line": number, "id": qid, "question": obj["question"]})
    return out


def _output(path: Path | None):
    """The file answers go to (stdout without --out), checked before any question is asked."""
    if path is None:
        return sys.stdout
    path = Path(path)
    if path.is_dir():
        raise AssistantError(f"--out {path} is a folder: give a file name, e.g. {path / 'answers.jsonl'}")
    if not path.parent.is_dir():
        raise AssistantError(f"--out {path}: the folder {path.parent} does not exist; create it first")
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"cannot write --out {path} ({exc.strerror})") from None


def _print_answer(answer) -> None:
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            page = f" p. {c.page}" if c.page is not None else ""
            print(f"[{c.n}] {c.source}{page} chars {c.start}-{c.end} · {c.section}\n    {quote}")
    if answer.abstained:
        print(("Why: " if answer.lang == "en" else "原因：") + "; ".join(answer.reasons))
        print("\nClosest passages:" if answer.lang == "en" else "\n最接近的段落：")
        for p in answer.passages[:3]:
            print(f"  {p.rank}. ({p.score:.2f}) {p.chunk.section}: {' '.join(p.chunk.clean.split())[:120]}…")


def cmd_ask(args) -> int:
    from assistant.pipeline import Assistant

    if not args.question and not args.questions:
        raise AssistantError("give a question, e.g. python -m assistant ask \"长江全长多少公里？\", "
                             "or --questions FILE")
    items = _read_questions(args.questions) if args.questions else None
    out = _output(args.out) if args.questions else None
    bot = Assistant.load(_settings(args), log=_log)
    if items is None:
        answer = bot.ask(args.question)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _print_answer(answer)
        return 0
    failures = 0
    try:
        for item in items:
            record = {"id": item["id"], "line": item["line"], "error": item.get("error")}
            if "question" in item:
                try:
                    record = dict(bot.ask(item["question"], id=item["id"]).to_dict(), line=item["line"])
                except QuestionError as exc:
                    record = {"id": item["id"], "line": item["line"], "question": _safe(item["question"]),
                              "error": str(exc)}
            failures += "error" in record
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        if out is not sys.stdout:
            out.close()
    except OSError as exc:
        raise AssistantError(f"cannot write the answers to {args.out or 'stdout'} ({exc.strerror})") from None
    finally:
        if out is not sys.stdout and not out.closed:
            try:
                out.close()
            except OSError:
                pass
    if args.out:
        _log(f"Wrote {len(items)} records to {args.out}" + (f" ({failures} with an error)" if failures else ""))
    if failures:
        _log(f"error: {failures} of {len(items)} lines could not be answered; their records say why "
             "(an 'error' field with the line number)")
        return 2
    return 0


def cmd_index(args) -> int:
    from assistant.index.store import Index, build_index

    settings = _settings(args)
    if args.index_command == "build":
        build_index(settings, progress=not args.quiet, log=_log)
        return 0
    if args.index_command == "info":
        index = Index.load(settings.index_dir)
        m = index.manifest
        print(json.dumps({k: m.get(k) for k in ("embedder_id", "dim", "chunker", "counts", "built_at", "corpus_dir")},
                         ensure_ascii=False, indent=2))
        print("backend: " + _backend_line(settings, index))
        reason = index.stale_reason(settings)
        print("status: " + (f"stale ({reason})" if reason else "current"))
        return 0
    raise AssistantError("say what to do: python -m assistant index build | index info")


def _backend_line(settings: Settings, index) -> str:
    """The search backend, and for Milvus where it is and whether it holds this index."""
    if settings.backend != "milvus":
        return "faiss (the index's own files)"
    from assistant.retrieve.milvus import holds

    return holds(index, settings)


START_REFRESH = 2  # seconds between the start page's looks at the build


class StartPage:
    """While the index is built, a page on the chat's own address saying so, with the build's steps
    and progress bars, looking again every ``START_REFRESH`` seconds until the chat answers there.

    >>> with StartPage("127.0.0.1", 7860) as page:                          # doctest: +SKIP
    ...     index = open_index(settings, log=page.log)

    It lives here, not beside the chat, so that it is up before gradio is imported (~7 s).
    """

    def __init__(self, host: str, port: int):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # any path: the chat's own (/, /config, …) are not there yet
                from assistant.app.rest import PATH

                if self.path.split("?")[0] == PATH:  # a program gets JSON it can read, not the page
                    body, kind = json.dumps({"error": "the index is still being built; ask again in a few "
                                             "seconds"}).encode("utf-8"), "application/json"
                else:
                    body, kind = page.html().encode("utf-8"), "text/html; charset=utf-8"
                self.send_response(503)  # a client that polls (or a proxy) knows to come back
                self.send_header("Retry-After", str(START_REFRESH))
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # /api/ask is posted to

            def log_message(self, *args):  # the terminal shows the build, not each refresh
                pass

        self.started, self.lines = time.monotonic(), []
        try:
            self.server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise AssistantError(f"cannot serve on {host}:{port} ({exc.strerror}): stop what listens there, "
                                 "or give another --port") from None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StartPage":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()  # the port is free for the chat at once

    def log(self, message: str) -> None:
        """A build message: on the page and in the terminal."""
        self.lines.append(str(message))
        print(message, flush=True)

    def html(self) -> str:
        """The page: what is being done, each running progress bar, the time so far."""
        from tqdm.std import tqdm

        from assistant.app.render import LABELS, label

        bars = [(b.desc, b.n, b.total) for b in list(tqdm._instances) if b.total]
        rows = "".join(f'<li>{escape(desc)}: {n}/{total} ({100 * n // total}%)'
                       f'<progress max="{total}" value="{n}"></progress></li>' for desc, n, total in bars)
        lines = "".join(f"<li>{escape(line)}</li>" for line in self.lines[-5:])
        # A script that looks again, and goes to the chat once it answers (a refresh that fell in
        # the moment between this page and the chat would show an error and stop); without
        # scripts, the page refreshes itself.
        return f"""<!doctype html><html><head><meta charset="utf-8">
<noscript><meta http-equiv="refresh" content="{START_REFRESH}"></noscript><title>{escape(label("starting"))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6}}
progress{{display:block;width:100%}}ul{{padding-left:1.1rem}}.t{{color:#666}}</style></head><body>
<h1>{escape(label("starting"))}</h1><p>{escape(LABELS["starting_help"][0])}<br>{escape(LABELS["starting_help"][1])}</p>
<ul id="bars">{rows}</ul><ul class="t">{lines}</ul>
<p class="t">{round(time.monotonic() - self.started)} s</p>
<script>setInterval(() => fetch(location.href, {{cache: "no-store"}}).then((r) => {{
  if (r.status !== 503) location.reload(); else r.text().then((t) => {{
    document.body.innerHTML = new DOMParser().parseFromString(t, "text/html").body.innerHTML; }});
}}).catch(() => {{}}), {START_REFRESH * 1000});</script></body></html>"""


def serve_chat(settings: Settings, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Load the Assistant once and serve the chat, until interrupted or (``block=False``) in the
    background. When the index must be built first, ``StartPage`` answers on ``host:port``
    meanwhile, until the chat is ready to take its place.

    Returns:
        the running app (with ``block=False``; call its ``close()``).
    """
    from contextlib import nullcontext

    from assistant.index.store import open_index

    try:
        index, page = open_index(settings, rebuild=False), nullcontext()
    except IndexStateError:  # open_index says why as it builds
        index, page = None, StartPage(host, port)
    with page:
        if index is None:
            print(f"Until the index is built, http://{host}:{port} shows its progress.", flush=True)
            index = open_index(settings, log=page.log)
            page.log("The index is ready; starting the chat…")
        from assistant.app.chat import build_app, launch_app  # gradio: seconds, with the page still up
        from assistant.pipeline import Assistant

        app = build_app(Assistant(index, settings))
    print(f"Chat running on http://{host}:{port}  (Ctrl+C to stop)", flush=True)
    launch_app(app, host, port, quiet=True, prevent_thread_lock=not block)
    return app


def cmd_chat(args) -> int:
    serve_chat(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from assistant.evaluation.run import run_eval

    return run_eval(args, _settings(args))


def cmd_calibrate(args) -> int:
    from assistant.evaluation.calibrate import run_calibrate

    return run_calibrate(args, _settings(args))


def cmd_bench(args) -> int:
    from assistant.app.bench import run_bench, run_http_bench, run_incremental_bench, run_ingest_bench

    if args.scale is not None or args.choose:
        from assistant.app.scale import parse_sizes, run_scale

        return run_scale(parse_sizes(args.scale) if args.scale else None, choose_index=args.choose,
                         embedder=_settings(args).embedder, queries=args.queries)
    if args.incremental:
        return run_incremental_bench(_settings(args))
    if args.http:
        return run_http_bench(_settings(args))
    if args.load:
        from assistant.app.loadbench import run_load_bench

        return run_load_bench(_settings(args))

    if args.ingest:
        try:
            sizes = [float(x) for x in args.ingest.split(",") if x.strip()]
        except ValueError:
            raise AssistantError(f"--ingest {args.ingest!r}: give sizes in MB, e.g. --ingest 1,4,16") from None
        if not sizes or any(not 0 < x <= 1000 for x in sizes):
            raise AssistantError(f"--ingest {args.ingest!r}: sizes must be from 0 to 1000 MB")
        return run_ingest_bench(sizes)
    return run_bench(_settings(args), queries=args.queries)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["chat", *argv]
    args = parser.parse_args(argv)
    handlers = {"chat": cmd_chat, "ask": cmd_ask, "index": cmd_index, "eval": cmd_eval, "calibrate": cmd_calibrate,
                "bench": cmd_bench}
    try:
        return handlers[args.command](args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
