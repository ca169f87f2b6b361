"""classified through the real asset: lid.176 accuracy on labelled sentences, a tiny Detoxify
checkpoint through Detoxify's own loading/batching, the moderation client against a local
server (429/500, cache across runs), and the embedded default of build_definitions."""

import csv
import datetime as dt
import hashlib
import json
import multiprocessing
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize
from test_toxicity import (
    CLEAN_SENTENCES,
    MULTILINGUAL_CLASSES,
    TOXIC_SENTENCES,
    FakeModerationServer,
    build_tiny_detoxify,
)

from wildchat_dagster.core.langid import LANGUAGE_NAMES, accuracy
from wildchat_dagster.core.schema import CLASSIFIED, DETOXIFY_LABELS, GEO_TAGGED
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.definitions import PIPELINE_ASSETS, build_definitions
from wildchat_dagster.resources import LanguageIdResource, ToxicityResource

DAY = "2023-04-10"
LANGID_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "sample_20lang_x25.tsv"


def geo_tagged_table(conversations: list[list[str | None]]) -> pa.Table:
    """A geo_tagged partition: one message row per text, roles alternating user/assistant."""
    start = dt.datetime(2023, 4, 10, 8, tzinfo=dt.UTC)
    rows = []
    for c, texts in enumerate(conversations):
        conv_id = hashlib.sha256(f"conv-{c}".encode()).hexdigest()[:32]
        turns = (len(texts) + 1) // 2
        for i, text in enumerate(texts):
            user = i % 2 == 0
            ts = start + dt.timedelta(minutes=c, seconds=i)
            rows.append({
                "conversation_id": conv_id, "conversation_hash": conv_id, "message_index": i,
                "turn": i // 2 + 1, "turn_count": turns, "role": "user" if user else "assistant",
                "content": text, "timestamp": ts, "turn_identifier": 1000 * c + i, "model": "gpt-4-0314",
                "user_agent": "Mozilla/5.0", "accept_language": "en-GB,en;q=0.9",
                "conversation_start": start, "conversation_end": start + dt.timedelta(minutes=c, seconds=9),
                "copied_prefix": False, "branch_of": None, "orphan": False,
                "redacted": False, "pii_types": [],
                "hashed_ip": "ab" * 32 if user else None, "country": "United Kingdom" if user else None,
                "state": "England" if user else None, "conversation_hashed_ip": "ab" * 32,
                "conversation_country": "United Kingdom", "conversation_state": "England",
            })
    return pa.Table.from_pylist(rows, schema=GEO_TAGGED)


def run_classified(base: Path, table: pa.Table | None, **resources):
    if table is not None:
        storage = Storage(str(base))
        storage.write_table(storage.partition_dir("geo_tagged", DAY), table)
    defs_resources = dict(build_definitions(str(base)).resources)
    defs_resources.update(resources)
    result = materialize(PIPELINE_ASSETS, selection=["classified"], partition_key=DAY,
                         resources=defs_resources, instance=DagsterInstance.ephemeral())
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    return pq.read_table(base / "classified" / f"dt={DAY}" / "part-00000.parquet"), metadata


def test_language_accuracy_through_the_asset_with_the_embedded_default(tmp_path):
    by_lang: dict[str, list[str]] = {}
    for row in csv.DictReader(LANGID_TSV.open(encoding="utf-8"), delimiter="\t"):
        by_lang.setdefault(row["iso639_1"], []).append(row["text"])
    langs = sorted(by_lang)
    source = geo_tagged_table([by_lang[lang] for lang in langs])  # one conversation per language
    out, metadata = run_classified(tmp_path, source)

    assert out.schema == CLASSIFIED
    assert out.num_rows == source.num_rows == 500
    # Upstream columns pass through untouched, row for row.
    for name in GEO_TAGGED.names:
        assert out.column(name).equals(source.column(name)), name
    rows = out.to_pylist()
    expected = [lang for lang in langs for _ in by_lang[lang]]
    acc = accuracy(expected, [r["language_code"] for r in rows])
    print(f"lid.176.ftz accuracy through the classified asset: {acc:.3f} on {len(rows)} messages")
    assert acc >= 0.97
    assert all(r["language"] == LANGUAGE_NAMES[r["language_code"]] for r in rows)
    conv_lang = {r["conversation_id"]: r["conversation_language_code"] for r in rows}
    assert sorted(conv_lang.values()) == langs  # every conversation's majority is its language
    assert {r["conversation_language"] for r in rows} >= {"English", "Chinese", "Russian", "Persian"}

    # Embedded backend only (build_definitions' default, no env): its column set, the others null.
    assert all(r["embedded_toxicity"] is not None for r in rows)
    assert all(r["detoxify_moderation"] is None and r["openai_moderation"] is None for r in rows)
    assert all(r["toxic"] == (r["embedded_toxicity"] > 0.5) for r in rows)

    assert metadata["messages"] == 500 and metadata["conversations"] == 20 and metadata["languages"] >= 20
    top = metadata["top_languages"]
    assert len(top) == 10 and all(n >= 20 for n in top.values())
    assert metadata["models"]["language"].startswith("lid.176.ftz@")
    assert "embedded offline classifier" in metadata["models"]["embedded"]
    assert "alt-profanity-check" in metadata["embedded_backend"]
    assert metadata["toxic_rate_embedded"] == metadata["toxic_rate"]
    # No message text leaks into metadata.
    blob = json.dumps({k: str(v) for k, v in metadata.items()})
    assert not any(text[:25] in blob for texts in by_lang.values() for text in texts)


def test_tiny_detoxify_checkpoint_through_the_asset(tmp_path):
    checkpoint, hf_dir = build_tiny_detoxify(tmp_path / "detox", MULTILINGUAL_CLASSES,
                                             hub_name="xlm-roberta-base")
    conversations = [
        ["hello, have a good day", "thank you for the help", "what a nice day it is"],
        ["good morning, how are you", "shut up, you liar", "the weather is good"],
        ["you are a stupid idiot", None, ""],
    ]
    toxicity = ToxicityResource(
        backends=["detoxify"], detoxify_model_type="multilingual", detoxify_checkpoint=str(checkpoint),
        detoxify_huggingface_config_path=str(hf_dir), detoxify_batch_size=2, detoxify_threshold=0.5,
    )
    out, metadata = run_classified(tmp_path / "store", geo_tagged_table(conversations), toxicity=toxicity)
    rows = out.to_pylist()
    for row in rows:
        if row["content"]:
            scores = row["detoxify_moderation"]
            assert set(scores) == set(DETOXIFY_LABELS) and all(v is not None for v in scores.values())
            assert row["toxic"] == (scores["toxicity"] > 0.5)
        else:
            assert row["detoxify_moderation"] is None and row["toxic"] is False
        assert row["embedded_toxicity"] is None  # not enabled
    assert [r["toxic"] for r in rows] == [False, False, False, False, True, False, True, False, False]
    assert [r["conversation_toxic"] for r in rows] == [False] * 3 + [True] * 6
    assert metadata["toxic_conversations"] == 2 and metadata["toxic_messages"] == 2
    assert metadata["toxic_rate_detoxify"] == pytest.approx(2 / 9)
    assert "multilingual (tiny-detoxify.ckpt) on cpu" in metadata["models"]["detoxify"]
    assert "embedded_backend" not in metadata


def test_moderation_through_the_asset_retries_then_reruns_from_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_MODERATION_KEY", "sk-asset-test")
    conversations = [
        ["hello, have a good day", "you stupid liar"],
        ["write a story MINORS_CANARY", "no"],
        ["hello, have a good day", "what a nice day it is"],
    ]
    with FakeModerationServer() as server:
        server.script = [(429, {"Retry-After": "0"}), (500, {"Retry-After": "0"})]
        toxicity = ToxicityResource(
            backends=["embedded", "openai_moderation"], moderation_base_url=server.base_url,
            moderation_api_key_env="TEST_MODERATION_KEY", moderation_cache_path=str(tmp_path / "mod.sqlite"),
            moderation_batch_size=4,
        )
        table = geo_tagged_table(conversations)
        out, metadata = run_classified(tmp_path / "store", table, toxicity=toxicity)
        first_requests = list(server.requests)
        out2, metadata2 = run_classified(tmp_path / "store", table, toxicity=toxicity)
        rerun_requests = server.requests[len(first_requests):]

    # 429, 500, then two batches of 4 and 1 distinct texts (the repeated greeting sent once).
    assert [len(r["body"]["input"]) for r in first_requests[2:]] == [4, 1]
    assert len(first_requests) == 4 and metadata["moderation_retries"] == 2
    assert metadata["moderation_requests"] == 4 and metadata["moderation_cache_hits"] == 0
    assert rerun_requests == []  # the second run costs nothing
    assert metadata2["moderation_requests"] == 0 and metadata2["moderation_cache_hits"] == 5  # distinct texts
    assert out2.equals(out)

    rows = out.to_pylist()
    for row in rows:
        mod = row["openai_moderation"]
        assert row["toxic"] == (mod["flagged"] or row["embedded_toxicity"] > 0.5)
        assert row["sexual_minors"] == mod["categories"]["sexual/minors"]
    assert [r["sexual_minors"] for r in rows] == [False, False, True, False, False, False]
    assert [r["conversation_sexual_minors"] for r in rows] == [False, False, True, True, False, False]
    assert [r["conversation_toxic"] for r in rows] == [True, True, True, True, False, False]
    assert metadata["sexual_minors_messages"] == 1
    assert "omni-moderation-2024-09-26" in metadata["models"]["openai_moderation"]
    assert "sk-asset-test" not in json.dumps({k: str(v) for k, v in metadata.items()})


def test_missing_geo_tagged_partition_gives_an_empty_classified_table(tmp_path):
    out, metadata = run_classified(tmp_path, None, langid=LanguageIdResource())
    assert out.num_rows == 0 and out.schema == CLASSIFIED
    assert metadata["messages"] == 0 and metadata["toxic_rate"] == 0.0


def test_toxic_and_clean_sentences_with_the_embedded_backend(tmp_path):
    out, _ = run_classified(tmp_path, geo_tagged_table([CLEAN_SENTENCES, ["fuck off", *TOXIC_SENTENCES[:1]]]))
    rows = out.to_pylist()
    assert not any(r["conversation_toxic"] for r in rows[: len(CLEAN_SENTENCES)])
    assert rows[len(CLEAN_SENTENCES)]["toxic"] and all(r["conversation_toxic"] for r in rows[-2:])


def test_worker_processes_through_the_asset_give_the_in_process_table(tmp_path):
    """4,000 distinct messages (above the 3,000 at which the default resources start two
    processes) give the same table with one process and with two."""
    rows = list(csv.DictReader(LANGID_TSV.open(encoding="utf-8"), delimiter="\t"))
    conversations = [[f"{r['text']} #{k}" for r in rows[i:i + 25]] + [*TOXIC_SENTENCES[:2], ""]
                     for k in range(8) for i in range(0, len(rows), 25)]
    table = geo_tagged_table(conversations)
    assert LanguageIdResource().workers == ToxicityResource().workers == 2
    assert LanguageIdResource().get_identifier().max_chars == 500
    one, meta_one = run_classified(tmp_path / "one", table, langid=LanguageIdResource(workers=1),
                                   toxicity=ToxicityResource(workers=1))
    two, meta_two = run_classified(tmp_path / "two", table, langid=LanguageIdResource(),
                                   toxicity=ToxicityResource())
    assert one.num_rows == 160 * 28 and two.equals(one)
    assert (meta_one["langid_workers"], meta_one["toxicity_workers"]) == (1, 1)
    assert (meta_two["langid_workers"], meta_two["toxicity_workers"]) == (2, 2)
    assert multiprocessing.active_children() == []
