"""Messages, conversations and the rows (API calls) they produce, serialized as contract JSON."""

from __future__ import annotations

import base64
import datetime as dt
import random
import time
from json.encoder import encode_basestring

from .jailbreaks import JailbreakFamily
from .packs import LanguagePack
from .settings import SECONDS_PER_DAY, UNIX_EPOCH
from .stats import DayStats
from .users import User


class Message:
    """One chat message with its JSON fragment cached: histories repeat on every row."""

    __slots__ = ("content", "content_json", "fragment", "role", "tokens")

    def __init__(self, role: str, content: str, chars_per_token: float):
        self.role = role
        self.content = content
        self.content_json = encode_basestring(content)  # == json.dumps(content, ensure_ascii=False)
        self.fragment = f'{{"role":"{role}","content":{self.content_json}}}'
        self.tokens = max(1, round(len(content) / chars_per_token))


class Conversation:
    """A conversation's settings, its rows, and what the ground truth says about it."""

    def __init__(self, index: int, start: float, day_stats: DayStats, pack: LanguagePack, user: User):
        self.index = index
        self.start = start
        self.day_stats = day_stats
        self.pack = pack
        self.user = user
        self.model = ""
        self.temperature = 0.7
        self.top_p = 1.0
        self.consent = True
        self.canned_with: int | None = None
        self.toxic: str | None = None
        self.jailbreak: JailbreakFamily | None = None  # a planted jailbreak family (toxic == "jailbreak")
        self.jailbroken = False  # its first reply is the jailbroken (toxic) one
        self.persona = ""
        self.has_pii = False
        self.rows: list[PendingRow] = []
        self.pending = 0
        self.headers_json = user.headers_json

    def record(self) -> dict:
        """The ground-truth line for conversations.jsonl, once every row is written."""
        written = [row for row in self.rows if row.row_id is not None]
        days = {int(row.time // SECONDS_PER_DAY) for row in written}
        return {
            "conversation": self.index,
            "first_day": self.day_stats.day.isoformat(),
            "language": self.pack.code,
            "model": self.model,
            "consent": self.consent,
            "ip": self.user.ip,
            "user_agent": self.user.user_agent,
            "accept_language": self.user.accept_language,
            "turns": len({row.turn for row in written}),
            "rows": [[row.row_id, row.turn, row.kind] for row in written],
            "crosses_midnight": len(days) > 1,
            "canned_with": self.canned_with,
            "toxic": self.toxic,
            "jailbreak_family": self.jailbreak.name if self.jailbreak else None,
            "jailbroken": self.jailbroken,
            "pii": self.has_pii,
            "truncated": len(written) < len(self.rows),
        }


class PendingRow:
    """One API call waiting in the time-ordered heap; gets its id when written."""

    __slots__ = (
        "conversation",
        "ip",
        "kind",
        "messages",
        "openai_id",
        "planted",
        "response",
        "row_id",
        "time",
        "turn",
    )

    def __init__(self, time_s, conversation, messages, response, ip, turn, kind, planted, openai_id):
        self.time: float = time_s
        self.conversation: Conversation = conversation
        self.messages: list[Message] = messages
        self.response: Message = response
        self.ip: str = ip
        self.turn: int = turn
        self.kind: str = kind  # "turn", "regeneration" or "edit"
        self.planted: list[tuple[str, str, str]] = planted  # (message, kind, value)
        self.openai_id: str = openai_id
        self.row_id: int | None = None

    def json_line(self, row_id: int) -> str:
        """The contract's JSON object, assembled from cached fragments (the hot path)."""
        conv = self.conversation
        prompt_tokens = sum([m.tokens for m in self.messages]) + 4 * len(self.messages) + 3
        return "".join(
            (
                '{"id":',
                str(row_id),
                ',"timestamp":"',
                _iso_utc(self.time),
                '","model":"',
                conv.model,
                '","ip":"',
                self.ip,
                '","consent":',
                "true" if conv.consent else "false",
                ',"headers":',
                conv.headers_json,
                ',"messages":[',
                ",".join(m.fragment for m in self.messages),
                '],"response":',
                self.response.content_json,
                ',"openai_id":"',
                self.openai_id,
                '","temperature":',
                repr(conv.temperature),
                ',"top_p":',
                repr(conv.top_p),
                ',"usage":{"prompt_tokens":',
                str(prompt_tokens),
                ',"completion_tokens":',
                str(self.response.tokens),
                "}}",
            )
        )


def alnum_token(rng: random.Random, length: int) -> str:
    """Random letters and digits (base64 with its two symbols mapped to letters; fast)."""
    raw = base64.b64encode(rng.randbytes(length * 3 // 4 + 3)).decode("ascii")
    return raw.translate(_B64_TO_ALNUM)[:length]


_B64_TO_ALNUM = str.maketrans("+/=", "xQz")


def _iso_utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def epoch_seconds(day: dt.date) -> int:
    return (day - UNIX_EPOCH).days * SECONDS_PER_DAY
