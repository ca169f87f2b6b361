"""Speed of the prompt analyses (issue 20): signatures, markers and categories for a day's first
prompts, and clustering over the stored signatures.

    .venv/bin/python bench/bench_prompt_analysis.py [--prompts 100000] [--days 1]

Prompts are real WildChat user messages (../shared/data/wildchat), each made distinct by
shuffling its words and adding a number, so no repeat flatters the clustering; a few
jailbreak-template variants are mixed in. A 100k-turn day has about 40k first prompts
(mean 2.5 turns), so ``--prompts 100000`` is the upper bound (every turn signed).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.generate.jailbreaks import FAMILIES, variant  # noqa: E402
from wildchat_dagster.core.prompt_analysis import cluster_table, signature_table  # noqa: E402
from wildchat_dagster.core.schema import RELEASE  # noqa: E402

WILDCHAT = ROOT.parent / "shared" / "data" / "wildchat" / "wildchat1m_sample_186.jsonl"


def prompts(n: int, seed: int = 0) -> list[str]:
    base = []
    with open(WILDCHAT, encoding="utf-8") as f:
        for line in f:
            base += [m["content"] for m in json.loads(line)["conversation"] if m["role"] == "user"]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 500 == 0:
            out.append(variant(rng.choice(FAMILIES), rng, f"question {i}")[0])
            continue
        words = base[i % len(base)].split()
        rng.shuffle(words)
        out.append(" ".join(words) + f" {i}")
    return out


def release_rows(texts: list[str], day: str) -> pa.Table:
    reply = {"role": "assistant", "content": "ok", "toxic": False}
    rows = [{"conversation_id": f"{day}-{i:07d}", "conversation_hash": f"{i:032x}",
             "hashed_ip": f"u{i % 9000}", "conversation": [{"role": "user", "content": t}, reply],
             "flagged_by": []} for i, t in enumerate(texts)]
    schema = pa.schema([RELEASE.field(c) for c in ("conversation_id", "conversation_hash", "hashed_ip",
                                                   "conversation", "flagged_by")])
    return pa.Table.from_pylist(rows, schema=schema)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=100_000, help="first prompts per day")
    parser.add_argument("--days", type=int, default=1)
    args = parser.parse_args()
    tables = []
    for d in range(args.days):
        day = f"2023-05-{d + 1:02d}"
        release = release_rows(prompts(args.prompts, seed=d), day)
        started = time.perf_counter()
        tables.append(signature_table(release, day))
        seconds = time.perf_counter() - started
        print(f"prompt_signatures[{day}]: {args.prompts:,} prompts in {seconds:.1f} s "
              f"({args.prompts / seconds:,.0f} prompts/s; signatures, markers, categories)")
    started = time.perf_counter()
    clusters = cluster_table(pa.concat_tables(tables))
    seconds = time.perf_counter() - started
    families = clusters.column("family_id").drop_null()
    print(f"prompt_clusters: {clusters.num_rows:,} prompts in {seconds:.1f} s, "
          f"{len(set(clusters.column('cluster_id').to_pylist())):,} clusters, "
          f"{len(set(families.to_pylist()))} families ({len(families)} conversations)")


if __name__ == "__main__":
    main()
