"""Disclosure risk of the released metadata: k-anonymity of each user's quasi-identifiers.

Beside the text, every released user message carries country, state, the browser's
``user-agent`` and ``accept-language`` headers and a stable ``hashed_ip`` (the user's
pseudonym). Someone who knows a person's location and browser can look for rows with those
values; when few users share them, the pseudonym, and with it every conversation of that
user, is singled out.

Definitions (docs/release.md, "Disclosure risk"):

- An *observation* is one (user, tuple) pair the release shows: every user message's
  ``hashed_ip`` with its ``(country, state, user-agent, accept-language)``, and every
  conversation's top-level ``hashed_ip`` with its top-level values. The values are taken as
  released: a full user-agent string counts in full (anyone can match on it).
- ``k`` of a tuple = the number of distinct users that show it.
- A user's ``k`` = the smallest ``k`` over that user's tuples (a user who changed browser or
  network is as exposed as their rarest tuple).
- A user is *at risk* when ``k < threshold`` (5 by default, the usual k-anonymity bar).

Timestamps are not part of the tuple (at one-second precision nearly every message would be
unique); the report instead gives the share of user messages whose released timestamp no other
user shares, which the release policy's timestamp precision controls.

Everything is vectorised over integer codes (``dictionary_encode`` per column, tuples combined
column by column and re-densified with ``numpy.unique``), so a 100,000-turn day takes well
under a second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The quasi-identifier tuple, in the order reports name them.
QUASI_IDENTIFIERS = ("country", "state", "user_agent", "accept_language")
RISK_K = 5  # "at risk" below this k: the headline number of every report
# Users per k bucket (lower bound, upper bound or None), as the card shows them.
K_BUCKETS = ((1, 1), (2, 4), (5, 9), (10, 19), (20, 49), (50, None))

OBSERVATIONS = pa.schema([
    ("user", pa.string()),
    ("country", pa.string()),
    ("state", pa.string()),
    ("user_agent", pa.string()),
    ("accept_language", pa.string()),
    ("timestamp", pa.timestamp("us", tz="UTC")),  # message level only; null on conversation rows
])
# Parquet leaf paths the observations need from a release file (ParquetFile.read columns):
# the conversation's small fields, never its text.
RELEASE_QI_COLUMNS = (
    "hashed_ip", "country", "state", "header",
    "conversation.list.element.role", "conversation.list.element.hashed_ip",
    "conversation.list.element.country", "conversation.list.element.state",
    "conversation.list.element.header", "conversation.list.element.timestamp",
)


def bucket_name(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}")


@dataclass
class DisclosureReport:
    """k-anonymity of one set of observations (a release day, or the whole release)."""

    threshold: int = RISK_K
    users: int = 0
    observations: int = 0  # distinct (user, tuple) pairs
    tuples: int = 0  # distinct tuples
    users_below: int = 0  # users with k < threshold
    share_below: float = 0.0
    users_unique: int = 0  # users with k == 1
    k_min: int = 0
    k_median: float = 0.0
    k_distribution: dict[str, int] = field(default_factory=dict)  # users per K_BUCKETS bucket
    # Users at risk when the tuple is that one attribute alone; the largest singles out most.
    singles_out: dict[str, int] = field(default_factory=dict)
    singles_out_most: str | None = None
    user_messages: int = 0  # user messages with a timestamp
    time_unique_share: float = 0.0  # of those, held by no other user at the released precision

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> DisclosureReport | None:
        if not data:
            return None
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})

    def summary(self) -> str:
        if not self.users:
            return "no users"
        return (f"{self.users} users, k<{self.threshold}: {self.users_below} ({self.share_below:.1%}), "
                f"unique (k=1): {self.users_unique}, median k {self.k_median:g}, "
                f"singles out most: {self.singles_out_most or '-'}, "
                f"timestamp unique: {self.time_unique_share:.1%}")


# ----------------------------------------------------------------------------------------
# Observations from release rows
# ----------------------------------------------------------------------------------------
def _chunked(values) -> pa.ChunkedArray:
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


def observations(release: pa.Table) -> pa.Table:
    """The (user, quasi-identifier) observations of release rows: each user message's and each
    conversation's. ``release`` needs the RELEASE_QI_COLUMNS (a full release table has them)."""
    if release.num_rows == 0:
        return OBSERVATIONS.empty_table()
    msgs = pc.list_flatten(_chunked(release["conversation"]))
    header = pc.struct_field(msgs, "header")
    messages = pa.table({
        "user": pc.struct_field(msgs, "hashed_ip"),
        "country": pc.struct_field(msgs, "country"),
        "state": pc.struct_field(msgs, "state"),
        "user_agent": pc.struct_field(header, "user-agent"),
        "accept_language": pc.struct_field(header, "accept-language"),
        "timestamp": pc.struct_field(msgs, "timestamp"),
    }).filter(pc.and_(pc.equal(pc.struct_field(msgs, "role"), "user"),
                      pc.is_valid(pc.struct_field(msgs, "hashed_ip"))))
    top_header = _chunked(release["header"])
    conversations = pa.table({
        "user": release["hashed_ip"],
        "country": release["country"],
        "state": release["state"],
        "user_agent": pc.struct_field(top_header, "user-agent"),
        "accept_language": pc.struct_field(top_header, "accept-language"),
        "timestamp": pa.nulls(release.num_rows, OBSERVATIONS.field("timestamp").type),
    }).filter(pc.is_valid(release["hashed_ip"]))
    return pa.concat_tables([messages.cast(OBSERVATIONS), conversations.cast(OBSERVATIONS)])


# ----------------------------------------------------------------------------------------
# k per observation and per user
# ----------------------------------------------------------------------------------------
def codes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Dense integer codes of a column: 0 for null, 1.. for the distinct values."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if len(arr) == 0:
        return np.zeros(0, np.int64)
    indices = pc.dictionary_encode(arr).indices
    return np.asarray(pc.fill_null(pc.add(indices.cast(pa.int64()), 1), 0), dtype=np.int64)


def combine(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Dense ids of the row-wise tuples of several code columns (one column at a time, so the
    mixed-radix key never overflows)."""
    key = np.zeros(n, np.int64)
    for c in columns:
        key = key * (int(c.max(initial=0)) + 1) + c
        key = np.unique(key, return_inverse=True)[1].reshape(-1)
    return key


def k_per_row(users: np.ndarray, tuples: np.ndarray) -> np.ndarray:
    """For each row, the number of distinct users that show its tuple."""
    if len(users) == 0:
        return np.zeros(0, np.int64)
    pair = combine([tuples, users], len(users))
    first = np.unique(pair, return_index=True)[1]  # one row per distinct (tuple, user)
    per_tuple = np.bincount(tuples[first], minlength=int(tuples.max()) + 1)
    return per_tuple[tuples]


def user_min(users: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per user code (0..max), the smallest value over the user's rows (int64 max where none)."""
    out = np.full(int(users.max(initial=-1)) + 1, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(out, users, values)
    return out


def measure(obs: pa.Table, threshold: int = RISK_K) -> DisclosureReport:
    """The k-anonymity report of a set of observations (OBSERVATIONS columns)."""
    report = DisclosureReport(threshold=threshold)
    n = obs.num_rows
    if n == 0:
        return report
    users = codes(obs["user"])
    cols = {name: codes(obs[name]) for name in QUASI_IDENTIFIERS}
    tuples = combine(list(cols.values()), n)
    k = k_per_row(users, tuples)
    per_user = user_min(users, k)
    per_user = per_user[per_user != np.iinfo(np.int64).max]
    report.users = len(per_user)
    report.observations = len(np.unique(combine([tuples, users], n)))
    report.tuples = int(tuples.max()) + 1
    report.users_below = int((per_user < threshold).sum())
    report.share_below = round(report.users_below / report.users, 4)
    report.users_unique = int((per_user == 1).sum())
    report.k_min = int(per_user.min())
    report.k_median = float(np.median(per_user))
    report.k_distribution = {
        bucket_name(lo, hi): int(((per_user >= lo) & (per_user <= (hi or np.iinfo(np.int64).max))).sum())
        for lo, hi in K_BUCKETS
    }
    for name, c in cols.items():
        alone = user_min(users, k_per_row(users, c))
        report.singles_out[name] = int((alone[alone != np.iinfo(np.int64).max] < threshold).sum())
    top = max(report.singles_out.items(), key=lambda kv: kv[1])
    report.singles_out_most = top[0] if top[1] else None
    report.user_messages, report.time_unique_share = _time_uniqueness(obs, users)
    return report


def _time_uniqueness(obs: pa.Table, users: np.ndarray) -> tuple[int, float]:
    """User messages with a timestamp, and the share of them whose timestamp no other user's
    message has (at the precision the release shows)."""
    valid = np.asarray(pc.is_valid(obs["timestamp"]).combine_chunks().to_numpy(zero_copy_only=False))
    if not valid.any():
        return 0, 0.0
    ts = codes(obs["timestamp"])[valid]
    shown_by = k_per_row(users[valid], ts)
    return int(valid.sum()), round(float((shown_by == 1).mean()), 4)


def measure_release(release: pa.Table, threshold: int = RISK_K) -> DisclosureReport:
    return measure(observations(release), threshold)


def read_observations(storage, paths: list[str]) -> pa.Table:
    """The observations of the release Parquet files ``paths`` (a day's current full split,
    core/publish.py), reading only the RELEASE_QI_COLUMNS leaves (never the text)."""
    import pyarrow.parquet as pq

    parts = [OBSERVATIONS.empty_table()]
    for path in paths:
        with storage.fs.open_input_file(storage.full(path)) as f:
            parts.append(observations(pq.ParquetFile(f).read(columns=list(RELEASE_QI_COLUMNS))))
    return pa.concat_tables(parts)
