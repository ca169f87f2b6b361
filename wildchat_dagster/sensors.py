"""The drop sensor (DESIGN §9): new, changed or removed log files → runs for the affected days.

What a change to the drops of day D must re-run, and nothing else:

* ``raw_logs[D]`` (and its quarantine): its input changed.
* the rest of the chain (``conversations`` → ``release`` and anything else in the pipeline
  group) for every partition P whose conversation window ``raw_logs[P-1..P+1]`` contains D,
  i.e. P in {D-1, D, D+1}: conversations of D-1 may continue into D, D's own conversations
  change, and a D+1 call whose parent turns up in a late D file stops being an orphan of D+1
  and moves to D. A neighbour is skipped when it has no drops (its conversations are empty
  whatever D holds), and a day is *open* (skipped here) until it is closed: the next day's
  first drop exists, or the grace period after its end has passed (``CLOSE_GRACE``; until
  then the daily schedule closes it, schedules.py).

Two waves, because a Dagster run covers one partition but ``conversations[P]`` reads three
``raw_logs`` partitions: tick N requests one ``raw_logs``-only run per changed day; a later
tick, once every ``raw_logs`` partition in P's window that changed has a materialization
newer than the change, requests P's downstream run. So runs for neighbouring days never race
on each other's inputs, and the result equals materializing the days one by one. A failed
``raw_logs`` run keeps its neighbours waiting (they never read stale input); re-executing
it from the UI releases them.

Listing: S3 through dagster-aws's ``S3Resource`` (boto3, standard retries, the ETag as a
file's version), a local directory through pyarrow (size + mtime). The cursor keeps one
digest per day of the names and versions seen (small however many files a day has) plus the
partitions waiting for their second wave. ``run_key``s carry the day, the files' names and
versions and a sequence number, so a re-evaluated tick launches nothing twice while a file
that returns to an earlier version still re-runs its day.
"""

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster_aws.s3 import S3Resource

from .core.drop_files import is_readable_name
from .core.logs import DROP_DIR
from .core.storage import FileInfo, Storage
from .partitions import PARTITIONS_START
from .resources import StorageResource

JOB_NAME = "daily_chain"
PIPELINE_GROUP = "pipeline"
RAW_KEYS = (AssetKey("raw_logs"), AssetKey("raw_logs_quarantine"))
# Used when the sensor runs without its repository (unit tests of the planner).
FALLBACK_DOWNSTREAM_KEYS = tuple(
    AssetKey(k) for k in ("conversations", "scrubbed", "geo_tagged", "classified", "release")
)
# A day is closed this long after its end even when the next day has no drop yet; the daily
# schedule fires at the same time (00:00 UTC + CLOSE_GRACE) for yesterday.
CLOSE_GRACE = dt.timedelta(hours=2)
CURSOR_VERSION = 1
_DAY_DIR = re.compile(rf"^{DROP_DIR}/dt=(\d{{4}}-\d{{2}}-\d{{2}})/")
_MAX_LISTED_CHARS = 300  # run_key / tag: names@versions verbatim below this, else a digest


def _day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def drop_days(files: Iterable[FileInfo], today: dt.date) -> tuple[dict[str, list[FileInfo]], list[str]]:
    """Group drop files by their ``dt=`` day; days that are not (yet) partitions are set aside."""
    by_day: dict[str, list[FileInfo]] = {}
    ignored: list[str] = []
    start = _day(PARTITIONS_START)
    for info in files:
        match = _DAY_DIR.match(info.path)
        try:
            day = _day(match.group(1)) if match else None
        except ValueError:
            day = None
        if day is None or day < start or day > today:  # end_offset=1: today is the last partition
            ignored.append(info.path)
            continue
        by_day.setdefault(day.isoformat(), []).append(info)
    return by_day, ignored


def describe_files(day: str, files: list[FileInfo]) -> str:
    """``name@version;…`` of a day's files (relative to its dt= folder), or a digest when long."""
    prefix = f"{DROP_DIR}/dt={day}/"
    if not files:
        return "no-files"
    ordered = sorted(files, key=lambda f: f.path)
    listed = ";".join(f"{f.path.removeprefix(prefix)}@{f.version}" for f in ordered)
    if len(listed) <= _MAX_LISTED_CHARS:
        return listed
    return f"{len(files)}-files-sha256:{hashlib.sha256(listed.encode()).hexdigest()[:16]}"


def day_digest(files: list[FileInfo]) -> str:
    listed = "\n".join(f"{f.path}\t{f.version}" for f in sorted(files, key=lambda f: f.path))
    return hashlib.sha256(listed.encode()).hexdigest()[:16]


@dataclass
class DropCursor:
    """``days``: day → digest of its files seen; ``pending``: partition → {since, waits, seq}."""

    seq: int = 0
    days: dict[str, str] = field(default_factory=dict)
    pending: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> "DropCursor":
        if not raw:
            return cls()
        data = json.loads(raw)
        if data.get("v") != CURSOR_VERSION:
            raise ValueError(f"unknown drop sensor cursor version {data.get('v')!r}; reset the cursor")
        return cls(seq=int(data["seq"]), days=dict(data["days"]), pending=dict(data["pending"]))

    def dumps(self) -> str:
        return json.dumps(
            {"v": CURSOR_VERSION, "seq": self.seq, "days": self.days, "pending": self.pending},
            sort_keys=True, separators=(",", ":"),
        )


@dataclass(frozen=True)
class PlannedRun:
    partition: str
    wave: str  # "raw_logs" (wave 1) or "chain" (wave 2: everything downstream of raw_logs)
    run_key: str
    files: str  # what the run_key describes, for the run's tags


@dataclass
class Plan:
    runs: list[PlannedRun]
    cursor: DropCursor
    changed: list[str]
    deferred: list[str]  # affected partitions still open: the schedule or the next day closes them
    ignored: list[str]

    def summary(self) -> str:
        waiting = ", ".join(sorted(self.cursor.pending)) or "none"
        return (f"changed days: {', '.join(self.changed) or 'none'}; runs: {len(self.runs)}; "
                f"waiting for raw_logs: {waiting}; open (deferred): {', '.join(self.deferred) or 'none'}")


def is_closed(day: str, has_drops: Callable[[str], bool], now: dt.datetime) -> bool:
    """A day's conversations can be finalised: the next day has drops, or the grace is over."""
    following = _day(day) + dt.timedelta(days=1)
    end = dt.datetime.combine(following, dt.time(), tzinfo=dt.UTC)
    return has_drops(following.isoformat()) or now >= end + CLOSE_GRACE


def plan_drop_runs(
    files: Iterable[FileInfo],
    cursor: DropCursor,
    now: dt.datetime,
    raw_logs_done_since: Callable[[str, float], bool],
) -> Plan:
    """What to run for the drops as listed now, given what the cursor saw (pure: no Dagster).

    ``raw_logs_done_since(day, ts)`` says whether raw_logs[day] was materialized after ts.
    """
    by_day, ignored = drop_days(files, now.date())
    state = {day: day_digest(fs) for day, fs in by_day.items()}
    changed = sorted(d for d in set(state) | set(cursor.days) if state.get(d) != cursor.days.get(d))
    known = set(state) | set(cursor.days)  # days that have, or had, drops
    start, today = _day(PARTITIONS_START), now.date()
    seq = cursor.seq + 1 if changed else cursor.seq
    pending = {p: dict(v) for p, v in cursor.pending.items()}
    runs: list[PlannedRun] = []
    deferred: list[str] = []

    # Wave 1: raw_logs for each changed day (a day whose files were all removed re-runs to empty).
    for day in changed:
        files_text = describe_files(day, by_day.get(day, []))
        runs.append(PlannedRun(day, "raw_logs", f"raw_logs:{day}:{files_text}:{seq}", files_text))

    # The partitions whose window saw a change wait for those raw_logs runs.
    since = now.timestamp()
    for day in changed:
        for part in _window(day):
            if part not in known or not (start <= _day(part) <= today):
                continue
            if not is_closed(part, lambda d: d in state, now):
                deferred.append(part)
                continue
            entry = pending.setdefault(part, {"waits": []})
            entry["since"], entry["seq"] = since, seq
            entry["waits"] = sorted(set(entry["waits"]) | {day})

    # Wave 2: partitions whose waited-for raw_logs have all been materialized since.
    touched = {p for d in changed for p in _window(d)}
    for part in sorted(cursor.pending):
        entry = pending[part]
        if part in touched:
            continue  # changed again in this tick: wait for the new raw_logs run
        if all(raw_logs_done_since(day, entry["since"]) for day in entry["waits"]):
            window = ";".join(state.get(d, "-") for d in _window(part))
            digest = hashlib.sha256(window.encode()).hexdigest()[:16]
            runs.append(PlannedRun(part, "chain", f"chain:{part}:{digest}:{entry['seq']}",
                                   f"after raw_logs of {','.join(entry['waits'])}"))
            del pending[part]

    new_cursor = DropCursor(seq=seq, days=state, pending=pending)
    return Plan(runs, new_cursor, changed, sorted(set(deferred)), ignored)


def _window(day: str) -> list[str]:
    d = _day(day)
    return [(d + dt.timedelta(days=o)).isoformat() for o in (-1, 0, 1)]


def list_drops(storage: Storage, s3: S3Resource | None) -> list[FileInfo]:
    """Every drop file, whatever its suffix (a file raw_logs will not read still re-runs its day,
    which lists it in the quarantine): boto3 (ETag versions) on S3, pyarrow (size-mtime) on a
    local directory. Hidden names (``.``/``_``: upload temp files, markers) are left out."""
    if storage.is_s3:
        client = s3.get_client() if s3 is not None else None
        if client is not None:
            return storage.list_objects(client, DROP_DIR)
    return storage.list_files(DROP_DIR)


def unread_files(files: Iterable[FileInfo], ignored: list[str]) -> dict[str, list[str]]:
    """Drop files raw_logs will not read, by how its quarantine will list them: ``name (size)``."""
    sizes = {f.path: f.size for f in files}
    ignored_set = set(ignored)
    out: dict[str, list[str]] = {"misplaced_file": [], "unsupported_file": []}
    for path, size in sorted(sizes.items()):
        rel = path[len(DROP_DIR) + 1:]
        if path in ignored_set or rel.count("/") != 1:
            out["misplaced_file"].append(f"{path} ({size} bytes)")
        elif not is_readable_name(path):
            out["unsupported_file"].append(f"{path} ({size} bytes)")
    return out


def downstream_keys(context) -> list[AssetKey]:
    """Everything in the pipeline group but raw_logs (so stages added later follow)."""
    repo = getattr(context, "repository_def", None)
    if repo is None:
        return list(FALLBACK_DOWNSTREAM_KEYS)
    keys = AssetSelection.groups(PIPELINE_GROUP).resolve(repo.asset_graph)
    return sorted((k for k in keys if k not in RAW_KEYS), key=lambda k: k.to_user_string())


def raw_logs_done_checker(instance) -> Callable[[str, float], bool]:
    def done(day: str, since: float) -> bool:
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey("raw_logs"), asset_partitions=[day], after_timestamp=since),
            limit=1,
        ).records
        return bool(records)

    return done


def to_run_requests(plan: Plan, chain_keys: list[AssetKey]) -> list[RunRequest]:
    out = []
    for run in plan.runs:
        keys = list(RAW_KEYS) if run.wave == "raw_logs" else chain_keys
        out.append(RunRequest(
            run_key=run.run_key,
            partition_key=run.partition,
            asset_selection=keys,
            tags={"wildchat/trigger": "drop_sensor", "wildchat/wave": run.wave,
                  "wildchat/files": run.files[:_MAX_LISTED_CHARS + 40]},
        ))
    return out


@sensor(
    name="raw_log_drops_sensor",
    job_name=JOB_NAME,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="New, changed or removed files under <storage>/raw_logs_drop/dt=*/ re-run their day's "
    "raw_logs, then the chain for the days whose conversation window they touch (sensors.py).",
)
def raw_log_drops_sensor(context: SensorEvaluationContext, storage: StorageResource, s3: S3Resource):
    store = storage.get()
    files = list_drops(store, s3)
    cursor = DropCursor.parse(context.cursor)
    now = dt.datetime.fromtimestamp(time.time(), dt.UTC)
    plan = plan_drop_runs(files, cursor, now, raw_logs_done_checker(context.instance))
    if plan.ignored:
        context.log.warning(f"{len(plan.ignored)} drop file(s) outside the daily partitions' folders "
                            f"(dt=YYYY-MM-DD from {PARTITIONS_START} to today, UTC), e.g. {plan.ignored[0]}")
    for reason, names in unread_files(files, plan.ignored).items():
        if names:
            context.log.warning(f"{len(names)} drop file(s) raw_logs will not read (listed in the quarantine "
                                f"as {reason}): {', '.join(names[:20])}")
    context.log.info(plan.summary())
    requests = to_run_requests(plan, downstream_keys(context))
    if not requests:
        return SensorResult(skip_reason=SkipReason(plan.summary()), cursor=plan.cursor.dumps())
    return SensorResult(run_requests=requests, cursor=plan.cursor.dumps())
