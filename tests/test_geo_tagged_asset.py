"""geo_tagged through Dagster: a scrubbed partition on disk → materialize → the written Parquet.

Every network of MaxMind's GeoIP2-City test database, IPv6, dated snapshot choice, the
unplaceable IPs, the raw IP and the key absent from everything written, stable keyed hashes,
and production refusing to run without a key.
"""

import csv
import datetime as dt
import hmac
import io
import logging
from hashlib import sha256
from pathlib import Path

import maxminddb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import AssetSpec, DagsterInstance, materialize
from dagster_shared.serdes import serialize_value

from wildchat_dagster.assets.geo_tagged import geo_tagged
from wildchat_dagster.core.geo import (
    DEVELOPMENT_IP_HASH_KEY,
    CityRecord,
    MissingIpHashKeyError,
    write_city_mmdb,
)
from wildchat_dagster.core.schema import GEO_TAGGED, SCRUBBED
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.partitions import daily_partitions
from wildchat_dagster.resources import GeoResource, geo_resource_from_env

GEOIP = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "geoip"
CITY_TEST = str(GEOIP / "GeoIP2-City-Test.mmdb")
EXPECTED_CSV = GEOIP / "expected-GeoIP2-City-Test.csv"
DAY = "2023-05-01"
NOON = dt.datetime(2023, 5, 1, 12, tzinfo=dt.UTC)
KEY = "test-key-Zq8w-canary"
ENV_VARS = ("WILDCHAT_IP_HASH_KEY", "WILDCHAT_GEOIP_DB", "WILDCHAT_ENV")


def hmac_hex(key: str, ip: str) -> str:
    return hmac.new(key.encode("utf-8"), ip.encode("utf-8"), sha256).hexdigest()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def scrubbed_table(convs: list[list[tuple[str | None, dt.datetime]]]) -> pa.Table:
    """One conversation per entry; each (ip, time) is a user message followed by its reply."""
    rows = []
    for c, turns in enumerate(convs):
        start = min(t for _, t in turns)
        for k, (ip, ts) in enumerate(turns):
            for j, role in enumerate(("user", "assistant")):
                rows.append(
                    dict(
                        conversation_id=f"conv-{c:05d}", conversation_hash=f"{c:032x}",
                        message_index=2 * k + j,
                        turn=k + 1, turn_count=len(turns), role=role, content=f"message {c}/{k}/{role}",
                        timestamp=ts, turn_identifier=1000 * c + k, model="gpt-4-0314", ip=ip,
                        user_agent="Mozilla/5.0", accept_language="en-GB", conversation_start=start,
                        conversation_end=max(t for _, t in turns), copied_prefix=False, branch_of=None,
                        orphan=False, redacted=False, pii_types=[],
                    )
                )
    return pa.Table.from_pylist(rows, schema=SCRUBBED)


class Run:
    def __init__(self, base: Path, table: pa.Table | None, geo: GeoResource, day: str = DAY):
        self.base, self.day = base, day
        storage = Storage(str(base))
        if table is not None:
            storage.write_table(f"scrubbed/dt={day}", table)
        self.instance = DagsterInstance.ephemeral()
        self.result = materialize(
            [AssetSpec("scrubbed", partitions_def=daily_partitions), geo_tagged],
            partition_key=day,
            instance=self.instance,
            resources={"io_manager": ParquetIOManager(base=str(base)), "geo": geo},
            raise_on_error=False,
        )
        self.ok = self.result.success
        if self.ok:
            (event,) = self.result.get_asset_materialization_events()
            self.metadata = {k: v.value for k, v in event.materialization.metadata.items()}
            self.table = storage.read_table(f"geo_tagged/dt={day}")
            self.rows = self.table.to_pylist()

    def logs(self):
        return self.instance.all_logs(self.result.run_id)

    def user_rows(self):
        return [r for r in self.rows if r["role"] == "user"]


# --- every network of the test database ----------------------------------------------------
def test_every_test_db_network_placed_through_the_asset(tmp_path, monkeypatch):
    monkeypatch.setenv("WILDCHAT_GEOIP_DB", CITY_TEST)
    monkeypatch.setenv("WILDCHAT_IP_HASH_KEY", KEY)
    probes = list(csv.DictReader(EXPECTED_CSV.open()))
    assert len(probes) == 251 and all(p["check"] == "ok" for p in probes)
    run = Run(tmp_path, scrubbed_table([[(p["probe_ip"], NOON)] for p in probes]), geo_resource_from_env())
    assert run.ok
    assert run.table.schema == GEO_TAGGED and "ip" not in run.table.column_names
    users = run.user_rows()
    assert len(users) == len(probes)

    raw = maxminddb.open_database(CITY_TEST)  # the low-level reader, independent of geoip2's models
    located = 0
    for probe, row in zip(probes, users, strict=True):
        ip = probe["probe_ip"]
        rec = raw.get(ip) or {}
        country = rec.get("country") or {}
        subs = rec.get("subdivisions") or []
        # the CSV's ISO codes identify the record; its English names are what we must write
        assert country.get("iso_code", "") == probe["country_iso"], ip
        assert (subs[-1].get("iso_code", "") if subs else "") == probe["most_specific_subdivision_iso"], ip
        want_country = country.get("names", {}).get("en") if probe["country_iso"] else None
        want_state = subs[-1]["names"]["en"] if subs and want_country else None
        assert (row["country"], row["state"]) == (want_country, want_state), ip
        assert (row["conversation_country"], row["conversation_state"]) == (want_country, want_state), ip
        assert row["hashed_ip"] == row["conversation_hashed_ip"] == hmac_hex(KEY, ip), ip
        located += want_country is not None
    assert located == 247  # four networks carry no country
    assert all(
        r["hashed_ip"] is None and r["country"] is None and r["state"] is None
        for r in run.rows if r["role"] == "assistant"
    )
    md = run.metadata
    assert (md["geo_located"], md["unknown"], md["private_or_reserved"], md["malformed"]) == (247, 4, 0, 0)
    assert md["ip_hash_key"] == "configured"
    assert md["top_countries"]["United Kingdom"] == sum(r["country"] == "United Kingdom" for r in users)


def test_ipv6_and_embedded_ipv4_through_the_asset(tmp_path):
    convs = [
        [("2001:218::1", NOON)],  # JP network
        [("2a02:cf40::1234", NOON)],  # NO
        [("::ffff:81.2.69.142", NOON)],  # IPv4-mapped
        [("2002:d8a0:5338::1", NOON)],  # 6to4 of 216.160.83.56
        [("fe80::1", NOON), ("2001:218::2", NOON)],
    ]
    run = Run(tmp_path, scrubbed_table(convs), GeoResource(geoip_db=CITY_TEST, ip_hash_key=KEY))
    assert run.ok
    got = [(r["country"], r["state"]) for r in run.user_rows()]
    assert got == [
        ("Japan", None), ("Norway", None), ("United Kingdom", "England"), ("United States", "Washington"),
        (None, None), ("Japan", None),
    ]
    assert run.rows[-1]["conversation_country"] == "Japan"
    assert run.metadata["private_or_reserved"] == 1


# --- dated snapshots ------------------------------------------------------------------------
def test_each_message_uses_the_newest_snapshot_not_newer_than_it(tmp_path):
    snaps = tmp_path / "geoip"
    snaps.mkdir()
    write_city_mmdb(
        str(snaps / "GeoLite2-City_20230401.mmdb"),
        {"1.2.3.0/24": CityRecord("FR", "France", "IDF", "Île-de-France"),
         "2001:db9::/32": CityRecord("FR", "France")},
    )
    write_city_mmdb(
        str(snaps / "GeoLite2-City_20230601.mmdb"),
        {"1.2.3.0/24": CityRecord("DE", "Germany", "BY", "Bavaria"),
         "2001:db9::/32": CityRecord("DE", "Germany")},
    )
    utc = dt.UTC
    times = [
        dt.datetime(2023, 3, 15, 9, tzinfo=utc),  # before every snapshot: the oldest, counted
        dt.datetime(2023, 4, 1, 0, 0, tzinfo=utc),
        dt.datetime(2023, 5, 31, 23, 59, 59, 999_999, tzinfo=utc),
        dt.datetime(2023, 6, 1, 0, 0, tzinfo=utc),
        dt.datetime(2023, 6, 20, 8, tzinfo=utc),
    ]
    convs = [[("1.2.3.4", t)] for t in times] + [[("2001:db9::7", times[2]), ("2001:db9::7", times[3])]]
    run = Run(tmp_path / "store", scrubbed_table(convs), GeoResource(geoip_db=str(snaps), ip_hash_key=KEY),
              day="2023-05-31")
    assert run.ok
    got = [(r["country"], r["state"]) for r in run.user_rows()]
    assert got == [
        ("France", "Île-de-France"), ("France", "Île-de-France"), ("France", "Île-de-France"),
        ("Germany", "Bavaria"), ("Germany", "Bavaria"), ("France", None), ("Germany", None),
    ]
    md = run.metadata
    assert md["before_first_snapshot"] == 1
    assert md["messages_per_snapshot"] == {
        "GeoLite2-City_20230401.mmdb@2023-04-01": 4, "GeoLite2-City_20230601.mmdb@2023-06-01": 3,
    }
    assert md["top_countries"] == {"France": 4, "Germany": 3}


# --- unplaceable IPs --------------------------------------------------------------------------
def test_private_reserved_malformed_unknown_give_nulls_and_counts(tmp_path):
    ips = ["10.0.0.1", "127.0.0.1", "8.8.8.8", "not-an-ip", None, "81.2.69.142", "240.1.2.3", "2606:4700::1"]
    geo = GeoResource(geoip_db=CITY_TEST, ip_hash_key=KEY)
    run = Run(tmp_path, scrubbed_table([[(ip, NOON)] for ip in ips]), geo)
    assert run.ok
    users = run.user_rows()
    assert [r["country"] for r in users] == [None] * 5 + ["United Kingdom", None, None]
    assert all(r["state"] is None for i, r in enumerate(users) if i != 5)
    # hashed even when unplaceable (so takedowns by hashed IP still work); null only without an IP
    assert [r["hashed_ip"] for r in users] == [hmac_hex(KEY, ip) if ip else None for ip in ips]
    md = run.metadata
    counts = [md[k] for k in ("geo_located", "private_or_reserved", "malformed", "unknown", "missing_ip")]
    assert counts == [1, 3, 1, 2, 1]
    assert md["user_messages"] == 8 and md["messages"] == 16 and md["conversations"] == 8


def test_empty_partition_is_an_empty_table(tmp_path):
    run = Run(tmp_path, None, GeoResource(geoip_db=CITY_TEST, ip_hash_key=KEY))
    assert run.ok and run.table.num_rows == 0 and run.table.schema == GEO_TAGGED
    assert run.metadata["user_messages"] == 0


# --- privacy: no raw IP, no key, anywhere downstream -----------------------------------------
PLANTED = ["81.2.69.142", "216.160.83.56", "2001:218::1", "::ffff:89.160.20.112", "10.0.0.1",
           "127.0.0.1", "8.8.8.8", "not-an-ip"]


def _parquet_strings(data: bytes) -> str:
    """Everything a Parquet file holds, decoded: values, schema and footer metadata, stats."""
    f = pq.ParquetFile(io.BytesIO(data))
    parts = [str(f.metadata.metadata), str(f.schema_arrow), str(f.read().to_pylist())]
    for g in range(f.metadata.num_row_groups):
        for c in range(f.metadata.num_columns):
            stats = f.metadata.row_group(g).column(c).statistics
            parts.append(str(stats.min if stats and stats.has_min_max else ""))
            parts.append(str(stats.max if stats and stats.has_min_max else ""))
    return "\n".join(parts)


def test_raw_ip_and_key_absent_from_every_downstream_file_metadata_and_log(tmp_path):
    table = scrubbed_table([[(ip, NOON), (ip, NOON)] for ip in PLANTED])
    run = Run(tmp_path, table, GeoResource(geoip_db=CITY_TEST, ip_hash_key=KEY))
    assert run.ok
    storage = Storage(str(tmp_path))

    # the scan works: it finds every planted IP in the upstream (restricted) partition
    (upstream,) = storage.list_files("scrubbed")
    upstream_text = _parquet_strings(storage.read_bytes(upstream.path))
    assert all(ip in upstream_text for ip in PLANTED)

    downstream = [f for f in storage.list_files("") if not f.path.startswith("scrubbed/")]
    assert [f.path for f in downstream] == [f"geo_tagged/dt={DAY}/part-00000.parquet"]
    for f in downstream:
        data = storage.read_bytes(f.path)
        text = _parquet_strings(data)
        for needle in [*PLANTED, KEY]:
            assert needle.encode() not in data, (needle, f.path)
            assert needle not in text, (needle, f.path)

    metadata_text = str(run.metadata)
    logs_text = "\n".join(serialize_value(record) for record in run.logs())
    for needle in [*PLANTED, KEY]:
        assert needle not in metadata_text, needle
        assert needle not in logs_text, needle
    # the hashes are there instead
    assert hmac_hex(KEY, "81.2.69.142") in str(run.table.column("hashed_ip").to_pylist())


# --- stable keyed hash --------------------------------------------------------------------------
def test_same_ip_and_key_same_hash_across_runs_other_key_differs(tmp_path):
    ips = ["81.2.69.142", "2001:218::1", "10.0.0.1", "not-an-ip"]
    table = scrubbed_table([[(ip, NOON)] for ip in ips])
    runs = [
        Run(tmp_path / name, table, GeoResource(geoip_db=CITY_TEST, ip_hash_key=key))
        for name, key in (("a", KEY), ("b", KEY), ("c", "a-different-key"))
    ]
    assert all(r.ok for r in runs)
    a, b, c = ([r["hashed_ip"] for r in run.user_rows()] for run in runs)
    assert a == b == [hmac_hex(KEY, ip) for ip in ips]
    assert all(len(h) == 64 and h == h.lower() for h in a)
    assert all(x != y for x, y in zip(a, c, strict=True))
    assert c == [hmac_hex("a-different-key", ip) for ip in ips]


# --- key policy -----------------------------------------------------------------------------------
def test_production_without_key_refuses_to_start(tmp_path, monkeypatch):
    from wildchat_dagster.definitions import build_definitions

    monkeypatch.setenv("WILDCHAT_ENV", "production")
    with pytest.raises(MissingIpHashKeyError, match="WILDCHAT_IP_HASH_KEY is not set"):
        geo_resource_from_env()
    with pytest.raises(MissingIpHashKeyError, match="production"):
        build_definitions(str(tmp_path))
    # a resource built by hand in production mode fails its step the same way, writing nothing
    table = scrubbed_table([[("81.2.69.142", NOON)]])
    run = Run(tmp_path, table, GeoResource(geoip_db=CITY_TEST, environment="production"))
    assert not run.ok
    failures = [e for e in run.result.all_events if e.is_step_failure]
    error = failures[0].step_failure_data.error
    assert error.cause.cls_name == "MissingIpHashKeyError"
    assert "WILDCHAT_IP_HASH_KEY is not set" in error.to_string()
    assert not Storage(str(tmp_path)).list_files("geo_tagged")


def test_production_with_key_from_env_var_runs_without_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("WILDCHAT_ENV", "production")
    monkeypatch.setenv("WILDCHAT_IP_HASH_KEY", KEY)
    monkeypatch.setenv("WILDCHAT_GEOIP_DB", CITY_TEST)
    geo = geo_resource_from_env()
    assert KEY not in repr(geo)  # Dagster keeps the EnvVar reference, not the value
    run = Run(tmp_path, scrubbed_table([[("81.2.69.142", NOON)]]), geo)
    assert run.ok
    assert run.user_rows()[0]["hashed_ip"] == hmac_hex(KEY, "81.2.69.142")
    assert not [r for r in run.logs() if r.level >= logging.WARNING]


def test_demo_default_with_no_env_vars_uses_embedded_db_and_dev_key_loudly(tmp_path):
    from wildchat_dagster.definitions import build_definitions

    defs = build_definitions(str(tmp_path))
    assert isinstance(defs.resources["geo"], GeoResource)
    run = Run(tmp_path, scrubbed_table([[("81.2.69.142", NOON)]]), defs.resources["geo"])
    assert run.ok
    row = run.user_rows()[0]
    assert row["country"] == "United Kingdom"  # the 2018 GeoLite2 City that maxminddb-geolite2 ships
    assert row["hashed_ip"] == hmac_hex(DEVELOPMENT_IP_HASH_KEY, "81.2.69.142")
    assert list(run.metadata["geoip_snapshots"]) == ["GeoLite2-City.mmdb@2018-07-03"]
    assert run.metadata["ip_hash_key"].startswith("DEVELOPMENT KEY")
    warnings = [r.user_message for r in run.logs() if r.level == logging.WARNING]
    assert any("DEVELOPMENT IP HASH KEY" in m for m in warnings)
    assert not any(DEVELOPMENT_IP_HASH_KEY in m for m in warnings)
