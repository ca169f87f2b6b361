"""Scrubbing throughput: our path against a plain per-text Presidio pass, same texts, same rules.

    .venv/bin/python bench/bench_pii.py [--source wildchat|generated|both] [--conversations 400]
                                        [--plain-sample 600] [--workers 2] [--json] [--profile 25]

Corpora: ``wildchat`` is the 186 real WildChat-1M conversations in ../shared/data (1,487
messages, already scrubbed once by AI2, so little PII); ``generated`` is one day of the
project's sample logs (core/generate/: planted PII and secrets, regenerations and edits
that copy prefixes, canned prompts) linked into a conversations partition, as the asset sees it.

Measured in the same run, on the same machine, with models loaded beforehand (not timed):

- ``plain``: ``PiiScrubber.scrub_plain``: one ``AnalyzerEngine.analyze`` per message with every
  recognizer and the full spaCy pass, no cache, no gating, no batching, one process; then the
  same precision rules and anonymizer. On a sample of ``--plain-sample`` messages (it is slow).
- ``ours, 1 process``: ``PiiScrubber.scrub``: distinct texts once, pattern recognizers only where
  their characters occur, the phone recognizer and spaCy NER only near cues (NER batched with
  ``nlp.pipe``), on the whole corpus and on the plain sample (to check identical output).
- ``ours, N processes``: the same with ``--workers`` processes: this process works while
  ``N - 1`` workers start (a first call never waits on a worker loading its models), then warm.

Messages/s and turns/s (a turn is a prompt and its response: 2 messages). The machine's load
average is printed: on a shared machine, compare numbers from the same run only. ``--profile N``
prints cProfile's N most expensive functions of the 1-process run on the whole corpus (its time
is then the profiled one).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.pii import PiiConfig, PiiScrubber  # noqa: E402

WILDCHAT = ROOT.parent / "shared" / "data" / "wildchat" / "wildchat1m_sample_186.jsonl"


def wildchat_corpus() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in WILDCHAT.read_text().splitlines()]
    texts = [m["content"] for r in rows for m in r["conversation"]]
    users = [r["conversation_hash"] for r in rows for _ in r["conversation"]]
    return texts, users


def generated_corpus(conversations: int, seed: int = 0) -> tuple[list[str], list[str]]:
    from wildchat_dagster.core.generate import generate_drops
    from wildchat_dagster.core.linking import link_conversations
    from wildchat_dagster.core.logs import parse_drops
    from wildchat_dagster.core.storage import Storage

    day = dt.date(2023, 6, 14)
    with tempfile.TemporaryDirectory() as tmp:
        generate_drops(tmp, day, 1, conversations, seed=seed)
        parsed = parse_drops(Storage(tmp), day)
        table, _ = link_conversations(parsed.accepted_table(), day)
    texts = table.column("content").to_pylist()
    users = [f"ip:{ip}" for ip in table.column("ip").to_pylist()]
    return texts, users


def timed(fn, *args) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else 0.0


def bench(
    name: str, texts: list[str], users: list[str], plain_sample: int, workers: int, profile: int = 0
) -> dict:
    print(
        f"\n== {name}: {len(texts)} messages, {len(set(texts))} distinct, "
        f"{sum(len(t.encode()) for t in texts) / 1e6:.1f} MB"
    )
    one = PiiScrubber(PiiConfig(workers=1))
    one.warm_up()
    one._reference_engine()  # the plain pass's engine loads untimed too
    rng = random.Random(0)
    idx = sorted(rng.sample(range(len(texts)), min(plain_sample, len(texts))))
    sample, sample_users = [texts[i] for i in idx], [users[i] for i in idx]

    plain, plain_s = timed(one.scrub_plain, sample, sample_users)
    ours_sample, ours_sample_s = timed(one.scrub, sample, sample_users)
    identical = ours_sample.texts == plain.texts and ours_sample.pii_types == plain.pii_types
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    ours, ours_s = timed(one.scrub, texts, users)
    if prof is not None:
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(profile)
        print(f"   cProfile, ours, 1 process (all):\n{buf.getvalue()}")
    rows = {
        "plain per-text Presidio (sample)": (len(sample), plain_s),
        "ours, 1 process (sample)": (len(sample), ours_sample_s),
        "ours, 1 process (all)": (len(texts), ours_s),
    }
    if workers > 1:
        with PiiScrubber(PiiConfig(workers=workers, parallel_min_texts=1)) as many:
            many.warm_up()
            first, first_s = timed(many.scrub, texts, users)
            many.start_workers(wait=True)
            warm, warm_s = timed(many.scrub, texts, users)
        assert warm.texts == ours.texts and first.texts == ours.texts
        rows[f"ours, {workers} processes, first call (starts workers)"] = (len(texts), first_s)
        rows[f"ours, {workers} processes, warm (all)"] = (len(texts), warm_s)
    print(f"   {'path':<52}{'messages':>9}{'seconds':>9}{'msg/s':>9}{'turns/s':>9}")
    result = {
        "messages": len(texts),
        "distinct": len(set(texts)),
        "identical_on_sample": identical,
        "rows": {},
    }
    for label, (n, seconds) in rows.items():
        print(f"   {label:<52}{n:>9}{seconds:>9.2f}{rate(n, seconds):>9.0f}{rate(n, seconds) / 2:>9.0f}")
        result["rows"][label] = {
            "messages": n,
            "seconds": round(seconds, 3),
            "messages_per_s": round(rate(n, seconds), 1),
        }
    speedup = rate(len(texts), ours_s) / rate(len(sample), plain_s) if sample and plain_s else 0.0
    result["speedup_1_process"] = round(speedup, 1)
    s = ours.stats
    print(
        f"   same output as the plain pass on the sample: {identical}; speed-up (1 process): {speedup:.1f}x"
    )
    print(
        f"   distinct texts {s.distinct_texts}, pattern recognizers ran on {s.pattern_texts}, "
        f"NER on {s.ner_texts}; replaced {dict(s.entities)} secrets {dict(s.secrets)}"
    )
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("wildchat", "generated", "both"), default="both")
    parser.add_argument("--conversations", type=int, default=400, help="generated conversations for the day")
    parser.add_argument("--plain-sample", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="print the N top functions (cProfile)")
    args = parser.parse_args(argv)
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    report = {}
    if args.source in ("wildchat", "both"):
        report["wildchat"] = bench(
            "WildChat-1M sample", *wildchat_corpus(), args.plain_sample, args.workers, args.profile
        )
    if args.source in ("generated", "both"):
        texts, users = generated_corpus(args.conversations)
        report["generated"] = bench(
            "generated day", texts, users, args.plain_sample, args.workers, args.profile
        )
    report["load_average_end"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
