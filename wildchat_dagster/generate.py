"""Write sample raw-log drops: ``python -m wildchat_dagster.generate --out ./data --days 3``.

A thin command line over ``wildchat_dagster.core.generate.generate_drops``; prints one
summary line per day and a total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from wildchat_dagster.core.generate import DayStats, generate_drops


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m wildchat_dagster.generate",
        description="Generate deterministic WildChat-style raw log drops and their ground truth.",
    )
    parser.add_argument("--out", default="./data", help="storage base directory (default ./data)")
    parser.add_argument(
        "--start", type=dt.date.fromisoformat, default=dt.date(2023, 4, 10), help="first UTC day"
    )
    parser.add_argument("--days", type=int, default=3, help="number of daily drops")
    parser.add_argument("--conversations-per-day", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--malformed-share", type=float, default=0.01, help="share of lines that break the contract"
    )
    parser.add_argument(
        "--no-consent-share", type=float, default=0.03, help="share of conversations without consent"
    )
    parser.add_argument("--gzip", action="store_true", help="write .jsonl.gz instead of .jsonl")
    parser.add_argument(
        "--geoip-db", default=None, help="City .mmdb for the IP pool (default: the embedded one)"
    )
    return parser.parse_args(argv)


def describe_day(day: DayStats) -> str:
    mean_turns = day.turns / day.conversations if day.conversations else 0.0
    return (
        f"{day.day.isoformat()}: {day.lines} lines ({day.rows} rows, {day.malformed_lines} malformed, "
        f"{day.no_consent_rows} no-consent), {day.conversations} conversations, "
        f"{mean_turns:.2f} turns/conversation, {day.branches} branches, "
        f"{day.midnight_crossings} crossing midnight, {len(day.languages)} languages, "
        f"{sum(day.planted.values())} planted items"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stats = generate_drops(
        args.out,
        start=args.start,
        days=args.days,
        conversations_per_day=args.conversations_per_day,
        seed=args.seed,
        malformed_share=args.malformed_share,
        no_consent_share=args.no_consent_share,
        gzip=args.gzip,
        geoip_db=args.geoip_db,
    )
    for day in stats.days:
        print(describe_day(day))
    print(
        f"total: {stats.lines} lines in {stats.elapsed_s:.1f} s ({stats.lines_per_second:,.0f} lines/s), "
        f"ground truth in {stats.out_dir / 'ground_truth'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
