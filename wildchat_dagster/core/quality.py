"""The data behind the quality checks: per-asset frames with computed columns, reference
sets (GeoIP country names, lid.176 labels) and reconciliation counts. No Dagster, no GX.

Each ``*_frames`` function turns one partition of a stage table (Arrow) into small pandas
frames that the Great Expectations suites validate. The frames hold row ids
(``conversation_id``/``message_index``, or ``id``/``source_line``), flags and numbers,
never message text: GX results and Data Docs show unexpected rows, and nothing there may
carry PII. A partition-level frame (one row of counts, ``*_partition``) carries what is
not a row property: schema conformance, reconciliations, rates.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .extra_text import extra_texts, has_extras
from .logs import FILE_REASONS
from .residue import PII_KINDS, ip_residue_columns, pii_residue_masks
from .schema import DETOXIFY_LABELS, MODERATION_CATEGORIES

HEX64 = r"^[0-9a-f]{64}$"
HEX32 = r"^[0-9a-f]{32}$"


@dataclass
class Frames:
    """What one asset partition gives its suites: batch name → frame, plus notes (counts and
    names only) for the check metadata."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers
def _canonical(typ: pa.DataType) -> pa.DataType:
    """A type with list item fields unnamed: Parquet writes ``list<element: ...>`` for what
    Arrow calls ``list<item: ...>``; the contract is the same."""
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return pa.list_(_canonical(typ.value_type))
    if pa.types.is_struct(typ):
        return pa.struct(
            [pa.field(typ.field(i).name, _canonical(typ.field(i).type)) for i in range(typ.num_fields)]
        )
    return typ


def schema_mismatch(table: pa.Table | None, schema: pa.Schema) -> str | None:
    """None when ``table`` has exactly ``schema``'s fields (names, order, types); otherwise a
    short description of the first differences (field names and types only)."""
    if table is None:
        return "partition missing"
    got = [(f.name, str(_canonical(f.type))) for f in table.schema]
    want = [(f.name, str(_canonical(f.type))) for f in schema]
    if got == want:
        return None
    problems = []
    got_names, want_names = [n for n, _ in got], [n for n, _ in want]
    missing = [n for n in want_names if n not in got_names]
    extra = [n for n in got_names if n not in want_names]
    if missing:
        problems.append("missing " + ",".join(missing[:5]))
    if extra:
        problems.append("extra " + ",".join(extra[:5]))
    got_types = dict(got)
    wrong = [n for n, t in want if n in got_types and got_types[n] != t]
    if wrong:
        problems.append("type of " + ",".join(wrong[:5]))
    if not problems:
        problems.append("column order")
    return "; ".join(problems)


def _np(arr: pa.ChunkedArray | pa.Array, fill=None) -> np.ndarray:
    if fill is not None:
        arr = arr.fill_null(fill)
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def _day_strings(ts: pa.ChunkedArray) -> np.ndarray:
    if len(ts) == 0:
        return np.zeros(0, dtype=object)
    days = pc.strftime(pc.cast(ts, pa.timestamp("us", tz="UTC")), format="%Y-%m-%d")
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype=object)


def _obj(values: Iterable) -> pd.Series:
    """An object-dtype series (keeps None as None for GX's null handling)."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return pd.Series(values, dtype=object)
    return pd.Series(list(values), dtype=object)


def _obj_col(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """``_obj(column.to_pylist())``, built in C for the flat types the frames hold: the same
    Python values (str, int, float, bool) and None for null; other types take the list path."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    typ = arr.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _obj(np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object))
    if not (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)):
        return _obj(arr.to_pylist())
    if arr.null_count:
        filled = arr.fill_null(False if pa.types.is_boolean(typ) else 0)
        values = np.asarray(filled.to_numpy(zero_copy_only=False)).astype(object)
        values[~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = None
    else:
        values = np.asarray(arr.to_numpy(zero_copy_only=False)).astype(object)
    return _obj(values)


def _ids(table: pa.Table, names: Sequence[str]) -> dict[str, pd.Series]:
    return {n: _obj_col(table.column(n)) for n in names}


def _nullable_bools(values: Sequence[bool | None] | pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, ...]:
    """(value, valid) boolean arrays of a nullable boolean column or list."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        value = np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        return value, valid
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    value = np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))
    return value, valid


def _same_nullable(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per row ``x == y`` of two nullable booleans (None equals only None)."""
    (va, ok_a), (vb, ok_b) = a, b
    return np.where(ok_a & ok_b, va == vb, ~ok_a & ~ok_b)


def _any_per_group_nullable(codes: np.ndarray, values: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Per row, over its group (``codes``): True if any value is True, else False if any is not
    None, else None: as (value, valid)."""
    value, valid = values
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    any_true = np.bincount(codes, weights=value & valid, minlength=n_groups) > 0
    any_valid = np.bincount(codes, weights=valid, minlength=n_groups) > 0
    return any_true[codes], any_valid[codes]


def _parts(storage, rel_dir: str) -> list:
    """The Parquet parts directly in ``rel_dir`` (not in its subfolders)."""
    return [f for f in storage.list_files(rel_dir, (".parquet",)) if "/" not in f.path[len(rel_dir) + 1 :]]


def read_columns(storage, rel_dir: str, columns: Sequence[str] | None = None) -> pa.Table | None:
    """The columns (of those asked for, the ones that exist) of the Parquet parts directly in
    ``rel_dir``; None when there is none. Reads only those column chunks, not whole files.
    Unlike ``Storage.read_table(columns=...)``, a column a part lacks is left out, not an
    error: for reads that accept an older layout (release's sexual/minors flag)."""
    parts = _parts(storage, rel_dir)
    if not parts:
        return None
    tables = []
    for part in parts:
        with storage.fs.open_input_file(storage.full(part.path)) as fh:
            pf = pq.ParquetFile(fh)
            cols = [c for c in columns if c in pf.schema_arrow.names] if columns else None
            tables.append(pf.read(columns=cols))
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def count_rows(storage, rel_dir: str) -> int | None:
    """Row count of a partition from the Parquet footers only; None when absent."""
    parts = _parts(storage, rel_dir)
    if not parts:
        return None
    total = 0
    for part in parts:
        with storage.fs.open_input_file(storage.full(part.path)) as fh:
            total += pq.ParquetFile(fh).metadata.num_rows
    return total


def count_drop_lines(storage, day: str) -> int:
    """Non-blank lines in a day's readable drop files, counted apart from the parser (streaming;
    a gzip stream that breaks off counts its complete lines plus one for the lost rest, as
    the parser quarantines the rest as one line; a file that cannot be opened counts one)."""
    from .drop_files import DropLines, list_day_files

    total = 0
    for info in list_day_files(storage, dt.date.fromisoformat(day)).read:
        counted = 0
        try:
            with storage.fs.open_input_stream(storage.full(info.path), compression=None) as stream:
                reader = DropLines(stream, info.path.lower().endswith(".gz"))
                counted = sum(1 for line in reader if line.strip())
                counted += reader.problem is not None
        except (OSError, EOFError):
            counted += 1
        total += counted
    return total


def no_consent_jump(day_counts: Mapping[str, int] | None, previous: list[Mapping[str, int]]) -> float:
    """How much the day's no-consent share (no_consent / lines) exceeds the median share of the
    previous days that had lines; 0 when there is nothing to compare with."""
    def share(c: Mapping[str, int] | None) -> float | None:
        lines = int((c or {}).get("lines", 0) or 0)
        return int(c.get("no_consent", 0) or 0) / lines if lines > 0 else None

    today = share(day_counts)
    before = [s for s in (share(c) for c in previous) if s is not None]
    if today is None or not before:
        return 0.0
    return max(0.0, today - float(np.median(before)))


# --------------------------------------------------------------------------- reference sets
_MMDB_META = b"\xab\xcd\xefMaxMind.com"


def _walk_country_names(path: str) -> set[str]:
    """English ``country`` names of every record of a MaxMind DB, by walking its data section
    (a few seconds for a full City DB, where iterating all networks takes half a minute).
    Records point to shared country maps, so each distinct pointer is decoded once."""
    import maxminddb
    from maxminddb.decoder import Decoder

    with maxminddb.open_database(path, maxminddb.MODE_MEMORY) as reader:
        meta = reader.metadata()
    with open(path, "rb") as fh:
        buf = fh.read()
    base = meta.search_tree_size + 16
    end = buf.rfind(_MMDB_META)
    decoder = Decoder(buf, base)
    keys: dict[bytes, object] = {}
    countries: dict[bytes, str] = {}
    names: set[str] = set()

    def header(off: int) -> tuple[int, int, int]:
        ctrl = buf[off]
        off += 1
        typ = ctrl >> 5
        if typ == 1:  # pointer: 1-4 more bytes
            return 1, 0, off + ((ctrl >> 3) & 3) + 1
        if typ == 0:
            typ = 7 + buf[off]
            off += 1
        size = ctrl & 0x1F
        if size == 29:
            size, off = 29 + buf[off], off + 1
        elif size == 30:
            size, off = 285 + int.from_bytes(buf[off : off + 2], "big"), off + 2
        elif size == 31:
            size, off = 65821 + int.from_bytes(buf[off : off + 3], "big"), off + 3
        return typ, size, off

    def skip(off: int) -> int:
        typ, size, off = header(off)
        if typ == 7:  # map
            for _ in range(2 * size):
                off = skip(off)
            return off
        if typ == 11:  # array
            for _ in range(size):
                off = skip(off)
            return off
        if typ in (1, 14):  # pointer (already past), boolean (no payload)
            return off
        return off + size

    off = base
    while off < end:
        typ, size, pos = header(off)
        if typ != 7:
            off = skip(off)
            continue
        for _ in range(size):
            k_start, pos = pos, skip(pos)
            k_raw = buf[k_start:pos]
            key = keys.get(k_raw)
            if key is None:
                key = keys[k_raw] = decoder.decode(k_start)[0]
            v_start, pos = pos, skip(pos)
            if key == "country":
                v_raw = buf[v_start:pos]
                name = countries.get(v_raw)
                if name is None:
                    value = decoder.decode(v_start)[0]
                    name = ((value.get("names") or {}).get("en") or "") if isinstance(value, dict) else ""
                    countries[v_raw] = name
                if name:
                    names.add(name)
        off = pos
    return names


def _iterate_country_names(path: str) -> set[str]:
    import maxminddb

    names: set[str] = set()
    with maxminddb.open_database(path) as reader:
        for _network, record in reader:
            country = record.get("country") if isinstance(record, dict) else None
            name = ((country or {}).get("names") or {}).get("en")
            if name:
                names.add(name)
    return names


def _names_cache_file(path: str, mtime_ns: int, size: int) -> Path:
    """Where a DB's country names are kept between processes: every `dagster asset materialize`
    and every launched run is a new process, and walking a City DB costs ~9 CPU s each time."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wildchat_dagster"
    key = hashlib.sha256(f"{path}|{mtime_ns}|{size}".encode()).hexdigest()[:32]
    return base / f"geoip_country_names-{key}.json"


@functools.lru_cache(maxsize=16)
def _country_names_cached(path: str, _mtime_ns: int, _size: int) -> frozenset[str]:
    cache = _names_cache_file(path, _mtime_ns, _size)
    try:
        return frozenset(json.loads(cache.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass  # none yet, unreadable or damaged: walk the DB
    try:
        names = frozenset(_walk_country_names(path))
    except Exception:  # an unexpected layout: the slow, public way
        names = frozenset(_iterate_country_names(path))
    try:  # written to a temporary name, then renamed: a reader never sees half a file
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(names)), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only home: the names are still right, only not kept
    return names


def geoip_country_names(paths: Iterable[str]) -> frozenset[str]:
    """The English country names that GeoIP databases can produce (union over snapshots)."""
    out: set[str] = set()
    for path in paths:
        st = os.stat(path)
        out |= _country_names_cached(os.path.realpath(path), st.st_mtime_ns, st.st_size)
    return frozenset(out)


@functools.lru_cache(maxsize=4)
def lid176_labels(model_path: str) -> frozenset[str]:
    """The language codes of a fastText lid.176 model (``__label__`` removed)."""
    import fasttext

    model = fasttext.load_model(str(model_path))
    labels, _ = model.predict("label set", k=-1, threshold=-1.0)
    return frozenset(label.removeprefix("__label__") for label in labels)


# --------------------------------------------------------------------------- raw_logs
def _roles_valid(messages: pa.ChunkedArray) -> np.ndarray:
    """Per call: history non-empty, roles alternate user/assistant from user, ends with user."""
    arr = messages.combine_chunks() if isinstance(messages, pa.ChunkedArray) else messages
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=bool)
    lengths = _np(pc.list_value_length(arr), 0).astype(np.int64)
    ok = (lengths % 2 == 1) & _np(arr.is_valid(), False).astype(bool)
    parents = _np(pc.list_parent_indices(arr)).astype(np.int64)
    if len(parents):
        flat = arr.flatten()
        roles = _np(pc.struct_field(flat, "role"), "")
        starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
        pos = np.arange(len(parents)) - starts[parents]
        expected = np.where(pos % 2 == 0, "user", "assistant")
        bad = roles != expected
        bad_rows = np.unique(parents[bad])
        ok[bad_rows] = False
    return ok


def raw_logs_frames(
    raw_table: pa.Table | None,
    quarantine: pa.Table | None,
    day: str,
    counts: Mapping[str, int] | None,
    drop_lines: int | None,
    raw_schema: pa.Schema,
    quarantine_schema: pa.Schema,
    no_consent_jump_value: float = 0.0,
) -> Frames:
    raw = raw_table if raw_table is not None else raw_schema.empty_table()
    rows = pd.DataFrame(
        {
            **_ids(raw, ["id", "source_line"]),
            "source_file": _obj(raw.column("source_file").to_pylist()),
            "timestamp_day": _obj(_day_strings(raw.column("timestamp"))),
            "roles_valid": _obj(_roles_valid(raw.column("messages")).tolist()),
            "turn_hash": _obj(raw.column("turn_hash").to_pylist()),
            "parent_hash": _obj(raw.column("parent_hash").to_pylist()),
        }
    )
    if quarantine is not None and quarantine.num_rows:
        file_level = np.isin(np.asarray(quarantine.column("reason").to_pylist(), dtype=object), FILE_REASONS)
    else:
        file_level = np.zeros(0, bool)
    q_files = int(file_level.sum())
    q_rows = len(file_level) - q_files  # quarantined lines; unsupported/misplaced files apart
    c = dict(counts or {})
    lines = int(c.get("lines", -1))
    accepted, quarantined, no_consent = (int(c.get(k, -1)) for k in ("accepted", "quarantined", "no_consent"))
    partition = pd.DataFrame(
        {
            "materialization_found": _obj([counts is not None]),
            "schema_mismatch": _obj([schema_mismatch(raw_table, raw_schema)]),
            "quarantine_schema_mismatch": _obj([schema_mismatch(quarantine, quarantine_schema)]),
            "raw_logs_rows": [raw.num_rows],
            "quarantine_rows": [q_rows],
            "quarantine_file_rows": [q_files],
            "lines": [lines],
            "accepted": [accepted],
            "quarantined": [quarantined],
            "quarantined_files": [int(c.get("quarantined_files", 0))],
            "no_consent": [no_consent],
            "accounted": [accepted + quarantined + no_consent],
            "drop_lines_recounted": [drop_lines if drop_lines is not None else -1],
            "quarantine_rate": [q_rows / lines if lines > 0 else 0.0],
            "no_consent_jump": [round(no_consent_jump_value, 6)],
        }
    )
    return Frames(
        {"raw_logs": rows, "raw_logs_partition": partition},
        {
            "rows": raw.num_rows,
            "quarantine_rows": q_rows,
            "quarantine_file_rows": q_files,
            "lines": lines,
            "no_consent": no_consent,
            "quarantine_rate": round(q_rows / lines, 6) if lines > 0 else 0.0,
            "no_consent_share": round(no_consent / lines, 6) if lines > 0 else 0.0,
            "no_consent_jump": round(no_consent_jump_value, 6),
        },
    )


# --------------------------------------------------------------------------- conversations
def _conversation_order_ok(conv_ids: np.ndarray, index: np.ndarray, turn_count: np.ndarray) -> np.ndarray:
    """Per message: its conversation's indexes are exactly 0..n-1 in order and n = 2·turn_count."""
    n = len(conv_ids)
    if n == 0:
        return np.zeros(0, dtype=bool)
    codes, _ = pd.factorize(pd.Series(conv_ids, dtype=object))
    sizes = np.bincount(codes)
    order = np.lexsort((index, codes))
    rank = np.empty(n, dtype=np.int64)
    sorted_codes = codes[order]
    first = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    group_start = np.repeat(first, np.diff(np.r_[first, n]))
    rank[order] = np.arange(n) - group_start
    return (rank == index) & (sizes[codes] == 2 * turn_count)


def owned_user_turns(conversations: pa.Table) -> pa.Table:
    """The user messages a conversation owns (not copied from a parent branch) and that came
    from a logged call: exactly one per accepted raw call."""
    if conversations.num_rows == 0:
        return conversations.select(["conversation_id", "message_index", "turn_identifier"])
    mask = pc.and_(
        pc.and_(
            pc.equal(conversations["role"], "user"),
            pc.invert(conversations["copied_prefix"].fill_null(False)),
        ),
        pc.is_valid(conversations["turn_identifier"]),
    )
    return conversations.filter(mask).select(["conversation_id", "message_index", "turn_identifier"])


def conversations_frames(
    conv_table: pa.Table | None,
    previous_day_conv: pa.Table | None,
    raw_day: pa.Table | None,
    raw_window_ids: Iterable[int],
    schema: pa.Schema,
) -> Frames:
    """``conv``: conversations[D]; ``previous_day_conv``: conversations[D-1]; ``raw_day``:
    raw_logs[D] (id, source_line); ``raw_window_ids``: raw ids of D and D+1 (where the calls
    of a conversation starting on D can come from)."""
    conv = conv_table if conv_table is not None else schema.empty_table()
    conv_ids = _np(conv["conversation_id"]) if conv.num_rows else np.zeros(0, dtype=object)
    index = _np(conv["message_index"], -1).astype(np.int64)
    turn_count = _np(conv["turn_count"], -1).astype(np.int64)
    roles = _np(conv["role"], "")
    expected_role = np.where(index % 2 == 0, "user", "assistant")
    owned = owned_user_turns(conv)
    window = pa.array(raw_window_ids if isinstance(raw_window_ids, np.ndarray)
                      else np.fromiter((int(i) for i in raw_window_ids), dtype=np.int64), pa.int64())
    # known: None for messages that own no raw call, else whether their call is in the window
    known = np.full(conv.num_rows, None, dtype=object)
    if conv.num_rows:
        is_owned = _np(
            pc.and_(
                pc.and_(pc.equal(conv["role"], "user"), pc.invert(conv["copied_prefix"].fill_null(False))),
                pc.is_valid(conv["turn_identifier"]),
            ),
            False,
        ).astype(bool)
        in_window = _np(pc.is_in(pc.cast(conv["turn_identifier"], pa.int64()), value_set=window), False)
        known[is_owned] = in_window.astype(bool)[is_owned].astype(object)
    rows = pd.DataFrame(
        {
            **_ids(conv, ["conversation_id", "message_index"]),
            "turn": _obj_col(conv["turn"]),
            "turn_count": _obj_col(conv["turn_count"]),
            "role": _obj_col(conv["role"]),
            "role_alternates": _obj((roles == expected_role).astype(object)),
            "message_order_ok": _obj(_conversation_order_ok(conv_ids, index, turn_count).astype(object)),
            "start_day": _obj(_day_strings(conv["conversation_start"])),
            "turn_identifier_known": _obj(known),
        }
    )
    # every raw call of day D: owned by exactly one user message in conversations[D-1] ∪ [D]
    owned_ids = [
        np.asarray(_np(owned_user_turns(t)["turn_identifier"]), dtype=np.int64)
        for t in (previous_day_conv, conv)
        if t is not None and t.num_rows
    ]
    owner_ids, owner_counts = np.unique(np.concatenate(owned_ids) if owned_ids else np.zeros(0, np.int64),
                                        return_counts=True)
    raw_day = (
        raw_day
        if raw_day is not None
        else pa.table({"id": pa.array([], pa.int64()), "source_line": pa.array([], pa.int64())})
    )
    raw_ids = np.asarray(_np(raw_day["id"]), dtype=np.int64)
    owning = np.zeros(len(raw_ids), dtype=np.int64)
    if len(owner_ids):
        slot = np.minimum(np.searchsorted(owner_ids, raw_ids), len(owner_ids) - 1)
        hit = owner_ids[slot] == raw_ids
        owning[hit] = owner_counts[slot[hit]]
    accounting = pd.DataFrame(
        {
            **_ids(raw_day, ["id", "source_line"]),
            "owning_messages": _obj(owning.astype(object)),
        }
    )
    partition = pd.DataFrame({"schema_mismatch": _obj([schema_mismatch(conv_table, schema)])})
    n_conv = int(pc.count_distinct(conv["conversation_id"]).as_py()) if conv.num_rows else 0
    return Frames(
        {
            "conversations": rows,
            "conversations_raw_accounting": accounting,
            "conversations_partition": partition,
        },
        {
            "rows": conv.num_rows,
            "conversations": n_conv,
            "owned_user_turns": owned.num_rows,
            "raw_calls_of_day": len(raw_ids),
            "previous_day_partition": "present" if previous_day_conv is not None else "absent",
        },
    )


# --------------------------------------------------------------------------- scrubbed
def scrubbed_frames(
    table: pa.Table | None,
    upstream_rows: int | None,
    schema: pa.Schema,
    masks: Mapping[str, np.ndarray] | None = None,
) -> Frames:
    """``masks``: per residue kind, the messages holding residue that counts (the review scan's,
    which honours the scrubber's keeps and reviewers' decisions); None: every finding counts."""
    scrubbed = table if table is not None else schema.empty_table()
    if masks is None:
        masks = (
            pii_residue_masks(scrubbed["content"])
            if scrubbed.num_rows
            else {k: np.zeros(0, bool) for k in PII_KINDS}
        )
        if scrubbed.num_rows and has_extras(scrubbed):  # system prompts, tool arguments and results too
            extra = pii_residue_masks(extra_texts(scrubbed))
            masks = {k: masks[k] | extra[k] for k in PII_KINDS}
    rows = pd.DataFrame(
        {
            **_ids(scrubbed, ["conversation_id", "message_index"]),
            **{f"residue_{kind}": _obj(masks[kind].astype(object)) for kind in PII_KINDS},
            "redacted": _obj_col(scrubbed["redacted"])
            if "redacted" in scrubbed.column_names
            else _obj([None] * scrubbed.num_rows),
        }
    )
    partition = pd.DataFrame(
        {
            "schema_mismatch": _obj([schema_mismatch(table, schema)]),
            "rows": [scrubbed.num_rows],
            "upstream_rows": [upstream_rows if upstream_rows is not None else 0],
        }
    )
    notes = {f"residue_{k}": int(v.sum()) for k, v in masks.items()}
    notes["rows"] = scrubbed.num_rows
    return Frames({"scrubbed": rows, "scrubbed_partition": partition}, notes)


# --------------------------------------------------------------------------- geo_tagged
def geo_tagged_frames(table: pa.Table | None, upstream_rows: int | None, schema: pa.Schema) -> Frames:
    geo = table if table is not None else schema.empty_table()
    ip_cols = ip_residue_columns(geo)
    cols = {}
    for name in ("hashed_ip", "conversation_hashed_ip", "country", "conversation_country"):
        cols[name] = _obj_col(geo[name]) if name in geo.column_names else _obj([None] * geo.num_rows)
    rows = pd.DataFrame(
        {**_ids(geo, ["conversation_id", "message_index"]), "raw_ip_columns": _obj(ip_cols), **cols}
    )
    partition = pd.DataFrame(
        {
            "schema_mismatch": _obj([schema_mismatch(table, schema)]),
            "has_ip_column": _obj(["ip" in geo.column_names]),
            "rows": [geo.num_rows],
            "upstream_rows": [upstream_rows if upstream_rows is not None else 0],
        }
    )
    hit_columns = sorted({c for v in ip_cols if v for c in v.split(",")})
    return Frames(
        {"geo_tagged": rows, "geo_tagged_partition": partition},
        {
            "rows": geo.num_rows,
            "rows_with_ip": sum(1 for v in ip_cols if v),
            "columns_with_ip": ",".join(hit_columns) or "none",
        },
    )


# --------------------------------------------------------------------------- classified
def safe_name(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def expected_toxicity(
    table: pa.Table, backends: Sequence[str], detoxify_threshold: float, embedded_threshold: float
) -> tuple[list[bool | None], list[bool | None]]:
    """(toxic, sexual_minors) per message as the classification rule defines them (DESIGN §7):
    any enabled backend flags it — Detoxify ``toxicity`` above its threshold, the embedded
    probability above its threshold, moderation ``flagged`` (sexual/minors: the moderation
    category). None for every message when no backend is enabled."""
    n = table.num_rows
    if not backends:
        return [None] * n, [None] * n
    toxic = np.zeros(n, dtype=bool)
    minors = np.zeros(n, dtype=bool)
    if "embedded" in backends:
        toxic |= _np(pc.greater(table["embedded_toxicity"], embedded_threshold), False).astype(bool)
    if "detoxify" in backends:
        score = pc.struct_field(table["detoxify_moderation"], "toxicity")
        toxic |= _np(pc.greater(score, detoxify_threshold), False).astype(bool)
    if "openai_moderation" in backends:
        toxic |= _np(pc.struct_field(table["openai_moderation"], "flagged"), False).astype(bool)
        cats = pc.struct_field(table["openai_moderation"], "categories")
        minors |= _np(pc.struct_field(cats, "sexual/minors"), False).astype(bool)
    return toxic.tolist(), minors.tolist()


def classified_frames(
    table: pa.Table | None,
    upstream_rows: int | None,
    schema: pa.Schema,
    backends: Sequence[str],
    detoxify_threshold: float,
    embedded_threshold: float,
) -> Frames:
    classified = table if table is not None else schema.empty_table()
    n = classified.num_rows
    scores: dict[str, pd.Series] = {
        "language_confidence": _obj_col(classified["language_confidence"]),
        "embedded_toxicity": _obj_col(classified["embedded_toxicity"]),
    }
    for label in DETOXIFY_LABELS:
        scores[f"detoxify_{label}"] = _obj_col(pc.struct_field(classified["detoxify_moderation"], label))
    cat_scores = pc.struct_field(classified["openai_moderation"], "category_scores") if n else None
    for cat in MODERATION_CATEGORIES:
        scores[f"moderation_{safe_name(cat)}"] = _obj_col(pc.struct_field(cat_scores, cat)) if n else _obj([])
    toxic = _nullable_bools(classified["toxic"])
    minors = _nullable_bools(classified["sexual_minors"])
    exp_toxic, exp_minors = expected_toxicity(classified, backends, detoxify_threshold, embedded_threshold)
    codes = (pd.factorize(_np(classified["conversation_id"]), use_na_sentinel=False)[0] if n
             else np.zeros(0, dtype=np.int64))
    rows = pd.DataFrame(
        {
            **_ids(classified, ["conversation_id", "message_index"]),
            **scores,
            "language_code": _obj_col(classified["language_code"]),
            "conversation_language_code": _obj_col(classified["conversation_language_code"]),
            "toxic_consistent": _obj(_same_nullable(toxic, _nullable_bools(exp_toxic)).astype(object)),
            "sexual_minors_consistent": _obj(
                _same_nullable(minors, _nullable_bools(exp_minors)).astype(object)
            ),
            "conversation_toxic_consistent": _obj(
                _same_nullable(_nullable_bools(classified["conversation_toxic"]),
                               _any_per_group_nullable(codes, toxic)).astype(object)
            ),
        }
    )
    partition = pd.DataFrame(
        {
            "schema_mismatch": _obj([schema_mismatch(table, schema)]),
            "rows": [n],
            "upstream_rows": [upstream_rows if upstream_rows is not None else 0],
        }
    )
    return Frames(
        {"classified": rows, "classified_partition": partition},
        {
            "rows": n,
            "toxic_messages": int((toxic[0] & toxic[1]).sum()),
            "backends": ",".join(backends) or "none",
            "detoxify_threshold": detoxify_threshold,
            "embedded_threshold": embedded_threshold,
        },
    )


# --------------------------------------------------------------------------- release
def _any_turn_toxic(release: pa.Table) -> list[bool]:
    if release.num_rows == 0:
        return []
    conv = release["conversation"].combine_chunks()
    flat = pc.struct_field(conv.flatten(), "toxic")
    parents = _np(pc.list_parent_indices(conv)).astype(np.int64)
    out = np.zeros(release.num_rows, dtype=bool)
    hit = _np(flat, False).astype(bool)
    out[np.unique(parents[hit])] = True
    return out.tolist()


def release_frames(
    full: pa.Table | None,
    nontoxic: pa.Table | None,
    schema: pa.Schema,
    classified: pa.Table | None,
    removals: Mapping[str, int] | None,
    withheld_ids: set | None = None,
    residue_conversations: int = 0,
) -> Frames:
    """``classified``: conversation_id, conversation_sexual_minors (or sexual_minors) of the
    day; ``removals``: takedown_conversations, sexual_minors_removed, withheld_conversations and
    review_dropped as the release reported them (None when it did not); ``withheld_ids``: the
    conversations pii_review lists; ``residue_conversations``: released conversations holding
    residue no keep or decision allows (the check's own scan of the full split)."""
    empty = schema.empty_table()
    full_t = full if full is not None else empty
    non_t = nontoxic if nontoxic is not None else empty
    full_ids = full_t["conversation_id"].to_pylist() if "conversation_id" in full_t.column_names else []
    full_toxic = full_t["toxic"].to_pylist() if "toxic" in full_t.column_names else []
    full_nontoxic_ids = {i for i, t in zip(full_ids, full_toxic, strict=True) if t is False}
    non_ids = non_t["conversation_id"].to_pylist() if "conversation_id" in non_t.column_names else []

    def rows_frame(table: pa.Table, extra: dict) -> pd.DataFrame:
        cols = {
            name: _obj_col(table[name])
            if name in table.column_names
            else _obj([None] * table.num_rows)
            for name in ("conversation_id", "conversation_hash", "hashed_ip", "turn", "toxic")
        }
        any_toxic = (
            _any_turn_toxic(table) if "conversation" in table.column_names else [None] * table.num_rows
        )
        return pd.DataFrame({**cols, "any_turn_toxic": _obj(np.asarray(any_toxic, dtype=object)), **extra})

    full_rows = rows_frame(full_t, {})
    in_full = (_np(pc.is_in(non_t["conversation_id"], value_set=pa.array(list(full_nontoxic_ids),
                                                                          non_t.schema.field("conversation_id").type)),
                   False).astype(bool) if non_ids else np.zeros(0, dtype=bool))
    non_rows = rows_frame(non_t, {"in_full_as_nontoxic": _obj(in_full.astype(object))})

    classified_ids: list = []
    minors_ids: set = set()
    if classified is not None and classified.num_rows:
        classified_ids = classified["conversation_id"].to_pylist()
        flag_col = next(
            (c for c in ("conversation_sexual_minors", "sexual_minors") if c in classified.column_names), None
        )
        if flag_col:
            minors_ids = {
                i for i, f in zip(classified_ids, classified[flag_col].to_pylist(), strict=True) if f
            }
    classified_set = set(classified_ids)
    full_set = set(full_ids)
    removed = len(classified_set - full_set)
    r = dict(removals or {})
    takedown = int(r.get("takedown_conversations", 0))
    minors_removed = int(r.get("sexual_minors_removed", 0))
    withheld = int(r.get("withheld_conversations", 0))
    dropped = int(r.get("review_dropped", 0))
    partition = pd.DataFrame(
        {
            "full_schema_mismatch": _obj([schema_mismatch(full, schema)]),
            "nontoxic_schema_mismatch": _obj([schema_mismatch(nontoxic, schema)]),
            "removals_reported": _obj([removals is not None]),
            "classified_partition_found": _obj([classified is not None]),
            "classified_conversations": [len(classified_set)],
            "full_rows": [full_t.num_rows],
            "expected_full_rows": [len(classified_set) - takedown - minors_removed - withheld - dropped],
            "removed_conversations": [removed],
            "reported_removals": [takedown + minors_removed + withheld + dropped],
            "withheld_in_full": [len(full_set & set(withheld_ids or ()))],
            "residue_conversations_in_full": [int(residue_conversations)],
            "full_not_in_classified": [len(full_set - classified_set)],
            "sexual_minors_in_full": [len(full_set & minors_ids)],
            "nontoxic_rows": [non_t.num_rows],
            "full_nontoxic_rows": [len(full_nontoxic_ids)],
        }
    )
    return Frames(
        {"release_full": full_rows, "release_nontoxic": non_rows, "release_partition": partition},
        {
            "full_rows": full_t.num_rows,
            "nontoxic_rows": non_t.num_rows,
            "classified_conversations": len(classified_set),
            "takedown_conversations": takedown,
            "sexual_minors_removed": minors_removed,
            "withheld_conversations": withheld,
            "review_dropped": dropped,
        },
    )
