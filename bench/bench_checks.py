"""The GX asset checks' cost per check, on stage tables a bench run kept.

    .venv/bin/python bench/run.py --turns 10000 --text real --keep /tmp/b10k --baseline-turns 0
    .venv/bin/python bench/bench_checks.py /tmp/b10k [--scale 10] [--docs] [--json]
        [--compare-with OLD_quality.py]      # e.g. git show REV:wildchat_dagster/core/quality.py > old.py

For each asset's multi-asset check (checks/asset_checks.py) it times, separately, what the
check does on one partition: reading the tables, building the frames (core/quality.py), GX
validation (checks/gx_runner.validate) and storing the results; ``--docs`` adds the Data Docs
update. ``--scale K`` tiles each table K times (ids made unique) to see whether the cost is
proportional to the data: seconds per 10k rows should stay flat. Wall and CPU seconds; one
process, nothing else running in it. ``--compare-with`` builds every frame with another version
of core/quality.py too, times both (old, new, old, new: the best of two) and fails unless the frames are equal
(values, Python types and nulls), so a speed-up is shown to change nothing the suites see.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

DAY = dt.date(2023, 6, 14)


def tile(table: pa.Table | None, k: int, id_columns: dict[str, str]) -> pa.Table | None:
    """``table`` repeated ``k`` times, each copy's id columns made distinct ("-<copy>" on
    strings, + copy * 10^12 on integers)."""
    if table is None or k <= 1:
        return table
    copies = []
    for c in range(k):
        t = table
        for name, kind in id_columns.items():
            if name not in t.column_names:
                continue
            col = t[name]
            new = (pc.binary_join_element_wise(col, pa.scalar(f"-{c}"), "") if kind == "str"
                   else pc.add(col, pa.scalar(c * 10**12, col.type)))
            t = t.set_column(t.schema.get_field_index(name), name, new)
        copies.append(t)
    return pa.concat_tables(copies).combine_chunks()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="a run.py --keep directory (storage base)")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--docs", action="store_true", help="time the Data Docs update too")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compare-with", metavar="PATH",
                        help="another core/quality.py: compare its frames and time")
    args = parser.parse_args(argv)
    reference = _load_reference(args.compare_with) if args.compare_with else None

    from wildchat_dagster.checks import gx_runner
    from wildchat_dagster.core import quality as q
    from wildchat_dagster.core.geo import discover_snapshots
    from wildchat_dagster.core.langid import packaged_model_path
    from wildchat_dagster.core.schema import (
        CLASSIFIED,
        CONVERSATIONS,
        GEO_TAGGED,
        QUARANTINE,
        RAW_LOGS,
        RELEASE,
        SCRUBBED,
    )
    from wildchat_dagster.core.storage import Storage
    from wildchat_dagster.resources import GeoResource, ToxicityResource

    src = Storage(args.data)
    out = Storage(tempfile.mkdtemp(prefix="wildchat-bench-checks-"))  # results go here, not to the data
    one = dt.timedelta(days=1)
    day, prev, nxt = DAY.isoformat(), (DAY - one).isoformat(), (DAY + one).isoformat()
    k = args.scale
    conv_ids = {"conversation_id": "str", "turn_identifier": "int"}

    def read(asset: str, d: str = day, columns=None):
        return src.read_table(src.partition_dir(asset, d), columns=columns)

    tox = ToxicityResource()
    names = q.geoip_country_names(s.path for s in discover_snapshots(GeoResource().geoip_db))
    labels = q.lid176_labels(str(packaged_model_path()))
    results: dict[str, dict] = {}

    def timed(name: str, stage: str, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        row = results.setdefault(name, {})
        row[stage] = round(time.perf_counter() - t0, 3)
        row[f"{stage}_cpu"] = round(time.process_time() - c0, 3)
        return value

    def check(asset: str, frames_fn, params: dict) -> None:
        if reference is not None:  # old, new, old, new: the best of two each (first touches pay)
            best: dict[str, float] = {}
            for stage, module in (("old_frames", reference), ("frames", q)) * 2:
                value = timed(asset, stage, lambda m=module: frames_fn(m))
                for key in (stage, f"{stage}_cpu"):
                    best[key] = min(best.get(key, float("inf")), results[asset][key])
                if stage == "old_frames":
                    old = value
                else:
                    frames = value
            results[asset].update(best)
            _assert_same_frames(asset, old, frames)
        else:
            frames = timed(asset, "frames", lambda: frames_fn(q))
        runs = timed(asset, "validate", lambda: gx_runner.validate(asset, day, frames, params, 10))
        timed(asset, "save", lambda: gx_runner.save_results(out, runs))
        if args.docs:
            timed(asset, "docs", lambda: gx_runner.build_data_docs(out, runs, 90))
        outcomes = gx_runner.outcomes_by_check(runs, [c for c in _checks() if c.asset == asset])
        results[asset]["rows"] = int(frames.notes.get("rows", frames.notes.get("full_rows", 0)) or 0)
        results[asset]["failed_checks"] = sorted(n for n, o in outcomes.items() if not o.passed)

    # GX's imports and first context are a process's one-off cost, not a check's: paid here
    empty = q.raw_logs_frames(None, None, day, None, 0, RAW_LOGS, QUARANTINE)
    gx_runner.validate("raw_logs", day, empty, {"partition_days": [day], "max_quarantine_rate": 0.05}, 10)

    raw = tile(read("raw_logs"), k, {"id": "int"})
    quarantine = tile(read("raw_logs_quarantine"), k, {})
    lines = q.count_drop_lines(src, day) * k
    counts = {"lines": lines, "accepted": raw.num_rows, "quarantined": quarantine.num_rows,
              "no_consent": lines - raw.num_rows - quarantine.num_rows}
    check("raw_logs", lambda m: m.raw_logs_frames(raw, quarantine, day, counts, lines, RAW_LOGS, QUARANTINE),
          {"partition_days": [day], "max_quarantine_rate": 0.05})

    conv = tile(read("conversations"), k, conv_ids)
    cols = ["conversation_id", "message_index", "role", "copied_prefix", "turn_identifier"]
    previous = tile(read("conversations", prev, cols), k, conv_ids)
    raw_day = raw.select(["id", "source_line"])
    next_raw = tile(read("raw_logs", nxt, ["id"]), k, {"id": "int"})
    # as the check passes them (checks/asset_checks.py): the raw ids of D and D+1
    window_ids = np.concatenate([t["id"].to_numpy() for t in (raw_day, next_raw) if t is not None])
    check("conversations",
          lambda m: m.conversations_frames(conv, previous, raw_day, window_ids, CONVERSATIONS),
          {"partition_days": [day]})
    n_conv = conv.num_rows

    scrubbed = tile(read("scrubbed"), k, conv_ids)
    check("scrubbed", lambda m: m.scrubbed_frames(scrubbed, n_conv, SCRUBBED), {})
    geo = tile(read("geo_tagged"), k, conv_ids)
    check("geo_tagged", lambda m: m.geo_tagged_frames(geo, geo.num_rows, GEO_TAGGED),
          {"geoip_country_names": sorted(names)})
    classified = tile(read("classified"), k, conv_ids)
    check("classified", lambda m: m.classified_frames(classified, classified.num_rows, CLASSIFIED,
                                                    list(tox.backends), tox.detoxify_threshold,
                                                    tox.embedded_threshold),
          {"lid176_labels": sorted(labels)})
    base = src.partition_dir("release", day)
    full = tile(src.read_table(f"{base}/split=full"), k, {"conversation_id": "str"})
    nontoxic = tile(src.read_table(f"{base}/split=nontoxic"), k, {"conversation_id": "str"})
    cls = classified.select(["conversation_id", "conversation_sexual_minors", "sexual_minors"])
    n_cls = pc.count_distinct(cls["conversation_id"]).as_py()
    removals = {"takedown_conversations": 0, "sexual_minors_removed": n_cls - full.num_rows}
    check("release", lambda m: m.release_frames(full, nontoxic, RELEASE, cls, removals), {})

    total = {s: round(sum(r.get(s, 0) for r in results.values()), 3)
             for s in ("old_frames", "old_frames_cpu", "frames", "frames_cpu", "validate", "validate_cpu",
                       "save", "docs")}
    if reference is not None:
        print("frames identical to the reference's for every asset")
    print(f"checks on {args.data} x{k} (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"{'asset':<15}{'rows':>9}{'old frames s':>13}{'CPU':>7}{'frames s':>10}{'CPU':>7}{'GX s':>8}"
          f"{'CPU':>7}{'save s':>8}{'docs s':>8}{'per 10k rows':>14}  failed")
    for asset, r in results.items():
        per = (r["frames"] + r["validate"] + r["save"]) / max(r["rows"], 1) * 10_000
        old = r.get("old_frames", float("nan"))
        print(f"{asset:<15}{r['rows']:>9}{old:>13.2f}{r.get('old_frames_cpu', float('nan')):>7.2f}"
              f"{r['frames']:>10.2f}{r['frames_cpu']:>7.2f}{r['validate']:>8.2f}"
              f"{r['validate_cpu']:>7.2f}{r['save']:>8.2f}{r.get('docs', 0):>8.2f}{per:>14.3f}  "
              f"{','.join(r['failed_checks']) or '-'}")
    print(f"{'all':<15}{'':>9}{total['old_frames']:>13.2f}{total['old_frames_cpu']:>7.2f}{total['frames']:>10.2f}{total['frames_cpu']:>7.2f}{total['validate']:>8.2f}"
          f"{total['validate_cpu']:>7.2f}{total['save']:>8.2f}{total['docs']:>8.2f}")
    if args.json:
        print(json.dumps({"scale": k, "checks": results, "total": total}))
    return 0


def _load_reference(path: str):
    """Another core/quality.py, imported inside the package so its relative imports resolve."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("wildchat_dagster.core._quality_reference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _assert_same_frames(asset: str, old, new) -> None:
    import pandas as pd

    assert old.frames.keys() == new.frames.keys(), asset
    for name, frame in old.frames.items():
        other = new.frames[name]
        pd.testing.assert_frame_equal(frame, other, check_dtype=True, obj=f"{asset}:{name}")
        for col in frame.columns:
            if frame[col].dtype == object:
                types_old = [type(v) for v in frame[col].tolist()]
                types_new = [type(v) for v in other[col].tolist()]
                assert types_old == types_new, f"{asset}:{name}.{col}: Python types differ"
    assert {k: v for k, v in old.notes.items()} == {k: v for k, v in new.notes.items()}, asset


def _checks():
    from wildchat_dagster.checks.suites import CHECKS

    return CHECKS


if __name__ == "__main__":
    sys.exit(main())
