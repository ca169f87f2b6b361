"""Ingestion of logs as OpenAI-compatible APIs write them (issue 16): system prompts,
multimodal and tool-call messages, strict consent, BOMs, every drop file accounted for, a
truncated gzip, and raw_logs selectable alone. Through the real assets, down to release."""

import base64
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import AssetCheckSeverity, DagsterInstance, materialize
from rawlog_helpers import UA_A, UA_B, call, write_drop

from wildchat_dagster.checks import ASSET_CHECKS
from wildchat_dagster.core import quality as q
from wildchat_dagster.core.logs import LogParser
from wildchat_dagster.core.message_shapes import shape_call
from wildchat_dagster.core.publish import read_published_table
from wildchat_dagster.core.storage import Storage
from wildchat_dagster.definitions import PIPELINE_ASSETS, build_definitions

DAY = "2023-06-14"
REPO = Path(__file__).resolve().parents[1]
# Canaries: personal data in the extra text fields, which must not survive `scrubbed`.
SYSTEM_EMAIL = "maria.keller1984@posteo.de"
TOOL_ARG_EMAIL = "jean.dupont77@orange.fr"
TOOL_RESULT_EMAIL = "ana.silva1987@gmail.com"
IMAGE_B64 = base64.b64encode(bytes(range(256)) * 4).decode()  # 1 KB of "image"
AUDIO_B64 = base64.b64encode(b"RIFF....WAVEfmt " * 40).decode()
CANARIES = (SYSTEM_EMAIL, TOOL_ARG_EMAIL, TOOL_RESULT_EMAIL, IMAGE_B64[:40], AUDIO_B64[:40])


def at(minute: int) -> str:
    return f"{DAY}T10:{minute:02d}:00Z"


def api_call(call_id, minute, messages, response, *, ip="81.2.69.142", ua=UA_A, **extra) -> dict:
    row = call(call_id, at(minute), ["x"], response, ip=ip, ua=ua)
    row["messages"] = messages
    row.update(extra)
    return row


def u(content):
    return {"role": "user", "content": content}


def a(content):
    return {"role": "assistant", "content": content}


def system(text):
    return {"role": "system", "content": text}


WEATHER_CALL = {"id": "call_1", "type": "function",
                "function": {"name": "get_weather",
                             "arguments": json.dumps({"city": "Paris", "notify": TOOL_ARG_EMAIL})}}
TOOL_TURN = [
    {"role": "assistant", "content": None, "tool_calls": [WEATHER_CALL]},
    {"role": "tool", "tool_call_id": "call_1",
     "content": f"18 C and sunny; booking confirmation sent to {TOOL_RESULT_EMAIL}"},
]


def realistic_calls() -> list[dict]:
    """Four conversations of two calls each, in the shapes real chat APIs log."""
    sys_same = system("You are a helpful travel assistant.")
    trip = [u("Plan a weekend in Lisbon"), a("Day 1: Alfama. Day 2: Belem.")]
    image = [{"type": "text", "text": "What is in this picture?"},
             {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{IMAGE_B64}"}}]
    audio = [{"type": "text", "text": "And what is this sound?"},
             {"type": "input_audio", "input_audio": {"data": AUDIO_B64, "format": "wav"}}]
    weather = u("What is the weather in Paris today?")
    swedish = "Translate 'thank you' to Swedish"
    return [
        # A: the same system prompt on every call
        api_call(1, 0, [sys_same, trip[0]], trip[1]["content"]),
        api_call(2, 3, [sys_same, *trip, u("Add a fado evening")], "Saturday night in Alfama."),
        # B: a system prompt that changes on every call (the time, a contact): the chain holds
        api_call(3, 1, [system(f"Time 10:01. Escalate to {SYSTEM_EMAIL}."), u(swedish)], "Tack.",
                 ip="89.160.20.112", ua=UA_B),
        api_call(4, 6, [system(f"Time 10:06. Escalate to {SYSTEM_EMAIL}."), u(swedish),
                        a("Tack."), u("And to Finnish?")], "Kiitos.", ip="89.160.20.112", ua=UA_B),
        # C: multimodal content
        api_call(5, 2, [u(image)], "A cat on a windowsill.", ip="216.160.83.56"),
        api_call(6, 7, [u(image), a("A cat on a windowsill."), u(audio)], "A dog barking.",
                 ip="216.160.83.56"),
        # D: a tool round trip (history ends with the tool result), then the next user turn
        api_call(7, 4, [weather, *TOOL_TURN], "It is 18 C and sunny in Paris.", ip="81.2.69.160",
                 model="gpt-4o-2024-08-06"),
        api_call(8, 9, [weather, *TOOL_TURN, a("It is 18 C and sunny in Paris."), u("Thanks! And tomorrow?")],
                 "Rain is expected tomorrow.", ip="81.2.69.160", model="gpt-4o-2024-08-06"),
    ]


def run(base, selection, day=DAY, checks=False, instance=None, ok=True):
    defs = build_definitions(str(base))
    result = materialize(
        [*PIPELINE_ASSETS, *(ASSET_CHECKS if checks else [])], selection=selection, partition_key=day,
        resources=defs.resources, instance=instance or DagsterInstance.ephemeral(), raise_on_error=False,
    )
    assert result.success or not ok
    return result


def read(base, asset, day=DAY, sub=""):
    if asset == "release":  # versioned: the day's current version (core/publish.py)
        return read_published_table(Storage(str(base)), f"release/dt={day}", sub)
    return pq.read_table(Path(base) / asset / f"dt={day}" / sub / "part-00000.parquet")


def metadata(result, key):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == key]
    return {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}


def assert_reconciled(meta):
    assert meta["lines"] == meta["accepted"] + meta["quarantined"] + meta["no_consent"]
    assert meta["files_listed"] == (meta["files"] + meta["files_unsupported"] + meta["files_misplaced"]
                                    + meta["files_hidden"])


# --------------------------------------------------------------------------- shapes (core)
def test_shapes_fold_into_alternating_turns_with_extras_beside_them():
    shaped = shape_call([system("be brief"), {"role": "developer", "content": "no emojis"},
                         u([{"type": "text", "text": "look"},
                            {"type": "image_url", "image_url": {"url": "x"}},
                            {"type": "input_file", "file": {"file_data": "x"}}, {"type": "hologram"}]),
                         {"role": "assistant", "content": "Checking.", "tool_calls": [WEATHER_CALL]},
                         TOOL_TURN[1]],
                        [{"type": "output_text", "text": "Sunny."}])
    assert shaped.pairs == [("user", "look\n<image>\n<file>\n<file>")]
    assert shaped.response == "Checking.\n\nSunny."  # the open tool turn's text, then the reply
    assert shaped.system_prompt == "be brief\n\nno emojis"
    assert shaped.turn_tool_calls[0]["name"] == "get_weather" and len(shaped.turn_tool_results) == 1
    assert dict(shaped.placeholders) == {"image": 1, "file": 1, "other": 1}


def test_bad_shapes_are_quarantined_with_a_reason_and_never_the_value():
    parser = LogParser(dt.date.fromisoformat(DAY))
    rows = [
        api_call(1, 0, [u("hi"), {"role": "tool", "content": "orphan result"}], "x"),
        api_call(2, 0, [u("hi"), a(None)], "x"),  # null content without tool calls
        api_call(3, 0, [u([{"type": "text", "text": 5}])], "x"),
        api_call(4, 0, [{"role": "narrator", "content": "secret stage direction"}, u("hi")], "x"),
        api_call(5, 0, [system("only a system prompt")], "x"),
    ]
    parser.feed("f.jsonl", [json.dumps(r).encode() for r in rows])
    quarantine = parser.result.quarantine_table().to_pylist()
    assert [r["reason"] for r in quarantine] == [
        "non_alternating_roles", "wrong_type", "wrong_type", "wrong_type", "empty_messages"]
    details = " ".join(r["detail"] for r in quarantine)
    assert "secret stage direction" not in details and "orphan result" not in details


# --------------------------------------------------------------------------- through the asset
@pytest.fixture(scope="module")
def mixed_day(tmp_path_factory):
    """A day of drops in every shape, materialized raw_logs → release with all checks."""
    base = tmp_path_factory.mktemp("mixed")
    calls = realistic_calls()
    consent_string = dict(call(20, at(11), ["string consent"], "x"), consent="true")
    consent_missing = call(21, at(12), ["missing consent"], "x")
    del consent_missing["consent"]
    refused = call(22, at(13), ["I refuse"], "x", consent=False)
    main = write_drop(base, DAY, [*calls[:6], consent_string, consent_missing, refused], name="part-0.jsonl")
    main.write_bytes(b"\xef\xbb\xbf" + main.read_bytes())  # a UTF-8 BOM before the first line
    write_drop(base, DAY, [calls[6]], name="tools.NDJSON")
    write_drop(base, DAY, [calls[7]], name="more.JSONL")
    folder = base / "raw_logs_drop" / f"dt={DAY}"
    (folder / "export.json").write_text(json.dumps([calls[0]]))
    (folder / "_SUCCESS").write_bytes(b"")
    (folder / "late").mkdir()
    (folder / "late" / "deeper.jsonl").write_text(json.dumps(call(30, at(20), ["deep"], "x")) + "\n")
    top = base / "raw_logs_drop" / f"{DAY}-forgot-the-folder.jsonl"
    top.write_text(json.dumps(call(31, at(21), ["top"], "x")))
    with pytest.MonkeyPatch.context() as mp:
        for name in ("WILDCHAT_TAKEDOWNS", "WILDCHAT_TOXICITY_BACKENDS", "WILDCHAT_GEOIP_DB", "WILDCHAT_ENV",
                     "WILDCHAT_STORAGE"):
            mp.delenv(name, raising=False)
        mp.setenv("WILDCHAT_IP_HASH_KEY", "ingestion-shapes-key")
        result = run(base, None, checks=True)
    return base, result


def test_every_line_and_every_file_is_accounted_for(mixed_day):
    base, result = mixed_day
    meta = metadata(result, "raw_logs")
    assert_reconciled(meta)
    assert (meta["lines"], meta["accepted"], meta["quarantined"], meta["no_consent"]) == (11, 8, 2, 1)
    files = ("files", "files_unsupported", "files_misplaced", "files_hidden")
    assert [meta[k] for k in files] == [3, 1, 2, 1]
    assert meta["boms_removed"] == 1
    shapes = ("calls_with_system_prompt", "calls_with_tool_calls", "calls_with_multimodal_content")
    assert [meta[k] for k in shapes] == [4, 2, 2]
    assert (meta["placeholders_image"], meta["placeholders_audio"]) == (2, 1)  # call 6 repeats call 5's image
    quarantine = read(base, "raw_logs_quarantine").to_pylist()
    by_reason = {}
    for row in quarantine:
        by_reason.setdefault(row["reason"], []).append(row)
    assert sorted(by_reason) == ["invalid_consent", "misplaced_file", "unsupported_file"]
    # consent must be the boolean: "true" or a missing field is a producer bug, not a refusal,
    # and the text of a user whose consent is unknown is not kept
    assert [r["detail"] for r in by_reason["invalid_consent"]] == [
        "consent is a string, expected the boolean true or false", "consent is missing"]
    assert all(r["line_head"] is None for r in by_reason["invalid_consent"])
    (unsupported,) = by_reason["unsupported_file"]
    assert unsupported["source_file"].endswith("export.json") and unsupported["line_bytes"] > 100
    assert ".jsonl" in unsupported["detail"]
    assert sorted(r["source_file"] for r in by_reason["misplaced_file"]) == [
        f"raw_logs_drop/{DAY}-forgot-the-folder.jsonl", f"raw_logs_drop/dt={DAY}/late/deeper.jsonl"]
    # the checks agree: reconciliation (with the independent recount) and the contract pass
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for name in ("raw_logs_reconciliation", "raw_logs_contract", "scrubbed_no_pii_residue",
                 "conversations_raw_accounted", "release_schema", "release_counts"):
        assert evaluations[name].passed, name


def test_system_multimodal_and_tool_conversations_reach_the_release(mixed_day):
    base, _ = mixed_day
    full = read(base, "release", sub="split=full").to_pylist()
    by_first = {row["conversation"][0]["content"]: row for row in full}
    assert len(full) == 4 and not any(row["orphan"] for row in full)  # every second call linked
    trip = by_first["Plan a weekend in Lisbon"]
    assert [m["content"] for m in trip["conversation"]] == [
        "Plan a weekend in Lisbon", "Day 1: Alfama. Day 2: Belem.", "Add a fado evening",
        "Saturday night in Alfama."]
    assert trip["system_prompts"] == ["You are a helpful travel assistant.", None] * 2
    translate = by_first["Translate 'thank you' to Swedish"]
    assert translate["turn"] == 2  # the system prompt changed between the calls: still one conversation
    prompts = [p for p in translate["system_prompts"] if p]
    assert prompts[0].startswith("Time 10:01") and prompts[1].startswith("Time 10:06")
    picture = by_first["What is in this picture?\n<image>"]
    assert [m["content"] for m in picture["conversation"]][2] == "And what is this sound?\n<audio>"
    weather = by_first["What is the weather in Paris today?"]
    assert [m["role"] for m in weather["conversation"]] == ["user", "assistant"] * 2
    assert weather["conversation"][1]["content"] == "It is 18 C and sunny in Paris."
    calls = weather["tool_calls"][1]
    assert [c["name"] for c in calls] == ["get_weather"] and weather["tool_calls"][0] is None
    assert json.loads(calls[0]["arguments"])["city"] == "Paris"
    assert weather["tool_results"][1][0]["tool_call_id"] == "call_1"
    assert trip["tool_calls"] == [] and weather["system_prompts"] == []
    # the WildChat part of the row is unchanged: conversation_hash over user/assistant text only
    assert all(len(row["conversation_hash"]) == 32 for row in full)


def test_no_canary_nor_media_data_in_any_output_past_raw_logs(mixed_day):
    base, _ = mixed_day
    outputs = [p for p in Path(base).rglob("*") if p.is_file() and "raw_logs_drop" not in p.parts
               and p.parts[len(Path(base).parts)] not in ("raw_logs", "conversations")]
    assert any("release" in p.parts for p in outputs)
    for path in outputs:
        data = path.read_bytes()
        if path.suffix == ".parquet":
            data = json.dumps(pq.read_table(path).to_pylist(), default=str).encode()
        for canary in CANARIES:
            assert canary.encode() not in data, (canary, path)
    # media data reaches no output at all, not even raw_logs
    for asset in ("raw_logs", "conversations"):
        text = json.dumps(read(base, asset).to_pylist(), default=str)
        assert IMAGE_B64[:40] not in text and AUDIO_B64[:40] not in text
    scrubbed = read(base, "scrubbed").to_pylist()
    assert any("PRESIDIO_ANONYMIZED_EMAIL_ADDRESS" in (m["system_prompt"] or "") for m in scrubbed)


def test_truncated_gzip_keeps_every_complete_line_and_counts_the_loss(tmp_path):
    folder = tmp_path / "raw_logs_drop" / f"dt={DAY}"
    folder.mkdir(parents=True)
    text = "".join(json.dumps(call(i, at(i % 60), [f"question {i} " + "x" * (i % 50)], f"answer {i}")) + "\n"
                   for i in range(250))
    data = gzip.compress(text.encode())
    cut = data[: len(data) * 6 // 10]
    (folder / "cut.jsonl.gz").write_bytes(cut)
    # complete lines before the break, read independently (Python's zlib, in one shot)
    partial = zlib.decompressobj(wbits=31).decompress(cut)
    expected = partial.count(b"\n")
    assert expected > 125
    result = run(tmp_path, ["raw_logs", "raw_logs_quarantine"])
    meta = metadata(result, "raw_logs")
    assert_reconciled(meta)
    assert meta["accepted"] == expected and meta["quarantined"] == 1
    (row,) = read(tmp_path, "raw_logs_quarantine").to_pylist()
    assert row["reason"] == "truncated_file" and row["source_line"] == expected + 1
    assert row["line_bytes"] == len(partial) - partial.rfind(b"\n") - 1
    assert f"after {len(cut)} compressed bytes" in row["detail"]
    assert q.count_drop_lines(Storage(str(tmp_path)), DAY) == meta["lines"]


def test_raw_logs_alone_writes_its_quarantine_and_the_pair_still_works(tmp_path):
    write_drop(tmp_path, DAY, [call(1, at(0), ["hi"], "hello"), "{not json"])
    result = run(tmp_path, ["raw_logs"])
    assert {e.asset_key.path[-1] for e in result.get_asset_materialization_events()} == {"raw_logs"}
    assert read(tmp_path, "raw_logs_quarantine").column("reason").to_pylist() == ["invalid_json"]
    result = run(tmp_path, ["raw_logs", "raw_logs_quarantine"])
    assert metadata(result, "raw_logs_quarantine")["quarantine_invalid_json"] == 1


def test_no_consent_share_jump_warns(tmp_path):
    instance = DagsterInstance.ephemeral()
    days = ["2023-06-11", "2023-06-12", "2023-06-13"]
    for k, day in enumerate(days):
        write_drop(tmp_path, day, [call(10 * k + i, f"{day}T08:0{i}:00Z", [f"q{i}"], "a",
                                        consent=i != 0) for i in range(5)])
        result = run(tmp_path, ["raw_logs", "raw_logs_quarantine"], day, checks=True, instance=instance)
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert evaluations["raw_logs_no_consent_share"].passed, day  # steady 20 %
    day = "2023-06-14"
    write_drop(tmp_path, day, [call(100 + i, f"{day}T08:0{i}:00Z", [f"q{i}"], "a", consent=i == 0)
                               for i in range(5)])
    result = run(tmp_path, ["raw_logs", "raw_logs_quarantine"], day, checks=True, instance=instance)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    jump = evaluations["raw_logs_no_consent_share"]
    assert result.success and not jump.passed and jump.severity == AssetCheckSeverity.WARN
    assert jump.metadata["partition_no_consent_jump"].value == pytest.approx(0.6)


def test_cli_materializes_raw_logs_alone(tmp_path):
    """DESIGN §15: `dagster asset materialize --select raw_logs --partition D` from a shell."""
    storage = tmp_path / "data"
    write_drop(storage, DAY, [call(1, at(0), ["hi"], "hello")], name="part-0.JSONL")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "WILDCHAT_STORAGE": str(storage),
           "PYTHONPATH": str(REPO)}
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run([str(dagster), "asset", "materialize", "-m", "wildchat_dagster.definitions",
                           "--select", "raw_logs", "--partition", DAY], env=env, capture_output=True,
                          text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read(storage, "raw_logs").column("id").to_pylist() == [1]
    assert read(storage, "raw_logs_quarantine").num_rows == 0


def test_sensor_sees_every_drop_file_and_names_the_unread_ones(tmp_path):
    from wildchat_dagster.sensors import DropCursor, list_drops, plan_drop_runs, unread_files

    write_drop(tmp_path, DAY, [call(1, at(0), ["hi"], "hello")], name="a.JSONL")
    folder = tmp_path / "raw_logs_drop" / f"dt={DAY}"
    (folder / "export.json").write_text("[]")
    (folder / ".upload.tmp").write_text("partial")
    (tmp_path / "raw_logs_drop" / "stray.jsonl").write_text("{}")
    files = list_drops(Storage(str(tmp_path)), None)
    assert sorted(f.path.rsplit("/", 1)[-1] for f in files) == ["a.JSONL", "export.json", "stray.jsonl"]
    now = dt.datetime(2023, 6, 16, tzinfo=dt.UTC)
    plan = plan_drop_runs(files, DropCursor(), now, lambda day, since: False)
    assert plan.changed == [DAY] and plan.ignored == ["raw_logs_drop/stray.jsonl"]
    unread = unread_files(files, plan.ignored)
    assert unread == {"misplaced_file": ["raw_logs_drop/stray.jsonl (2 bytes)"],
                      "unsupported_file": [f"raw_logs_drop/dt={DAY}/export.json (2 bytes)"]}
    # a change to the unsupported file alone re-runs its day (whose quarantine lists it)
    (folder / "export.json").write_text("[1]")
    again = plan_drop_runs(list_drops(Storage(str(tmp_path)), None), plan.cursor, now, lambda d, s: False)
    assert again.changed == [DAY]
