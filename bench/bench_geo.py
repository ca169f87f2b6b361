"""Throughput of geo_tagged's core (GeoTagger.tag), in messages per second.

    .venv/bin/python bench/bench_geo.py [--conversations 20000] [--turns 3] [--db PATH]

Builds a scrubbed-schema table of synthetic conversations (user + assistant messages,
one public IPv4 per conversation drawn from a pool, so IPs repeat as real users do) and
tags it against the embedded GeoLite2 City DB (or --db). Reports the whole table, and a
worst case where every user message has its own IP (no lookup or hash cache hits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import random
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wildchat_dagster.core.geo import GeoTagger, IpHasher, is_private_or_reserved
from wildchat_dagster.core.schema import SCRUBBED


def public_ips(n: int, rng: random.Random, v6_share: float = 0.1) -> list[str]:
    out = []
    while len(out) < n:
        if rng.random() < v6_share:
            addr = ipaddress.IPv6Address((0x2001 << 112) | (rng.getrandbits(16) << 96) | rng.getrandbits(64))
        else:
            addr = ipaddress.IPv4Address(rng.getrandbits(32))
        if not is_private_or_reserved(addr):
            out.append(str(addr))
    return out


def build_table(conversations: int, turns: int, ips_per_conv: list[str]) -> pa.Table:
    t0 = dt.datetime(2023, 5, 1, tzinfo=dt.UTC)
    cols: dict[str, list] = {name: [] for name in SCRUBBED.names}
    for c in range(conversations):
        ip = ips_per_conv[c]
        start = t0 + dt.timedelta(seconds=c)
        for k in range(turns):
            for j, role in enumerate(("user", "assistant")):
                ts = start + dt.timedelta(seconds=30 * k + j)
                for name, value in (
                    ("conversation_id", f"c{c:08d}"), ("conversation_hash", f"{c:032x}"),
                    ("message_index", 2 * k + j), ("turn", k + 1), ("turn_count", turns), ("role", role),
                    ("content", "hi"), ("timestamp", ts), ("turn_identifier", c * 100 + k),
                    ("model", "gpt-4"), ("ip", ip), ("user_agent", "ua"), ("accept_language", "en"),
                    ("conversation_start", start),
                    ("conversation_end", start + dt.timedelta(seconds=30 * turns)), ("copied_prefix", False),
                    ("branch_of", None), ("orphan", False), ("redacted", False), ("pii_types", []),
                ):
                    cols[name].append(value)
    return pa.table(cols, schema=SCRUBBED)


def timed(tagger: GeoTagger, table: pa.Table, label: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        _, stats = tagger.tag(table)
        best = min(best, time.perf_counter() - t)
    rate = table.num_rows / best
    print(
        f"{label:<38} {table.num_rows:>9,} messages ({stats.user_messages:,} user, "
        f"{stats.distinct_hashed_ips:,} distinct IPs, located {stats.ip_outcomes['located']:,}): "
        f"{best:6.3f} s  {rate:>10,.0f} messages/s  {stats.user_messages / best:>10,.0f} user messages/s"
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=20_000)
    ap.add_argument("--turns", type=int, default=3)
    ap.add_argument("--db", default=None, help="City .mmdb or snapshot dir (default: embedded GeoLite2)")
    args = ap.parse_args()
    rng = random.Random(0)

    t = time.perf_counter()
    tagger = GeoTagger.from_location(args.db, IpHasher("bench-key"))
    print(f"open {', '.join(s.name for s in tagger.snapshots)}: {time.perf_counter() - t:.3f} s")

    pool = public_ips(args.conversations // 4, rng)  # ~4 conversations per user
    conv_ips = [rng.choice(pool) for _ in range(args.conversations)]
    typical = build_table(args.conversations, args.turns, conv_ips)
    timed(tagger, typical, f"typical ({args.turns} turns, IP pool {len(pool):,})")

    unique = build_table(args.conversations * args.turns, 1, public_ips(args.conversations * args.turns, rng))
    timed(tagger, unique, "worst case (every user message new IP)")


if __name__ == "__main__":
    main()
