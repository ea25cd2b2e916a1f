"""Offline evaluation: QA sets, scoring, baselines and reports."""
