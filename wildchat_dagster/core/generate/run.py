"""``generate_drops``: plans each day's conversations and writes their rows, in time order."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from .conversations import ConversationFactory
from .settings import GROUND_TRUTH_FOLDER, IP_POOL_SEED
from .stats import DayStats, GenerationStats
from .users import load_ip_pool
from .writer import AtomicFile, DropWriter, RowsInTimeOrder


def default_geoip_db() -> str:
    """Path of the GeoLite2-City database embedded in the ``maxminddb-geolite2`` wheel."""
    from _maxminddb_geolite2 import geolite2_database

    return geolite2_database()


def generate_drops(
    out_dir: str | Path,
    start: dt.date,
    days: int,
    conversations_per_day: int,
    seed: int = 0,
    malformed_share: float = 0.01,
    no_consent_share: float = 0.03,
    gzip: bool = False,
    *,
    geoip_db: str | Path | None = None,
) -> GenerationStats:
    """Write ``days`` daily drops starting at ``start`` and their ground truth under ``out_dir``.

    ``malformed_share`` is the share of lines that break the contract (extra lines, the
    conversations stay whole); ``no_consent_share`` the share of conversations sent with
    ``consent: false``. Rows of conversations still running after the last day's midnight
    are not written (the collection window ends); they are counted in
    ``dropped_after_window``. Files are written to a temporary name and renamed when
    complete, so a watcher never sees half a drop.
    """
    _check_arguments(days, conversations_per_day, malformed_share, no_consent_share)
    began = time.perf_counter()
    out = Path(out_dir)
    stats = GenerationStats(
        out_dir=out,
        start=start,
        seed=seed,
        conversations_per_day=conversations_per_day,
        days=[DayStats(start + dt.timedelta(days=i)) for i in range(days)],
    )
    # One pool per database, whatever the run's seed: runs share a user population, and
    # the probing (~0.8 s) happens once per process.
    ip_pool = load_ip_pool(IP_POOL_SEED, str(geoip_db or default_geoip_db()))
    factory = ConversationFactory(seed, conversations_per_day, no_consent_share, ip_pool)
    with DropWriter(out, stats, seed, malformed_share, gzip) as writer:
        waiting = RowsInTimeOrder(writer)
        for position, day_stats in enumerate(stats.days):
            is_last_day = position == days - 1
            for conversation in factory.conversations_of(
                day_stats, position, force_midnight_crossing=not is_last_day
            ):
                waiting.release_before(conversation.start)
                waiting.add(conversation)
        waiting.release_all()
    _write_summary(out, stats)
    stats.elapsed_s = time.perf_counter() - began
    return stats


def _check_arguments(days: int, per_day: int, malformed_share: float, no_consent_share: float) -> None:
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if per_day < 0:
        raise ValueError(f"conversations_per_day must be >= 0, got {per_day}")
    if not 0.0 <= malformed_share < 0.9:
        raise ValueError(f"malformed_share must be in [0, 0.9), got {malformed_share}")
    if not 0.0 <= no_consent_share <= 1.0:
        raise ValueError(f"no_consent_share must be in [0, 1], got {no_consent_share}")


def _write_summary(out: Path, stats: GenerationStats) -> None:
    text = json.dumps(stats.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    target = AtomicFile(out / GROUND_TRUTH_FOLDER / "summary.json")
    target.write(text.encode("utf-8"))
    target.close()
