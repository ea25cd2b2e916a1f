"""The regression gate: the default configuration on evals/qa.jsonl must not fall below these
floors (set just under what `python -m assistant eval` measured; see README "Evaluation")."""

import pytest

from assistant.evaluation.qa import load_qa
from assistant.evaluation.run import evaluate
from samples import ROOT

pytestmark = pytest.mark.e2e

FLOORS = {
    "hit@1": 0.90,
    "hit@5": 0.96,
    "mrr": 0.92,
    "citation_recall": 0.89,
    "citation_precision": 0.85,
    "abstain_recall": 0.95,
}
CEILINGS = {"false_abstention_rate": 0.025}
# English questions over the Chinese body are the hard part: guard them on their own.
EN_FLOORS = {"hit@1": 0.87, "hit@5": 0.95}


def test_default_configuration_stays_above_the_floors(real_bot):
    report = evaluate(real_bot, load_qa(ROOT / "evals" / "qa.jsonl"))
    overall = report["overall"]
    low = {k: overall[k] for k, floor in FLOORS.items() if overall[k] < floor}
    high = {k: overall[k] for k, ceiling in CEILINGS.items() if overall[k] > ceiling}
    en = report["by_lang"]["en"]
    low_en = {k: en[k] for k, floor in EN_FLOORS.items() if en[k] < floor}
    assert not low and not high and not low_en, f"regression: {low} {high} english: {low_en}"
