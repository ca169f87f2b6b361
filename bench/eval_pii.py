"""Precision and recall of the scrubber on presidio-research's synthetic dataset (``make eval-pii``).

    .venv/bin/python bench/eval_pii.py [--data ../shared/data/pii/synth_dataset_v2.json] [--json]

Prints the per-entity table for the default configuration (WildChat's cue rules) and for the
same scrubber without cue gating (PERSON and PHONE_NUMBER without their cue rule), on the full
dataset. Span level, by overlap (core/pii_eval.py): recall = labelled spans overlapped by a
replacement of the same type; precision = replacements overlapping a labelled span of the same
type; "any-type rec" counts a labelled span as protected when any replacement covers it.
With ``--json`` the last stdout line is one JSON object (the demo's closing note reads it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.pii import PiiConfig  # noqa: E402
from wildchat_dagster.core.pii_eval import evaluate, format_table, load_records  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pii" / "synth_dataset_v2.json"
CONFIGS = {
    "default (cue rules on)": PiiConfig(workers=1),
    "no cue gating (PERSON/PHONE without cues)": PiiConfig(workers=1, person_cue=False, phone_cue=False),
}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    records = load_records(args.data)
    labelled = sum(len(r["spans"]) for r in records)
    print(f"{Path(args.data).name}: {len(records)} texts, {labelled} labelled spans\n")
    report: dict = {"dataset": Path(args.data).name, "texts": len(records), "configs": {}}
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
    if args.json:
        print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
