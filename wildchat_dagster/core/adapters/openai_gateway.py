"""OpenAI Chat Completions request/response pairs, as API gateways log them → the input contract.

A gateway (LiteLLM, Portkey, Helicone, an nginx/Envoy body logger, a home-made proxy) logs
one JSON object per call: the request body the client sent (``model``, ``messages``, sampling
parameters), the response body OpenAI returned (``id``, ``created``, ``model``,
``choices[0].message``, ``usage``), the client IP and the request headers. This module maps
one such object onto the contract's per-call dict (DESIGN §3); the contract's own validation
then decides (missing or mistyped fields, roles, consent, the partition day) exactly as for a
contract line, so there is one set of rules and one quarantine.

Field map (first one present wins; docs/adapters.md has the table):

=================  =====================================================================
contract           gateway record
=================  =====================================================================
id                 ``id`` if an integer; else a stable 63-bit integer from ``request_id``
                   / ``id`` (a string) / the response's ``id`` (``chatcmpl-…``)
timestamp          ``timestamp`` / ``start_time`` / ``created_at`` / ``startTime`` /
                   ``requestedAt`` (ISO 8601, or epoch seconds or milliseconds); else the
                   response's ``created``
model              the response's ``model`` (the snapshot that answered, e.g.
                   ``gpt-4-0613``), else the request's ``model``
ip                 ``client_ip`` / ``ip`` / ``remote_addr`` / ``remote_ip`` /
                   ``requester_ip_address`` (also under ``metadata``), else the first
                   address of an ``x-forwarded-for`` header
headers            ``headers`` / ``request_headers`` / the request envelope's ``headers``
                   (names lower-cased; only user-agent and accept-language are kept)
consent            ``consent``, else ``metadata.consent``, else the request's
                   ``metadata.consent`` (OpenAI metadata values are strings: ``"true"`` and
                   ``"false"`` are read as booleans); absent → no consent (dropped, counted)
messages           the request's ``messages``, passed through (system, multimodal parts and
                   tool messages are the contract's business)
response           ``choices[0].message.content`` (or its ``refusal``); a streamed response
                   (a list of ``chat.completion.chunk`` objects) is joined from its deltas
openai_id          the response's ``id``
temperature/top_p  the request's
usage              the response's ``usage``
=================  =====================================================================

Request and response bodies may be objects or JSON strings (many gateways log the raw
body), under ``request`` / ``request_body`` / ``body`` / ``reqPayload`` and ``response`` /
``response_body`` / ``respPayload``, or inside an HTTP envelope ``{url, headers, status,
body}`` (Portkey); LiteLLM's ``StandardLoggingPayload`` (``messages``, ``model_parameters``,
``response``, ``startTime``, ``metadata.requester_ip_address``) is read as it is. An HTTP
status of 400 or more, or LiteLLM's ``status: "failure"``, is an error response.

What does not fit is rejected with a reason (``GatewayReject``), never guessed:
``gateway_no_request``, ``gateway_not_chat_completions`` (an embeddings or legacy completions
call), ``gateway_no_response``, ``gateway_error_response`` (the upstream call failed: there is
no reply), ``gateway_multiple_choices`` (``n > 1``: which reply the user saw is unknown),
``gateway_no_text_reply`` (tool calls only, or an empty message).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import orjson

from .base import AdapterReject

REQUEST_KEYS = ("request", "request_body", "body", "reqPayload")
RESPONSE_KEYS = ("response", "response_body", "respPayload")
TIMESTAMP_KEYS = ("timestamp", "start_time", "created_at", "startTime", "requestedAt")
IP_KEYS = ("client_ip", "ip", "remote_addr", "remote_ip", "requester_ip_address")
STATUS_KEYS = ("status_code", "statusCode", "status")
EPOCH_MS = 100_000_000_000  # an epoch number above this is in milliseconds (year 5138 in seconds)
HEADER_KEYS = ("headers", "request_headers")
ID_KEYS = ("request_id", "id")


class GatewayReject(AdapterReject):
    """A gateway record that cannot become a contract call."""


def _first(obj: Mapping, keys: tuple[str, ...]):
    for key in keys:
        if obj.get(key) is not None:
            return key, obj[key]
    return None, None


def _parsed(key: str, body, reason: str):
    if isinstance(body, str | bytes):  # the raw body as the gateway saw it
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise GatewayReject(reason, f"{key} is a string that is not JSON") from None
    if not isinstance(body, dict | list):
        raise GatewayReject(reason, f"{key} is a {type(body).__name__}, not an object")
    return body


def _body(obj: Mapping, keys: tuple[str, ...], reason: str) -> tuple[object, Mapping]:
    """The body under the first of ``keys``, and its HTTP envelope (``{}`` if none): Portkey-style
    logs wrap it as ``{"url", "headers", "status", "body": {...}}``."""
    key, body = _first(obj, keys)
    if body is None:
        raise GatewayReject(reason, f"none of {', '.join(keys)} is present")
    body = _parsed(key, body, reason)
    if isinstance(body, dict) and "body" in body and not {"messages", "choices"} & set(body):
        return _parsed(f"{key}.body", body["body"], reason), body
    return body, {}


def stable_id(text: str) -> int:
    """A positive 63-bit integer from a string id (the contract's ids are integers)."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:15], 16)


def _consent(obj: Mapping, request: Mapping):
    for holder in (obj, obj.get("metadata"), request.get("metadata")):
        if isinstance(holder, Mapping) and "consent" in holder:
            value = holder["consent"]
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            return value  # the contract decides (a boolean, or a quarantine reason)
    return None


def _timestamp(obj: Mapping, response: Mapping):
    _, value = _first(obj, TIMESTAMP_KEYS)
    if value is None:
        value = response.get("created")
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > EPOCH_MS else value
        return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")
    return value  # ISO text, or something the contract rejects with its reason


def _ip(obj: Mapping, headers: Mapping):
    _, ip = _first(obj, IP_KEYS)
    if ip is None and isinstance(obj.get("metadata"), Mapping):  # LiteLLM: metadata.requester_ip_address
        _, ip = _first(obj["metadata"], IP_KEYS)
    if ip is None:
        forwarded = headers.get("x-forwarded-for")
        if isinstance(forwarded, str) and forwarded.strip():
            ip = forwarded.split(",")[0].strip()  # the client, before any proxies
    return ip


def _joined_stream(chunks: list) -> dict:
    """A streamed response (``chat.completion.chunk`` objects) as one completion."""
    parts: dict[int, list[str]] = {}
    first = next((c for c in chunks if isinstance(c, dict)), {})
    usage = None
    for chunk in chunks:
        if not isinstance(chunk, dict):
            raise GatewayReject("gateway_no_response", "a streamed chunk is not an object")
        usage = chunk.get("usage") or usage  # stream_options.include_usage: on the last chunk
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str):
                parts.setdefault(int(choice.get("index") or 0), []).append(content)
            else:
                parts.setdefault(int(choice.get("index") or 0), [])
    return {
        "id": first.get("id"),
        "created": first.get("created"),
        "model": first.get("model"),
        "usage": usage,
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": "".join(p)}}
            for i, p in sorted(parts.items())
        ],
    }


def _reply(response: Mapping) -> str:
    if response.get("error") is not None:
        raise GatewayReject("gateway_error_response", "the response is an error: no reply to keep")
    choices = response.get("choices")
    if not isinstance(choices, list) or not choices:
        raise GatewayReject("gateway_no_response", "response.choices is missing or empty")
    if len(choices) > 1:
        raise GatewayReject("gateway_multiple_choices", f"{len(choices)} choices (n > 1)")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    if not isinstance(message, dict):
        raise GatewayReject("gateway_no_response", "choices[0].message is missing")
    content = message.get("content")
    if isinstance(content, list):  # content parts: the text ones, in order
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not content and isinstance(message.get("refusal"), str):
        content = message["refusal"]
    if not isinstance(content, str) or not content.strip():
        what = "tool calls only" if message.get("tool_calls") or message.get("function_call") else "no text"
        raise GatewayReject("gateway_no_text_reply", f"choices[0].message has {what}")
    return content


def to_contract_call(obj: dict) -> dict:
    """One gateway record → the contract's per-call dict (raises GatewayReject)."""
    if _first(obj, REQUEST_KEYS)[1] is None and isinstance(obj.get("messages"), list):
        # LiteLLM's StandardLoggingPayload: the request's fields at the top level
        params = obj.get("model_parameters")
        request, request_envelope = {**(params if isinstance(params, dict) else {}), **obj}, {}
    else:
        request, request_envelope = _body(obj, REQUEST_KEYS, "gateway_no_request")
    if not isinstance(request, dict):
        raise GatewayReject("gateway_no_request", "the request body is not an object")
    if "messages" not in request:
        kind = "prompt" if "prompt" in request else "input" if "input" in request else "no messages"
        raise GatewayReject("gateway_not_chat_completions", f"the request has {kind}, not messages")
    if obj.get("status") == "failure" or obj.get("error_str"):  # LiteLLM's failed calls
        raise GatewayReject("gateway_error_response", "the call failed: no reply to keep")
    response, response_envelope = _body(obj, RESPONSE_KEYS, "gateway_no_response")
    for holder in (obj, response_envelope):
        status = _first(holder, STATUS_KEYS)[1]
        if isinstance(status, int) and not isinstance(status, bool) and status >= 400:
            raise GatewayReject("gateway_error_response", f"HTTP status {status}: no reply to keep")
    if isinstance(response, list):
        response = _joined_stream(response)
    _, headers = _first(obj, HEADER_KEYS)
    if headers is None:
        headers = request_envelope.get("headers")
    headers = (
        {k.lower(): v for k, v in headers.items() if isinstance(k, str)} if isinstance(headers, dict) else {}
    )

    id_key, raw_id = _first(obj, ID_KEYS)
    if isinstance(raw_id, int) and not isinstance(raw_id, bool) and id_key == "id":
        call_id = raw_id
    elif isinstance(raw_id, str) and raw_id.strip():
        call_id = stable_id(raw_id)
    elif isinstance(response.get("id"), str):
        call_id = stable_id(response["id"])
    else:
        call_id = None  # the contract quarantines it as missing

    call = {
        "id": call_id,
        "timestamp": _timestamp(obj, response),
        "model": response.get("model") or request.get("model"),
        "ip": _ip(obj, headers),
        "consent": _consent(obj, request),
        "headers": {k: v for k, v in headers.items() if k in ("user-agent", "accept-language")},
        "messages": request["messages"],
        "response": _reply(response),
        "openai_id": response.get("id") if isinstance(response.get("id"), str) else None,
        "temperature": request.get("temperature"),
        "top_p": request.get("top_p"),
        "usage": response.get("usage") if isinstance(response.get("usage"), dict) else None,
    }
    # Absent stays absent, so the contract names what is missing ("ip is required") and
    # treats a call without consent as it treats a contract line without it.
    return {k: v for k, v in call.items() if v is not None}
