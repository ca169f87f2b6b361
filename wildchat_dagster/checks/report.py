"""A plain-text summary of check evaluations (for `make demo` and scripts)."""

from __future__ import annotations

from collections import defaultdict

from ..core.storage import Storage
from .gx_runner import DOCS_DIR


def check_summary(evaluations) -> tuple[str, int]:
    """(text, number of failed ERROR-severity evaluations) over AssetCheckEvaluation objects:
    one line per check with its partitions passed, and what failed."""
    by_check: dict[tuple[str, str], list] = defaultdict(list)
    for e in evaluations:
        by_check[(e.asset_key.to_user_string(), e.check_name)].append(e)
    lines, errors = [], 0
    for (asset, name), evals in sorted(by_check.items()):
        passed = sum(1 for e in evals if e.passed)
        failed = [e for e in evals if not e.passed]
        errors += sum(1 for e in failed if getattr(e.severity, "value", "") == "ERROR")
        status = "ok" if not failed else "FAILED " + ", ".join(
            f"{e.partition} ({getattr(e.severity, 'value', e.severity)})" for e in failed
        )
        lines.append(f"  {asset + ':' + name:<50} {passed}/{len(evals)} partitions passed  {status}")
    return "\n".join(lines), errors


def data_docs_location(storage_base: str) -> str:
    return Storage(storage_base).uri(f"{DOCS_DIR}/index.html")
