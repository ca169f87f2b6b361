"""The release on the core functions: WildChat-1M schema, nesting, splits, takedowns, SFT
export and the dataset card. Inputs are CLASSIFIED tables built from raw calls through the
real parser and linker, with the later stages' columns filled in by `classify` below."""

import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml
from rawlog_helpers import UA_A, UA_B, call, parse_rows

from wildchat_dagster.core import release as release_module
from wildchat_dagster.core.card import (
    CARD_PATH,
    KNOWN_LIMITATIONS,
    LICENSE_LINE,
    MANIFEST_NAME,
    UNKNOWN,
    extract_provenance,
    write_card,
)
from wildchat_dagster.core.linking import link_conversations
from wildchat_dagster.core.logs import history_hash
from wildchat_dagster.core.publish import current, publish_output
from wildchat_dagster.core.release import (
    TakedownError,
    Takedowns,
    build_release,
    load_takedowns,
    sft_jsonl,
)
from wildchat_dagster.core.schema import (
    ASSET_SCHEMAS,
    CLASSIFIED,
    CONVERSATIONS,
    DETOXIFY_LABELS,
    MODERATION_CATEGORIES,
    RELEASE,
    RELEASE_EXTRAS,
)
from wildchat_dagster.core.storage import Storage

# ------------------------------------------------------------------------------------------
# The reference: WildChat-1M's features as its dataset card (allenai/WildChat-1M README.md,
# `dataset_info.features`, 837,989 train rows) declares them. A list [x] is a list of x, a
# dict is a struct (in order), a string is the card's dtype.
# ------------------------------------------------------------------------------------------
_CARD_CATEGORIES = [
    "harassment", "harassment/threatening", "harassment_threatening", "hate", "hate/threatening",
    "hate_threatening", "self-harm", "self-harm/instructions", "self-harm/intent", "self_harm",
    "self_harm_instructions", "self_harm_intent", "sexual", "sexual/minors", "sexual_minors", "violence",
    "violence/graphic", "violence_graphic",
]
_HEADER = {"accept-language": "string", "user-agent": "string"}
WILDCHAT_1M_FEATURES = {
    "conversation_hash": "string",
    "model": "string",
    "timestamp": "timestamp[us, tz=UTC]",
    "conversation": [{
        "content": "string", "country": "string", "hashed_ip": "string", "header": _HEADER,
        "language": "string", "redacted": "bool", "role": "string", "state": "string",
        "timestamp": "timestamp[us, tz=UTC]", "toxic": "bool", "turn_identifier": "int64",
    }],
    "turn": "int64",
    "language": "string",
    "openai_moderation": [{
        "categories": {c: "bool" for c in _CARD_CATEGORIES},
        "category_scores": {c: "float64" for c in _CARD_CATEGORIES},
        "flagged": "bool",
    }],
    "detoxify_moderation": [{
        "identity_attack": "float64", "insult": "float64", "obscene": "float64", "severe_toxicity": "float64",
        "sexual_explicit": "float64", "threat": "float64", "toxicity": "float64",
    }],
    "toxic": "bool",
    "redacted": "bool",
    "state": "string",
    "country": "string",
    "hashed_ip": "string",
    "header": _HEADER,
}
_DTYPES = {"string": pa.string(), "bool": pa.bool_(), "int64": pa.int64(), "float64": pa.float64(),
           "timestamp[us, tz=UTC]": pa.timestamp("us", tz="UTC")}


def card_feature_to_arrow(feature) -> pa.DataType:
    if isinstance(feature, list):
        return pa.list_(card_feature_to_arrow(feature[0]))
    if isinstance(feature, dict):
        return pa.struct([(k, card_feature_to_arrow(v)) for k, v in feature.items()])
    return _DTYPES[feature]


def assert_same_type(path: str, got: pa.DataType, want: pa.DataType) -> None:
    """Field by field, naming the first difference by its path."""
    if pa.types.is_list(want):
        assert pa.types.is_list(got), f"{path}: {got} is not a list"
        return assert_same_type(f"{path}[]", got.value_type, want.value_type)
    if pa.types.is_struct(want):
        assert pa.types.is_struct(got), f"{path}: {got} is not a struct"
        assert [f.name for f in got] == [f.name for f in want], f"{path}: fields differ"
        for g, w in zip(got, want, strict=True):
            assert_same_type(f"{path}.{g.name}", g.type, w.type)
        return None
    assert got == want, f"{path}: {got} != {want}"
    return None


def assert_wildchat_schema(schema: pa.Schema) -> None:
    names = list(WILDCHAT_1M_FEATURES)
    assert schema.names[: len(names)] == names  # WildChat's columns first, in its order
    for name, feature in WILDCHAT_1M_FEATURES.items():
        assert_same_type(name, schema.field(name).type, card_feature_to_arrow(feature))
    assert schema.names[len(names):] == RELEASE_EXTRAS.names  # our extras only after them


# ------------------------------------------------------------------------------------------
# Building classified inputs
# ------------------------------------------------------------------------------------------
IP_KEY = b"release-test-key"
DAY = "2023-04-10"


def hip(ip: str) -> str:
    return hmac.new(IP_KEY, ip.encode(), hashlib.sha256).hexdigest()


def classify(conversations: pa.Table, *, openai=True, detoxify=True, embedded=True, decided=True) -> pa.Table:
    """Fill scrubbed/geo/classified columns. Content markers: TOXIC (all backends flag it),
    MINOR (moderation sexual/minors), OAIMINOR (only the moderation category, no classified flag),
    SKIP (no backend scored it), <PRESIDIO_ANONYMIZED_...> (redacted)."""
    rows = conversations.to_pylist()
    by_conv: dict[str, list[dict]] = {}
    for r in rows:
        by_conv.setdefault(r["conversation_id"], []).append(r)
    out = []
    for r in rows:
        msgs = by_conv[r["conversation_id"]]
        first_user_ip = next(m["ip"] for m in msgs if m["role"] == "user")
        c, user = r["content"], r["role"] == "user"
        tox, minor, skip = "TOXIC" in c, "MINOR" in c and "OAIMINOR" not in c, "SKIP" in c
        rec = {k: r[k] for k in CONVERSATIONS.names if k != "ip"}
        redacted = "<PRESIDIO_ANONYMIZED" in c
        rec.update(redacted=redacted, pii_types=["PERSON"] if redacted else [])
        rec.update(
            hashed_ip=hip(r["ip"]) if user else None,
            country=("Sweden" if r["ip"].startswith("89.") else "United Kingdom") if user else None,
            state=("Östergötland" if r["ip"].startswith("89.") else "England") if user else None,
            conversation_hashed_ip=hip(first_user_ip),
            conversation_country="Sweden" if first_user_ip.startswith("89.") else "United Kingdom",
            conversation_state="Östergötland" if first_user_ip.startswith("89.") else "England",
        )
        cats = {k: (k == "sexual/minors" and "MINOR" in c) or (k == "harassment" and tox)
                for k in MODERATION_CATEGORIES}
        conv_tox = any("TOXIC" in m["content"] or ("MINOR" in m["content"] and "OAIMINOR" not in m["content"])
                       for m in msgs)
        conv_minor = any("MINOR" in m["content"] and "OAIMINOR" not in m["content"] for m in msgs)
        sv = "sv" in (r["accept_language"] or "")
        rec.update(
            language_code="sv" if sv else "en", language="Swedish" if sv else "English",
            language_confidence=0.9, language_reliable=True,
            conversation_language_code="sv" if sv else "en",
            conversation_language="Swedish" if sv else "English",
            openai_moderation=None if (skip or not openai) else {
                "categories": cats, "category_scores": {k: 0.9 if v else 0.001 for k, v in cats.items()},
                "flagged": tox or "MINOR" in c},
            detoxify_moderation=None if (skip or not detoxify) else {
                k: 0.9 if tox else 0.01 for k in DETOXIFY_LABELS},
            embedded_toxicity=None if (skip or not embedded) else (0.97 if tox else 0.02),
            toxic=(tox or minor) if decided else None,
            sexual_minors=minor if decided else None,
            conversation_toxic=conv_tox if decided else None,
            conversation_sexual_minors=conv_minor if decided else None,
        )
        out.append(rec)
    return pa.Table.from_pylist(out, schema=CLASSIFIED)


def classified_from_calls(rows: list[dict], **kw) -> pa.Table:
    conversations, _ = link_conversations(parse_rows(rows))
    return classify(conversations, **kw)


def t(minute: int) -> str:
    return (dt.datetime(2023, 4, 10, 8) + dt.timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sample_calls() -> list[dict]:
    """Five conversations: a clean 2-turn one, a toxic one, a sexual/minors one, a Swedish one
    from another IP, and one whose second turn came from another IP."""
    return [
        call(1, t(0), ["hi"], "Hello!"),
        call(2, t(1), ["hi", "Hello!", "write a haiku"], "rain falls"),
        call(3, t(10), ["you are TOXIC"], "let us stay civil", ua=UA_B),
        call(4, t(20), ["MINOR request"], "I cannot help", ip="216.160.83.56"),
        call(5, t(30), ["hej"], "Hej!", ip="89.160.20.112", ua=UA_B, lang="sv-SE,sv"),
        call(6, t(40), ["plan a trip"], "Where to?", ip="81.2.69.160", lang="fr"),
        call(7, t(41), ["plan a trip", "Where to?", "Rome"], "Rome it is", ip="81.2.69.161", lang="fr"),
    ]


def by_first_content(table: pa.Table) -> dict[str, dict]:
    return {r["conversation"][0]["content"]: r for r in table.to_pylist()}


# ------------------------------------------------------------------------------------------
# Schema and loading
# ------------------------------------------------------------------------------------------
def test_release_schema_is_wildchat_1m_field_by_field_in_memory_and_on_disk(tmp_path):
    assert_wildchat_schema(RELEASE)
    assert ASSET_SCHEMAS["release"] == RELEASE
    result = build_release(classified_from_calls(sample_calls()))
    assert result.full.schema == RELEASE and result.nontoxic.schema == RELEASE
    storage = Storage(str(tmp_path))
    storage.write_table(f"release/dt={DAY}/split=full", result.full)
    on_disk = pq.read_schema(tmp_path / f"release/dt={DAY}/split=full/part-00000.parquet")
    assert_wildchat_schema(on_disk)
    # the check itself bites: a float32 score (WildChat-nontoxic's old type) is caught
    bad = pa.schema([f if f.name != "detoxify_moderation" else pa.field(
        f.name, pa.list_(pa.struct([(k, pa.float32()) for k in DETOXIFY_LABELS]))) for f in RELEASE])
    with pytest.raises(AssertionError, match=r"detoxify_moderation\[\]\.identity_attack"):
        assert_wildchat_schema(bad)


def test_release_loads_with_pandas_and_a_hive_partitioned_pyarrow_dataset(tmp_path):
    result = build_release(classified_from_calls(sample_calls()))
    storage = Storage(str(tmp_path))
    for sub, table in result.splits().items():
        storage.write_table(f"release/dt={DAY}/{sub}", table)
    dataset = ds.dataset(tmp_path / "release", format="parquet", partitioning="hive")
    loaded = dataset.to_table()
    assert loaded.num_rows == result.full.num_rows + result.nontoxic.num_rows
    assert sorted(set(loaded["split"].to_pylist())) == ["full", "nontoxic"]
    assert set(pc.cast(loaded["dt"], pa.string()).to_pylist()) == {DAY}
    df = pd.read_parquet(tmp_path / f"release/dt={DAY}/split=full")
    assert len(df) == result.full.num_rows == 4
    row = df[df["conversation_hash"] == result.full["conversation_hash"][0].as_py()].iloc[0]
    assert [m["role"] for m in row["conversation"]] == ["user", "assistant"] * int(row["turn"])
    assert isinstance(row["timestamp"], pd.Timestamp) and str(row["timestamp"].tz) == "UTC"


def test_messages_nest_in_order_with_geo_ip_and_header_on_user_messages_only():
    full = build_release(classified_from_calls(sample_calls())).full
    convs = by_first_content(full)
    haiku = convs["hi"]
    assert [m["content"] for m in haiku["conversation"]] == ["hi", "Hello!", "write a haiku", "rain falls"]
    assert haiku["turn"] == 2 and haiku["model"] == "gpt-4-0314"
    assert haiku["timestamp"] == dt.datetime(2023, 4, 10, 8, 1, tzinfo=dt.UTC)  # the last turn's time
    assert [m["turn_identifier"] for m in haiku["conversation"]] == [1, 1, 2, 2]
    assert all(m["timestamp"] is not None for m in haiku["conversation"])
    for m in haiku["conversation"]:
        if m["role"] == "user":
            assert m["hashed_ip"] == hip("81.2.69.142") and m["country"] == "United Kingdom"
            assert m["state"] == "England"
            assert m["header"] == {"accept-language": "en-GB,en;q=0.9", "user-agent": UA_A}
        else:
            assert m["hashed_ip"] is None and m["country"] is None and m["state"] is None
            assert m["header"] is None
    assert haiku["header"] == {"accept-language": "en-GB,en;q=0.9", "user-agent": UA_A}
    assert haiku["hashed_ip"] == hip("81.2.69.142") and haiku["country"] == "United Kingdom"
    assert haiku["conversation_hash"] == history_hash(
        [(m["role"], m["content"]) for m in haiku["conversation"]])[:32]
    assert len(haiku["openai_moderation"]) == len(haiku["detoxify_moderation"]) == 4
    assert haiku["toxicity_backends"] == ["openai_moderation", "detoxify", "embedded"]
    swedish = convs["hej"]
    assert swedish["language"] == "Swedish" and swedish["language_code"] == "sv"
    assert swedish["country"] == "Sweden" and swedish["conversation"][0]["state"] == "Östergötland"
    # two user IPs in one conversation: both in hashed_ips, the conversation's own is the first
    trip = convs["plan a trip"]
    assert trip["hashed_ips"] == [hip("81.2.69.160"), hip("81.2.69.161")]
    assert [m["hashed_ip"] for m in trip["conversation"] if m["role"] == "user"] == trip["hashed_ips"]


def test_missing_backends_give_empty_lists_of_the_wildchat_type_not_nulls(tmp_path):
    table = classified_from_calls(sample_calls(), openai=False, detoxify=False, embedded=False, decided=False)
    full = build_release(table).full
    Storage(str(tmp_path)).write_table("r", full)
    back = pq.read_table(tmp_path / "r/part-00000.parquet")
    for t_ in (full, back):
        for name in ("openai_moderation", "detoxify_moderation", "embedded_toxicity", "toxicity_backends"):
            assert t_[name].null_count == 0, name
            assert set(pc.list_value_length(t_[name]).to_pylist()) == {0}, name
        assert_wildchat_schema(t_.schema)
    assert full["toxic"].null_count == full.num_rows  # unknown stays unknown, never "False"


def test_an_unscored_message_is_an_empty_struct_keeping_one_result_per_message():
    rows = [call(1, t(0), ["SKIP me"], "fine"), call(2, t(1), ["SKIP me", "fine", "next"], "ok")]
    (conv,) = build_release(classified_from_calls(rows)).full.to_pylist()
    assert len(conv["openai_moderation"]) == len(conv["conversation"]) == 4
    empty = conv["openai_moderation"][0]
    assert empty["flagged"] is None and set(empty["categories"].values()) == {None}
    assert conv["detoxify_moderation"][0] == {k: None for k in DETOXIFY_LABELS}
    assert conv["openai_moderation"][1]["flagged"] is False
    assert conv["embedded_toxicity"] == [None, 0.02, 0.02, 0.02]


def test_moderation_categories_fill_wildchats_underscore_aliases():
    full = build_release(classified_from_calls([call(1, t(0), ["you are TOXIC"], "no")])).full
    first = full["openai_moderation"][0][0].as_py()
    assert first["categories"]["harassment"] is True and first["flagged"] is True
    for slash in MODERATION_CATEGORIES:
        alias = slash.replace("/", "_").replace("-", "_")
        assert first["categories"][alias] == first["categories"][slash]
        assert first["category_scores"][alias] == first["category_scores"][slash]


# ------------------------------------------------------------------------------------------
# Splits
# ------------------------------------------------------------------------------------------
def test_full_drops_sexual_minors_from_any_backend_and_nontoxic_holds_no_toxic_conversation():
    rows = [*sample_calls(), call(8, t(50), ["an OAIMINOR case"], "refused", ip="81.2.69.170")]
    result = build_release(classified_from_calls(rows))
    full, nontoxic = by_first_content(result.full), by_first_content(result.nontoxic)
    assert "MINOR request" not in full  # classified's flag
    assert "an OAIMINOR case" not in full  # only the moderation category said so: still removed
    assert result.stats.sexual_minors_removed == 2 and result.stats.conversations_in == 6
    assert set(full) == {"hi", "you are TOXIC", "hej", "plan a trip"}
    assert full["you are TOXIC"]["toxic"] is True
    assert full["you are TOXIC"]["flagged_by"] == ["openai_moderation", "detoxify", "embedded"]
    assert set(nontoxic) == {"hi", "hej", "plan a trip"}
    for conv in result.nontoxic.to_pylist():
        assert conv["toxic"] is False and conv["flagged_by"] == []
        assert not any(m["toxic"] for m in conv["conversation"])
    assert result.stats.nontoxic_conversations == 3 and result.stats.toxic_conversations == 1


def test_unclassified_conversations_stay_out_of_nontoxic():
    result = build_release(classified_from_calls(sample_calls(), decided=False))
    # no decision from classification, but the moderation result's sexual/minors still removes one
    assert result.stats.sexual_minors_removed == 1 and result.full.num_rows == 4
    assert result.nontoxic.num_rows == 0
    assert result.stats.unclassified_conversations == 4


# ------------------------------------------------------------------------------------------
# Takedowns
# ------------------------------------------------------------------------------------------
H1, H2 = "a" * 32, "0123456789abcdef" * 2
IP1 = "f" * 64


def test_takedown_list_formats():
    text = f"# takedowns\n{H1.upper()}\n\n{IP1}  # requested 2024-01-02\nnot-a-hash\n"
    plain = Takedowns.parse(text.encode())
    assert plain.conversations == {H1} and plain.hashed_ips == {IP1} and plain.invalid_entries == 1
    csv_text = f"kind,value,reason\nconversation_hash,{H1},dmca\nhashed_ip,{IP1},user\nhashed_ip,{H2},bad\n"
    parsed = Takedowns.parse(csv_text.encode(), "x.csv")
    assert parsed.conversations == {H1} and parsed.hashed_ips == {IP1}
    assert parsed.invalid_entries == 1 and len(parsed) == 2 and parsed.location == "x.csv"
    with pytest.raises(TakedownError, match="value"):
        Takedowns.parse(b"kind,hash\nconversation_hash,abc\n")


def test_takedowns_remove_by_hash_by_id_and_by_any_user_messages_ip():
    table = classified_from_calls(sample_calls())
    before = by_first_content(build_release(table).full)
    takedowns = Takedowns(
        conversations=frozenset({before["hi"]["conversation_hash"], before["hej"]["conversation_id"]}),
        # the second user message's IP, not the conversation's main one
        hashed_ips=frozenset({hip("81.2.69.161")}),
    )
    result = build_release(table, takedowns)
    assert set(by_first_content(result.full)) == {"you are TOXIC"}
    assert result.stats.takedown_conversations == 3
    assert result.stats.takedown_by_hash == 2 and result.stats.takedown_by_ip == 1
    assert result.stats.sexual_minors_removed == 1  # counted among what takedowns left
    assert result.stats.takedown_entries == 3


def test_load_takedowns_from_default_env_and_configured_locations(tmp_path, monkeypatch):
    monkeypatch.delenv("WILDCHAT_TAKEDOWNS", raising=False)
    storage = Storage(str(tmp_path / "store"))
    assert len(load_takedowns(storage)) == 0 and load_takedowns(storage).location == "none"
    storage.write_bytes("takedowns/takedowns.txt", f"{H1}\n".encode())
    default = load_takedowns(storage)
    assert default.conversations == {H1} and default.location.endswith("takedowns/takedowns.txt")
    elsewhere = tmp_path / "legal" / "list.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text(f"kind,value\nhashed_ip,{IP1}\n")
    monkeypatch.setenv("WILDCHAT_TAKEDOWNS", str(elsewhere))
    assert load_takedowns(storage).hashed_ips == {IP1}
    assert load_takedowns(storage, str(tmp_path / "store/takedowns/takedowns.txt")).conversations == {H1}
    with pytest.raises(TakedownError, match="does not exist"):
        load_takedowns(storage, str(tmp_path / "missing.txt"))


def test_load_takedowns_from_s3(s3_env, tmp_path):
    bucket = s3_env.new_bucket("takedowns")
    s3_env.client().put_object(Bucket=bucket, Key="legal/takedowns.csv",
                               Body=f"kind,value\nconversation_hash,{H2}\n".encode())
    got = load_takedowns(Storage(str(tmp_path)), f"s3://{bucket}/legal/takedowns.csv")
    assert got.conversations == {H2} and got.location == f"s3://{bucket}/legal/takedowns.csv"
    with pytest.raises(TakedownError):
        load_takedowns(Storage(str(tmp_path)), f"s3://{bucket}/legal/absent.csv")


# ------------------------------------------------------------------------------------------
# Hash, SFT export
# ------------------------------------------------------------------------------------------
def test_conversation_hash_is_computed_over_the_released_redacted_text():
    conversations, _ = link_conversations(parse_rows([call(1, t(0), ["call me on 0207 946 0000"], "ok")]))
    upstream_hash = conversations["conversation_hash"][0].as_py()
    scrubbed = conversations.set_column(
        conversations.schema.get_field_index("content"), "content",
        pa.array(["call me on <PRESIDIO_ANONYMIZED_PHONE_NUMBER>", "ok"]))
    result = build_release(classify(scrubbed))
    (conv,) = result.full.to_pylist()
    assert conv["redacted"] is True and conv["conversation"][0]["redacted"] is True
    assert conv["conversation_hash"] == history_hash(
        [("user", "call me on <PRESIDIO_ANONYMIZED_PHONE_NUMBER>"), ("assistant", "ok")])[:32]
    assert conv["conversation_hash"] != upstream_hash and result.stats.hash_recomputed == 1


def test_sft_export_is_openai_chat_jsonl_of_nontoxic_deduplicated_by_hash():
    rows = [*sample_calls(), call(9, t(60), ["hej"], "Hej!", ip="81.2.69.200", ua="another device")]
    result = build_release(classified_from_calls(rows))
    data, stats = sft_jsonl(result.nontoxic)
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert stats.conversations == 4 and stats.written == 3 and stats.duplicates == 1
    assert [list(line) for line in lines] == [["messages"]] * 3
    assert lines[0]["messages"] == [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "write a haiku"}, {"role": "assistant", "content": "rain falls"}]
    contents = [m["content"] for line in lines for m in line["messages"]]
    assert "you are TOXIC" not in contents and contents.count("hej") == 1
    assert stats.messages == sum(len(line["messages"]) for line in lines)
    assert sft_jsonl(RELEASE.empty_table()) == (b"", sft_jsonl(RELEASE.empty_table())[1])


# ------------------------------------------------------------------------------------------
# Memory: a day in chunks, hashing and SFT a block at a time (same rows, same bytes)
# ------------------------------------------------------------------------------------------
def day_of_calls(copies: int) -> list[dict]:
    """``copies`` of sample_calls' conversations, each copy with its own ids, times and texts."""
    rows = []
    for j in range(copies):
        s, i, m = f" #{j}", 100 * j, 60 * j
        rows += [
            call(i + 1, t(m), ["hi" + s], "Hello!" + s),
            call(i + 2, t(m + 1), ["hi" + s, "Hello!" + s, "write a haiku" + s], "rain falls" + s),
            call(i + 3, t(m + 10), ["you are TOXIC" + s], "let us stay civil" + s, ua=UA_B),
            call(i + 4, t(m + 20), ["MINOR request" + s], "I cannot help" + s, ip="216.160.83.56"),
            call(i + 5, t(m + 30), ["hej" + s], "Hej!" + s, ip="89.160.20.112", ua=UA_B, lang="sv-SE,sv"),
            call(i + 6, t(m + 40), ["plan a trip" + s], "Where to?" + s, ip="81.2.69.160", lang="fr"),
            call(i + 7, t(m + 41), ["plan a trip" + s, "Where to?" + s, "Rome" + s], "Rome it is" + s,
                 ip="81.2.69.161", lang="fr"),
        ]
    return rows


def in_chunks(table: pa.Table, cuts) -> pa.Table:
    edges = [0, *sorted({c for c in cuts if 0 < c < table.num_rows}), table.num_rows]
    return pa.concat_tables([table.slice(a, b - a) for a, b in itertools.pairwise(edges)])


def test_a_day_read_in_chunks_is_nested_piece_by_piece_into_the_same_release(monkeypatch):
    table = classified_from_calls(day_of_calls(6))
    one = build_release(table)
    takedowns = Takedowns(conversations=frozenset({one.full["conversation_hash"][2].as_py()}),
                          hashed_ips=frozenset({hip("81.2.69.161")}))
    want = build_release(table, takedowns)
    assert want.stats.takedown_by_hash == 1 and want.stats.takedown_by_ip == 6
    assert want.stats.sexual_minors_removed == 6 and 0 < want.nontoxic.num_rows < want.full.num_rows
    n = table.num_rows
    # small chunks are merged into one piece: one chunk out, as from a one-chunk input
    assert build_release(in_chunks(table, range(0, n, 3)), takedowns).full["conversation"].num_chunks == 1
    monkeypatch.setattr(release_module, "PIECE_MIN_ROWS", 1)
    for cuts in (range(0, n, 1), range(0, n, 2), range(0, n, 5), [7, 8, n - 1]):
        got = build_release(in_chunks(table, cuts), takedowns)
        assert got.full.equals(want.full) and got.nontoxic.equals(want.nontoxic), cuts
        assert got.full.schema == RELEASE and got.stats == want.stats
        assert got.full["conversation"].num_chunks > 1
    # cut between conversations, none removed (pieces of any size): the texts are the input's buffers
    table = classified_from_calls(day_of_calls(6), openai=False, decided=False)
    bound = int(pc.index(table["message_index"].slice(n // 2), 0).as_py()) + n // 2
    chunked = in_chunks(table, [bound])
    got = build_release(chunked)
    assert got.full.equals(build_release(table).full) and got.full.num_rows == 30
    for i in range(2):
        content = got.full["conversation"].chunk(i).values.field("content")
        assert content.buffers()[2].address == chunked["content"].chunk(i).buffers()[2].address


def test_conversation_hashes_a_block_at_a_time():
    table = classified_from_calls(day_of_calls(3)).combine_chunks()
    seg = release_module._Segments(table["conversation_id"].combine_chunks())
    role, content = table["role"].chunk(0), table["content"].chunk(0)
    want = [history_hash(zip(role[s:e].to_pylist(), content[s:e].to_pylist(), strict=True))[:32]
            for s, e in zip(seg.starts, seg.ends, strict=True)]
    for block in (1, 2, 7, 10_000):
        assert release_module._conversation_hashes(seg, role, content, block) == want


def test_sft_export_is_the_same_a_block_at_a_time_and_from_chunks_in_any_order():
    rows = [*day_of_calls(5), call(999, t(2), ["hej #0"], "Hej! #0", ip="81.2.69.200", ua="another device")]
    nontoxic = build_release(classified_from_calls(rows)).nontoxic
    want = sft_jsonl(nontoxic)
    assert want[1].duplicates == 1 and want[0].count(b"\n") == want[1].written
    shuffled = nontoxic.take(pa.array(list(range(nontoxic.num_rows))[::-1]))
    for table, block in ((nontoxic, 1), (nontoxic, 4), (in_chunks(shuffled, range(0, 99, 4)), 3),
                         (in_chunks(shuffled, [5, 6, 17]), 10_000)):
        assert sft_jsonl(table, block) == want


def test_an_empty_day_gives_empty_splits_of_the_release_schema():
    result = build_release(CLASSIFIED.empty_table())
    assert result.full.schema == RELEASE and result.full.num_rows == result.nontoxic.num_rows == 0


# ------------------------------------------------------------------------------------------
# The dataset card
# ------------------------------------------------------------------------------------------
def write_day(storage: Storage, day: str, rows: list[dict], takedowns: Takedowns | None = None,
              provenance: dict | None = None) -> None:
    result = build_release(classified_from_calls(rows), takedowns)
    manifest = {"day": day, "stats": result.stats.as_dict(), "provenance": provenance or {},
                "takedowns": {"location": "none", "entries": 0}}
    # as the release asset's output through the IO manager: one version of the day
    publish_output(storage, f"release/dt={day}",
                   {**result.splits(), MANIFEST_NAME: json.dumps(manifest).encode()})


def parse_card(text: str) -> tuple[dict, dict[str, list[list[str]]]]:
    """(YAML front matter, {section title: table rows as cells})."""
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert m, "no YAML front matter"
    front = yaml.safe_load(m.group(1))
    sections: dict[str, list[list[str]]] = {}
    title = None
    for line in text[m.end():].splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            sections[title] = []
        elif line.startswith("|") and title and not line.startswith("|---"):
            sections[title].append([c.strip() for c in line.strip("|").split("|")])
    return front, sections


def independent_numbers(paths: list[Path]) -> dict:
    """Recompute the card's numbers from the Parquet, through pandas and the nested messages."""
    df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True) if paths else pd.DataFrame()
    users = {m["hashed_ip"] for conv in df["conversation"] for m in conv if m["role"] == "user"
             and m["hashed_ip"] is not None}
    return {
        "Conversations": len(df),
        "Turns": int(df["turn"].sum()),
        "Users (distinct hashed IPs)": len(users),
        "Languages": df["language"].nunique(),
        "Countries": df["country"].nunique(),
        "Models": df["model"].nunique(),
        "Toxic conversations": int((df["toxic"] == True).sum()),  # noqa: E712 - nullable column
        "languages": df["language"].value_counts().to_dict(),
        "models": df["model"].value_counts().to_dict(),
        "flagged_detoxify": sum(any(s["toxicity"] is not None and s["toxicity"] > 0.1 for s in d)
                                for d in df["detoxify_moderation"]),
    }


def test_card_numbers_equal_the_released_data(tmp_path):
    storage = Storage(str(tmp_path))
    write_day(storage, "2023-04-10", sample_calls(),
              provenance={"GeoIP database": ["geoip_snapshots.x: GeoLite2-City built 2018-07-03"]})
    day2 = [call(20, "2023-04-11T09:00:00Z", ["bonjour TOXIC"], "non", ip="81.2.69.142", lang="fr"),
            call(21, "2023-04-11T10:00:00Z", ["hej igen"], "Hej!", ip="89.160.20.128", lang="sv")]
    write_day(storage, "2023-04-11", day2, Takedowns(hashed_ips=frozenset({hip("89.160.20.128")})))
    uri, summary = write_card(storage)
    assert uri == str(tmp_path / CARD_PATH)
    front, sections = parse_card((tmp_path / CARD_PATH).read_text())

    assert front["license"] == "odc-by" and front["size_categories"] == ["n<1K"]
    assert sorted(front["language"]) == ["en", "sv"]
    # the configs list each day's current files (relative to the card), one per day
    current_files = {split: sorted(p for day in ("2023-04-10", "2023-04-11")
                                   for p in current(storage, f"release/dt={day}").under(f"split={split}"))
                     for split in ("full", "nontoxic")}
    assert {c["config_name"]: c["data_files"][0]["path"] for c in front["configs"]} == {
        split: [p.removeprefix("release/") for p in paths] for split, paths in current_files.items()}
    for cfg in front["configs"]:
        assert len(cfg["data_files"][0]["path"]) == 2
        assert all((tmp_path / "release" / p).is_file() for p in cfg["data_files"][0]["path"])
    # a re-released day: the card names the new version's files only
    write_day(storage, "2023-04-11", day2, Takedowns(hashed_ips=frozenset({hip("89.160.20.128")})))
    write_card(storage)
    again, _ = parse_card((tmp_path / CARD_PATH).read_text())
    newest = current(storage, "release/dt=2023-04-11").under("split=full")[0].removeprefix("release/")
    full_files = next(c for c in again["configs"] if c["config_name"] == "full")["data_files"][0]["path"]
    assert newest in full_files and len(full_files) == 2
    assert len(list((tmp_path / "release").glob("dt=2023-04-11/*/split=full/*.parquet"))) == 2  # old kept

    stats = {row[0]: row[1:] for row in sections["Statistics"][1:]}
    for split, col in (("full", 0), ("nontoxic", 1)):
        want = independent_numbers([tmp_path / p for p in current_files[split]])
        for label in ("Conversations", "Turns", "Users (distinct hashed IPs)", "Languages", "Countries",
                      "Models", "Toxic conversations"):
            assert int(stats[label][col]) == want[label], (split, label)
            key = {"Users (distinct hashed IPs)": "users", "Toxic conversations": "toxic_conversations"}.get(
                label, label.lower())
            assert summary[split][key] == want[label], (split, label)
        if split == "full":
            full_want = want
    assert full_want["Conversations"] == 5 and full_want["Toxic conversations"] == 2
    assert full_want["Users (distinct hashed IPs)"] == 4  # 81.2.69.142 is in both days: counted once
    assert int(stats["Removed by takedowns"][0]) == 1 and int(stats["Removed for sexual/minors"][0]) == 1
    langs = {row[0]: int(row[1]) for row in sections["Languages (full split)"][1:]}
    assert langs == full_want["languages"]
    assert {row[0]: int(row[1]) for row in sections["Models (full split)"][1:]} == full_want["models"]
    backends = {row[0]: row[1:] for row in sections["Toxicity by backend (full split)"][1:]}
    assert int(backends["detoxify"][1]) == full_want["flagged_detoxify"] == 2
    assert backends["detoxify"][2] == "40.00%" and int(backends["embedded"][0]) == 5
    days = {row[0]: row[1:] for row in sections["Per day"][1:]}
    assert days["2023-04-10"][:2] == ["4", "3"] and days["2023-04-11"][:2] == ["1", "0"]
    assert days["2023-04-11"][3] == "1"  # taken down that day
    versions = {row[0]: row[1] for row in sections["Models and databases used"][1:]}
    assert versions["GeoIP database"] == "geoip_snapshots.x: GeoLite2-City built 2018-07-03"
    assert versions["Language identification model"] == UNKNOWN
    text = (tmp_path / CARD_PATH).read_text()
    assert LICENSE_LINE in text and all(item in text for item in KNOWN_LIMITATIONS)
    assert "en_core_web_sm" in text and "2018" in text


def test_card_of_an_empty_store_says_zero(tmp_path):
    _, summary = write_card(Storage(str(tmp_path)))
    front, sections = parse_card((tmp_path / CARD_PATH).read_text())
    assert summary["full"]["conversations"] == 0 and front["size_categories"] == ["n<1K"]
    assert sections["Statistics"][1][:2] == ["Conversations", "0"]


def test_provenance_is_taken_from_upstream_metadata_never_secrets():
    prov = extract_provenance({
        "geo_tagged": {"geoip_snapshots.GeoLite2-City.mmdb": "GeoLite2-City built 2018-07-03",
                       "ip_hash_key_source": "env", "uri": "/data/geo_tagged/dt=x"},
        "classified": {"models.language": "lid.176.ftz@1a2b3c",
                       "models.embedded": "alt-profanity-check 1.9.1", "toxic_rate": "0.1"},
        "scrubbed": {"spacy_model": "en_core_web_sm 3.8.0", "secret_key": "hunter2"},
    })
    assert prov["GeoIP database"] == ["geoip_snapshots.GeoLite2-City.mmdb: GeoLite2-City built 2018-07-03"]
    assert prov["Language identification model"] == ["models.language: lid.176.ftz@1a2b3c"]
    assert prov["Toxicity backends"] == ["models.embedded: alt-profanity-check 1.9.1"]
    assert prov["PII / NER engine"] == ["spacy_model: en_core_web_sm 3.8.0"]
    assert "hunter2" not in json.dumps(prov)
