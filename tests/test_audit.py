"""The audit group on the 186 real WildChat-1M rows (../shared/data/wildchat), run by Dagster:
the report's counts equal a direct scrub of the same rows, no row is lost, the re-scrubbed copy
keeps the input's schema, and no finding's value reaches the report, metadata or logs."""

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize

from wildchat_dagster.assets.audit import AUDIT_ASSETS
from wildchat_dagster.core.audit import format_findings, mask_value, masked_context, summarize
from wildchat_dagster.core.pii import PiiConfig, PiiScrubber
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.resources import (
    LanguageIdResource,
    PiiScrubberResource,
    StorageResource,
    ToxicityResource,
)

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared/data/wildchat/wildchat1m_sample_186.jsonl"


def sample_rows() -> list[dict]:
    if not SAMPLE.exists():
        pytest.skip(f"third-party data not found at {SAMPLE}")
    return [json.loads(line) for line in SAMPLE.open()]


def run_audit(base: Path, path: Path) -> dict:
    instance = DagsterInstance.ephemeral()
    result = materialize(
        AUDIT_ASSETS,
        resources={
            "io_manager": ParquetIOManager(base=str(base)),
            "storage": StorageResource(base=str(base)),
            "pii": PiiScrubberResource(workers=1),
            "langid": LanguageIdResource(workers=1),
            "toxicity": ToxicityResource(workers=1),
        },
        run_config={"ops": {"audit_input": {"config": {"path": str(path)}}}},
        instance=instance,
    )
    assert result.success
    metadata = {
        e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    logs = "\n".join(str(entry.user_message) for entry in instance.all_logs(result.run_id))
    tables = {
        name: pq.read_table(base / name / "part-00000.parquet")
        for name in (
            "audit_input",
            "audit_quarantine",
            "audit_scrubbed",
            "audit_classified",
            "audit_findings",
            "audit_rescrubbed",
        )
    }
    return {"metadata": metadata, "logs": logs, "tables": tables, "base": base}


def direct_scrub(rows: list[dict]):
    contents = [m["content"] for r in rows for m in r["conversation"]]
    users = [f"conversation:{r['conversation_hash']}" for r in rows for _ in r["conversation"]]
    conversations = [i for i, r in enumerate(rows) for _ in r["conversation"]]
    with PiiScrubber(PiiConfig(workers=1)) as scrubber:
        return contents, scrubber.scrub(contents, users, conversations)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    rows = sample_rows()
    return rows, run_audit(tmp_path_factory.mktemp("audit"), SAMPLE)


@pytest.fixture(scope="module")
def direct(audited):
    return direct_scrub(audited[0])


def test_report_counts_match_a_direct_scrub_of_the_same_rows(audited, direct):
    _, out = audited
    _, result = direct
    findings = out["tables"]["audit_findings"]
    by_entity = Counter(findings.column("entity").to_pylist())
    # What the scrubber detected (its spans); reappearances it then replaced across the conversation
    # (core/pii_consistency.py) are echoes of these, counted apart.
    expected = Counter(f.entity for spans in result.spans for f in spans)
    assert by_entity == expected
    assert sum(expected.values()) > 0  # the real sample does hold findings (names, e-mails)
    summary = summarize(out["tables"]["audit_classified"], findings)
    assert summary.messages_affected == sum(1 for spans in result.spans if spans)
    assert out["metadata"]["audit_findings"]["findings"].value == sum(expected.values())
    assert json.loads(json.dumps(out["metadata"]["audit_findings"]["by_entity"].value)) == dict(by_entity)
    # the printed table carries the same totals
    table = format_findings(summary)
    assert f"| **total** | {sum(expected.values())} | {summary.conversations_affected} |" in table
    # the per-role split adds up and names real roles
    roles = Counter(findings.column("role").to_pylist())
    assert set(roles) <= {"user", "assistant"} and sum(roles.values()) == findings.num_rows


def test_nothing_lost_input_rows_equal_audited_plus_quarantined(audited):
    rows, out = audited
    t = out["tables"]
    audited_convs = len(set(t["audit_input"].column("conversation_id").to_pylist()))
    assert len(rows) == audited_convs + t["audit_quarantine"].num_rows
    assert t["audit_input"].num_rows == sum(len(r["conversation"]) for r in rows)
    meta = out["metadata"]["audit_input"]
    assert meta["rows"].value == len(rows) == meta["conversations"].value + meta["quarantined"].value
    # the published hashes are kept as published
    assert set(t["audit_input"].column("conversation_hash").to_pylist()) == {
        r["conversation_hash"] for r in rows
    }


def test_rescrubbed_copy_keeps_the_input_schema_and_replaces_only_findings(audited, direct):
    rows, out = audited
    _, result = direct
    copy_path = out["base"] / "audit_rescrubbed" / f"{SAMPLE.name.split('.')[0]}.rescrubbed.jsonl"
    copy = [json.loads(line) for line in copy_path.open()]
    assert len(copy) == len(rows)
    flat = iter(zip(result.texts, result.redacted, strict=True))
    for original, new in zip(rows, copy, strict=True):
        assert new.keys() == original.keys()
        assert {k: v for k, v in new.items() if k not in ("conversation", "redacted")} == {
            k: v for k, v in original.items() if k not in ("conversation", "redacted")
        }
        any_redacted = False
        for m_old, m_new in zip(original["conversation"], new["conversation"], strict=True):
            text, redacted = next(flat)
            assert m_new.keys() == m_old.keys() and m_new["role"] == m_old["role"]
            assert m_new["content"] == text  # what a direct scrub gives
            assert (m_new["content"] != m_old["content"]) == redacted
            any_redacted |= redacted
        assert new["redacted"] == (original["redacted"] or any_redacted)
    # the Parquet copy holds the same rows
    assert out["tables"]["audit_rescrubbed"].num_rows == len(rows)


def test_no_finding_value_reaches_the_report_metadata_or_logs(audited, direct):
    _, out = audited
    contents, result = direct
    values = {contents[i][f.start : f.end] for i, spans in enumerate(result.spans) for f in spans}
    values = {v for v in values if len(v) >= 6}  # shorter ones are ordinary words elsewhere
    assert values
    findings = out["tables"]["audit_findings"]
    contexts = findings.column("masked_context").to_pylist()
    meta_text = json.dumps(
        {k: {n: str(v.value) for n, v in m.items()} for k, m in out["metadata"].items()}, ensure_ascii=False
    )
    scrubbed_findings = json.dumps(out["tables"]["audit_scrubbed"].column("findings").to_pylist())
    for value in values:
        assert not any(value in c for c in contexts), mask_value(value)
        assert value not in meta_text and value not in out["logs"], mask_value(value)
        assert value not in scrubbed_findings, mask_value(value)
    assert any("•" in c for c in contexts)


def test_masked_context_masks_every_span_and_cut_spans_whole():
    text = "Name: John Smith, email johnsmith89@gmail.com, call me at 0712345631 tomorrow"
    phone = (text.index("0712"), text.index("0712") + 10)
    email = (text.index("john"), text.index("john") + len("johnsmith89@gmail.com"))
    got = masked_context(text, *phone, [phone, email], width=15)
    assert "07••••••31" in got and "0712345631" not in got
    assert (
        "gmail" not in got and "89" not in got
    )  # the e-mail, cut by the window, shows nothing of its middle
    assert mask_value("0712345631") == "07••••••31" and mask_value("Ian") == "•••"


def test_wildchat_parquet_input_audits_like_the_jsonl(tmp_path):
    rows = sample_rows()[:30]
    path = tmp_path / "wildchat_part.parquet"
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, path)
    out = run_audit(tmp_path / "store", path)
    _, result = direct_scrub(rows)
    got = Counter(out["tables"]["audit_findings"].column("entity").to_pylist())
    assert got == Counter(f.entity for spans in result.spans for f in spans)
    rescrubbed = out["tables"]["audit_rescrubbed"]
    assert rescrubbed.schema.equals(table.schema)  # the input's own schema, exactly
    assert rescrubbed.num_rows == len(rows)
    texts = [m["content"] for r in rescrubbed.to_pylist() for m in r["conversation"]]
    assert texts == result.texts


def test_overlapping_spans_never_unmask_a_character():
    text = "First Name: Nahian Rahman"
    full = (text.index("Nahian"), len(text))
    first = (text.index("Nahian"), text.index("Nahian") + 6)
    got = masked_context(text, *full, [full, first])
    assert got == "First Name: N••••••••••an"  # "Nahian" alone keeps one character each end


def test_sharegpt_audit_rescrubs_in_its_own_shape_and_accounts_for_bad_rows(tmp_path):
    email = "marta.kowalczyk77@proton.me"
    doc = [
        {
            "id": "sg-1",
            "model": "gpt-4",
            "conversations": [
                {"from": "human", "value": f"Please reply to me at {email} about the invoice."},
                {"from": "gpt", "value": "Of course, I will draft the reply."},
            ],
        },
        {"id": "sg-2", "conversations": [{"from": "narrator", "value": "?"}]},
        {
            "id": "sg-3",
            "conversations": [
                {"from": "human", "value": "Write a haiku about rain."},
                {"from": "gpt", "value": "Soft rain on the roof"},
            ],
        },
        ["not", "a", "conversation"],
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    out = run_audit(tmp_path / "store", path)
    meta = out["metadata"]["audit_input"]
    assert (meta["rows"].value, meta["conversations"].value, meta["quarantined"].value) == (4, 2, 2)
    assert sorted(out["tables"]["audit_quarantine"].column("reason").to_pylist()) == [
        "not_an_object",
        "unknown_role",
    ]
    copy = json.loads((tmp_path / "store" / "audit_rescrubbed" / "export.rescrubbed.json").read_text())
    assert [c["id"] for c in copy] == ["sg-1", "sg-3"]  # accepted rows, in input order
    assert copy[0]["model"] == "gpt-4" and copy[0]["conversations"][0]["from"] == "human"
    assert set(copy[0]["conversations"][0]) == {"from", "value"}
    assert email not in copy[0]["conversations"][0]["value"]
    assert "<PRESIDIO_ANONYMIZED_EMAIL_ADDRESS>" in copy[0]["conversations"][0]["value"]
    assert copy[1] == doc[2]  # nothing found: unchanged
    findings = out["tables"]["audit_findings"].to_pylist()
    assert [(f["conversation_id"], f["entity"], f["role"]) for f in findings] == [
        ("sg-1", "EMAIL_ADDRESS", "user")
    ]
    assert email not in findings[0]["masked_context"] and "ma•••" in findings[0]["masked_context"]
