"""QA sets and predictions files: read JSONL, check every field, name the bad line."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.errors import AssistantError, read_lines

LANGS = ("zh", "en")
TYPES = ("fact", "number", "date", "list", "definition", "multi", "abstract", "unanswerable")
FIELDS = {"id": str, "lang": str, "question": str, "answer": str, "evidence": list, "answerable": bool}
# Optional: 'type' (one of TYPES); the gold answer's place, source (a file of the corpus) with
# start/end character offsets into it; and split ('dev' or 'test', see evals/general/README.md).
SPLITS = ("dev", "test")


def _read_jsonl(path: Path, what: str) -> list[tuple[int, dict]]:
    """(line number, object) for every non-blank line of a JSONL file."""
    rows = []
    for number, line in read_lines(path, what):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise AssistantError(f"{path}:{number}: expected a JSON object, got {type(obj).__name__}")
        rows.append((number, obj))
    if not rows:
        raise AssistantError(f"{what} file {path} is empty: it needs one JSON object per line")
    return rows


def check_qa_record(obj: dict, where: str) -> dict:
    """Check one QA record's fields and their consistency.

    Args:
        obj: the parsed JSON object.
        where: ``file:line``, for the error message.

    Returns:
        The record, unchanged.

    Raises:
        AssistantError: naming ``where`` and the bad field.
    """
    for name, kind in FIELDS.items():
        if name not in obj:
            raise AssistantError(f"{where}: field {name!r} is missing")
        if not isinstance(obj[name], kind):
            raise AssistantError(f"{where}: field {name!r} must be a {kind.__name__}, "
                                 f"got {type(obj[name]).__name__} {obj[name]!r}")
    if not obj["id"].strip() or not obj["question"].strip():
        raise AssistantError(f"{where}: fields 'id' and 'question' must not be empty")
    if obj["lang"] not in LANGS:
        raise AssistantError(f"{where}: field 'lang' is {obj['lang']!r}; use one of {', '.join(LANGS)}")
    if "type" in obj and obj["type"] not in TYPES:
        raise AssistantError(f"{where}: field 'type' is {obj['type']!r}; use one of {', '.join(TYPES)}")
    if not all(isinstance(e, str) and e.strip() for e in obj["evidence"]):
        raise AssistantError(f"{where}: field 'evidence' must be a list of non-empty strings")
    spanned = [name for name in ("source", "start", "end") if name in obj]
    if obj["answerable"] and spanned:
        _check_span(obj, where)
    if obj["answerable"] != bool(obj["evidence"] or len(spanned) == 3):
        raise AssistantError(f"{where}: an answerable question needs 'evidence' strings or a 'source' span, and an "
                             f"unanswerable one neither (answerable={obj['answerable']}, "
                             f"{len(obj['evidence'])} evidence strings)")
    if "type" in obj and obj["answerable"] == (obj["type"] == "unanswerable"):
        raise AssistantError(f"{where}: field 'answerable' is {obj['answerable']} but 'type' is {obj['type']!r}")
    if "split" in obj and obj["split"] not in SPLITS:
        raise AssistantError(f"{where}: field 'split' is {obj['split']!r}; use one of {', '.join(SPLITS)}")
    return obj


def _check_span(obj: dict, where: str) -> None:
    if not isinstance(obj.get("source"), str) or not obj["source"]:
        raise AssistantError(f"{where}: field 'source' must name a file of the corpus")
    for name in ("start", "end"):
        if not isinstance(obj.get(name), int) or isinstance(obj.get(name), bool) or obj[name] < 0:
            raise AssistantError(f"{where}: field {name!r} must be a character offset (an integer >= 0)")
    if obj["start"] >= obj["end"]:
        raise AssistantError(f"{where}: the span [start, end) = [{obj['start']}, {obj['end']}) is empty")


def load_qa(path: Path) -> list[dict]:
    """Read and validate a QA set (one question per line).

    Args:
        path: a JSONL file with id, lang, question, answer, evidence, answerable, type.

    Returns:
        The records, in file order.

    Raises:
        AssistantError: for a missing file, bad JSON, a bad field or a repeated id (``file:line: …``).
    """
    seen: dict[str, int] = {}
    records = []
    for number, obj in _read_jsonl(path, "QA"):
        record = check_qa_record(obj, f"{path}:{number}")
        if record["id"] in seen:
            raise AssistantError(f"{path}:{number}: id {record['id']!r} repeats line {seen[record['id']]}")
        seen[record["id"]] = number
        records.append(record)
    return records


def load_predictions(path: Path) -> list[dict]:
    """Read a predictions JSONL (the ``ask --json`` schema, one answer per line).

    Args:
        path: the file; every line needs an ``id``; lines with an ``error`` field count as abstentions.

    Returns:
        The records, in file order.

    Raises:
        AssistantError: for a missing file, bad JSON, a missing id or a malformed field.
    """
    records = []
    for number, obj in _read_jsonl(path, "predictions"):
        where = f"{path}:{number}"
        if obj.get("id") is None:
            raise AssistantError(f"{where}: field 'id' is missing; predictions are matched to questions by id")
        for name in ("citations", "passages"):
            if not isinstance(obj.get(name, []), list):
                raise AssistantError(f"{where}: field {name!r} must be a list")
        if "error" not in obj and not isinstance(obj.get("answer"), str):
            raise AssistantError(f"{where}: field 'answer' must be a string")
        records.append(obj)
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as JSONL (UTF-8, Chinese kept readable), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
