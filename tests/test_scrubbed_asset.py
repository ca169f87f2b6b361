"""The real ``scrubbed`` asset: generator drops → raw_logs → conversations → scrubbed, run by
Dagster; planted PII and secrets (the generator's ground truth, plus Faker canaries in
hand-written logs) are gone, benign look-alikes survive, metadata holds counts only."""

import datetime as dt
import json
from collections import defaultdict

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize
from faker import Faker
from rawlog_helpers import call, write_drop

from wildchat_dagster.assets.conversations import conversations
from wildchat_dagster.assets.raw_logs import raw_logs
from wildchat_dagster.assets.scrubbed import scrubbed
from wildchat_dagster.core.generate import generate_drops
from wildchat_dagster.core.schema import SCRUBBED
from wildchat_dagster.io import ParquetIOManager
from wildchat_dagster.resources import PiiScrubberResource, ReviewResource, StorageResource

DAY = dt.date(2023, 6, 14)


def run_chain(base, pii: PiiScrubberResource | None = None):
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [raw_logs, conversations, scrubbed],
        partition_key=DAY.isoformat(),
        resources={
            "io_manager": ParquetIOManager(base=str(base)),
            "storage": StorageResource(base=str(base)),
            "pii": pii or PiiScrubberResource(workers=1),
            "review": ReviewResource(),
        },
        instance=instance,
    )
    assert result.success
    table = pq.read_table(base / "scrubbed" / f"dt={DAY}" / "part-00000.parquet")
    upstream = pq.read_table(base / "conversations" / f"dt={DAY}" / "part-00000.parquet")
    materialization = next(
        e.event_specific_data.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "scrubbed"
    )
    logs = "\n".join(str(entry.user_message) for entry in instance.all_logs(result.run_id))
    return table, upstream, materialization.metadata, logs


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    generate_drops(base, DAY, 1, 300, seed=5)
    table, upstream, metadata, logs = run_chain(base)
    planted = [json.loads(line) for line in (base / "ground_truth" / f"dt={DAY}" / "planted.jsonl").open()]
    return table, upstream, metadata, logs, planted


def test_schema_rows_and_flags(generated):
    table, upstream, metadata, _, _ = generated
    assert table.schema.equals(SCRUBBED)
    assert table.num_rows == upstream.num_rows > 500
    assert table.column("conversation_id").to_pylist() == upstream.column("conversation_id").to_pylist()
    rows = table.to_pylist()
    for row, before in zip(rows, upstream.to_pylist(), strict=True):
        assert row["redacted"] == bool(row["pii_types"]) == (row["content"] != before["content"])
    assert metadata["messages"].value == table.num_rows
    assert metadata["messages_redacted"].value == sum(r["redacted"] for r in rows) > 10


def test_generator_canaries_are_gone_and_benign_text_survives(generated):
    table, _, _, _, planted = generated
    by_call = defaultdict(list)
    for row in table.to_pylist():
        by_call[(row["turn_identifier"], row["role"])].append(row["content"])
    checked = defaultdict(int)
    for item in planted:
        texts = by_call.get((item["row_id"], "user" if item["message"] == "user" else "assistant"))
        if not texts:
            continue  # a row of a conversation that belongs to another day's partition
        checked[item["kind"]] += 1
        if item["kind"].startswith("BENIGN"):
            assert any(item["value"] in t for t in texts), item
        else:
            parts = [item["value"]] + (item["value"].split() if item["kind"] == "PERSON" else [])
            for part in parts:
                assert not any(part in t for t in texts), (item["kind"], item["language"])
    assert sum(v for k, v in checked.items() if not k.startswith("BENIGN")) >= 15, dict(checked)
    assert sum(v for k, v in checked.items() if k.startswith("BENIGN")) >= 5, dict(checked)


def test_metadata_and_logs_hold_counts_never_values(generated):
    table, _, metadata, logs, planted = generated
    entities = metadata["entities"].value
    secrets = metadata["secrets"].value
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"} <= set(entities)  # IPs: test_pii
    assert sum(entities.values()) + sum(secrets.values()) > 10
    assert metadata["redacted_EMAIL_ADDRESS"].value == entities["EMAIL_ADDRESS"]
    replaced = sum(row["content"].count("<PRESIDIO_ANONYMIZED_") for row in table.to_pylist())
    assert replaced == sum(entities.values())
    dumped = json.dumps({k: str(v.value) for k, v in metadata.items()}) + logs
    for item in planted:
        if not item["kind"].startswith("BENIGN") and len(item["value"]) >= 6:
            assert item["value"] not in dumped, item["kind"]


def test_hand_written_logs_with_faker_canaries(tmp_path):
    fake = Faker("en_US")
    fake.seed_instance(3)
    name = f"{fake.first_name()} {fake.last_name()}"
    email = fake.free_email()
    card = fake.credit_card_number(card_type="visa16")
    key = "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"
    first = f"Hi, my name is {name}. Email me at {email}; my card {card} was declined."
    second = f'Here is my code:\n```\nopenai.api_key = "{key}"\n```\nWhy does it fail?'
    rows = [
        call(1, f"{DAY}T08:00:00Z", [first], f"Dear {name}, please never share card numbers."),
        call(
            2,
            f"{DAY}T08:01:00Z",
            [first, f"Dear {name}, please never share card numbers.", second],
            "Rotate that key now.",
        ),
        call(
            3,
            f"{DAY}T09:00:00Z",
            ["Write a biography of Marie Curie. Send it to user@example.com"],
            "Marie Curie was a physicist and chemist.",
        ),
    ]
    write_drop(tmp_path, DAY.isoformat(), rows)
    table, _, metadata, logs = run_chain(tmp_path)
    contents = table.column("content").to_pylist()
    assert len(contents) == 6
    joined = "\n".join(contents)
    for value in (*name.split(), email, card, key):
        assert value not in joined
    assert "<SECRET_REDACTED_OPENAI_TOKEN>" in joined and "<PRESIDIO_ANONYMIZED_PERSON>" in joined
    assert "Marie Curie" in joined and "user@example.com" in joined
    types = dict(zip(contents, table.column("pii_types").to_pylist(), strict=True))
    assert types[contents[0]] == ["CREDIT_CARD", "EMAIL_ADDRESS", "PERSON"]
    assert metadata["distinct_texts"].value < len(contents) + 1
    assert name not in logs and email not in logs
