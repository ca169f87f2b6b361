"""Data-quality checks (issue 7): GX suites run as Dagster asset checks.

The good partitions come from the real components (raw_logs and conversations assets on a
hand-made drop; GeoTagger, lid.176, the embedded toxicity backend and build_release for the
later stages). Bad partitions are the good ones with one planted defect, produced by a
stand-in asset under the real asset key, so the real downstream asset shows whether the
blocking check stopped it.
"""

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from dagster import DagsterInstance, Output, asset, materialize
from rawlog_helpers import UA_A, UA_B, call, write_drop

from wildchat_dagster.assets.classified import classified as real_classified
from wildchat_dagster.assets.conversations import conversations as real_conversations
from wildchat_dagster.assets.geo_tagged import geo_tagged as real_geo_tagged
from wildchat_dagster.assets.raw_logs import raw_logs as real_raw_logs
from wildchat_dagster.assets.raw_logs import raw_logs_quarantine as real_raw_logs_quarantine
from wildchat_dagster.assets.release import release_sft as real_release_sft
from wildchat_dagster.checks import ASSET_CHECKS, QualityResource, gx_runner
from wildchat_dagster.checks.suites import CHECKS, SUITES, checks_for
from wildchat_dagster.core import quality as q
from wildchat_dagster.core.geo import GeoTagger, IpHasher
from wildchat_dagster.core.langid import add_language_columns
from wildchat_dagster.core.linking import link_conversations
from wildchat_dagster.core.release import build_release
from wildchat_dagster.core.residue import scan_ips, scan_pii
from wildchat_dagster.core.schema import CLASSIFIED, GEO_TAGGED, RELEASE, SCRUBBED
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.core.toxicity import add_toxicity_columns
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.partitions import daily_partitions
from wildchat_dagster.resources import (
    GeoResource,
    LanguageIdResource,
    ReleasePolicyResource,
    ReviewResource,
    StorageResource,
    ToxicityResource,
)

DAY = "2023-04-10"
TEST_DB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "geoip" / "GeoIP2-City-Test.mmdb"
HASH_KEY = "test-key-not-secret"
PLANTED_EMAIL = "jane.roe.1987@gmail.com"
PLANTED_IP = "89.160.20.112"


# --------------------------------------------------------------------------- data
def day_calls() -> list[dict]:
    """Three conversations on DAY: one of two turns, two of one; texts hold only placeholders."""
    t = f"{DAY}T"
    h1 = ["Hello, can you help me write an email to my landlord about the heating?"]
    r1 = "Of course. Please send it to <PRESIDIO_ANONYMIZED_EMAIL_ADDRESS> or test@example.com."
    return [
        call(101, f"{t}08:00:00Z", h1, r1),
        call(
            102, f"{t}08:05:00Z", [*h1, r1, "Make it shorter and more polite, please."], "Sure: short note."
        ),
        call(
            103,
            f"{t}09:00:00Z",
            ["Write a haiku about rain on a tin roof."],
            "Soft rain on the roof",
            ip="216.160.83.56",
            ua=UA_B,
            lang="en-US,en;q=0.9",
        ),
        call(
            104,
            f"{t}10:30:00Z",
            ["Explain std::vector in C++ and why 127.0.0.1 is special."],
            "A vector is a dynamic array; 127.0.0.1 is the loopback address.",
            ip="175.16.199.0",
        ),
    ]


def drop_rows() -> list:
    no_consent = call(105, f"{DAY}T11:00:00Z", ["hi"], "hello", consent=False)
    return [*day_calls(), "{not json", no_consent]


def stage_tables(base: Path) -> dict:
    """Good scrubbed, geo_tagged, classified and release tables for DAY from the real code."""
    from wildchat_dagster.core.logs import LogParser

    parser = LogParser(dt.date.fromisoformat(DAY))
    parser.feed("x.jsonl", [json.dumps(r).encode() for r in day_calls()])
    conv, _ = link_conversations(parser.result.accepted_table(), dt.date.fromisoformat(DAY))
    n = conv.num_rows
    scrubbed = (
        conv.append_column("redacted", pa.array([False] * n))
        .append_column("pii_types", pa.array([[]] * n, pa.list_(pa.string())))
        .cast(SCRUBBED)
    )
    geo, _ = GeoTagger.from_location(str(TEST_DB), IpHasher(HASH_KEY)).tag(scrubbed)
    with_lang = add_language_columns(geo, LanguageIdResource().get_identifier())
    classified = add_toxicity_columns(with_lang, ToxicityResource().get_backends())
    classified = classified.select(CLASSIFIED.names).cast(CLASSIFIED)
    release = build_release(classified)
    return {
        "conversations": conv,
        "scrubbed": scrubbed,
        "geo_tagged": geo,
        "classified": classified,
        "release": release,
    }


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return stage_tables(tmp_path_factory.mktemp("tables"))


@pytest.fixture
def base(tmp_path):
    write_drop(tmp_path, DAY, drop_rows())
    return tmp_path


def resources(base: Path, **quality) -> dict:
    return {
        "io_manager": ParquetIOManager(base=str(base)),
        "storage": StorageResource(base=str(base)),
        "quality": QualityResource(**({"quarantine_rate_max": 0.5} | quality)),
        "geo": GeoResource(geoip_db=str(TEST_DB), ip_hash_key=HASH_KEY),
        "langid": LanguageIdResource(),
        "toxicity": ToxicityResource(backends=["embedded"]),
        "review": ReviewResource(hash_key=HASH_KEY),
        "release_policy": ReleasePolicyResource(),
    }


UPSTREAM = {
    "conversations": ["raw_logs"],
    "scrubbed": ["conversations"],
    "geo_tagged": ["scrubbed"],
    "classified": ["geo_tagged"],
    "release": ["classified"],
}


def stand_in(name: str, value, metadata: dict | None = None):
    """An asset under a real key (and after its real upstream) that outputs a prepared (good
    or planted-bad) partition."""

    @asset(name=name, partitions_def=daily_partitions, group_name="pipeline", deps=UPSTREAM.get(name, []))
    def _stand_in(context) -> Output:
        return Output(value, metadata=metadata or {})

    return _stand_in


def release_output(result) -> tuple[dict, dict]:
    return result.splits(), result.stats.as_dict()


def run(assets, selection, base, instance=None, **quality):
    instance = instance or DagsterInstance.ephemeral()
    result = materialize(
        [*assets, *ASSET_CHECKS],
        selection=selection,
        partition_key=DAY,
        resources=resources(base, **quality),
        instance=instance,
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    return result, evaluations, materialized


def meta(evaluation, key):
    value = evaluation.metadata.get(key)
    return getattr(value, "value", value)


def assert_passed(evaluations, names):
    for name in names:
        e = evaluations[name]
        assert e.passed, (name, meta(e, "unexpected_counts"), meta(e, "gx_errors"))
        assert meta(e, "gx_expectations") > 0 and meta(e, "gx_failed_expectations") == 0


def upstream_stand_ins(tables, *names):
    out = []
    for name in names:
        value = tables[name]
        if name == "release":
            splits, stats = release_output(value)
            out.append(stand_in(name, splits, stats))
        else:
            out.append(stand_in(name, value))
    return out


# --------------------------------------------------------------------------- residue (core)
def test_residue_scan_finds_pii_and_secrets_but_not_placeholders():
    dirty = {
        "email": "write to jane.roe@gmail.com",
        "phone": "call me at +1 (206) 555-0100 tonight",
        "card": "my card is 4111 1111 1111 1111",
        "aws": "AKIAZ3MBXQ7RT2LKP4NW",
        "github": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "openai": "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv",
        "slack": "xoxb-12345678901-ABCdefGHIjkl",
        "pem": "-----BEGIN RSA PRIVATE KEY-----",
        "url": "postgres://admin:s3cr3tPw@db.internal:5432/app",
    }
    for name, text in dirty.items():
        assert scan_pii(text), name
    clean = [
        "<PRESIDIO_ANONYMIZED_EMAIL_ADDRESS> <PRESIDIO_ANONYMIZED_PHONE_NUMBER> <SECRET_REDACTED_AWS_KEY>",
        "mail info@example.com, a@b.example.org, test@gmail.com or x@host.test",
        "kept by the scrubber too: info@domain.com, noreply@github.com, your.name@company.com",
        "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx <SECRET_REDACTED_OPENAI_KEY>",
        "AKIAIOSFODNN7EXAMPLE is AWS's documentation key; sk-xxxxxxxxxxxxxxxxxxxxxxxx is a placeholder",
        "the sum is 12345678901 and the date 2023-04-10; call me on 2023-04-10 12:30",
        "card 4111 1111 1111 1112 fails Luhn; postgres://user:password@localhost/db",
        "-----BEGIN PUBLIC KEY----- http://u:<SECRET_REDACTED_BASIC_AUTH>@host",
    ]
    for text in clean:
        assert scan_pii(text) == [], text
    assert scan_ips("from 81.2.69.142 and 2a00:1450:4009:81f::200e")
    for text in (
        "Chrome/112.0.0.0",
        "v1.2.3.4",
        "std::vector, Base::add",
        "12:30:45",
        "127.0.0.1, 10.0.0.1",
        "2001:db8::1",
        "1.2.3.256",
    ):
        assert scan_ips(text) == [], text


def test_residue_scan_has_no_false_positive_on_labelled_and_real_text():
    """presidio-research's synthetic texts: every labelled e-mail found, nothing outside a
    labelled span flagged; real WildChat-1M messages: only real e-mails WildChat missed."""
    data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    synth = json.loads((data / "pii" / "synth_dataset_v2.json").read_text())
    emails = found = false_positives = 0
    for row in synth:
        findings = scan_pii(row["full_text"])
        spans = row["spans"]
        for s in spans:
            if s["entity_type"] == "EMAIL_ADDRESS":
                emails += 1
                found += any(f.start < s["end_position"] and s["start_position"] < f.end for f in findings)
        false_positives += sum(
            not any(f.start < s["end_position"] and s["start_position"] < f.end for s in spans)
            for f in findings
        )
    assert emails >= 40 and found == emails and false_positives == 0
    kinds = set()
    for line in (data / "wildchat" / "wildchat1m_sample_186.jsonl").read_text().splitlines():
        for message in json.loads(line)["conversation"]:
            kinds |= {f.kind for f in scan_pii(message["content"])}
    assert kinds <= {"email"}


def test_geoip_country_names_walk_matches_full_iteration():
    names = q.geoip_country_names([str(TEST_DB)])
    assert names == frozenset(q._iterate_country_names(str(TEST_DB)))
    assert {"United Kingdom", "United States", "Sweden", "China", "Bhutan"} <= names


# --------------------------------------------------------------------------- passing
STAGE_KEYS = (
    "raw_logs",
    "raw_logs_quarantine",
    "conversations",
    "scrubbed",
    "geo_tagged",
    "classified",
    "release",
)


def test_every_check_passes_on_good_partitions_and_data_docs_name_the_suites(base, tables):
    assets = [
        real_raw_logs,
        real_raw_logs_quarantine,
        real_conversations,
        *upstream_stand_ins(tables, "scrubbed", "geo_tagged", "classified", "release"),
        real_release_sft,
    ]
    keys = [*STAGE_KEYS, "release_sft"]
    result, evaluations, materialized = run(assets, keys, base)
    assert result.success
    assert set(evaluations) == {c.name for c in CHECKS} | {"release_disclosure"}  # WARN-only, no GX
    assert_passed(evaluations, [c.name for c in CHECKS])
    assert set(keys) <= materialized
    assert all(e.partition == DAY for e in evaluations.values())
    # the key figures the issue asks for
    contract = evaluations["raw_logs_contract"]
    assert meta(contract, "partition_rows") == 4 and meta(contract, "partition_quarantine_rows") == 1
    assert meta(evaluations["scrubbed_no_pii_residue"], "gx_expectations") == 4
    # Data Docs: built under <storage>/quality/data_docs, linked from the metadata, naming every suite
    index = base / "quality" / "data_docs" / "index.html"
    assert meta(contract, "data_docs") == str(index)
    html = index.read_text()
    for suite in SUITES:
        assert suite.name in html, suite.name
        assert (base / "quality" / "data_docs" / "expectations" / f"{suite.name}.html").exists()
    page = Path(meta(evaluations["release_counts"], "data_docs_page"))
    assert page.exists() and "release_partition" in page.read_text()
    stored = json.loads((base / "quality" / "validations" / "scrubbed" / f"dt={DAY}.json").read_text())
    assert stored["success"] is True and stored["result"]["statistics"]["evaluated_expectations"] == 6


def test_a_day_without_a_drop_passes_every_check(tmp_path):
    """DESIGN §15: a day with no drop is an empty partition, not an error, all the way down."""
    empty_release = {"split=full": RELEASE.empty_table(), "split=nontoxic": RELEASE.empty_table()}
    assets = [
        real_raw_logs,
        real_raw_logs_quarantine,
        real_conversations,
        stand_in("scrubbed", SCRUBBED.empty_table()),
        stand_in("geo_tagged", GEO_TAGGED.empty_table()),
        stand_in("classified", CLASSIFIED.empty_table()),
        stand_in("release", empty_release, {"takedown_conversations": 0, "sexual_minors_removed": 0}),
    ]
    keys = list(STAGE_KEYS)
    result, evaluations, _ = run(assets, keys, tmp_path)
    assert result.success and len(evaluations) == len(CHECKS) + 1  # + release_disclosure (no GX suite)
    assert_passed(evaluations, [c.name for c in CHECKS])
    assert evaluations["release_disclosure"].passed  # no users: nobody at risk
    assert meta(evaluations["raw_logs_reconciliation"], "partition_lines") == 0


# --------------------------------------------------------------------------- blocking checks
def _quality_text(base: Path) -> str:
    return "\n".join(
        p.read_text(errors="replace")
        for p in (base / "quality").rglob("*")
        if p.is_file() and p.suffix in (".json", ".html")
    )


def _plant_email(scrubbed: pa.Table, row: int = 2) -> pa.Table:
    content = scrubbed["content"].to_pylist()
    content[row] = f"my new address is {PLANTED_EMAIL}, write me"
    return scrubbed.set_column(scrubbed.schema.get_field_index("content"), "content", pa.array(content))


def test_planted_email_in_scrubbed_warns_lists_it_for_review_and_does_not_block(base, tables):
    """Issue 15: residue no longer halts the day: a warning with counts and links, geo_tagged goes on
    (the release withholds the conversation; tests/test_review.py)."""
    bad = _plant_email(tables["scrubbed"])
    Storage(str(base)).write_table(f"conversations/dt={DAY}", tables["conversations"])
    result, evaluations, materialized = run(
        [stand_in("scrubbed", bad), real_geo_tagged], ["scrubbed", "geo_tagged"], base
    )
    assert result.success
    residue = evaluations["scrubbed_no_pii_residue"]
    assert not residue.passed and not residue.blocking and residue.severity.value == "WARN"
    assert meta(residue, "unexpected_counts") == {"scrubbed: ExpectColumnValuesToBeInSet(residue_email)": 1}
    bad_row = {"conversation_id": bad["conversation_id"][2].as_py(), "message_index": 2}
    assert meta(residue, "sample_bad_row_ids") == {
        "scrubbed: ExpectColumnValuesToBeInSet(residue_email)": [bad_row]
    }
    assert meta(residue, "withheld_conversations") == 1
    assert meta(residue, "pending_by_kind") == {"email": 1}
    assert meta(residue, "pii_review_ui") == f"http://127.0.0.1:3000/assets/pii_review?view=partitions&partition={DAY}"
    assert meta(residue, "pii_review_rows") == str(base / "pii_review" / f"dt={DAY}")
    assert evaluations["scrubbed_contract"].passed
    assert {"scrubbed", "geo_tagged"} <= materialized
    # the planted value is nowhere in the check's metadata, stored results or Data Docs
    assert PLANTED_EMAIL not in repr(residue.metadata)
    assert PLANTED_EMAIL not in _quality_text(base)


def test_a_value_the_scrubber_kept_by_rule_is_not_residue(base, tables):
    """The scrubber's keeps sidecar (frequency rule) makes the same planted value pass the check."""
    from wildchat_dagster.core.keeps import ValueHasher, keeps_table, write_keeps

    bad = _plant_email(tables["scrubbed"])
    store = Storage(str(base))
    store.write_table(f"conversations/dt={DAY}", tables["conversations"])
    kept = {("EMAIL_ADDRESS", "frequent", ValueHasher(HASH_KEY)("EMAIL_ADDRESS", PLANTED_EMAIL.upper())): 12}
    write_keeps(store, DAY, keeps_table(kept))
    result, evaluations, _ = run([stand_in("scrubbed", bad)], ["scrubbed"], base)
    residue = evaluations["scrubbed_no_pii_residue"]
    assert result.success and residue.passed
    assert meta(residue, "kept_by_rule") == {"frequent": 1} and meta(residue, "withheld_conversations") == 0


def test_residue_in_a_released_conversation_blocks_downstream(base, tables):
    """The gate that stays: a release holding residue (the release step bypassed) blocks release_sft."""
    bad_classified = _plant_email(tables["classified"])
    splits, stats = release_output(build_release(bad_classified))
    Storage(str(base)).write_table(f"classified/dt={DAY}", bad_classified)
    result, evaluations, materialized = run(
        [stand_in("release", splits, stats), real_release_sft], ["release", "release_sft"], base
    )
    assert not result.success
    gate = evaluations["release_no_pii_residue"]
    assert not gate.passed and gate.blocking and gate.severity.value == "ERROR"
    assert meta(gate, "unexpected_counts") == {
        "release_partition: ExpectColumnValuesToBeInSet(residue_conversations_in_full)": 1
    }
    assert "release_sft" not in materialized
    assert PLANTED_EMAIL not in repr(gate.metadata) and PLANTED_EMAIL not in _quality_text(base)


def test_raw_ip_and_unknown_country_in_geo_tagged_block_classified(base, tables):
    geo = tables["geo_tagged"]
    ua = geo["user_agent"].to_pylist()
    ua[0] = f"{UA_A} (forwarded-for {PLANTED_IP})"
    country = geo["country"].to_pylist()
    country[2] = "Atlantis"
    bad = geo.set_column(geo.schema.get_field_index("user_agent"), "user_agent", pa.array(ua))
    bad = bad.set_column(bad.schema.get_field_index("country"), "country", pa.array(country))
    store = Storage(str(base))
    store.write_table(f"scrubbed/dt={DAY}", tables["scrubbed"])
    result, evaluations, materialized = run(
        [stand_in("geo_tagged", bad), real_classified], ["geo_tagged", "classified"], base
    )
    assert not result.success
    no_ip, values = evaluations["geo_tagged_no_raw_ip"], evaluations["geo_tagged_geo_values"]
    assert not no_ip.passed and no_ip.blocking
    assert meta(no_ip, "unexpected_counts") == {"geo_tagged: ExpectColumnValuesToBeNull(raw_ip_columns)": 1}
    assert meta(no_ip, "partition_columns_with_ip") == "user_agent"
    assert not values.passed and meta(values, "unexpected_counts") == {
        "geo_tagged: ExpectColumnValuesToBeInSet(country)": 1
    }
    assert evaluations["geo_tagged_contract"].passed
    assert "geo_tagged" in materialized and "classified" not in materialized
    assert PLANTED_IP not in repr(no_ip.metadata) and "Atlantis" not in repr(values.metadata)
    assert PLANTED_IP not in _quality_text(base) and "Atlantis" not in _quality_text(base)


def test_toxic_row_in_nontoxic_split_blocks_downstream(base, tables):
    splits, stats = release_output(tables["release"])
    full = splits["split=full"]
    assert full.num_rows >= 2
    toxic_row = full.slice(0, 1)
    toxic_row = toxic_row.set_column(toxic_row.schema.get_field_index("toxic"), "toxic", pa.array([True]))
    nontoxic = pa.concat_tables(
        [
            splits["split=nontoxic"].filter(
                pc.invert(
                    pc.equal(splits["split=nontoxic"]["conversation_id"], toxic_row["conversation_id"][0])
                )
            ),
            toxic_row,
        ]
    )
    bad = {"split=full": full, "split=nontoxic": nontoxic}
    Storage(str(base)).write_table(f"classified/dt={DAY}", tables["classified"])
    result, evaluations, materialized = run(
        [stand_in("release", bad, stats), real_release_sft], ["release", "release_sft"], base
    )
    assert not result.success
    clean = evaluations["release_nontoxic_clean"]
    assert not clean.passed and clean.blocking
    failed = meta(clean, "unexpected_counts")
    assert failed["release_nontoxic: ExpectColumnValuesToBeInSet(toxic)"] == 1
    assert meta(clean, "sample_bad_row_ids")["release_nontoxic: ExpectColumnValuesToBeInSet(toxic)"] == [
        {"conversation_id": toxic_row["conversation_id"][0].as_py()}
    ]
    assert evaluations["release_schema"].passed and evaluations["release_counts"].passed
    assert "release" in materialized and "release_sft" not in materialized


# --------------------------------------------------------------------------- non-blocking checks
def test_quarantine_rate_warns_without_blocking(base):
    result, evaluations, _ = run(
        [real_raw_logs, real_raw_logs_quarantine], ["raw_logs", "raw_logs_quarantine"], base,
        quarantine_rate_max=0.05,
    )
    assert result.success  # a WARN does not fail the run
    rate = evaluations["raw_logs_quarantine_rate"]
    assert not rate.passed and rate.severity.value == "WARN"
    assert meta(rate, "partition_quarantine_rate") == pytest.approx(1 / 6, abs=1e-6)
    assert_passed(evaluations, ["raw_logs_contract", "raw_logs_reconciliation"])


def test_reconciliation_catches_a_lost_row_and_a_changed_drop(base):
    """A raw_logs that loses an accepted row, materialized after one more line landed in the
    drop: its own counts no longer match its table, nor the independent recount."""
    from wildchat_dagster.core.logs import parse_drops

    store = Storage(str(base))
    parsed = parse_drops(store, dt.date.fromisoformat(DAY))
    counts = {
        "lines": parsed.lines,
        "accepted": parsed.accepted_count,
        "quarantined": parsed.quarantined_count,
        "no_consent": parsed.no_consent,
    }
    store.write_table(f"raw_logs_quarantine/dt={DAY}", parsed.quarantine_table())
    write_drop(base, DAY, [call(999, f"{DAY}T12:00:00Z", ["late"], "line")], name="late.jsonl")
    lossy = parsed.accepted_table().slice(0, parsed.accepted_count - 1)
    _, evaluations, _ = run([stand_in("raw_logs", lossy, counts)], ["raw_logs"], base)
    recon = evaluations["raw_logs_reconciliation"]
    assert not recon.passed and recon.severity.value == "ERROR"
    assert meta(recon, "unexpected_counts") == {
        "raw_logs_partition: ExpectColumnPairValuesToBeEqual(raw_logs_rows,accepted)": 1,
        "raw_logs_partition: ExpectColumnPairValuesToBeEqual(drop_lines_recounted,lines)": 1,
    }
    assert evaluations["raw_logs_contract"].passed


def test_lost_call_in_conversations_is_reported_by_raw_id(base, tables):
    conv = tables["conversations"]
    lost = conv.filter(pc.equal(conv["turn_identifier"], 103))["conversation_id"][0]
    bad = conv.filter(pc.invert(pc.equal(conv["conversation_id"], lost)))
    run([real_raw_logs, real_raw_logs_quarantine], ["raw_logs", "raw_logs_quarantine"], base)
    _, evaluations, _ = run([stand_in("conversations", bad)], ["conversations"], base)
    accounted = evaluations["conversations_raw_accounted"]
    assert not accounted.passed and not accounted.blocking
    assert meta(accounted, "sample_bad_row_ids") == {
        "conversations_raw_accounting: ExpectColumnValuesToBeInSet(owning_messages)": [
            {"id": 103, "source_line": 3}
        ]
    }
    assert evaluations["conversations_contract"].passed


def test_classified_scores_languages_and_toxic_flags_are_checked(base, tables):
    cl = tables["classified"]
    emb = cl["embedded_toxicity"].to_pylist()
    emb[1] = 1.5  # out of range, and above the threshold while toxic stays False
    codes = cl["language_code"].to_pylist()
    codes[0] = "klingon"
    bad = cl.set_column(cl.schema.get_field_index("embedded_toxicity"), "embedded_toxicity", pa.array(emb))
    bad = bad.set_column(bad.schema.get_field_index("language_code"), "language_code", pa.array(codes))
    Storage(str(base)).write_table(f"geo_tagged/dt={DAY}", tables["geo_tagged"])
    result, evaluations, materialized = run([stand_in("classified", bad)], ["classified"], base)
    assert result.success and "classified" in materialized  # not blocking
    assert meta(evaluations["classified_scores_in_range"], "unexpected_counts") == {
        "classified: ExpectColumnValuesToBeBetween(embedded_toxicity)": 1
    }
    assert meta(evaluations["classified_language_codes"], "unexpected_counts") == {
        "classified: ExpectColumnValuesToBeInSet(language_code)": 1
    }
    assert meta(evaluations["classified_toxic_consistent"], "unexpected_counts") == {
        "classified: ExpectColumnValuesToBeInSet(toxic_consistent)": 1
    }
    assert evaluations["classified_contract"].passed


# --------------------------------------------------------------------------- Data Docs on S3
def test_data_docs_are_uploaded_to_s3_storage(s3_env, tables):
    bucket = s3_env.new_bucket()
    store = Storage(f"s3://{bucket}/wildchat")
    frames = q.scrubbed_frames(tables["scrubbed"], tables["scrubbed"].num_rows, SCRUBBED)
    runs = gx_runner.validate("scrubbed", DAY, frames, {}, 10)
    assert all(r.success for r in runs)
    gx_runner.save_results(store, runs)
    site = gx_runner.build_data_docs(store, runs)
    assert site.index_uri == f"s3://{bucket}/wildchat/quality/data_docs/index.html"
    html = store.read_bytes("quality/data_docs/index.html").decode()
    assert "scrubbed_partition" in html and "release_partition" in html
    page = site.pages["scrubbed"]
    assert page.startswith(f"s3://{bucket}/wildchat/quality/data_docs/validations/scrubbed/{DAY}/")
    assert store.exists(page.split("/wildchat/", 1)[1])
    assert {c.name for c in checks_for("scrubbed")} == {"scrubbed_no_pii_residue", "scrubbed_contract"}
