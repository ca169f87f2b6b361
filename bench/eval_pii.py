"""Recall and precision of the scrubber: realistic corpus, presidio-research, WildChat (``make eval-pii``).

    .venv/bin/python bench/eval_pii.py [--data ../shared/data/pii/synth_dataset_v2.json]
        [--corpus tests/data/pii_eval] [--no-baseline] [--no-synth] [--no-wildchat] [--misses] [--json]

1. The realistic corpus (``tests/data/pii_eval``, ten languages; rule in core/pii_eval.py): recall
   of planted values by category (beside plain Presidio's: default recognizers, the small English
   spaCy model, score_threshold 0.35, every entity replaced), by category × context, category ×
   language, self vs third person, values the assistant repeats; benign look-alikes kept by kind
   and by language. ``--misses`` also prints the values that survived (debugging only).
2. presidio-research's ``synth_dataset_v2.json``: the per-entity table for the default
   configuration (WildChat's cue rules) and without cue gating, span level by overlap.
3. The real WildChat-1M sample (186 conversations): how many messages the scrubber changes.

With ``--json`` the last stdout line is one JSON object (counts only, never values).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.pii import PiiConfig, PiiScrubber  # noqa: E402
from wildchat_dagster.core.pii_eval import (  # noqa: E402
    CORPUS_DIR,
    PlainPresidio,
    evaluate,
    evaluate_corpus,
    evaluate_corpus_with,
    format_corpus_report,
    format_misses,
    format_table,
    load_corpus,
    load_records,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pii" / "synth_dataset_v2.json"
WILDCHAT = ROOT.parent / "shared" / "data" / "wildchat" / "wildchat1m_sample_186.jsonl"
CONFIGS = {
    "default (cue rules on)": PiiConfig(workers=1),
    "no cue gating (PERSON/PHONE without cues)": PiiConfig(workers=1, person_cue=False, phone_cue=False),
}


def corpus_section(scrubber: PiiScrubber, directory: Path, baseline: bool, misses: bool) -> dict:
    conversations = load_corpus(directory)
    planted = sum(len(c["planted"]) for c in conversations)
    benign = sum(len(c["benign"]) for c in conversations)
    print(
        f"== realistic corpus {directory.name}: {len(conversations)} conversations, "
        f"{planted} planted values, {benign} benign items\n"
    )
    report = evaluate_corpus(conversations, scrubber=scrubber)
    plain = evaluate_corpus_with(PlainPresidio().scrub, conversations) if baseline else None
    print(format_corpus_report(report, plain))
    timing = f"  ours {report.seconds:.1f} s" + (f", plain Presidio {plain.seconds:.1f} s" if plain else "")
    print(timing + "\n")
    if misses:
        print("ours: " + format_misses(report) + "\n")
        if plain:
            print("plain Presidio: " + format_misses(plain) + "\n")
    out = {"ours": report.as_dict()}
    if plain:
        out["plain_presidio"] = plain.as_dict()
    return out


def synth_section(data: Path) -> dict:
    records = load_records(data)
    labelled = sum(len(r["spans"]) for r in records)
    print(f"== {data.name}: {len(records)} texts, {labelled} labelled spans\n")
    report: dict = {"dataset": data.name, "texts": len(records), "configs": {}}
    for name, config in CONFIGS.items():
        scores, info = evaluate(records, config=config)
        print(format_table(scores, name))
        print(f"  kept by rule: {info['stats']['kept_by_rule']}; {info['seconds']:.1f} s\n")
        report["configs"][name] = {
            e: {
                "labelled": s.labelled,
                "replaced": s.replaced,
                "precision": round(s.precision, 3) if s.replaced else None,
                "recall": round(s.recall, 3) if s.labelled else None,
                "any_type_recall": round(s.any_type_recall, 3) if s.labelled else None,
            }
            for e, s in scores.items()
        }
    return report


def wildchat_section(scrubber: PiiScrubber) -> dict:
    rows = [json.loads(line) for line in WILDCHAT.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [m["content"] for r in rows for m in r["conversation"]]
    users = [r["conversation_hash"] for r in rows for _ in r["conversation"]]
    result = scrubber.scrub(texts, users)
    changed = sum(a != b for a, b in zip(texts, result.texts, strict=True))
    types = Counter(t for ts in result.pii_types for t in ts)
    print(
        f"== WildChat-1M sample: {len(rows)} conversations, {len(texts)} messages, "
        f"{changed} changed by the scrubber; replaced types (messages): {dict(types.most_common())}\n"
    )
    return {"conversations": len(rows), "messages": len(texts), "changed": changed, "types": dict(types)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="presidio-research dataset")
    parser.add_argument("--corpus", default=str(CORPUS_DIR), help="realistic corpus directory")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain Presidio on the corpus")
    parser.add_argument("--no-synth", action="store_true", help="skip the presidio-research tables")
    parser.add_argument("--no-wildchat", action="store_true", help="skip the WildChat sample")
    parser.add_argument("--misses", action="store_true", help="print surviving values (debugging only)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    scrubber = PiiScrubber(PiiConfig(workers=1))
    report: dict = {
        "corpus": corpus_section(scrubber, Path(args.corpus), not args.no_baseline, args.misses)
    }
    if not args.no_synth:
        report.update(synth_section(Path(args.data)))
    if not args.no_wildchat and WILDCHAT.exists():
        report["wildchat_sample"] = wildchat_section(scrubber)
    if args.json:
        print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
