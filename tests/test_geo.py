"""core/geo.py: keyed IP hash, IP classification, dated snapshots, conversation values."""

import datetime as dt
import hmac
import logging
import os
import pickle
from hashlib import sha256
from pathlib import Path

import pyarrow as pa
import pytest

from wildchat_dagster.core import geo
from wildchat_dagster.core.geo import (
    DEVELOPMENT_IP_HASH_KEY,
    LOCATED,
    MALFORMED,
    MISSING,
    PRIVATE_OR_RESERVED,
    UNKNOWN,
    CityRecord,
    GeoTagger,
    IpHasher,
    MissingIpHashKeyError,
    discover_snapshots,
    open_reader,
    resolve_ip_hasher,
    write_city_mmdb,
)
from wildchat_dagster.core.schema import GEO_TAGGED, SCRUBBED

GEOIP = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "geoip"
CITY_TEST = str(GEOIP / "GeoIP2-City-Test.mmdb")
COUNTRY_TEST = str(GEOIP / "GeoLite2-Country-Test.mmdb")


# --- hash -------------------------------------------------------------------------------
def test_hmac_sha256_rfc4231_vector_lowercase_hex():
    # RFC 4231 test case 2: key "Jefe".
    assert IpHasher("Jefe").hash("what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_hash_is_hmac_of_utf8_key_and_ip_stable_and_keyed():
    ip = "81.2.69.142"
    want = hmac.new("clé-секрет".encode(), ip.encode(), sha256).hexdigest()
    assert IpHasher("clé-секрет").hash(ip) == want
    assert IpHasher("clé-секрет").hash(ip) == want  # a fresh hasher, same answer
    assert IpHasher("another key").hash(ip) != want
    assert IpHasher("clé-секрет").hash("81.2.69.143") != want


def test_hasher_never_shows_or_pickles_its_key():
    h = IpHasher("super-secret-key-123")
    assert "super-secret" not in repr(h) and "super-secret" not in str(h)
    with pytest.raises(TypeError):
        pickle.dumps(h)
    with pytest.raises(ValueError):
        IpHasher("   ")


def test_production_without_key_fails_clearly():
    for key in (None, "", "  "):
        with pytest.raises(MissingIpHashKeyError, match=r"WILDCHAT_IP_HASH_KEY is not set.*production"):
            resolve_ip_hasher(key, "production")


def test_demo_without_key_uses_labelled_dev_key_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="wildchat_dagster.core.geo"):
        h = resolve_ip_hasher(None, "demo")
    assert h.is_development
    assert h.hash("1.2.3.4") == IpHasher(DEVELOPMENT_IP_HASH_KEY).hash("1.2.3.4")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "DEVELOPMENT IP HASH KEY" in warnings[0].getMessage()
    assert DEVELOPMENT_IP_HASH_KEY not in caplog.text


def test_configured_key_wins_everywhere_without_warning(caplog):
    with caplog.at_level(logging.WARNING):
        h = resolve_ip_hasher("k3y", "production")
    assert not h.is_development and not caplog.records
    assert h.hash("1.2.3.4") == IpHasher("k3y").hash("1.2.3.4")


# --- lookups in MaxMind's test database ---------------------------------------------------
@pytest.fixture(scope="module")
def tagger():
    return GeoTagger.from_location(CITY_TEST, IpHasher("k"))


@pytest.mark.parametrize(
    ("ip", "country", "state"),
    [
        ("81.2.69.142", "United Kingdom", "England"),
        ("216.160.83.56", "United States", "Washington"),
        ("89.160.20.112", "Sweden", "Östergötland County"),
        ("175.16.199.0", "China", "Jilin Sheng"),
        ("67.43.156.0", "Bhutan", None),
        ("2001:218::", "Japan", None),  # IPv6
        ("2a02:cf40::1", "Norway", None),
        ("::ffff:81.2.69.142", "United Kingdom", "England"),  # IPv4-mapped IPv6
        ("2002:5102:458e::1", "United Kingdom", "England"),  # 6to4 of 81.2.69.142
    ],
)
def test_known_answers(tagger, ip, country, state):
    assert tagger.lookup(ip) == (country, state, LOCATED)


@pytest.mark.parametrize(
    ("ip", "outcome"),
    [
        ("10.0.0.1", PRIVATE_OR_RESERVED),
        ("127.0.0.1", PRIVATE_OR_RESERVED),
        ("192.168.1.20", PRIVATE_OR_RESERVED),
        ("172.16.5.4", PRIVATE_OR_RESERVED),
        ("100.64.0.1", PRIVATE_OR_RESERVED),  # carrier-grade NAT
        ("169.254.1.1", PRIVATE_OR_RESERVED),
        ("224.0.0.1", PRIVATE_OR_RESERVED),
        ("240.0.0.1", PRIVATE_OR_RESERVED),
        ("0.0.0.0", PRIVATE_OR_RESERVED),
        ("::1", PRIVATE_OR_RESERVED),
        ("fe80::1", PRIVATE_OR_RESERVED),
        ("fc00::1", PRIVATE_OR_RESERVED),
        ("2001:db8::1", PRIVATE_OR_RESERVED),
        ("::ffff:10.0.0.1", PRIVATE_OR_RESERVED),
        ("8.8.8.8", UNKNOWN),  # public, not in the test DB
        ("2606:4700::1111", UNKNOWN),
        ("214.1.1.0", UNKNOWN),  # in the DB but without a country
        ("not-an-ip", MALFORMED),
        ("999.1.1.1", MALFORMED),
        ("1.2.3", MALFORMED),
        ("", MISSING),
        (None, MISSING),
    ],
)
def test_unplaceable_ips_give_nulls_not_errors(tagger, ip, outcome):
    assert tagger.lookup(ip) == (None, None, outcome)


def test_embedded_geolite2_is_the_real_2018_city_db():
    path = geo.embedded_db_path()
    assert path.endswith("GeoLite2-City.mmdb") and os.path.getsize(path) > 50_000_000
    (snap,) = discover_snapshots(None)
    assert snap.database_type == "GeoLite2-City" and snap.build_date == dt.date(2018, 7, 3)
    t = GeoTagger([snap], IpHasher("k"))
    country, _state, outcome = t.lookup("81.2.69.142")
    assert (country, outcome) == ("United Kingdom", LOCATED)
    assert t.lookup("8.8.8.8")[0] == "United States"


def test_one_reader_per_file_per_process(tmp_path):
    a = open_reader(CITY_TEST)
    n = geo.open_reader_count()
    assert open_reader(CITY_TEST) is a
    GeoTagger.from_location(CITY_TEST, IpHasher("k"))
    assert geo.open_reader_count() == n
    # a file replaced in place (geoipupdate) is reopened, the old reader closed
    p = tmp_path / "db_20230401.mmdb"
    write_city_mmdb(str(p), {"1.2.3.0/24": CityRecord("FR", "France")})
    r1 = open_reader(str(p))
    write_city_mmdb(str(p) + ".new", {"1.2.3.0/24": CityRecord("DE", "Germany")})
    os.replace(str(p) + ".new", p)
    r2 = open_reader(str(p))
    assert r2 is not r1 and r2.city("1.2.3.4").country.name == "Germany"


def test_non_city_database_rejected():
    with pytest.raises(ValueError, match="City"):
        discover_snapshots(COUNTRY_TEST)


def test_missing_location_and_empty_dir_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="WILDCHAT_GEOIP_DB"):
        discover_snapshots(str(tmp_path / "nope.mmdb"))
    with pytest.raises(FileNotFoundError, match=r"no \.mmdb"):
        discover_snapshots(str(tmp_path))


# --- dated snapshots ---------------------------------------------------------------------
def _us(y, m, d, h=0, mi=0, s=0, us=0) -> int:
    return int(dt.datetime(y, m, d, h, mi, s, tzinfo=dt.UTC).timestamp()) * 1_000_000 + us


def test_snapshot_dates_from_names_else_build_date(tmp_path):
    write_city_mmdb(str(tmp_path / "City_20230601.mmdb"), {"1.2.3.0/24": CityRecord("DE", "Germany")})
    write_city_mmdb(str(tmp_path / "City_20230401.mmdb"), {"1.2.3.0/24": CityRecord("FR", "France")})
    write_city_mmdb(str(tmp_path / "undated.mmdb"), {"1.2.3.0/24": CityRecord("IT", "Italy")})
    (tmp_path / "notes.txt").write_text("ignored")
    snaps = discover_snapshots(str(tmp_path))
    today = dt.datetime.now(dt.UTC).date()
    assert [s.date for s in snaps] == [dt.date(2023, 4, 1), dt.date(2023, 6, 1), snaps[2].date]
    assert abs((snaps[2].date - today).days) <= 1  # build date of the undated file
    assert snaps[0].name == "City_20230401.mmdb@2023-04-01"

    t = GeoTagger(snaps, IpHasher("k"))
    assert t.snapshot_index(_us(2023, 3, 31, 23, 59, 59)) == (0, True)  # before all: oldest, flagged
    assert t.snapshot_index(_us(2023, 4, 1)) == (0, False)
    assert t.snapshot_index(_us(2023, 5, 31, 23, 59, 59, 999_999)) == (0, False)
    assert t.snapshot_index(_us(2023, 6, 1)) == (1, False)
    assert t.snapshot_index(None) == (2, False)
    assert [t.lookup("1.2.3.4", i)[0] for i in range(3)] == ["France", "Germany", "Italy"]


def test_two_snapshots_with_the_same_date_are_ambiguous(tmp_path):
    write_city_mmdb(str(tmp_path / "a_20230401.mmdb"), {"1.2.3.0/24": CityRecord("FR", "France")})
    write_city_mmdb(str(tmp_path / "b_20230401.mmdb"), {"1.2.3.0/24": CityRecord("DE", "Germany")})
    with pytest.raises(ValueError, match="two snapshots dated 2023-04-01"):
        discover_snapshots(str(tmp_path))


def test_ipv6_in_ipv4_only_db_is_unknown_not_error(tmp_path):
    p = write_city_mmdb(str(tmp_path / "v4.mmdb"), {"1.2.3.0/24": CityRecord("FR", "France")}, ip_version=4)
    t = GeoTagger.from_location(p, IpHasher("k"))
    assert t.lookup("2001:218::1") == (None, None, UNKNOWN)
    assert t.lookup("::ffff:1.2.3.4") == ("France", None, LOCATED)


# --- table tagging -------------------------------------------------------------------------
def _table(rows) -> pa.Table:
    """rows: (conversation_id, role, ip, timestamp)."""
    out = []
    index: dict[str, int] = {}
    for cid, role, ip, ts in rows:
        i = index.get(cid, 0)
        index[cid] = i + 1
        out.append(
            dict(
                conversation_id=cid, conversation_hash="h" * 32, message_index=i, turn=i // 2 + 1,
                turn_count=2, role=role, content="hello", timestamp=ts, turn_identifier=i, model="gpt-4",
                ip=ip, user_agent="ua", accept_language="en", conversation_start=ts, conversation_end=ts,
                copied_prefix=False, branch_of=None, orphan=False, redacted=False, pii_types=[],
            )
        )
    return pa.Table.from_pylist(out, schema=SCRUBBED)


def test_tag_table_message_and_conversation_values(tagger):
    t0 = dt.datetime(2023, 5, 1, 12, tzinfo=dt.UTC)
    rows = [
        # c1: two turns from Washington, one from England → United States / Washington
        ("c1", "user", "216.160.83.56", t0), ("c1", "assistant", "216.160.83.56", t0),
        ("c1", "user", "81.2.69.142", t0), ("c1", "assistant", "81.2.69.142", t0),
        ("c1", "user", "216.160.83.56", t0), ("c1", "assistant", "216.160.83.56", t0),
        # c2: tie (one each) → the first seen; the state follows the chosen country
        ("c2", "user", "89.160.20.112", t0), ("c2", "assistant", "89.160.20.112", t0),
        ("c2", "user", "67.43.156.0", t0), ("c2", "assistant", "67.43.156.0", t0),
        # c3: nothing placeable
        ("c3", "user", "10.0.0.1", t0), ("c3", "assistant", "10.0.0.1", t0),
        ("c3", "user", None, t0), ("c3", "assistant", None, t0),
    ]
    out, stats = tagger.tag(_table(rows))
    assert out.schema == GEO_TAGGED and "ip" not in out.column_names
    d = out.to_pylist()
    h = tagger.hasher.hash
    assert [r["country"] for r in d] == [
        "United States", None, "United Kingdom", None, "United States", None,
        "Sweden", None, "Bhutan", None, None, None, None, None,
    ]
    assert [r["hashed_ip"] for r in d[:2]] == [h("216.160.83.56"), None]
    assert all(r["hashed_ip"] is None and r["state"] is None for r in d if r["role"] == "assistant")
    conv1 = {(r["conversation_country"], r["conversation_state"], r["conversation_hashed_ip"]) for r in d[:6]}
    assert conv1 == {("United States", "Washington", h("216.160.83.56"))}
    assert {(r["conversation_country"], r["conversation_state"]) for r in d[6:10]} == {
        ("Sweden", "Östergötland County")
    }
    assert {r["conversation_hashed_ip"] for r in d[6:10]} == {h("89.160.20.112")}
    assert {(r["conversation_country"], r["conversation_state"]) for r in d[10:]} == {(None, None)}
    assert {r["conversation_hashed_ip"] for r in d[10:]} == {h("10.0.0.1")}
    assert stats.user_messages == 7 and stats.messages == 14 and stats.conversations == 3
    assert stats.ip_outcomes == {LOCATED: 5, PRIVATE_OR_RESERVED: 1, MISSING: 1}
    assert stats.countries == {"United States": 2, "United Kingdom": 1, "Sweden": 1, "Bhutan": 1}
    assert stats.distinct_hashed_ips == 5


def test_tag_empty_table(tagger):
    out, stats = tagger.tag(SCRUBBED.empty_table())
    assert out.num_rows == 0 and out.schema == GEO_TAGGED and stats.user_messages == 0
