"""`make eval-toxicity`: precision and recall of each available toxicity backend on labelled rows.

Labelled data (third-party, read from ../shared/data/toxicity/, never copied into the repo):
- jigsaw_dummy_train.csv, jigsaw_dummy_test.csv (Detoxify's test fixtures; Jigsaw comments):
  `toxic` 1/0 (rows labelled -1 are unlabelled and skipped);
- davidson_sample_300.csv (tweets): class 0 hate and 1 offensive = toxic, 2 neither = not.

Backends: `embedded` always; `detoxify` when its weights can be had (downloaded or
WILDCHAT_DETOXIFY_CHECKPOINT + WILDCHAT_DETOXIFY_HF_CONFIG); `openai_moderation` when
OPENAI_API_KEY is set. A backend that cannot be loaded is reported as skipped, with why.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wildchat_dagster.core.toxicity import build_backends, precision_recall  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "toxicity"


def load_labelled(data_dir: Path) -> dict[str, tuple[list[str], list[bool]]]:
    """Dataset name → (texts, is_toxic)."""
    sets: dict[str, tuple[list[str], list[bool]]] = {}
    for name in ("jigsaw_dummy_train", "jigsaw_dummy_test"):
        df = pd.read_csv(data_dir / f"{name}.csv")
        df = df[df["toxic"].isin([0, 1])]
        sets[name] = (df["comment_text"].astype(str).tolist(), (df["toxic"] == 1).tolist())
    df = pd.read_csv(data_dir / "davidson_sample_300.csv")
    sets["davidson_sample_300"] = (df["tweet"].astype(str).tolist(), df["class"].isin([0, 1]).tolist())
    return sets


def available_backends(names: list[str], detoxify_threshold: float, embedded_threshold: float):
    out, skipped = [], {}
    if "embedded" in names:
        out += build_backends(["embedded"], embedded_threshold=embedded_threshold)
    if "detoxify" in names:
        try:
            detox = build_backends(["detoxify"], detoxify={
                "model_type": os.environ.get("WILDCHAT_DETOXIFY_MODEL", "multilingual"),
                "checkpoint": os.environ.get("WILDCHAT_DETOXIFY_CHECKPOINT"),
                "huggingface_config_path": os.environ.get("WILDCHAT_DETOXIFY_HF_CONFIG"),
                "threshold": detoxify_threshold,
            })[0]
            detox.model  # noqa: B018  (load now: fail here, not mid-evaluation)
            out.append(detox)
        except Exception as exc:  # no weights offline
            skipped["detoxify"] = f"{type(exc).__name__}: {str(exc)[:160]}"
    if "openai_moderation" in names:
        if os.environ.get("OPENAI_API_KEY"):
            out += build_backends(["openai_moderation"], moderation={
                "api_key": os.environ["OPENAI_API_KEY"],
                "base_url": os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
            })
        else:
            skipped["openai_moderation"] = "OPENAI_API_KEY not set"
    return out, skipped


ROW = "{:<18} {:<22} {:>4} {:>4} {:>9} {:>7} {:>6} {:>8}"


def _row(backend: str, dataset: str, n: int, pos: int, m: dict, rate: str = "") -> str:
    return ROW.format(backend, dataset, n, pos, f"{m['precision']:.3f}", f"{m['recall']:.3f}",
                      f"{m['f1']:.3f}", rate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--backends", default="embedded,detoxify,openai_moderation")
    parser.add_argument("--detoxify-threshold", type=float, default=0.5)
    parser.add_argument("--embedded-threshold", type=float, default=0.5)
    parser.add_argument("--sweep", action="store_true", help="also print each backend at other thresholds")
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    args = parser.parse_args(argv)

    sets = load_labelled(args.data)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    backends, skipped = available_backends(names, args.detoxify_threshold, args.embedded_threshold)
    report: dict = {"skipped": skipped, "results": {}}
    print(ROW.format("backend", "dataset", "n", "pos", "precision", "recall", "f1", "msg/s"))
    for backend in backends:
        backend.score(["warm up"])  # model loading is not throughput
        all_labels, all_flags, all_results = [], [], []
        for name, (texts, labels) in sets.items():
            t0 = time.perf_counter()
            results = backend.score(texts)
            rate = len(texts) / max(time.perf_counter() - t0, 1e-9)
            flags = [backend.flags(r) for r in results]
            all_labels += labels
            all_flags += flags
            all_results += results
            m = precision_recall(labels, flags)
            report["results"][f"{backend.name}/{name}"] = m | {"messages_per_s": rate}
            print(_row(backend.name, name, len(texts), sum(labels), m, f"{rate:.0f}"))
        m = precision_recall(all_labels, all_flags)
        report["results"][f"{backend.name}/all"] = m
        print(_row(backend.name, "ALL", len(all_labels), sum(all_labels), m))
        print(f"  ({backend.version})")
        if args.sweep and backend.name in ("embedded", "detoxify"):
            saved = backend.threshold
            for th in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
                backend.threshold = th
                m = precision_recall(all_labels, [backend.flags(r) for r in all_results])
                print(f"  threshold {th:.1f}: precision {m['precision']:.3f} recall {m['recall']:.3f} "
                      f"f1 {m['f1']:.3f}")
            backend.threshold = saved
    for name, why in skipped.items():
        print(f"{name:<18} skipped: {why}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
