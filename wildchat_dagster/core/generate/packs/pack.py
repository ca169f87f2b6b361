"""``LanguagePack``: what the generator needs to write a conversation in one language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguagePack:
    """Everything needed to write a conversation in one language.

    ``{topic}`` in requests/openers/body is replaced by one of ``topics``; ``{value}`` in
    PII cues by the planted value. ``length_factor`` scales character targets (CJK
    scripts say more per character); ``chars_per_token`` feeds the usage estimate.
    """

    code: str
    weight: float
    faker_locale: str
    accept_languages: tuple[str, ...]
    countries: tuple[tuple[str, int], ...]
    chars_per_token: float
    length_factor: float
    sep: str
    topics: tuple[str, ...]
    requests: tuple[str, ...]
    context: tuple[str, ...]
    followups: tuple[str, ...]
    shorts: tuple[str, ...]
    greeting_replies: tuple[str, ...]
    openers: tuple[str, ...]
    body: tuple[str, ...]
    closers: tuple[str, ...]
    code_requests: tuple[str, ...]
    code_paste: str
    code_intros: tuple[str, ...]
    code_notes: tuple[str, ...]
    paste_requests: tuple[str, ...]
    pii: Mapping[str, tuple[str, ...]]
    phone_formats: tuple[str, ...]
    salutation: str
    refusals: tuple[str, ...]
    biography: str | None = None
    insults: tuple[str, ...] = ()
    jailbreaks: tuple[str, ...] = ()


def make_pack(**fields) -> LanguagePack:
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    return LanguagePack(**fields)
