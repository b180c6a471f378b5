"""Evaluation: gold sets, Recall@k / MRR with confidence intervals, and the SQLite FTS5 baseline."""

from indexer.evaluation.baseline import TrigramBaseline
from indexer.evaluation.metrics import evaluate, format_report, load_gold

__all__ = ["TrigramBaseline", "evaluate", "format_report", "load_gold"]
