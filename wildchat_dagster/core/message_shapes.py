"""Chat histories as OpenAI-compatible APIs log them → WildChat's user/assistant turns.

Real logs carry more than alternating user/assistant text (DESIGN §3, README "Input
contract"):

- ``system`` (or ``developer``) messages: kept apart as the call's system prompt (joined in
  order when there are several), never in the conversation;
- content as a list of parts: text parts (``text``, ``input_text``, ``output_text``,
  ``refusal``) are joined with a newline; any other part becomes a placeholder
  (``<image>``, ``<audio>``, ``<file>``) and is counted, so no image, audio or file data
  goes further than this function;
- tool calls: an ``assistant`` message with ``tool_calls`` (or the legacy
  ``function_call``), often with ``content: null``, then ``tool`` (or ``function``)
  messages with the results. Everything between a user message and the next one is one
  assistant turn: its text is the assistant texts joined by a blank line, its tool calls
  and results are kept beside it. A history that ends inside such a turn (the tools ran,
  the model answers now) puts that turn's text before the call's response.

So the alternation, the linking hashes (over user/assistant text only) and WildChat's
``conversation`` are the same whatever tools or system prompt a call used. Pure Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

SYSTEM_ROLES = ("system", "developer")
TOOL_ROLES = ("tool", "function")
TEXT_PARTS = ("text", "input_text", "output_text")
PLACEHOLDERS = {"image": "<image>", "audio": "<audio>", "file": "<file>"}
# Part type → placeholder kind. A part type not listed (a new API feature) is not text we
# know how to read: it becomes <file> and is counted as "other", never dropped silently.
PART_KINDS = {
    "image_url": "image", "image": "image", "input_image": "image",
    "input_audio": "audio", "audio": "audio", "audio_url": "audio",
    "file": "file", "input_file": "file", "document": "file", "video_url": "file",
}
PART_SEPARATOR = "\n"
TURN_SEPARATOR = "\n\n"


class ShapeError(ValueError):
    """A history that cannot be folded into turns: ``reason`` is a quarantine reason, the
    message names the place (never the value, which may be personal data)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    texts: list[str] = field(default_factory=list)
    tool_calls: list[dict] = field(default_factory=list)  # {id, type, name, arguments}
    tool_results: list[dict] = field(default_factory=list)  # {tool_call_id, name, content}

    @property
    def content(self) -> str:
        if len(self.texts) == 1:  # the common case: one message, one text
            return self.texts[0] or ""
        return TURN_SEPARATOR.join(t for t in self.texts if t)

    @property
    def has_tools(self) -> bool:
        return bool(self.tool_calls or self.tool_results)


@dataclass
class ShapedCall:
    pairs: list[tuple[str, str]]  # (role, text): alternating user/assistant, from and to user
    response: str  # the call's assistant turn: texts of its open tool turn, then the response
    system_prompt: str | None
    turn_tool_calls: list[dict]  # tool activity of the call's own assistant turn
    turn_tool_results: list[dict]
    placeholders: Counter  # kind → parts replaced (image, audio, file, other)
    # per pair, (tool calls, tool results); None when no history message used tools
    history_tools: list[tuple[list[dict], list[dict]]] | None = None

    @property
    def uses_tools(self) -> bool:
        return bool(self.turn_tool_calls or self.turn_tool_results or self.history_tools)

    def first_too_long(self, limit: int) -> tuple[str, int] | None:
        """(place, length) of the first kept text longer than ``limit``: each message, the
        response, the system prompt and every tool argument or result has that limit."""
        for i, (_, text) in enumerate(self.pairs):
            if len(text) > limit:
                return f"messages[{i}]", len(text)
        for place, text in (("response", self.response), ("system prompt", self.system_prompt or "")):
            if len(text) > limit:
                return place, len(text)
        tools = [*self.turn_tool_calls, *self.turn_tool_results]
        for calls, results in self.history_tools or ():
            tools += [*calls, *results]
        for item in tools:
            text = item.get("arguments") if "arguments" in item else item.get("content")
            if len(text or "") > limit:
                return "tool call", len(text)
        return None


def _plain_pairs(messages: list[Any]) -> list[tuple[str, str]] | None:
    """The common case, quickly: string contents, strictly alternating user/assistant from and
    to user, no system or tool message. None when the history needs the full reading."""
    if len(messages) % 2 == 0:
        return None
    pairs = []
    expected, other = "user", "assistant"
    for m in messages:
        if type(m) is not dict:
            return None
        content = m.get("content")
        if (m.get("role") != expected or type(content) is not str
                or m.get("tool_calls") or m.get("function_call")):
            return None
        pairs.append((expected, content))
        expected, other = other, expected
    return pairs


def content_text(value: Any, where: str, counts: Counter, allow_null: bool = False) -> str | None:
    """A message's content as text: a string as is, a list of parts joined (non-text parts
    as placeholders, counted in ``counts``), null only where ``allow_null``."""
    if value is None:
        if allow_null:
            return None
        raise ShapeError("wrong_type", f"{where}: null content")
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise ShapeError("wrong_type", f"{where}: expected a string, a list of parts or null")
    pieces = []
    for j, part in enumerate(value):
        if isinstance(part, str):
            pieces.append(part)
            continue
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise ShapeError("wrong_type", f"{where}.{j}: a content part must be an object with a type")
        kind = part["type"]
        if kind in TEXT_PARTS or kind == "refusal":
            text = part.get("refusal" if kind == "refusal" else "text")
            if isinstance(text, dict):  # Assistants API: {"text": {"value": ...}}
                text = text.get("value")
            if not isinstance(text, str):
                raise ShapeError("wrong_type", f"{where}.{j}.text: expected a string")
            pieces.append(text)
        else:
            placeholder_kind = PART_KINDS.get(kind)
            counts[placeholder_kind or "other"] += 1
            pieces.append(PLACEHOLDERS[placeholder_kind or "file"])
    return PART_SEPARATOR.join(pieces)


def _arguments(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):  # some SDKs log parsed arguments
        return orjson.dumps(value).decode()
    raise ShapeError("wrong_type", f"{where}: expected a JSON string or object")


def _tool_calls(message: dict, where: str) -> list[dict]:
    calls = message.get("tool_calls")
    out = []
    if calls is not None:
        if not isinstance(calls, list):
            raise ShapeError("wrong_type", f"{where}.tool_calls: expected a list")
        for k, call in enumerate(calls):
            if not isinstance(call, dict):
                raise ShapeError("wrong_type", f"{where}.tool_calls.{k}: expected an object")
            function = call.get("function") if isinstance(call.get("function"), dict) else {}
            name = function.get("name", call.get("name"))
            out.append({
                "id": _opt_str(call.get("id"), f"{where}.tool_calls.{k}.id"),
                "type": _opt_str(call.get("type"), f"{where}.tool_calls.{k}.type") or "function",
                "name": _opt_str(name, f"{where}.tool_calls.{k}.function.name"),
                "arguments": _arguments(function.get("arguments", call.get("arguments")),
                                        f"{where}.tool_calls.{k}.function.arguments"),
            })
    legacy = message.get("function_call")
    if legacy is not None:
        if not isinstance(legacy, dict):
            raise ShapeError("wrong_type", f"{where}.function_call: expected an object")
        out.append({"id": None, "type": "function",
                    "name": _opt_str(legacy.get("name"), f"{where}.function_call.name"),
                    "arguments": _arguments(legacy.get("arguments"), f"{where}.function_call.arguments")})
    return out


def _opt_str(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ShapeError("wrong_type", f"{where}: expected a string")


def shape_call(messages: list[Any], response: Any) -> ShapedCall:
    """Fold one call's ``messages`` and ``response`` into turns (see the module docstring)."""
    counts: Counter = Counter()
    plain = _plain_pairs(messages)
    if plain is not None:
        return ShapedCall(plain, content_text(response, "response", counts), None, [], [], counts)
    system: list[str] = []
    turns: list[Turn] = []
    for i, m in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(m, dict):
            raise ShapeError("wrong_type", f"{where}: expected an object")
        role = m.get("role")
        if "role" not in m:
            raise ShapeError("missing_field", f"{where}.role is required")
        if role in SYSTEM_ROLES:
            text = content_text(m.get("content"), f"{where}.content", counts)
            system.append(text)
        elif role == "user":
            if "content" not in m:
                raise ShapeError("missing_field", f"{where}.content is required")
            if turns and turns[-1].role == "user":
                raise ShapeError("non_alternating_roles", f"messages[{i}].role is user, expected assistant")
            turns.append(Turn("user", [content_text(m.get("content"), f"{where}.content", counts)]))
        elif role == "assistant":
            calls = _tool_calls(m, where)
            refusal = m.get("refusal") if isinstance(m.get("refusal"), str) else None
            text = content_text(m.get("content"), f"{where}.content", counts,
                                allow_null=bool(calls) or refusal is not None)
            if text is None:
                text = refusal
            if not turns:
                raise ShapeError("non_alternating_roles", f"messages[{i}].role is assistant, expected user")
            if turns[-1].role == "user":
                turns.append(Turn("assistant"))
            elif not turns[-1].has_tools:  # two plain assistant messages in a row
                raise ShapeError("non_alternating_roles", f"messages[{i}].role is assistant, expected user")
            turns[-1].texts.append(text or "")
            turns[-1].tool_calls += calls
        elif role in TOOL_ROLES:
            if not turns or turns[-1].role != "assistant" or not turns[-1].tool_calls:
                raise ShapeError("non_alternating_roles",
                                 f"messages[{i}] is a {role} result without a tool call before it")
            turns[-1].tool_results.append({
                "tool_call_id": _opt_str(m.get("tool_call_id"), f"{where}.tool_call_id"),
                "name": _opt_str(m.get("name"), f"{where}.name"),
                "content": content_text(m.get("content"), f"{where}.content", counts, allow_null=True) or "",
            })
        elif isinstance(role, str):
            raise ShapeError("wrong_type", f"{where}.role: unsupported role (user, assistant, system, "
                                           "developer, tool or function)")
        else:
            raise ShapeError("wrong_type", f"{where}.role: expected a string")
    if not turns:
        raise ShapeError("empty_messages", "messages holds no user message")
    open_turn = turns.pop() if turns[-1].role == "assistant" and turns[-1].has_tools else None
    if turns[-1].role != "user":
        raise ShapeError("non_alternating_roles", "history does not end with a user message")
    reply = content_text(response, "response", counts)
    texts = [*(open_turn.texts if open_turn else ()), reply]
    tools = [(t.tool_calls, t.tool_results) for t in turns] if any(t.has_tools for t in turns) else None
    for t in turns:
        if not t.content.strip() and not t.has_tools:
            where = f"messages[{turns.index(t)}]"
            raise ShapeError("empty_content", f"{where}.content is empty")
    return ShapedCall(
        pairs=[(t.role, t.content) for t in turns],
        response=TURN_SEPARATOR.join(t for t in texts if t),
        system_prompt=TURN_SEPARATOR.join(system) if system else None,
        turn_tool_calls=open_turn.tool_calls if open_turn else [],
        turn_tool_results=open_turn.tool_results if open_turn else [],
        placeholders=counts,
        history_tools=tools,
    )
