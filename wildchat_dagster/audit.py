"""`make audit`: audit an already-published dataset with the audit job and print its findings.

    python -m wildchat_dagster.audit PATH [--format auto|wildchat|sharegpt] [--examples N]

PATH is a WildChat-1M JSONL or Parquet file, or ShareGPT JSON (docs/audit.md). Runs the
``audit_job`` of the same Definitions as production on the local Dagster instance under
``$DAGSTER_HOME`` (so `make ui` shows the audit group's materializations), writes
``<storage>/audit_*/`` and prints the findings table plus a few masked examples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--format", default="auto", choices=["auto", "wildchat", "sharegpt"])
    parser.add_argument("--examples", type=int, default=8, help="masked examples to print")
    args = parser.parse_args(argv)
    if "://" not in args.path and not Path(args.path).is_file():
        print(f"audit: no such file: {args.path}", file=sys.stderr)
        return 2

    storage = os.environ.setdefault("WILDCHAT_STORAGE", "./data")
    os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve()))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")

    from dagster import DagsterInstance

    from .core.audit import AUDIT_FINDINGS, format_findings, summarize
    from .core.storage import Storage
    from .definitions import build_definitions

    path = args.path if "://" in args.path else str(Path(args.path).resolve())
    t0 = time.perf_counter()
    defs = build_definitions(storage)
    result = defs.get_job_def("audit_job").execute_in_process(
        run_config={
            "ops": {"audit_input": {"config": {"path": path, "format": args.format}}},
            "loggers": {"console": {"config": {"log_level": "INFO"}}},  # steps' summaries, not events
        },
        instance=DagsterInstance.get(),
    )
    if not result.success:
        print("audit: the audit job failed (see the log above)", file=sys.stderr)
        return 1
    store = Storage(storage)
    classified = store.read_table("audit_classified")
    findings = store.read_table("audit_findings", AUDIT_FINDINGS)
    quarantine = store.read_table("audit_quarantine")
    rows = len(set(classified.column("record_index").to_pylist())) + quarantine.num_rows
    print(
        f"\naudited {path}: {rows} input rows = {rows - quarantine.num_rows} conversations audited "
        f"+ {quarantine.num_rows} quarantined\n"
    )
    print(format_findings(summarize(classified, findings)))
    if args.examples and findings.num_rows:
        print("\nmasked examples (first per entity type, then in input order):")
        picked, seen = [], set()
        rows_ = findings.to_pylist()
        for row in rows_:
            if row["entity"] not in seen:
                seen.add(row["entity"])
                picked.append(row)
        picked += [r for r in rows_ if r not in picked][: max(0, args.examples - len(picked))]
        for row in picked[: args.examples]:
            where = f"{row['role']:<9} {row['conversation_id'][:12]}…"
            print(f"  {row['entity']:<16} {where}  {row['masked_context']}")
    print(
        f"\noutputs under {store.uri('audit_findings').rsplit('/', 1)[0]}/audit_*; "
        f"total {time.perf_counter() - t0:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
