"""Deterministic, streaming generator of sample raw chatbot logs (DESIGN.md §3).

Writes what the pipeline reads in production: WildChat-style API calls, one JSON line per
call with the full history, IP, headers and consent, under
``<out>/raw_logs_drop/dt=YYYY-MM-DD/part-00000.jsonl[.gz]``. Next to the drops (never
inside them) it writes the ground truth that tests and benchmarks check the pipeline with:

- ``<out>/ground_truth/dt=YYYY-MM-DD/planted.jsonl``: one record per PII item, secret or
  benign look-alike planted in that day's rows:
  ``{"row_id", "message": "user"|"response", "kind", "value", "language"}``. ``message``
  says where the value is in that row: the last user message or the response. Later rows
  of the same conversation repeat it in their history. ``BENIGN_*`` kinds must survive
  scrubbing; every other kind must be gone.
- ``<out>/ground_truth/conversations.jsonl``: one record per conversation of the run: its
  rows in time order as ``[row_id, turn, "turn"|"regeneration"|"edit"]``, language, user,
  model, canned-pair partner, midnight crossing, toxicity and PII flags.
- ``<out>/ground_truth/summary.json``: the run's counters per day (``GenerationStats``).

Same arguments give byte-identical files. Memory does not grow with the number of days:
conversations are generated one at a time in start order; their rows wait in a heap keyed
by timestamp and are written once no conversation still to come can start before them.
"""

from .packs import LANGUAGE_CODES, LANGUAGE_PACKS, LanguagePack
from .run import default_geoip_db, generate_drops
from .settings import (
    BENIGN_KINDS,
    DROP_FOLDER,
    GROUND_TRUTH_FOLDER,
    MALFORMED_KINDS,
    MAXMIND_TEST_IPS,
    PART_STEM,
    PII_KINDS,
    SECRET_KINDS,
)
from .stats import DayStats, GenerationStats
from .writer import drop_path

__all__ = [
    "BENIGN_KINDS",
    "DROP_FOLDER",
    "GROUND_TRUTH_FOLDER",
    "LANGUAGE_CODES",
    "LANGUAGE_PACKS",
    "MALFORMED_KINDS",
    "MAXMIND_TEST_IPS",
    "PART_STEM",
    "PII_KINDS",
    "SECRET_KINDS",
    "DayStats",
    "GenerationStats",
    "LanguagePack",
    "default_geoip_db",
    "drop_path",
    "generate_drops",
]
