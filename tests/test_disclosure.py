"""Quasi-identifiers (issue 19): k-anonymity measured right, the release policy generalising and
suppressing what singles users out (and WildChat mode keeping it), the schema unchanged, the
card, the non-blocking check and the operator settings."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import AssetCheckSeverity, AssetSpec, DagsterInstance, materialize
from rawlog_helpers import UA_A, call
from test_release import (
    DAY,
    assert_wildchat_schema,
    classified_from_calls,
    hip,
    parse_card,
    t,
)

from wildchat_dagster.assets.release import dataset_card, release
from wildchat_dagster.checks.disclosure import release_disclosure
from wildchat_dagster.core.card import CARD_PATH, MANIFEST_NAME, write_card
from wildchat_dagster.core.disclosure import (
    OBSERVATIONS,
    measure,
    observations,
    read_observations,
)
from wildchat_dagster.core.publish import current, read_published_bytes, read_published_table
from wildchat_dagster.core.release import build_release
from wildchat_dagster.core.release_policy import (
    ReleasePolicy,
    ReleasePolicyError,
    apply_policy,
    generalize_user_agent,
    primary_language_tags,
)
from wildchat_dagster.core.schema import CLASSIFIED, RELEASE
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.partitions import daily_partitions
from wildchat_dagster.resources import (
    ReleasePolicyResource,
    ReviewResource,
    StorageResource,
    ToxicityResource,
    release_policy_resource_from_env,
)


# ------------------------------------------------------------------------------------------
# k on a hand-built table
# ------------------------------------------------------------------------------------------
def obs_table(rows: list[tuple]) -> pa.Table:
    """(user, country, state, user_agent, accept_language[, timestamp minute])"""
    cols = list(zip(*[r if len(r) == 6 else (*r, None) for r in rows], strict=True))
    ts = [None if m is None else dt.datetime(2023, 4, 10, 8, m, tzinfo=dt.UTC) for m in cols[5]]
    return pa.table({n: list(c) for n, c in zip(OBSERVATIONS.names[:5], cols[:5], strict=True)}
                    | {"timestamp": ts}, schema=OBSERVATIONS)


def test_k_is_the_number_of_distinct_users_sharing_a_tuple_and_a_user_takes_their_rarest():
    chrome, safari = "Chrome 112 (Windows)", "Safari 16 (Mac OS X)"
    rows = [
        # five users share (UK, England, chrome, en): k = 5; u1 shows it three times (counted once)
        *[(f"u{i}", "UK", "England", chrome, "en") for i in range(1, 6)],
        ("u1", "UK", "England", chrome, "en"), ("u1", "UK", "England", chrome, "en"),
        # u5 also used Safari once: alone with that tuple, so u5's k is 1
        ("u5", "UK", "England", safari, "en"),
        # two users share a null-state tuple (null is a value like any other): k = 2
        ("u6", "UK", None, chrome, "en"), ("u7", "UK", None, chrome, "en"),
        # u8 is alone in Sweden
        ("u8", "Sweden", "Östergötland", chrome, "sv"),
    ]
    report = measure(obs_table(rows), threshold=5)
    assert report.users == 8 and report.tuples == 4 and report.observations == 9
    # per user: u1-u4 k=5, u5 k=1 (its rarest), u6/u7 k=2, u8 k=1
    assert report.users_below == 4 and report.share_below == 0.5
    assert report.users_unique == 2 and report.k_min == 1 and report.k_median == 3.5
    assert report.k_distribution == {"1": 2, "2-4": 2, "5-9": 4, "10-19": 0, "20-49": 0, "50+": 0}
    # attributes alone: country UK is shared by 7 users, Sweden by 1; state None by 2, ...
    assert report.singles_out == {"country": 1, "state": 3, "user_agent": 1, "accept_language": 1}
    assert report.singles_out_most == "state"
    # the threshold moves the line
    assert measure(obs_table(rows), threshold=2).users_below == 2


def test_timestamp_uniqueness_counts_messages_no_other_user_shares():
    rows = [("a", "UK", None, "x", "en", 1), ("b", "UK", None, "x", "en", 1),  # same minute, two users
            ("a", "UK", None, "x", "en", 2), ("a", "UK", None, "x", "en", 2),  # same minute, one user
            ("c", "UK", None, "x", "en", 3), ("c", "UK", None, "x", "en")]  # no timestamp: not counted
    report = measure(obs_table(rows))
    assert report.user_messages == 5 and report.time_unique_share == 0.6


def test_an_empty_table_measures_zero_users():
    report = measure(OBSERVATIONS.empty_table())
    assert report.users == 0 and report.share_below == 0.0 and report.singles_out_most is None


# ------------------------------------------------------------------------------------------
# Generalisation
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("ua", "want"), [
    (UA_A, "Chrome 112 (Windows)"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.4 Mobile/15E148 Safari/604.1", "Mobile Safari 16 (iOS)"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 "
     "Safari/537.36 Edg/112.0.1722.48", "Edge 112 (Windows)"),
    ("python-requests/2.31.0", "Python Requests 2"),
    ("definitely not a browser", "Other"),
    ("", ""),
    (None, None),
])
def test_user_agents_generalise_to_family_major_and_os(ua, want):
    assert generalize_user_agent(ua) == want


@pytest.mark.parametrize(("header", "want"), [
    ("en-GB,en;q=0.9", "en"),
    ("vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5", "vi,fr,en"),
    ("zh-Hans-CN, ZH;q=0.8, *;q=0.1", "zh"),
    ("*", ""),
    ("1234,;;,x-y", "x"),
    (None, None),
])
def test_accept_language_reduces_to_primary_tags(header, want):
    assert primary_language_tags(header) == want


# ------------------------------------------------------------------------------------------
# The policy on release rows
# ------------------------------------------------------------------------------------------
RARE_UA = "Mozilla/5.0 (X11; FreeBSD amd64; rv:102.0) Gecko/20100101 Firefox/102.0 SeaMonkey/2.53.16"


def crowd_and_a_rare_user() -> list[dict]:
    """Six users in England with Chrome 112 on Windows, each a different build and English
    header (unique as sent, alike once generalised), and one in Östergötland (a small state) with
    a rare browser and a Swedish header."""
    calls = [call(i, t(i), [f"question {i}"], f"answer {i}", ip=f"81.2.69.{140 + i}",
                  ua=UA_A.replace("Chrome/112.0", f"Chrome/112.0.5615.{40 + i}"),
                  lang="en-GB,en;q=0.9" if i % 2 else f"en-US,en;q=0.{i}")
             for i in range(1, 7)]
    calls.append(call(7, "2023-04-10T08:30:17Z", ["rare question"], "rare answer", ip="89.160.20.112",
                      ua=RARE_UA, lang="sv-SE,sv;q=0.9,en;q=0.5"))
    return calls


def rare_row(table: pa.Table) -> dict:
    return next(r for r in table.to_pylist() if r["conversation"][0]["content"] == "rare question")


def test_a_rare_user_agent_in_a_small_state_is_suppressed_by_default_and_kept_under_wildchat():
    classified = classified_from_calls(crowd_and_a_rare_user())
    default = build_release(classified, policy=ReleasePolicy())
    rare = rare_row(default.full)
    user_msg = rare["conversation"][0]
    # the rare user: state, then headers, then country gone (still alone at every step)
    assert (rare["state"], rare["country"], user_msg["state"], user_msg["country"]) == (None,) * 4
    assert rare["header"] == {"accept-language": None, "user-agent": None} == user_msg["header"]
    assert rare["hashed_ip"] == hip("89.160.20.112")  # the pseudonym itself stays
    # the crowd keeps its geography and (generalised) headers
    crowd = [r for r in default.full.to_pylist() if r["conversation_id"] != rare["conversation_id"]]
    assert len(crowd) == 6
    for r in crowd:
        assert (r["country"], r["state"]) == ("United Kingdom", "England")
        assert r["header"] == {"accept-language": "en", "user-agent": "Chrome 112 (Windows)"}
        assert r["conversation"][0]["header"] == r["header"]
        assert r["conversation"][1]["header"] is None  # assistant messages carry none, as before
    assert rare["timestamp"] == dt.datetime(2023, 4, 10, 8, tzinfo=dt.UTC)  # hour precision
    report = default.disclosure
    assert report.before.users == report.after.users == 7
    assert report.before.users_below == 7  # every full header string is unique
    assert report.after.users_below == 1 and report.residual_below_min_k == 1  # 1 user alone in the day
    assert report.suppressed_users == {"state": 1, "country": 1, "accept_language": 1, "user_agent": 1}

    wildchat = build_release(classified, policy=ReleasePolicy.wildchat())
    kept = rare_row(wildchat.full)
    assert (kept["country"], kept["state"]) == ("Sweden", "Östergötland")
    assert kept["header"] == {"accept-language": "sv-SE,sv;q=0.9,en;q=0.5", "user-agent": RARE_UA}
    assert kept["conversation"][0]["state"] == "Östergötland"
    assert kept["timestamp"] == dt.datetime(2023, 4, 10, 8, 30, 17, tzinfo=dt.UTC)
    assert wildchat.full.equals(build_release(classified).full)  # exactly the fields as they come
    assert wildchat.disclosure.after == wildchat.disclosure.before


def test_the_policy_keeps_the_schema_rows_text_and_hashes_with_nulls_not_missing_columns(tmp_path):
    classified = classified_from_calls(crowd_and_a_rare_user())
    plain = build_release(classified).full
    geography = ("state", "country")  # the order, headers never suppressed
    for policy in (ReleasePolicy(), ReleasePolicy("full", 10, "minute", geography), ReleasePolicy.wildchat()):
        result = build_release(classified, policy=policy)
        assert result.full.schema == RELEASE and result.nontoxic.schema == RELEASE
        assert result.full.num_rows == plain.num_rows
        for name in ("conversation_hash", "conversation_id", "hashed_ip", "hashed_ips", "turn", "model"):
            assert result.full[name].equals(plain[name]), name
        texts = [[m["content"] for m in c] for c in result.full["conversation"].to_pylist()]
        assert texts == [[m["content"] for m in c] for c in plain["conversation"].to_pylist()]
        storage = Storage(str(tmp_path / policy.mode / policy.timestamp_precision))
        storage.write_table(f"release/dt={DAY}/split=full", result.full)
        on_disk = pq.read_table(storage.full(f"release/dt={DAY}/split=full/part-00000.parquet"))
        assert_wildchat_schema(on_disk.schema)
        assert on_disk.schema == RELEASE
    minute = build_release(classified, policy=ReleasePolicy("full", 10, "minute", geography)).full
    rare = rare_row(minute)
    assert rare["timestamp"] == dt.datetime(2023, 4, 10, 8, 30, tzinfo=dt.UTC)
    assert all(m["timestamp"].second == 0 for m in rare["conversation"])
    assert rare["header"]["user-agent"] == RARE_UA  # full headers, not in `suppress`
    assert rare["country"] is None and rare["state"] is None


def test_the_policy_treats_a_day_in_chunks_like_one_chunk():
    classified = classified_from_calls(crowd_and_a_rare_user())
    full = build_release(classified).full
    chunked = pa.concat_tables([full.slice(0, 3), full.slice(3)])
    one, _ = apply_policy(full, ReleasePolicy())
    two, report = apply_policy(chunked, ReleasePolicy())
    assert two.combine_chunks().equals(one.combine_chunks()) and report.after.users_below == 1


def test_observations_read_from_parquet_leaves_equal_those_of_the_table(tmp_path):
    full = build_release(classified_from_calls(crowd_and_a_rare_user()), policy=ReleasePolicy()).full
    storage = Storage(str(tmp_path))
    storage.write_table(f"release/dt={DAY}/split=full", full)
    read = read_observations(storage, current(storage, f"release/dt={DAY}").under("split=full"))
    assert read.sort_by("user").equals(observations(full).sort_by("user"))
    assert read.num_rows == 7 + 7  # one user message and one conversation row each


def test_policy_settings_are_validated_with_the_allowed_values():
    with pytest.raises(ReleasePolicyError, match=r"header_detail='partial'.*full"):
        ReleasePolicy(header_detail="partial")
    with pytest.raises(ReleasePolicyError, match="timestamp_precision='day'"):
        ReleasePolicy(timestamp_precision="day")
    with pytest.raises(ReleasePolicyError, match="min_k=-1"):
        ReleasePolicy(min_k=-1)
    with pytest.raises(ReleasePolicyError, match="wildchat"):
        ReleasePolicy(mode="wildchat")
    with pytest.raises(ReleasePolicyError, match=r"suppress=\['state', 'city'\]"):
        ReleasePolicy(suppress=("state", "city"))
    assert ReleasePolicy(suppress=["country"]).suppress == ("country",)  # from JSON


def test_release_policy_resource_from_env(monkeypatch):
    for var in ("WILDCHAT_RELEASE_MODE", "WILDCHAT_HEADER_DETAIL", "WILDCHAT_MIN_K",
                "WILDCHAT_TIMESTAMP_PRECISION", "WILDCHAT_SUPPRESS", "WILDCHAT_DISCLOSURE_MAX_SHARE"):
        monkeypatch.delenv(var, raising=False)
    assert release_policy_resource_from_env().get_policy() == ReleasePolicy()
    assert ReleasePolicy() == ReleasePolicy("generalized", 5, "hour",
                                            ("state", "accept_language", "user_agent", "country"), "policy")
    monkeypatch.setenv("WILDCHAT_MIN_K", "10")
    monkeypatch.setenv("WILDCHAT_TIMESTAMP_PRECISION", "Minute")
    monkeypatch.setenv("WILDCHAT_SUPPRESS", "State, Country")
    want = ReleasePolicy("generalized", 10, "minute", ("state", "country"))
    assert release_policy_resource_from_env().get_policy() == want
    monkeypatch.setenv("WILDCHAT_RELEASE_MODE", "wildchat")
    assert release_policy_resource_from_env().get_policy() == ReleasePolicy.wildchat()
    monkeypatch.setenv("WILDCHAT_HEADER_DETAIL", "verbose")
    monkeypatch.setenv("WILDCHAT_RELEASE_MODE", "policy")
    with pytest.raises(ReleasePolicyError, match="header_detail='verbose'"):
        release_policy_resource_from_env()
    monkeypatch.delenv("WILDCHAT_HEADER_DETAIL")
    monkeypatch.setenv("WILDCHAT_MIN_K", "five")
    with pytest.raises(ValueError, match="WILDCHAT_MIN_K='five': expected a int"):
        release_policy_resource_from_env()


# ------------------------------------------------------------------------------------------
# Card, asset metadata and the non-blocking check
# ------------------------------------------------------------------------------------------
def materialize_day(base, policy: ReleasePolicyResource):
    storage = Storage(str(base))
    classified = classified_from_calls(crowd_and_a_rare_user()).cast(CLASSIFIED)
    storage.write_table(f"classified/dt={DAY}", classified)
    return materialize(
        [AssetSpec("classified", partitions_def=daily_partitions), release, dataset_card, release_disclosure],
        partition_key=DAY,
        instance=DagsterInstance.ephemeral(),
        resources={"io_manager": ParquetIOManager(base=str(base)), "storage": StorageResource(base=str(base)),
                   "toxicity": ToxicityResource(detoxify_threshold=0.1), "release_policy": policy,
                   "review": ReviewResource()},
        raise_on_error=False,
    )


def metadata(result, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        if event.materialization.asset_key.to_user_string() == key:
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(key)


def test_release_metadata_card_and_check_report_the_risk_before_and_after(tmp_path):
    result = materialize_day(tmp_path, ReleasePolicyResource(risk_max_share=0.2))
    assert result.success
    meta = metadata(result, "release")
    assert meta["disclosure_before_users_k_lt_5"] == 7 and meta["disclosure_after_users_k_lt_5"] == 1
    assert meta["disclosure_before_share_k_lt_5"] == 1.0 and meta["disclosure_after_share_k_lt_5"] == 0.1429
    assert meta["release_policy"]["header_detail"] == "generalized"
    manifest = json.loads(read_published_bytes(Storage(str(tmp_path)), f"release/dt={DAY}", MANIFEST_NAME))
    assert manifest["disclosure"]["after"]["users_below"] == 1
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "release_disclosure" and check.passed  # 14% <= 20%
    assert check.metadata["users_k_lt_5"].value == 1 and check.metadata["users"].value == 7

    card_meta = metadata(result, "dataset_card")
    assert card_meta["disclosure_users"] == 7 and card_meta["disclosure_users_k_lt_5"] == 1
    text = (tmp_path / CARD_PATH).read_text()
    _, sections = parse_card(text)
    assert ("Release policy: headers generalized, rare tuples (k < 5) lose state, then accept-language, "
            "then user-agent, then country, timestamps to the hour." in text)
    risk = {row[0]: row[1:] for row in sections["Disclosure risk"][1:]}
    assert risk["Whole release, as released"][:3] == ["7", "1", "14.29%"]
    assert risk["Days before the policy (sum)"][:3] == ["7", "7", "100.00%"]
    assert risk["Days after the policy (sum)"][:3] == ["7", "1", "14.29%"]
    dist = {row[0]: row[1:] for row in sections["Disclosure risk: k distribution (users)"][1:]}
    assert dist["1"] == ["7", "1", "1"] and dist["5-9"] == ["0", "6", "6"]
    (day_row,) = sections["Disclosure risk per day"][1:]
    assert day_row[0] == DAY and day_row[3:5] == ["7", "1"] and day_row[7] == "1 / 1 / 1 / 1"


def test_under_wildchat_mode_the_check_warns_without_blocking(tmp_path):
    result = materialize_day(tmp_path, ReleasePolicyResource(mode="wildchat"))
    assert result.success  # non-blocking: the release and the card are written
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert check.metadata["share_k_lt_5"].value == 1.0
    assert check.metadata["release_policy"].value["mode"] == "wildchat"
    full = read_published_table(Storage(str(tmp_path)), f"release/dt={DAY}", "split=full")
    assert RARE_UA in full["header"].combine_chunks().field("user-agent").to_pylist()
    text = (tmp_path / CARD_PATH).read_text()
    assert ("Release policy: wildchat (full headers, exact country and state, timestamps to the second)."
            in text)


def test_card_without_disclosure_manifests_still_measures_the_release(tmp_path):
    storage = Storage(str(tmp_path))
    result = build_release(classified_from_calls(crowd_and_a_rare_user()))
    storage.write_table(f"release/dt={DAY}/split=full", result.full)
    storage.write_table(f"release/dt={DAY}/split=nontoxic", result.nontoxic)
    _, summary = write_card(storage)
    assert summary["disclosure"]["whole"].users == 7 and summary["disclosure"]["policies"] == ["unknown"]
    _, sections = parse_card((tmp_path / CARD_PATH).read_text())
    (day_row,) = sections["Disclosure risk per day"][1:]
    assert day_row[:4] == [DAY, "unknown", "-", "-"]
