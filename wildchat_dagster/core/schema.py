"""Arrow schemas of the tables that flow between stages.

The intermediate stages (conversations → scrubbed → geo_tagged → classified) are
*message-level*: one row per user or assistant message, ordered by
(conversation_id, message_index). Flat columns keep every stage vectorisable;
the release nests them back into WildChat-1M's per-conversation layout.
Each stage keeps its upstream columns and adds (or, for geo_tagged, removes) a few.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

# Tool activity of an assistant turn (core/message_shapes.py): the calls the model made and
# the results sent back. Arguments and results are text (JSON as the API logged it), scrubbed
# like message content from `scrubbed` on.
TOOL_CALL = pa.struct(
    [("id", pa.string()), ("type", pa.string()), ("name", pa.string()), ("arguments", pa.string())]
)
TOOL_RESULT = pa.struct([("tool_call_id", pa.string()), ("name", pa.string()), ("content", pa.string())])
TOOL_CALLS = pa.list_(TOOL_CALL)
TOOL_RESULTS = pa.list_(TOOL_RESULT)

# One turn of a call's history: user or assistant text (non-text parts as placeholders);
# the tool lists are null except on assistant turns that used tools.
MESSAGE = pa.struct(
    [("role", pa.string()), ("content", pa.string()), ("tool_calls", TOOL_CALLS),
     ("tool_results", TOOL_RESULTS)]
)

# raw_logs: one row per accepted chatbot API call (consent given, contract valid).
RAW_LOGS = pa.schema(
    [
        ("id", pa.int64()),
        ("timestamp", TIMESTAMP),
        ("model", pa.string()),
        ("ip", pa.string()),
        ("user_agent", pa.string()),
        ("accept_language", pa.string()),
        ("messages", pa.list_(MESSAGE)),
        # messages[-1].content and len(messages): linking reads these instead of the history,
        # which is quadratic in a conversation's length (conversations' window, core/linking.py).
        ("prompt", pa.string()),
        ("history_len", pa.int32()),
        # The call's assistant turn: text of an open tool turn at the end of the history, then
        # the model's reply (just the reply for a call without tools).
        ("response", pa.string()),
        ("system_prompt", pa.string()),  # system/developer messages joined; null if none
        ("turn_tool_calls", TOOL_CALLS),  # tool activity of the call's own assistant turn
        ("turn_tool_results", TOOL_RESULTS),
        ("openai_id", pa.string()),
        ("temperature", pa.float64()),
        ("top_p", pa.float64()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        # H(messages + [response]) and H(messages[:-1]): the linking keys (DESIGN §4).
        ("turn_hash", pa.string()),
        ("parent_hash", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)

# raw_logs_quarantine: every line that could not be accepted, with why. The raw line is
# kept (truncated) so an operator can repair and re-drop it; this is restricted data.
QUARANTINE = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("line_bytes", pa.int64()),
        ("line_sha256", pa.string()),
        ("line_head", pa.string()),
    ]
)

# conversations: message level. `ip` is raw here (restricted zone until geo_tagged).
CONVERSATIONS = pa.schema(
    [
        ("conversation_id", pa.string()),  # unique: hash of the API-call ids it is made of
        ("conversation_hash", pa.string()),  # WildChat's: 32 hex of SHA-256 of role/content list
        ("message_index", pa.int32()),  # 0-based position in the conversation
        ("turn", pa.int32()),  # 1-based turn (user prompt + its response)
        ("turn_count", pa.int32()),  # turns in the conversation
        ("role", pa.string()),
        ("content", pa.string()),
        ("timestamp", TIMESTAMP),
        ("turn_identifier", pa.int64()),  # raw log id of the call; null for recovered history
        ("model", pa.string()),
        ("ip", pa.string()),
        ("user_agent", pa.string()),
        ("accept_language", pa.string()),
        ("conversation_start", TIMESTAMP),  # first turn's time: decides the partition
        ("conversation_end", TIMESTAMP),  # last turn's time (WildChat's `timestamp`)
        ("copied_prefix", pa.bool_()),  # message copied into a branch from its parent conversation
        ("branch_of", pa.string()),  # conversation_id this one branched from (regenerate/edit)
        ("orphan", pa.bool_()),  # its first call's parent was never found: history recovered
        # Beside WildChat's text, never inside it: the system prompt of the call that produced
        # the message, and an assistant message's tool calls and results (null otherwise).
        ("system_prompt", pa.string()),
        ("tool_calls", TOOL_CALLS),
        ("tool_results", TOOL_RESULTS),
    ]
)


# Columns each later stage adds to its upstream's (the stage contracts; see each core module).
SCRUBBED_ADDS = pa.schema(
    [
        ("redacted", pa.bool_()),  # something was replaced in this message
        ("pii_types", pa.list_(pa.string())),  # entity types / secret kinds replaced (never values)
    ]
)
# geo_tagged drops `ip` and adds these; geo and IP fields are set on user messages only
# (as in WildChat-1M), null on assistant messages; conversation_* are most frequent values.
GEO_ADDS = pa.schema(
    [
        ("hashed_ip", pa.string()),
        ("country", pa.string()),
        ("state", pa.string()),
        ("conversation_hashed_ip", pa.string()),
        ("conversation_country", pa.string()),
        ("conversation_state", pa.string()),
    ]
)
GEO_REMOVES = ("ip",)


def stage_schema(upstream: pa.Schema, adds: pa.Schema, removes: tuple[str, ...] = ()) -> pa.Schema:
    fields = [f for f in upstream if f.name not in removes and f.name not in adds.names]
    return pa.schema(fields + list(adds))


SCRUBBED = stage_schema(CONVERSATIONS, SCRUBBED_ADDS)
GEO_TAGGED = stage_schema(SCRUBBED, GEO_ADDS, GEO_REMOVES)

# OpenAI moderation categories as WildChat-1M stores them (struct field names keep the '/').
MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "self-harm",
    "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)
OPENAI_MODERATION = pa.struct(
    [
        ("categories", pa.struct([(c, pa.bool_()) for c in MODERATION_CATEGORIES])),
        ("category_scores", pa.struct([(c, pa.float64()) for c in MODERATION_CATEGORIES])),
        ("flagged", pa.bool_()),
    ]
)
DETOXIFY_LABELS = (
    "identity_attack", "insult", "obscene", "severe_toxicity", "sexual_explicit", "threat", "toxicity",
)
DETOXIFY_MODERATION = pa.struct([(c, pa.float64()) for c in DETOXIFY_LABELS])

# classified adds per message: language (lid.176) and one result per enabled toxicity
# backend (null where a backend is disabled), plus the decisions derived from them.
CLASSIFIED_ADDS = pa.schema(
    [
        ("language_code", pa.string()),  # ISO 639 code from lid.176 ("en", "zh"), null if unknown
        ("language", pa.string()),  # WildChat's name ("English", "Chinese")
        ("language_confidence", pa.float64()),
        ("language_reliable", pa.bool_()),  # false for empty / very short text
        ("conversation_language_code", pa.string()),  # most frequent over the conversation's messages
        ("conversation_language", pa.string()),
        ("openai_moderation", OPENAI_MODERATION),
        ("detoxify_moderation", DETOXIFY_MODERATION),
        ("embedded_toxicity", pa.float64()),  # offline classifier's probability (alt-profanity-check)
        ("toxic", pa.bool_()),  # any enabled backend flags this message
        ("sexual_minors", pa.bool_()),  # any backend flags sexual/minors: removed from every split
        ("conversation_toxic", pa.bool_()),
        ("conversation_sexual_minors", pa.bool_()),
    ]
)
CLASSIFIED = stage_schema(GEO_TAGGED, CLASSIFIED_ADDS)

# release: one row per conversation, exactly WildChat-1M's features (allenai/WildChat-1M
# dataset card) in its order, then our extra columns. WildChat-1M's moderation structs carry
# each category twice, the API's '/' names and '_' aliases ("sexual/minors", "sexual_minors").
RELEASE_MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "harassment_threatening", "hate", "hate/threatening",
    "hate_threatening", "self-harm", "self-harm/instructions", "self-harm/intent", "self_harm",
    "self_harm_instructions", "self_harm_intent", "sexual", "sexual/minors", "sexual_minors",
    "violence", "violence/graphic", "violence_graphic",
)
RELEASE_OPENAI_MODERATION = pa.struct(
    [
        ("categories", pa.struct([(c, pa.bool_()) for c in RELEASE_MODERATION_CATEGORIES])),
        ("category_scores", pa.struct([(c, pa.float64()) for c in RELEASE_MODERATION_CATEGORIES])),
        ("flagged", pa.bool_()),
    ]
)
HEADER = pa.struct([("accept-language", pa.string()), ("user-agent", pa.string())])
RELEASE_MESSAGE = pa.struct(
    [
        ("content", pa.string()),
        ("country", pa.string()),  # country/hashed_ip/state/header: user messages only
        ("hashed_ip", pa.string()),
        ("header", HEADER),
        ("language", pa.string()),
        ("redacted", pa.bool_()),
        ("role", pa.string()),
        ("state", pa.string()),
        ("timestamp", TIMESTAMP),
        ("toxic", pa.bool_()),
        ("turn_identifier", pa.int64()),
    ]
)
RELEASE_WILDCHAT = pa.schema(
    [
        ("conversation_hash", pa.string()),
        ("model", pa.string()),
        ("timestamp", TIMESTAMP),  # the last turn's time
        ("conversation", pa.list_(RELEASE_MESSAGE)),
        ("turn", pa.int64()),
        ("language", pa.string()),
        ("openai_moderation", pa.list_(RELEASE_OPENAI_MODERATION)),  # one per message, [] if not run
        ("detoxify_moderation", pa.list_(DETOXIFY_MODERATION)),  # one per message, [] if not run
        ("toxic", pa.bool_()),
        ("redacted", pa.bool_()),
        ("state", pa.string()),
        ("country", pa.string()),
        ("hashed_ip", pa.string()),
        ("header", HEADER),
    ]
)
RELEASE_EXTRAS = pa.schema(
    [
        ("conversation_id", pa.string()),  # unique (conversation_hash is not)
        ("language_code", pa.string()),  # ISO 639 code of `language`
        ("branch_of", pa.string()),
        ("orphan", pa.bool_()),
        ("hashed_ips", pa.list_(pa.string())),  # distinct hashed IPs of the user messages
        ("toxicity_backends", pa.list_(pa.string())),  # backends that scored this conversation
        ("flagged_by", pa.list_(pa.string())),  # backends that flagged any of its messages
        ("embedded_toxicity", pa.list_(pa.float64())),  # offline classifier, one per message, [] if not run
        # One per message, [] when the conversation has none (docs/release.md): the system prompt
        # in force at each user message (null on assistant messages), each assistant message's
        # tool calls and tool results (scrubbed).
        ("system_prompts", pa.list_(pa.string())),
        ("tool_calls", pa.list_(TOOL_CALLS)),
        ("tool_results", pa.list_(TOOL_RESULTS)),
    ]
)
RELEASE = pa.schema(list(RELEASE_WILDCHAT) + list(RELEASE_EXTRAS))


# Schemas by asset name, so an absent partition can be read as an empty table.
ASSET_SCHEMAS: dict[str, pa.Schema] = {
    "raw_logs": RAW_LOGS,
    "raw_logs_quarantine": QUARANTINE,
    "conversations": CONVERSATIONS,
    "scrubbed": SCRUBBED,
    "geo_tagged": GEO_TAGGED,
    "classified": CLASSIFIED,
    "release": RELEASE,
}
