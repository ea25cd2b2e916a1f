#!/usr/bin/env python3
"""Copy the general evaluation sets (XQuAD, CMRC 2018) into evals/general/, adding a split.

    python scripts/import_general_sets.py ../shared/data/general

Every record gets ``"split": "dev"`` or ``"test"``, decided by a hash of the article it is
about, so all questions on one article (in either language, in every corpus that holds it)
fall on the same side: ``python -m assistant calibrate`` fits on ``dev`` only, and ``test``
shows what the fitted numbers do on articles they never saw. The corpora and every other
field are copied unchanged, except that records with an empty question (two in CMRC 2018's
trial set) are left out. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

DEST = Path(__file__).resolve().parents[1] / "evals" / "general"


def article_key(record: dict) -> str:
    """What a question is about: its source file, or for a question about an article outside
    the corpus, its id without the language prefix and the question number."""
    if record.get("source"):
        return record["source"]
    key = re.sub(r"^(?:zh|en)-(?:ooc-)?", "", record["id"])
    return re.sub(r"_QUERY_\d+$", "", key)


def splits(keys: set[str]) -> dict[str, str]:
    """Every other article, in the order of their hashes, is a dev article: a split as even
    as the articles allow, the same for an article wherever it occurs."""
    ordered = sorted(keys, key=lambda k: hashlib.sha1(k.encode("utf-8")).hexdigest())
    return {key: ("dev", "test")[i % 2] for i, key in enumerate(ordered)}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python scripts/import_general_sets.py SOURCE_FOLDER", file=sys.stderr)
        return 2
    source = Path(argv[0])
    DEST.mkdir(parents=True, exist_ok=True)
    sets = {qa: [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
            for qa in source.glob("*/qa_*.jsonl")}
    for qa, rows in sets.items():
        empty = [r["id"] for r in rows if not r["question"].strip()]
        if empty:
            print(f"{qa.parent.name}/{qa.name}: leaving out {len(empty)} records with an empty question: "
                  f"{', '.join(empty)}")
            sets[qa] = [r for r in rows if r["question"].strip()]
    split = splits({article_key(r) for rows in sets.values() for r in rows})
    shutil.copyfile(source / "README.md", DEST / "SOURCE.md")
    for folder in sorted(p for p in source.iterdir() if (p / "corpus").is_dir()):
        target = DEST / folder.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(folder / "corpus", target / "corpus")
        for qa in sorted(folder.glob("qa_*.jsonl")):
            rows = [{**row, "split": split[article_key(row)]} for row in sets[qa]]
            with open(target / qa.name, "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            counts = {s: sum(r["split"] == s for r in rows) for s in ("dev", "test")}
            print(f"{folder.name}/{qa.name}: {len(rows)} questions, {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
