"""The whole Dagster run at production size: what a user runs, per stage, on both texts.

Default (``--text both``): for each text (the generator's, then real WildChat text,
bench/real_text.py) in a fresh directory with its own Dagster instance, generate the days
D-1, D, D+1 (about ``--turns`` turns on D), then run the CLI a user would run:

    dagster asset materialize -m wildchat_dagster.definitions \\
        --select raw_logs,raw_logs_quarantine --partition D        (D-1 and D+1 too, untimed)
    dagster asset materialize -m wildchat_dagster.definitions \\
        --select conversations,scrubbed,...,release,release_sft,dataset_card --partition D

each a new process, timed from process start to exit (every GX asset check included: they run
as steps of the same run). Per step (asset or check), the wall time comes from the run's event
log (STEP_START to STEP_SUCCESS); CPU seconds of each CLI process and its workers from
``getrusage(RUSAGE_CHILDREN)``; peak RSS from sampling the process tree. End to end = the
``raw_logs`` run of D + the chain run of D, process starts included.

    .venv/bin/python bench/dagster_run.py --turns 10000 [--text generated|real|both] [--json]

``--demo`` runs the older whole-demo measurement instead:

`run.py` measures the stage code; ``--demo`` measures what a real run adds on top of it (Dagster's
in-process executor, the IO manager, the GX asset checks, dbt). It runs
``python -m wildchat_dagster.demo --days K --conversations-per-day N`` in a fresh temporary
directory (own storage, own Dagster instance) and samples the RSS of that process and of its
children (PII/classification workers, the dbt subprocess) until it ends.

    .venv/bin/python bench/dagster_run.py --demo --conversations-per-day 36364   # ~100k turns a day

About 36,400 conversations make a 100,000-turn day (run.py's TURNS_PER_CONVERSATION). The
demo runs raw_logs for every day, then the chain day by day, so the peak is the largest day's
largest step, plus whatever stays behind between days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import DAY, MB, ROOT, TURNS_PER_CONVERSATION, RssSampler, generate_in_child  # bench/run.py

CHAIN = ("conversations", "scrubbed", "geo_tagged", "classified", "release", "release_sft", "dataset_card")
RAW = ("raw_logs", "raw_logs_quarantine")
DAGSTER = str(Path(sys.executable).with_name("dagster"))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def materialize(selection, day: dt.date, env: dict, cwd: Path, log) -> dict:
    """One ``dagster asset materialize`` process: wall, CPU (it and its workers), peak RSS."""
    command = [DAGSTER, "asset", "materialize", "-m", "wildchat_dagster.definitions",
               "--select", ",".join(selection), "--partition", day.isoformat()]
    cpu0, t0 = _children_cpu(), time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    sampler = RssSampler(interval=0.05, pid=child.pid).start()
    child.wait()
    sampler.stop()
    wall = time.perf_counter() - t0
    if child.returncode != 0:  # reported, not raised: the steps that ran are still measured
        print(f"dagster asset materialize {','.join(selection)} for {day} failed (exit {child.returncode}): "
              f"see {log.name}", file=sys.stderr, flush=True)
    return {"returncode": child.returncode, "seconds": round(wall, 2),
            "cpu_seconds": round(_children_cpu() - cpu0, 2),
            "peak_rss_mb": round(sampler.main_peak / MB),
            "peak_children_rss_mb": round(sampler.children_peak / MB)}


def step_seconds(home: Path) -> dict[str, dict[str, float]]:
    """Per run (by its asset selection) and step key: seconds from STEP_START to its end."""
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.from_config(str(home))
    out: dict[str, dict[str, float]] = {}
    try:
        for run in instance.get_runs():
            starts, steps = {}, {}
            for rec in instance.all_logs(run.run_id):
                ev = rec.dagster_event
                if ev is None or ev.step_key is None:
                    continue
                if ev.event_type == DagsterEventType.STEP_START:
                    starts[ev.step_key] = rec.timestamp
                elif ev.event_type == DagsterEventType.STEP_SUCCESS:
                    steps[ev.step_key] = round(rec.timestamp - starts.get(ev.step_key, rec.timestamp), 2)
                elif ev.event_type == DagsterEventType.STEP_FAILURE:  # a failed blocking check, say
                    steps[f"{ev.step_key} (FAILED)"] = round(
                        rec.timestamp - starts.get(ev.step_key, rec.timestamp), 2)
            partition = run.tags.get("dagster/partition", "?")
            kind = "raw_logs" if "raw_logs" in steps else "chain"
            out[f"{kind}[{partition}]"] = steps
    finally:
        instance.dispose()
    return out


def run_text(text: str, turns: int, work: Path, seed: int) -> dict:
    data, home = work / "data", work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    one = dt.timedelta(days=1)
    per_day = max(1, round(turns / TURNS_PER_CONVERSATION))
    print(f"[{text}] generating 3 days x {per_day} conversations ...", file=sys.stderr, flush=True)
    generate_in_child(str(data), DAY - one, 3, per_day, seed)
    if text == "real":
        from real_text import rewrite_drops

        rewrite_drops(data, salt=seed)
    env = {**os.environ, "WILDCHAT_STORAGE": str(data), "DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT),
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    runs = {}
    with open(work / "dagster.log", "wb") as log:
        for day in (DAY - one, DAY + one):  # the neighbours conversations[D] reads: untimed
            materialize(RAW, day, env, work, log)
        print(f"[{text}] raw_logs[D] and the chain through the CLI ...", file=sys.stderr, flush=True)
        runs["raw_logs"] = materialize(RAW, DAY, env, work, log)
        runs["chain"] = materialize(CHAIN, DAY, env, work, log)
    steps = step_seconds(home)
    import pyarrow.parquet as pq

    conv = pq.read_table(data / "conversations" / f"dt={DAY.isoformat()}", columns=["role"])
    n_turns = conv.num_rows // 2
    wall = runs["raw_logs"]["seconds"] + runs["chain"]["seconds"]
    cpu = runs["raw_logs"]["cpu_seconds"] + runs["chain"]["cpu_seconds"]
    return {
        "text": text, "turns": n_turns, "runs": runs,
        "steps": {**steps.get(f"raw_logs[{DAY}]", {}), **steps.get(f"chain[{DAY}]", {})},
        "end_to_end": {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
                       "turns_per_s": round(n_turns / wall, 1),
                       "peak_rss_mb": max(r["peak_rss_mb"] for r in runs.values()),
                       "peak_children_rss_mb": max(r["peak_children_rss_mb"] for r in runs.values())},
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def format_cli(reports: dict[str, dict]) -> str:
    texts = list(reports)
    lines = [f"dagster asset materialize, day {DAY}: " + "; ".join(
        f"{t} {r['turns']} turns (load average {r['load_average']})" for t, r in reports.items())]
    head = f"{'step (asset or check)':<28}" + "".join(f"{t + ' s':>14}" for t in texts)
    lines.append(head)
    keys = []
    for r in reports.values():
        keys += [k for k in r["steps"] if k not in keys]
    for key in keys:
        lines.append(f"{key:<28}" + "".join(
            f"{reports[t]['steps'].get(key, float('nan')):>14.2f}" for t in texts))
    for name in ("raw_logs", "chain"):
        lines.append(f"{'process: ' + name:<28}" + "".join(
            f"{reports[t]['runs'][name]['seconds']:>14.2f}" for t in texts))
        lines.append(f"{'  CPU s (with workers)':<28}" + "".join(
            f"{reports[t]['runs'][name]['cpu_seconds']:>14.2f}" for t in texts))
    checks = {t: sum(v for k, v in r["steps"].items() if k.endswith("_quality")) for t, r in reports.items()}
    lines.append(f"{'GX checks (sum of steps)':<28}" + "".join(f"{checks[t]:>14.2f}" for t in texts))
    lines.append(f"{'chain run succeeded':<28}" + "".join(
        f"{reports[t]['runs']['chain']['returncode'] == 0!s:>14}" for t in texts))
    lines.append(f"{'end to end turns/s':<28}" + "".join(
        f"{reports[t]['end_to_end']['turns_per_s']:>14,.0f}" for t in texts))
    lines.append(f"{'peak RSS MB (run process)':<28}" + "".join(
        f"{reports[t]['end_to_end']['peak_rss_mb']:>14}" for t in texts))
    lines.append(f"{'peak RSS MB (workers)':<28}" + "".join(
        f"{reports[t]['end_to_end']['peak_children_rss_mb']:>14}" for t in texts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", choices=("generated", "real", "both"), default="both")
    parser.add_argument("--turns", type=int, default=10_000, help="turns of day D (about)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="the whole `make demo` path instead (below)")
    parser.add_argument("--days", type=int, default=3, help="--demo: days")
    parser.add_argument("--conversations-per-day", type=int, default=36_364, help="--demo: size of a day")
    parser.add_argument("--keep", help="run in this directory and keep it")
    parser.add_argument("--json", action="store_true", help="last stdout line: the report as JSON")
    args = parser.parse_args(argv)
    if not args.demo:
        work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wildchat-dagster-cli-"))
        texts = ("generated", "real") if args.text == "both" else (args.text,)
        reports = {}
        try:
            for text in texts:
                reports[text] = run_text(text, args.turns, work / text, args.seed)
                if not args.keep:
                    shutil.rmtree(work / text / "data", ignore_errors=True)
            print(format_cli(reports))
            if args.json:
                print(json.dumps(reports))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wildchat-dagster-run-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "WILDCHAT_STORAGE": str(work / "data"), "DAGSTER_HOME": str(work / "dagster_home"),
           "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "wildchat_dagster.demo", "--days", str(args.days),
               "--conversations-per-day", str(args.conversations_per_day)]
    log_path = work / "demo.log"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        child = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = RssSampler(interval=0.05, pid=child.pid, timeline=True).start()
        child.wait()
        sampler.stop()
    wall = time.perf_counter() - started
    main_peak, children_peak, tree_peak = sampler.main_peak, sampler.children_peak, sampler.tree_peak
    report = {
        "days": args.days,
        "conversations_per_day": args.conversations_per_day,
        "returncode": child.returncode,
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(main_peak / MB),
        "peak_children_rss_mb": round(children_peak / MB),
        "peak_tree_rss_mb": round(tree_peak / MB),
        "log": str(log_path),
    }
    (work / "rss_timeline.json").write_text(json.dumps(sampler.timeline))  # to lay over the run's step events
    print(log_path.read_text(errors="replace")[-6000:])
    print(f"dagster run: {args.days} days x {args.conversations_per_day} conversations in {wall:.0f}s, "
          f"exit {child.returncode}; peak RSS {report['peak_rss_mb']} MB (run process), "
          f"{report['peak_children_rss_mb']} MB (workers, dbt), {report['peak_tree_rss_mb']} MB together")
    if args.json:
        print(json.dumps(report))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
