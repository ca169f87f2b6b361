"""Input adapters on hand-written inputs: OpenAI gateway logs through the drop folder hook,
and already-linked conversations (WildChat-1M rows as JSONL and Parquet, ShareGPT JSON)."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rawlog_helpers import call, write_drop

from wildchat_dagster.core.adapters import drop_format, line_adapter_for
from wildchat_dagster.core.adapters.linked import read_linked
from wildchat_dagster.core.adapters.openai_gateway import GatewayReject, stable_id, to_contract_call
from wildchat_dagster.core.logs import parse_drops
from wildchat_dagster.core.storage import Storage

DAY = dt.date(2023, 6, 14)
CREATED = int(dt.datetime(2023, 6, 14, 8, 31, 7, tzinfo=dt.UTC).timestamp())
UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/114.0"


def gateway_record(**overrides) -> dict:
    """A LiteLLM/Portkey-style log of one Chat Completions call."""
    record = {
        "request_id": "req_8f1c2a",
        "client_ip": "81.2.69.142",
        "request_headers": {
            "User-Agent": UA,
            "Accept-Language": "de-DE,de;q=0.9",
            "Authorization": "Bearer x",
        },
        "metadata": {"consent": True},
        "request": {
            "model": "gpt-4",
            "temperature": 0.2,
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "write a haiku about rain"},
            ],
        },
        "response": {
            "id": "chatcmpl-7QyqpwdfhqwajicIEznoc6Q47XAyW",
            "object": "chat.completion",
            "created": CREATED,
            "model": "gpt-4-0613",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Soft rain on the roof"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 31, "completion_tokens": 7, "total_tokens": 38},
        },
    }
    record.update(overrides)
    return record


def test_gateway_record_maps_onto_the_contract():
    got = to_contract_call(gateway_record())
    assert got == {
        "id": stable_id("req_8f1c2a"),
        "timestamp": "2023-06-14T08:31:07Z",
        "model": "gpt-4-0613",  # the snapshot that answered, not the alias requested
        "ip": "81.2.69.142",
        "consent": True,
        "headers": {"user-agent": UA, "accept-language": "de-DE,de;q=0.9"},  # Authorization never copied
        "messages": gateway_record()["request"]["messages"],
        "response": "Soft rain on the roof",
        "openai_id": "chatcmpl-7QyqpwdfhqwajicIEznoc6Q47XAyW",
        "temperature": 0.2,
        "usage": {"prompt_tokens": 31, "completion_tokens": 7, "total_tokens": 38},
    }
    assert 0 < got["id"] < 2**63


def test_gateway_raw_string_bodies_forwarded_ip_metadata_consent_and_streams():
    record = gateway_record()
    record.pop("client_ip")
    record.pop("metadata")
    record["request_headers"]["X-Forwarded-For"] = "216.160.83.56, 10.0.0.1"
    record["request"]["metadata"] = {"consent": "true"}  # OpenAI metadata values are strings
    record["request"] = json.dumps(record["request"])  # many gateways log the raw body
    chunks = [
        {
            "id": "chatcmpl-s1",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": "gpt-4-0613",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}],
        },
        {
            "id": "chatcmpl-s1",
            "created": CREATED,
            "choices": [{"index": 0, "delta": {"content": "Soft rain "}}],
        },
        {
            "id": "chatcmpl-s1",
            "created": CREATED,
            "choices": [{"index": 0, "delta": {"content": "on the roof"}}],
        },
        {
            "id": "chatcmpl-s1",
            "created": CREATED,
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4},
        },
    ]
    record["response_body"] = chunks
    record.pop("response")
    got = to_contract_call(record)
    assert got["ip"] == "216.160.83.56"
    assert got["consent"] is True
    assert got["response"] == "Soft rain on the roof"
    assert got["openai_id"] == "chatcmpl-s1"
    assert got["usage"] == {"prompt_tokens": 3, "completion_tokens": 4}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"request": None}, "gateway_no_request"),
        ({"request": "{not json"}, "gateway_no_request"),
        ({"request": {"model": "text-embedding-3-small", "input": "hello"}}, "gateway_not_chat_completions"),
        ({"request": {"model": "gpt-3.5-turbo-instruct", "prompt": "hello"}}, "gateway_not_chat_completions"),
        ({"response": None}, "gateway_no_response"),
        (
            {"response": {"error": {"message": "Rate limit reached", "type": "requests"}}},
            "gateway_error_response",
        ),
        ({"response": {"id": "c", "choices": []}}, "gateway_no_response"),
        (
            {
                "response": {
                    "id": "c",
                    "choices": [{"message": {"content": "a"}}, {"message": {"content": "b"}}],
                }
            },
            "gateway_multiple_choices",
        ),
        (
            {
                "response": {
                    "id": "c",
                    "choices": [
                        {"message": {"role": "assistant", "content": None, "tool_calls": [{"id": "t"}]}}
                    ],
                }
            },
            "gateway_no_text_reply",
        ),
    ],
)
def test_gateway_records_that_do_not_fit_are_rejected_with_a_reason(change, reason):
    with pytest.raises(GatewayReject) as exc:
        to_contract_call(gateway_record(**change))
    assert exc.value.reason == reason
    assert "Rate limit" not in exc.value.detail and "hello" not in exc.value.detail  # no values


def test_format_folder_picks_the_adapter():
    assert drop_format("raw_logs_drop/dt=2023-06-14/part.jsonl") == "contract"
    assert drop_format("raw_logs_drop/dt=2023-06-14/format=openai_gateway/a/b.jsonl.gz") == "openai_gateway"
    assert line_adapter_for("raw_logs_drop/dt=2023-06-14/x.jsonl") is None
    assert line_adapter_for("raw_logs_drop/dt=2023-06-14/format=openai_gateway/x.jsonl") is to_contract_call


def test_gateway_drop_folder_goes_through_the_contract_into_raw_logs(tmp_path):
    no_consent = gateway_record(request_id="req_2", metadata={"consent": False})
    wrong_day = gateway_record(request_id="req_3")
    wrong_day["response"] = {**wrong_day["response"], "created": CREATED + 86_400}
    errored = gateway_record(request_id="req_4", response={"error": {"message": "boom"}})
    no_ip = gateway_record(request_id="req_5")
    no_ip.pop("client_ip")
    rows = [gateway_record(), no_consent, wrong_day, errored, no_ip, "{broken"]
    for sub in ("format=openai_gateway", "format=nonsense"):
        (tmp_path / "raw_logs_drop" / f"dt={DAY}" / sub).mkdir(parents=True)
    write_drop(tmp_path, DAY.isoformat(), rows, name="format=openai_gateway/litellm.jsonl")
    write_drop(tmp_path, DAY.isoformat(), [call(7, "2023-06-14T09:00:00Z", ["hello"], "hi there")])
    write_drop(tmp_path, DAY.isoformat(), [gateway_record()], name="format=nonsense/x.jsonl")

    parsed = parse_drops(Storage(str(tmp_path)), DAY)
    accepted = parsed.accepted_table().to_pylist()
    by_id = {r["id"]: r for r in accepted}
    assert set(by_id) == {stable_id("req_8f1c2a"), 7}  # the gateway call and the contract call
    g = by_id[stable_id("req_8f1c2a")]
    assert g["model"] == "gpt-4-0613" and g["ip"] == "81.2.69.142" and g["user_agent"] == UA
    assert g["prompt"] == "write a haiku about rain" and g["history_len"] == 3
    assert g["response"] == "Soft rain on the roof" and g["prompt_tokens"] == 31
    assert g["source_file"].endswith("format=openai_gateway/litellm.jsonl") and g["source_line"] == 1

    quarantine = {
        (q["source_file"].rsplit("/", 1)[-1], q["source_line"]): q
        for q in parsed.quarantine_table().to_pylist()
    }
    assert quarantine[("litellm.jsonl", 3)]["reason"] == "timestamp_outside_partition"
    assert quarantine[("litellm.jsonl", 4)]["reason"] == "gateway_error_response"
    assert quarantine[("litellm.jsonl", 5)]["reason"] == "missing_field"
    assert "ip" in quarantine[("litellm.jsonl", 5)]["detail"]
    assert quarantine[("litellm.jsonl", 6)]["reason"] == "invalid_json"
    # a format= folder nobody knows: the whole file is quarantined by name, never read as the contract
    unknown = [
        q
        for q in parsed.quarantine_table().to_pylist()
        if q["source_file"].endswith("format=nonsense/x.jsonl")
    ]
    assert [q["reason"] for q in unknown] in (["unknown_format"], ["unsupported_file"])
    assert parsed.no_consent == 1
    assert parsed.accepted_count == 2
    assert sum(1 for k in quarantine if k[0] == "litellm.jsonl") == 4
    parsed.check_reconciliation()


# --- already-linked conversations -------------------------------------------------------------

WILDCHAT_ROWS = [
    {
        "conversation_hash": "aaa",
        "model": "gpt-4-0314",
        "timestamp": "2023-06-14T08:31:07+00:00",
        "conversation": [
            {"role": "user", "content": "My email is jane.roe@proton.me"},
            {"role": "assistant", "content": "Noted."},
        ],
        "turn_count": 1,
        "language": "English",
        "country": "United Kingdom",
        "state": "England",
        "toxic": False,
        "redacted": False,
    },
    {
        "conversation_hash": "aaa",
        "model": "gpt-4-0314",
        "timestamp": "2023-06-15T10:00:00+00:00",
        "conversation": [
            {"role": "user", "content": "same hash, other conversation"},
            {"role": "assistant", "content": "ok"},
        ],
        "turn_count": 1,
        "language": "English",
        "country": None,
        "state": None,
        "toxic": False,
        "redacted": False,
    },
    {"conversation_hash": "bbb", "conversation": []},
    {"conversation_hash": "ccc", "conversation": [{"role": "narrator", "content": "x"}]},
    {"conversation_hash": "ddd", "conversation": [{"role": "user", "content": 42}]},
    {"conversation_hash": "eee"},
]


def _write_jsonl(path, rows, extra_lines=()):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
        for line in extra_lines:
            f.write(line + "\n")


def test_wildchat_jsonl_rows_keep_their_ids_and_labels_and_every_row_is_accounted(tmp_path):
    path = tmp_path / "wc.jsonl"
    _write_jsonl(path, WILDCHAT_ROWS, extra_lines=["[1, 2]", "{nope"])
    got = read_linked(str(path))
    assert (got.format, got.container) == ("wildchat", "jsonl")
    assert got.rows == 8 and got.conversations == 2 and got.quarantined == 6
    msgs = got.messages.to_pylist()
    assert [m["conversation_id"] for m in msgs] == ["aaa", "aaa", "aaa~2", "aaa~2"]
    assert {m["conversation_hash"] for m in msgs} == {"aaa"}  # the published hash, as published
    first = msgs[0]
    assert first["role"] == "user" and first["content"] == "My email is jane.roe@proton.me"
    assert first["input_country"] == "United Kingdom" and first["input_language"] == "English"
    assert first["timestamp"] == dt.datetime(2023, 6, 14, 8, 31, 7, tzinfo=dt.UTC)
    assert first["record_index"] == 0 and msgs[2]["record_index"] == 1
    reasons = {q["source_line"]: q["reason"] for q in got.quarantine.to_pylist()}
    assert reasons == {
        3: "empty_conversation",
        4: "unknown_role",
        5: "wrong_type",
        6: "missing_field",
        7: "not_an_object",
        8: "invalid_json",
    }


def test_wildchat_parquet_rows_read_like_the_jsonl(tmp_path):
    rows = [dict(r, timestamp=dt.datetime.fromisoformat(r["timestamp"])) for r in WILDCHAT_ROWS[:2]]
    for r in rows:  # WildChat-1M's Parquet messages carry more fields
        r["conversation"] = [dict(m, hashed_ip="h1", redacted=False, toxic=False) for m in r["conversation"]]
    path = tmp_path / "wc.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    got = read_linked(str(path))
    assert (got.format, got.container, got.rows, got.conversations, got.quarantined) == (
        "wildchat",
        "parquet",
        2,
        2,
        0,
    )
    msgs = got.messages.to_pylist()
    assert msgs[0]["content"] == "My email is jane.roe@proton.me"
    assert msgs[0]["user_key"] == "ip:h1"  # the published hashed IP is the frequency rule's user
    assert msgs[0]["timestamp"] == dt.datetime(2023, 6, 14, 8, 31, 7, tzinfo=dt.UTC)


def test_sharegpt_json_maps_speakers_and_quarantines_unknown_ones(tmp_path):
    doc = [
        {
            "id": "QWJhYvA_0",
            "conversations": [
                {"from": "system", "value": "You are helpful."},
                {"from": "human", "value": "Call me at +44 7911 123456"},
                {"from": "gpt", "value": "Sure."},
            ],
        },
        {"id": "x1", "conversations": [{"from": "alien", "value": "?"}]},
        {
            "id": "x2",
            "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hey"}],
        },
        "not a conversation",
    ]
    path = tmp_path / "sharegpt.json"
    path.write_text(json.dumps(doc))
    got = read_linked(str(path))
    assert (got.format, got.container, got.rows, got.conversations, got.quarantined) == (
        "sharegpt",
        "json",
        4,
        2,
        2,
    )
    msgs = got.messages.to_pylist()
    assert [(m["conversation_id"], m["role"]) for m in msgs] == [
        ("QWJhYvA_0", "system"),
        ("QWJhYvA_0", "user"),
        ("QWJhYvA_0", "assistant"),
        ("x2", "user"),
        ("x2", "assistant"),
    ]
    assert msgs[0]["conversation_hash"] is None
    assert sorted(q["reason"] for q in got.quarantine.to_pylist()) == ["not_an_object", "unknown_role"]


def test_gateway_envelopes_portkey_openpipe_and_litellm_payloads():
    body_req = gateway_record()["request"]
    body_resp = gateway_record()["response"]
    portkey = {  # Portkey's logs API: HTTP envelopes with the bodies inside
        "request": {
            "url": "https://api.openai.com/v1/chat/completions",
            "method": "POST",
            "headers": {"User-Agent": UA, "Accept-Language": "en"},
            "body": body_req,
        },
        "response": {"status": 200, "headers": {}, "body": body_resp, "response_time": 812},
        "metadata": {"consent": True, "client_ip": "81.2.69.142"},
        "client_ip": "81.2.69.142",
    }
    got = to_contract_call(portkey)
    assert got["response"] == "Soft rain on the roof" and got["headers"]["user-agent"] == UA
    assert got["messages"] == body_req["messages"]

    openpipe = {  # OpenPipe's report API: JSON-encoded payloads, millisecond epochs
        "requestedAt": CREATED * 1000,
        "reqPayload": json.dumps(body_req),
        "respPayload": json.dumps(body_resp),
        "statusCode": 200,
        "ip": "81.2.69.142",
        "consent": True,
    }
    got = to_contract_call(openpipe)
    assert got["timestamp"] == "2023-06-14T08:31:07Z" and got["response"] == "Soft rain on the roof"
    with pytest.raises(GatewayReject) as exc:
        to_contract_call({**openpipe, "statusCode": 429})
    assert exc.value.reason == "gateway_error_response"

    litellm = {  # LiteLLM's StandardLoggingPayload: the request's fields at the top level
        "id": "litellm-call-1",
        "call_type": "acompletion",
        "status": "success",
        "startTime": CREATED + 0.25,
        "model": "gpt-4",
        "messages": body_req["messages"],
        "model_parameters": {"temperature": 0.5},
        "response": body_resp,
        "metadata": {"requester_ip_address": "216.160.83.56", "consent": True},
    }
    got = to_contract_call(litellm)
    assert got["id"] == stable_id("litellm-call-1") and got["ip"] == "216.160.83.56"
    assert got["temperature"] == 0.5 and got["model"] == "gpt-4-0613"
    assert got["timestamp"].startswith("2023-06-14T08:31:07.25")
    with pytest.raises(GatewayReject) as exc:
        to_contract_call({**litellm, "status": "failure", "response": {}})
    assert exc.value.reason == "gateway_error_response"


def test_linked_files_that_cannot_be_read_fail_with_a_clear_reason(tmp_path):
    from wildchat_dagster.core.adapters.linked import LinkedReject

    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08 truncated")
    (tmp_path / "notes.txt").write_text("hello")
    cases = {
        "broken.parquet": "unreadable_file",
        "broken.jsonl.gz": "unreadable_file",
        "absent.jsonl": "missing_file",
        "notes.txt": "unknown_container",
    }
    for name, reason in cases.items():
        with pytest.raises(LinkedReject) as exc:
            read_linked(str(tmp_path / name))
        assert exc.value.reason == reason, name


def test_lmsys_chat_rows_read_as_linked_conversations(tmp_path):
    rows = [
        {
            "conversation_id": "33f01939a744455c869cb234afca47f1",
            "model": "vicuna-13b",
            "turn": 1,
            "language": "English",
            "redacted": True,
            "conversation": [
                {"content": "Hi, I am NAME_1", "role": "user"},
                {"content": "Hello NAME_1!", "role": "assistant"},
            ],
            "openai_moderation": [{"categories": {"sexual": False}, "flagged": False}] * 2,
        }
    ]
    path = tmp_path / "lmsys.jsonl"
    _write_jsonl(path, rows)
    got = read_linked(str(path))
    assert (got.format, got.conversations, got.quarantined) == ("wildchat", 1, 0)
    msgs = got.messages.to_pylist()
    assert [m["conversation_id"] for m in msgs] == ["33f01939a744455c869cb234afca47f1"] * 2
    assert msgs[0]["conversation_hash"] is None and msgs[0]["input_redacted"] is True
    assert msgs[0]["model"] == "vicuna-13b"
