"""`make demo`: generate three days of sample logs and run the whole chain, offline.

Uses the same Definitions as production, a local SQLite Dagster instance under
``$DAGSTER_HOME`` (so `make ui` shows the runs afterwards) and local storage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from dagster import AssetKey, DagsterInstance, materialize

DEMO_START = dt.date(2023, 4, 10)


def _numeric_metadata(event) -> dict[str, float]:
    out = {}
    for key, value in event.materialization.metadata.items():
        raw = getattr(value, "value", value)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            out[key] = raw
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--conversations-per-day", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    storage = os.environ.setdefault("WILDCHAT_STORAGE", "./data")
    if storage.startswith("s3://"):
        print("make demo writes its sample drops locally; unset WILDCHAT_STORAGE or point it at a directory.")
        return 2
    os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve()))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)

    # Imported after the environment is settled: definitions read it at import time.
    from .checks import ASSET_CHECKS
    from .checks.report import check_summary, data_docs_location
    from .core.generate import generate_drops
    from .definitions import PIPELINE_ASSETS, build_definitions

    days = [DEMO_START + dt.timedelta(days=i) for i in range(args.days)]
    t0 = time.perf_counter()
    stats = generate_drops(storage, DEMO_START, args.days, args.conversations_per_day, seed=args.seed)
    print(f"generated sample drops for {args.days} days under {Path(storage).resolve()}/raw_logs_drop "
          f"in {time.perf_counter() - t0:.1f}s ({stats})")

    defs = build_definitions(storage)
    resources = defs.resources
    instance = DagsterInstance.get()
    keys = [k.to_user_string() for a in PIPELINE_ASSETS for k in a.keys]
    checked = [*PIPELINE_ASSETS, *ASSET_CHECKS]  # each asset's GX checks run with it (docs/quality.md)
    evaluations = []
    # raw_logs for every day first: conversations[D] reads raw_logs[D-1..D+1].
    for day in days:
        evaluations += _run(checked, ["raw_logs", "raw_logs_quarantine"], day, resources, instance)
    for day in days:
        downstream = [k for k in keys if k not in ("raw_logs", "raw_logs_quarantine")]
        evaluations += _run(checked, downstream, day, resources, instance)

    print("\nper-day counts (materialization metadata):")
    for day in days:
        print(f"  {day}")
        for key in keys:
            event = instance.get_latest_materialization_event(AssetKey(key))
            records = instance.fetch_materializations(AssetKey(key), limit=50).records
            for rec in records:
                mat = rec.asset_materialization
                if mat and mat.partition == day.isoformat():
                    event = rec.event_log_entry.dagster_event.event_specific_data
                    nums = _numeric_metadata(event)
                    shown = ", ".join(f"{k}={v:g}" for k, v in nums.items())
                    print(f"    {key:<20} {shown}")
                    break
    summary, check_errors = check_summary(evaluations)
    print(f"\ndata quality checks (GX suites as asset checks, {len(evaluations)} evaluations):\n{summary}")
    print(f"GX Data Docs: {data_docs_location(storage)}")
    if check_errors:
        print(f"{check_errors} check evaluation(s) failed with ERROR severity: see `make ui`, the Data Docs")
        return 1
    # Analytics (docs/analytics.md): one dbt build over every released day; prints overall_stats.
    from .assets.analytics import run_demo_analytics

    if not run_demo_analytics(storage, resources, instance):
        return 1
    print(f"\nParquet written under {Path(storage).resolve()}/<asset>/dt=YYYY-MM-DD/")
    print(f"Dagster instance (runs, materializations): {os.environ['DAGSTER_HOME']}  → `make ui` to browse")
    print(f"total {time.perf_counter() - t0:.1f}s")
    return 0


def _run(assets, selection, day, resources, instance) -> list:
    result = materialize(
        assets, selection=selection, partition_key=day.isoformat(), resources=resources, instance=instance,
        raise_on_error=False,  # step errors are in the log above; a failed blocking check is named here
    )
    if not result.success:
        failed = [f"{e.asset_key.to_user_string()}:{e.check_name}"
                  for e in result.get_asset_check_evaluations() if not e.passed]
        checks = f" (failed checks: {', '.join(failed)})" if failed else ""
        raise SystemExit(f"materialization of {selection} for {day} failed{checks}; see the run in `make ui`")
    return result.get_asset_check_evaluations()


if __name__ == "__main__":
    sys.exit(main())
