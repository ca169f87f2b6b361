"""IP → country/state with dated GeoIP2 snapshots, and the keyed IP hash (DESIGN §6).

geo_tagged is where the raw IP leaves the data. Each user message gets

- ``hashed_ip = HMAC-SHA256(key, ip)`` as lowercase hex, over the key's and the IP's
  UTF-8 bytes (DESIGN §15), so the same user keeps the same hash across releases while
  nobody without the key can map a hash back to an address;
- ``country`` / ``state`` = ``country.name`` / ``subdivisions.most_specific.name`` of a
  GeoIP2/GeoLite2 City database read with ``geoip2`` (English names, as WildChat-1M).

The database is a single ``.mmdb`` or a directory of dated snapshots: a message uses the
newest snapshot whose date is not after the message's timestamp (older than every
snapshot: the oldest, counted). Private, reserved, malformed, unknown and missing IPs
give nulls and a count, never an error. Readers are opened once per process per file.

Conversation level (repeated on every row of the conversation): the most frequent
hashed IP, country, and state (the state among messages in that country); ties go to
the value seen first. Per-message fields are set on user messages only, as WildChat-1M.

No Dagster here; no raw IP or key is ever logged, returned in stats or kept in output.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hmac
import ipaddress
import itertools
import logging
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from hashlib import sha256

import geoip2.database
import geoip2.errors
import pyarrow as pa
import pyarrow.compute as pc

from .schema import GEO_TAGGED

log = logging.getLogger(__name__)

ENV_KEY = "WILDCHAT_IP_HASH_KEY"
ENV_DB = "WILDCHAT_GEOIP_DB"
ENV_MODE = "WILDCHAT_ENV"

# Public on purpose: hashes made with it are NOT private. Used only outside production
# when no key is configured, with a loud warning (and labelled in asset metadata).
DEVELOPMENT_IP_HASH_KEY = "wildchat-DEVELOPMENT-ONLY-ip-hash-key--NOT-SECRET--never-use-in-production"

_SNAPSHOT_DATE = re.compile(r"_(\d{8})\.mmdb$")

# Outcomes of one user message's IP, the keys of GeoStats.ip_outcomes.
LOCATED = "located"
PRIVATE_OR_RESERVED = "private_or_reserved"
MALFORMED = "malformed"
UNKNOWN = "unknown"  # well-formed, public, but not in the snapshot (or no country there)
MISSING = "missing"  # null or empty IP
OUTCOMES = (LOCATED, PRIVATE_OR_RESERVED, MALFORMED, UNKNOWN, MISSING)


# --- the keyed hash -------------------------------------------------------------------
class MissingIpHashKeyError(RuntimeError):
    """Production was asked to run without WILDCHAT_IP_HASH_KEY."""


class IpHasher:
    """``HMAC-SHA256(key, ip)`` as lowercase hex. The key is never shown by repr/str."""

    __slots__ = ("_key", "is_development")

    def __init__(self, key: str, *, is_development: bool = False):
        if not key or not key.strip():
            raise ValueError("the IP hash key is empty")
        self._key = key.encode("utf-8")
        self.is_development = is_development

    def hash(self, ip: str) -> str:
        return hmac.new(self._key, ip.encode("utf-8"), sha256).hexdigest()

    def __repr__(self) -> str:
        return f"IpHasher(key=<hidden>, development={self.is_development})"

    __str__ = __repr__

    def __reduce__(self):  # never pickle the key into a run's storage by accident
        raise TypeError("IpHasher holds a secret and is not picklable")


def resolve_ip_hasher(
    key: str | None, environment: str | None, logger: logging.Logger | None = None
) -> IpHasher:
    """The hasher for ``key``; without one, production fails and anything else gets the
    fixed development key plus a WARNING saying so."""
    if key is not None and key.strip():
        return IpHasher(key)
    if (environment or "").strip().lower() == "production":
        raise MissingIpHashKeyError(
            f"{ENV_KEY} is not set: production ({ENV_MODE}=production) refuses to run without the "
            "secret HMAC key for hashed_ip. Set it to a long random value (e.g. `openssl rand -hex 32`), "
            "keep it stable across releases and out of logs."
        )
    (logger or log).warning(
        f"USING THE FIXED DEVELOPMENT IP HASH KEY: {ENV_KEY} is unset and {ENV_MODE} is not "
        "'production'. hashed_ip values made with this public key are NOT private and must never "
        "be published."
    )
    return IpHasher(DEVELOPMENT_IP_HASH_KEY, is_development=True)


# --- IP classification ----------------------------------------------------------------
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(ip: str | None) -> IpAddress | None:
    """The address, or None when the string is not an IP (scope ids are dropped)."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return None


def _embedded_ipv4(addr: IpAddress) -> IpAddress:
    """The IPv4 address inside IPv4-mapped, IPv4-compatible (``::a.b.c.d``) and 6to4 IPv6
    addresses (the forms GeoIP2 databases alias to their IPv4 tree); else ``addr``."""
    if isinstance(addr, ipaddress.IPv4Address):
        return addr
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if int(addr) >> 32 == 0:
        return ipaddress.IPv4Address(int(addr))
    return addr


def is_private_or_reserved(addr: IpAddress) -> bool:
    """Not a globally routable unicast address: private, loopback, link-local, CGNAT,
    documentation, multicast, unspecified or reserved (embedded IPv4 judged as IPv4)."""
    a = _embedded_ipv4(addr)
    # is_global already excludes private, loopback, link-local, unspecified, documentation, CGNAT
    return not a.is_global or a.is_multicast or a.is_reserved


# --- snapshots and readers ------------------------------------------------------------
_READERS: dict[tuple[str, int, int], geoip2.database.Reader] = {}
_READERS_LOCK = threading.Lock()


def open_reader(path: str) -> geoip2.database.Reader:
    """The process-wide reader of ``path``: opened once, reopened only if the file changed."""
    real = os.path.realpath(path)
    st = os.stat(real)
    key = (real, st.st_mtime_ns, st.st_size)
    reader = _READERS.get(key)
    if reader is not None:
        return reader
    with _READERS_LOCK:
        reader = _READERS.get(key)
        if reader is None:
            for old in [k for k in _READERS if k[0] == real]:  # replaced in place (geoipupdate)
                _READERS.pop(old).close()
            reader = geoip2.database.Reader(real, locales=["en"])
            db_type = reader.metadata().database_type
            if "City" not in db_type:
                reader.close()
                raise ValueError(f"{real} is a {db_type!r} database; geo_tagged needs a City database")
            _READERS[key] = reader
    return reader


def open_reader_count() -> int:
    return len(_READERS)


def embedded_db_path() -> str:
    """GeoLite2-City as shipped by the ``maxminddb-geolite2`` package (July 2018: stale)."""
    from _maxminddb_geolite2 import geolite2_database

    return geolite2_database()


@dataclass(frozen=True)
class Snapshot:
    date: dt.date  # from ``*_YYYYMMDD.mmdb``, else the database's build date
    path: str
    database_type: str
    build_date: dt.date

    @property
    def name(self) -> str:
        """A label without directories: safe for metadata and logs."""
        return f"{os.path.basename(self.path)}@{self.date.isoformat()}"


def _snapshot(path: str) -> Snapshot:
    meta = open_reader(path).metadata()
    built = dt.datetime.fromtimestamp(meta.build_epoch, dt.UTC).date()
    m = _SNAPSHOT_DATE.search(os.path.basename(path))
    date = dt.datetime.strptime(m.group(1), "%Y%m%d").date() if m else built
    real = os.path.realpath(path)
    return Snapshot(date=date, path=real, database_type=meta.database_type, build_date=built)


def discover_snapshots(location: str | None) -> list[Snapshot]:
    """Snapshots, oldest first, of a ``.mmdb`` file or a directory of them (top level);
    None or "" is the embedded 2018 GeoLite2 City database."""
    location = location or embedded_db_path()
    if os.path.isdir(location):
        files = sorted(os.path.join(location, n) for n in os.listdir(location) if n.endswith(".mmdb"))
        if not files:
            raise FileNotFoundError(f"{ENV_DB}: no .mmdb file in directory {location}")
    elif os.path.isfile(location):
        files = [location]
    else:
        raise FileNotFoundError(f"{ENV_DB}: {location} is neither a .mmdb file nor a directory")
    snaps = sorted((_snapshot(f) for f in files), key=lambda s: s.date)
    for a, b in itertools.pairwise(snaps):
        if a.date == b.date:
            raise ValueError(
                f"{ENV_DB}: two snapshots dated {a.date}: "
                f"{os.path.basename(a.path)}, {os.path.basename(b.path)}"
            )
    return snaps


# --- tagging --------------------------------------------------------------------------
@dataclass
class GeoStats:
    """What geo_tagged did to one partition: counts only, never an IP or a key."""

    messages: int = 0
    user_messages: int = 0
    conversations: int = 0
    ip_outcomes: Counter = field(default_factory=Counter)  # user messages by OUTCOMES
    before_first_snapshot: int = 0  # user messages older than every snapshot (used the oldest)
    per_snapshot: Counter = field(default_factory=Counter)  # user messages with an IP, by snapshot
    countries: Counter = field(default_factory=Counter)  # located user messages by country
    distinct_hashed_ips: int = 0
    development_key: bool = False

    def top_countries(self, n: int = 10) -> dict[str, int]:
        return dict(self.countries.most_common(n))

    def as_metadata(self) -> dict:
        md: dict = {
            "messages": self.messages,
            "user_messages": self.user_messages,
            "conversations": self.conversations,
            "geo_located": self.ip_outcomes[LOCATED],
            "private_or_reserved": self.ip_outcomes[PRIVATE_OR_RESERVED],
            "malformed": self.ip_outcomes[MALFORMED],
            "unknown": self.ip_outcomes[UNKNOWN],
            "missing_ip": self.ip_outcomes[MISSING],
            "before_first_snapshot": self.before_first_snapshot,
            "distinct_hashed_ips": self.distinct_hashed_ips,
            "messages_per_snapshot": dict(sorted(self.per_snapshot.items())),
            "top_countries": self.top_countries(),
            "ip_hash_key": "DEVELOPMENT KEY (hashes not private)" if self.development_key else "configured",
        }
        return md


class GeoTagger:
    """Looks up and hashes the IPs of message-level tables against dated snapshots."""

    def __init__(self, snapshots: list[Snapshot], hasher: IpHasher):
        if not snapshots:
            raise ValueError("no GeoIP snapshot")
        self.snapshots = sorted(snapshots, key=lambda s: s.date)
        self.hasher = hasher
        # each snapshot's first microsecond (UTC midnight of its date)
        self._starts = [
            int(dt.datetime.combine(s.date, dt.time(), dt.UTC).timestamp()) * 1_000_000
            for s in self.snapshots
        ]
        self._readers = [open_reader(s.path) for s in self.snapshots]

    @classmethod
    def from_location(cls, location: str | None, hasher: IpHasher) -> GeoTagger:
        return cls(discover_snapshots(location), hasher)

    def snapshot_index(self, ts_us: int | None) -> tuple[int, bool]:
        """(index of the newest snapshot not newer than ts, whether ts precedes them all);
        no timestamp → the newest snapshot."""
        if ts_us is None:
            return len(self.snapshots) - 1, False
        i = bisect.bisect_right(self._starts, ts_us) - 1
        return (0, True) if i < 0 else (i, False)

    def lookup(self, ip: str | None, snapshot: int = -1) -> tuple[str | None, str | None, str]:
        """(country, state, outcome) of one IP string in one snapshot; never raises for bad IPs."""
        addr = parse_ip(ip)
        if addr is None:
            return None, None, MISSING if not ip or not ip.strip() else MALFORMED
        if is_private_or_reserved(addr):
            return None, None, PRIVATE_OR_RESERVED
        try:  # IPv4-mapped/-compatible and 6to4 are looked up as their IPv4 (MaxMind's aliases)
            city = self._readers[snapshot].city(_embedded_ipv4(addr))
        except (geoip2.errors.AddressNotFoundError, ValueError):
            # not in the DB, or an IPv6 address asked of an IPv4-only DB
            return None, None, UNKNOWN
        country = city.country.name
        if country is None:
            return None, None, UNKNOWN
        return country, city.subdivisions.most_specific.name, LOCATED

    def tag(self, table: pa.Table) -> tuple[pa.Table, GeoStats]:
        """A scrubbed-schema table → the geo_tagged table (no ``ip``) and its stats."""
        stats = GeoStats(messages=table.num_rows, development_key=self.hasher.is_development)
        n = table.num_rows
        roles = table.column("role").to_pylist()
        ips = table.column("ip").to_pylist()
        ts = pc.cast(table.column("timestamp"), pa.int64()).to_pylist()
        starts = pc.cast(table.column("conversation_start"), pa.int64()).to_pylist()
        conv_ids = table.column("conversation_id").to_pylist()

        hashed: list[str | None] = [None] * n
        country: list[str | None] = [None] * n
        state: list[str | None] = [None] * n
        hash_cache: dict[str, str] = {}
        geo_cache: dict[tuple[int, str], tuple[str | None, str | None, str]] = {}
        outcomes = stats.ip_outcomes
        for i in range(n):
            if roles[i] != "user":
                continue
            stats.user_messages += 1
            ip = ips[i]
            if not ip:
                outcomes[MISSING] += 1
                continue
            h = hash_cache.get(ip)
            if h is None:
                h = hash_cache[ip] = self.hasher.hash(ip)
            hashed[i] = h
            snap, early = self.snapshot_index(ts[i] if ts[i] is not None else starts[i])
            stats.before_first_snapshot += early
            stats.per_snapshot[self.snapshots[snap].name] += 1
            found = geo_cache.get((snap, ip))
            if found is None:
                found = geo_cache[(snap, ip)] = self.lookup(ip, snap)
            country[i], state[i], outcome = found
            outcomes[outcome] += 1
            if outcome == LOCATED:
                stats.countries[country[i]] += 1
        stats.distinct_hashed_ips = len(hash_cache)

        conv_hash, conv_country, conv_state = _conversation_values(conv_ids, hashed, country, state)
        stats.conversations = len(set(conv_ids))

        out = table.drop_columns([c for c in ("ip",) if c in table.column_names])
        for name, values in (
            ("hashed_ip", hashed),
            ("country", country),
            ("state", state),
            ("conversation_hashed_ip", conv_hash),
            ("conversation_country", conv_country),
            ("conversation_state", conv_state),
        ):
            if name in out.column_names:
                out = out.drop_columns([name])
            out = out.append_column(name, pa.array(values, pa.string()))
        return out.select(GEO_TAGGED.names).cast(GEO_TAGGED), stats


def _most_frequent(values: list[str]) -> str | None:
    """Most frequent value; a tie goes to the one seen first (Counter keeps insertion order)."""
    return Counter(values).most_common(1)[0][0] if values else None


def _conversation_values(conv_ids: list, hashed: list, country: list, state: list) -> tuple[list, list, list]:
    """Per-row conversation-level values: most frequent hashed IP and country over the
    conversation's messages, and the most frequent state among messages in that country."""
    rows_of: dict[str, list[int]] = {}
    for i, cid in enumerate(conv_ids):
        rows_of.setdefault(cid, []).append(i)
    n = len(conv_ids)
    out_hash: list[str | None] = [None] * n
    out_country: list[str | None] = [None] * n
    out_state: list[str | None] = [None] * n
    for rows in rows_of.values():
        h = _most_frequent([hashed[i] for i in rows if hashed[i] is not None])
        c = _most_frequent([country[i] for i in rows if country[i] is not None])
        s = _most_frequent([state[i] for i in rows if c and country[i] == c and state[i] is not None])
        for i in rows:
            out_hash[i], out_country[i], out_state[i] = h, c, s
    return out_hash, out_country, out_state


# --- building small City databases (tests, local fixtures) ----------------------------
@dataclass(frozen=True)
class CityRecord:
    country_iso: str
    country: str
    subdivision_iso: str | None = None
    subdivision: str | None = None


def write_city_mmdb(path: str, networks: dict[str, CityRecord], ip_version: int = 6) -> str:
    """Write a GeoLite2-City-shaped ``.mmdb`` mapping CIDRs to records (``mmdb-writer``);
    geoip2 reads it like MaxMind's own. IPv4 networks go into an IPv6 DB's ::/96 subtree."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(
        ip_version=ip_version,
        database_type="GeoLite2-City",
        languages=["en"],
        description="wildchat_dagster local City database",
        ipv4_compatible=ip_version == 6,
    )
    for cidr, rec in networks.items():
        data: dict = {"country": {"iso_code": rec.country_iso, "names": {"en": rec.country}}}
        if rec.subdivision:
            data["subdivisions"] = [{"iso_code": rec.subdivision_iso or "", "names": {"en": rec.subdivision}}]
        writer.insert_network(IPSet([cidr]), data)
    writer.to_db_file(path)
    return path
