"""The daily close (DESIGN §4, §9): yesterday's chain, once, after a grace period.

``conversations[D]`` reads ``raw_logs[D-1..D+1]``, so day D is final only when day D+1's
logs are in. Two ways close it, whichever comes first:

* early: the first drop of today makes the drop sensor (sensors.py) re-run yesterday's
  chain, after today's ``raw_logs`` is materialized;
* late: this schedule, at 02:00 UTC (``CLOSE_GRACE`` after midnight), when today has no
  drop yet (a quiet night, or a producer running late). It runs the whole chain for
  yesterday: ``raw_logs`` (so a day the sensor never saw is covered too) then the rest.
  A day without any drop becomes empty partitions, not an error.

When today's drops exist, the schedule skips: the sensor has closed, or is closing,
yesterday with today's ``raw_logs`` in the window, and a second run reading it half-written
could only race it. A late file that arrives after the close re-runs the day through the
sensor (and the release with it). ``run_key`` ``close:<day>``: at most one run per day.
"""

import datetime as dt

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from .core.logs import DROP_DIR
from .core.storage import StorageError
from .partitions import PARTITIONS_START
from .resources import StorageResource
from .sensors import CLOSE_GRACE, JOB_NAME

_hours, _rest = divmod(int(CLOSE_GRACE.total_seconds()), 3600)
CLOSE_CRON = f"{_rest // 60} {_hours} * * *"  # "0 2 * * *"


def day_to_close(scheduled: dt.datetime) -> dt.date:
    """The day a tick closes: the UTC day before the one the tick fires on."""
    return scheduled.astimezone(dt.UTC).date() - dt.timedelta(days=1)


@schedule(
    name="close_yesterday_schedule",
    cron_schedule=CLOSE_CRON,
    execution_timezone="UTC",
    job_name=JOB_NAME,
    default_status=DefaultScheduleStatus.STOPPED,
    description="02:00 UTC: materialize yesterday's whole chain unless today's first drop has already "
    "let the drop sensor close it (schedules.py).",
)
def close_yesterday_schedule(context: ScheduleEvaluationContext, storage: StorageResource):
    day = day_to_close(context.scheduled_execution_time)
    if day < dt.date.fromisoformat(PARTITIONS_START):
        return SkipReason(f"{day} is before the first partition ({PARTITIONS_START})")
    today = day + dt.timedelta(days=1)
    tags = {"wildchat/trigger": "close_schedule"}
    try:
        todays = storage.get().list_files(f"{DROP_DIR}/dt={today.isoformat()}")  # any file: see sensors
    except StorageError as exc:
        if not exc.transient:
            raise
        # The store is unreachable right now: close anyway rather than lose the day; the run
        # retries its steps (PIPELINE_RETRY_POLICY) and fails visibly if the outage lasts.
        context.log.warning(f"could not list today's drops ({exc}); closing {day} regardless")
        todays, tags = [], tags | {"wildchat/close_unchecked": "true"}
    if todays:
        return SkipReason(
            f"{len(todays)} drop file(s) for {today} exist: the drop sensor closes {day} "
            f"once raw_logs for {today} is in"
        )
    return RunRequest(run_key=f"close:{day.isoformat()}", partition_key=day.isoformat(), tags=tags)
