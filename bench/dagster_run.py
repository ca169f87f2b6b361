"""The whole Dagster run at production size: `make demo`'s code path, but with big days.

`run.py` measures the stage code; this measures what a real run adds on top of it (Dagster's
in-process executor, the IO manager, the GX asset checks, dbt). It runs
``python -m wildchat_dagster.demo --days K --conversations-per-day N`` in a fresh temporary
directory (own storage, own Dagster instance) and samples the RSS of that process and of its
children (PII/classification workers, the dbt subprocess) until it ends.

    .venv/bin/python bench/dagster_run.py --conversations-per-day 36364   # ~100k turns a day

About 36,400 conversations make a 100,000-turn day (run.py's TURNS_PER_CONVERSATION). The
demo runs raw_logs for every day, then the chain day by day, so the peak is the largest day's
largest step, plus whatever stays behind between days.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import MB, ROOT, RssSampler  # bench/run.py, beside this file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--conversations-per-day", type=int, default=36_364)
    parser.add_argument("--keep", help="run in this directory and keep it")
    parser.add_argument("--json", action="store_true", help="last stdout line: the report as JSON")
    args = parser.parse_args(argv)

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
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
