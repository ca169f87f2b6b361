"""`make demo`: generate three days of sample logs and run the whole chain, offline.

Uses the same Definitions as production, a local SQLite Dagster instance under
``$DAGSTER_HOME`` (so `make ui` shows the runs afterwards) and local storage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from dagster import AssetKey, DagsterInstance, execute_job, reconstructable

DEMO_START = dt.date(2023, 4, 10)


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
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():  # local SQLite instance; no telemetry, no welcome popup
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")

    # Imported after the environment is settled: definitions read it at import time.
    from .checks.report import check_summary, data_docs_location
    from .core.generate import generate_drops
    from .definitions import PIPELINE_ASSETS, build_definitions

    days = [DEMO_START + dt.timedelta(days=i) for i in range(args.days)]
    t0 = time.perf_counter()
    stats = generate_drops(storage, DEMO_START, args.days, args.conversations_per_day, seed=args.seed)
    print(f"generated {stats.to_dict()['totals'].get('lines', '?')} drop lines for {args.days} days "
          f"({args.conversations_per_day} conversations/day, seed {args.seed}) under "
          f"{Path(storage).resolve()}/raw_logs_drop in {time.perf_counter() - t0:.1f}s; running the chain")

    defs = build_definitions(storage)
    resources = defs.resources
    instance = DagsterInstance.get()
    keys = [k.to_user_string() for a in PIPELINE_ASSETS for k in a.keys]
    evaluations = []
    # raw_logs for every day first: conversations[D] reads raw_logs[D-1..D+1].
    for day in days:
        evaluations += _run(["raw_logs", "raw_logs_quarantine"], day, instance)
    for day in days:
        downstream = [k for k in keys if k not in ("raw_logs", "raw_logs_quarantine")]
        evaluations += _run(downstream, day, instance)

    _print_day_table(instance, days)
    _print_release_summary(instance, days, storage)
    _print_disclosure(instance, days)
    summary, check_errors = check_summary(evaluations)
    print(f"\ndata quality checks (GX suites as asset checks, {len(evaluations)} evaluations):\n{summary}")
    print(f"GX Data Docs: {data_docs_location(storage)}")
    if check_errors:
        print(f"{check_errors} check evaluation(s) failed with ERROR severity: see `make ui`, the Data Docs")
        return 1
    # Near-duplicate prompts, jailbreak families, categories (docs/analytics.md), then the dbt build.
    from .assets.analytics import run_demo_analytics
    from .assets.prompt_analysis import run_demo_prompt_analysis

    if not run_demo_prompt_analysis([d.isoformat() for d in days], resources, instance):
        return 1

    if not run_demo_analytics(storage, resources, instance):
        return 1
    print(f"\nParquet written under {Path(storage).resolve()}/<asset>/dt=YYYY-MM-DD/")
    print(f"Dagster instance (runs, materializations): {os.environ['DAGSTER_HOME']}  → `make ui` to browse")
    print(f"total {time.perf_counter() - t0:.1f}s")
    return 0


# Step-by-step events stay in the instance (`make ui`); the terminal gets warnings and the summary.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

# (asset, metadata key, column title) for the per-day table.
DAY_COLUMNS = [
    ("raw_logs", "lines", "lines"),
    ("raw_logs", "accepted", "accepted"),
    ("raw_logs", "quarantined", "quarant."),
    ("raw_logs", "no_consent", "no-consent"),
    ("conversations", "conversations", "convs"),
    ("conversations", "turns", "turns"),
    ("conversations", "branches", "branches"),
    ("scrubbed", "messages_redacted", "redacted"),
    ("geo_tagged", "geo_located", "geo-located"),
    ("classified", "toxic_conversations", "toxic"),
    ("release", "full_conversations", "full"),
    ("release", "nontoxic_conversations", "nontoxic"),
]


def _metadata(instance, key: str, day: dt.date) -> dict:
    """The latest materialization metadata of one asset partition, as plain values."""
    for rec in instance.fetch_materializations(AssetKey(key), limit=200).records:
        mat = rec.asset_materialization
        if mat and mat.partition == day.isoformat():
            return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    return {}


def _print_day_table(instance, days) -> None:
    print("\nper-day counts (from materialization metadata):")
    print("  " + "day".ljust(12) + "".join(title.rjust(12) for _, _, title in DAY_COLUMNS))
    for day in days:
        cells = [_metadata(instance, asset, day).get(k, "-") for asset, k, _ in DAY_COLUMNS]
        print("  " + str(day).ljust(12) + "".join(str(c).rjust(12) for c in cells))


def _print_release_summary(instance, days, storage: str) -> None:
    redacted, languages, countries = Counter(), Counter(), Counter()
    toxic = messages = 0
    for day in days:
        scrub = _metadata(instance, "scrubbed", day)
        redacted.update(scrub.get("entities") or {})
        redacted.update(scrub.get("secrets") or {})
        classified = _metadata(instance, "classified", day)
        languages.update(_as_dict(classified.get("top_languages")))
        toxic += int(classified.get("toxic_messages") or 0)
        messages += int(classified.get("messages") or 0)
        countries.update(_as_dict(_metadata(instance, "geo_tagged", day).get("top_countries")))
    print("\nredacted by type (all days): " + (", ".join(f"{k}={v}" for k, v in redacted.most_common())
                                             or "nothing"))
    print("languages (messages): " + ", ".join(f"{k}={v}" for k, v in languages.most_common(12)))
    print("countries (user messages): " + ", ".join(f"{k}={v}" for k, v in countries.most_common(10)))
    rate = toxic / messages if messages else 0.0
    print(f"toxic messages: {toxic} of {messages} ({rate:.2%}, embedded offline backend unless configured)")
    held = sum(int(_metadata(instance, "release", day).get("withheld_conversations") or 0) for day in days)
    if held:
        print(f"withheld for PII review: {held} conversation(s); see pii_review (docs/runbook.md §4.1)")
    base = Path(storage).resolve()
    print(f"release: {base}/release/dt=*/<version>/split={{full,nontoxic}}/part-00000.parquet, the current "
          "version of each day named by its _current.json (load: docs/release.md)")
    print(f"dataset card: {base}/release/README.md   SFT export: {base}/release_sft/dt=*/sft.jsonl")


def _print_disclosure(instance, days) -> None:
    """k-anonymity of the released quasi-identifiers before and after the release policy, per
    day (release metadata) and over the whole release as released (dataset_card metadata)."""
    print("\nre-identification risk: users whose (country, state, user-agent, accept-language) tuple "
          "fewer than 5 users share (docs/release.md, 'Disclosure risk'):")
    policy = {}
    for day in days:
        meta = _metadata(instance, "release", day)
        policy = _as_dict(meta.get("release_policy")) or policy
        suppressed = _as_dict(meta.get("disclosure_suppressed_users"))
        print(f"  {day}: {meta.get('disclosure_users', '-')} users; k<5 before the policy "
              f"{meta.get('disclosure_before_users_k_lt_5', '-')} "
              f"({_share(meta.get('disclosure_before_share_k_lt_5'))}, singles out most: "
              f"{meta.get('disclosure_before_singles_out_most', '-')}), after "
              f"{meta.get('disclosure_after_users_k_lt_5', '-')} "
              f"({_share(meta.get('disclosure_after_share_k_lt_5'))}); users suppressed "
              + ", ".join(f"{k}={v}" for k, v in suppressed.items()))
    card = _metadata(instance, "dataset_card", days[-1]) if days else {}
    print(f"  whole release as released: {card.get('disclosure_users', '-')} users, k<5 "
          f"{card.get('disclosure_users_k_lt_5', '-')} ({_share(card.get('disclosure_share_k_lt_5'))}), "
          f"unique {card.get('disclosure_unique_users', '-')}")
    print("  release policy: " + (", ".join(f"{k}={v}" for k, v in policy.items()) or "unknown")
          + "  (WILDCHAT_RELEASE_MODE=wildchat publishes the fields as WildChat-1M does)")


def _share(value) -> str:
    return f"{float(value):.1%}" if isinstance(value, int | float) else "-"


def _as_dict(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _run(selection, day, instance) -> list:
    from .definitions import resolved_daily_chain

    # execute_job runs the job in this process like a launched run does; materialize() would
    # also keep every step's output in memory until the run ends (its result exposes them),
    # which at 100k turns a day is gigabytes (docs/performance.md).
    with execute_job(
        reconstructable(resolved_daily_chain), instance, tags={"dagster/partition": day.isoformat()},
        asset_selection=[AssetKey(k) for k in selection],
        # step errors are logged above; a failed blocking check is named below
        run_config=QUIET_LOGS, raise_on_error=False,
    ) as result:
        if not result.success:
            failed = [f"{e.asset_key.to_user_string()}:{e.check_name}"
                      for e in result.get_asset_check_evaluations() if not e.passed]
            checks = f" (failed checks: {', '.join(failed)})" if failed else ""
            raise SystemExit(f"materialization of {selection} for {day} failed{checks}; "
                             "see the run in `make ui`")
        return result.get_asset_check_evaluations()


if __name__ == "__main__":
    sys.exit(main())
