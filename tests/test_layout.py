"""The package's folders read as the data flow, and no import runs back up a stage."""

import ast

from samples import ROOT

# Each stage may import only from itself and the stages before it (errors and settings are
# shared by all). app/ is the top: the command line dispatches to evaluation/.
STAGES = ["errors", "settings", "language", "ingest", "index", "question", "retrieve", "answer", "pipeline",
          "evaluation", "app"]
# The one edge the public API needs: Assistant.as_langchain_retriever() returns the adapter
# that lives with the other framework code, imported when called.
ALLOWED = {("pipeline", "app.langchain")}


def _stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant."):
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("assistant."))


def test_no_import_runs_back_up_a_stage():
    package = ROOT / "assistant"
    wrong = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[0] in ("__init__", "__main__"):
            continue
        here = parts[0]
        for module in _imports(path):
            there = _stage(module)
            edge = (here, ".".join(module.split(".")[1:3]))
            if STAGES.index(there) > STAGES.index(here) and edge not in ALLOWED:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, wrong


def test_the_stages_are_folders_and_gradio_and_langchain_each_live_in_one_module():
    package = ROOT / "assistant"
    assert {p.name for p in package.iterdir() if p.is_dir() and not p.name.startswith("__")} >= {
        "language", "ingest", "index", "question", "retrieve", "answer", "app", "evaluation"}
    users = {dep: sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                         if any(m == dep or m.startswith(dep + ".") for m in _all_imports(p)))
             for dep in ("gradio", "langchain_core")}
    assert users["gradio"] == ["app/chat.py"]
    assert users["langchain_core"] in (["app/langchain.py"], ["app/langchain.py", "evaluation/baselines.py"])


def _all_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
