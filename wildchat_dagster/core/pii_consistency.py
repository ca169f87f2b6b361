"""Conversation-consistent redaction: a value redacted in one message of a conversation is
redacted in all of its messages.

The assistant echoes what the user gave ("Dear Maeve, …", "I'll call you at 212-555-0143"),
and a later user turn repeats it without the cue that found it the first time. Per-text
analysis (``core/pii/``, cached per distinct text) cannot see that; this second, cheap pass
over a conversation's scrubbed messages replaces every reappearance of a redacted value with
the same placeholder:

* every redacted value, whole-word (e-mails case-insensitively; phone, card, SSN and IBAN
  numbers whatever their separators: "(212) 555-0143" is "212.555.0143");
* for a person's full name, also each of its words on its own ("Maeve Walsh" → "Maeve"),
  when the word is capitalised there, at least 3 letters long (2 in caseless scripts), not a
  word that is not a name ("Team", "Dear"), and never written in lower case anywhere in the
  conversation (a name that is also a common word, "Will", "Rose", "Hope", stays where it is
  a word: "I will" keeps it from spreading);
* names do not spread in fiction (a story, a role-play, a character sheet: core/pii_policy.py
  ``is_fiction`` on any message of the conversation): there a name after "Dear" is a
  character's, and spreading it would blank the story; the other values still spread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import regex

from .pii_names import NOT_NAME_WORDS

_NUMBER_ENTITIES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE"})
_CASE_INSENSITIVE = frozenset({"EMAIL_ADDRESS", "IBAN_CODE"})
_MIN_VALUE = 3  # shorter values ("Al", "5") are too likely to be something else elsewhere
_CASELESS = regex.compile(r"^[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}]+$")


def _value_pattern(entity: str, value: str) -> str | None:
    if entity in _NUMBER_ENTITIES:
        chars = [ch for ch in value if ch.isalnum()]
        if len(chars) < 6:
            return None
        body = r"[\s().\-/]*".join(regex.escape(ch) for ch in chars)
        return rf"(?<![\p{{L}}\p{{N}}])\+?{body}(?![\p{{L}}\p{{N}}])"
    value = " ".join(value.split())
    if len(value) < _MIN_VALUE and not (_CASELESS.match(value) and len(value) >= 2):
        return None
    body = r"\s+".join(regex.escape(part) for part in value.split(" "))
    if _CASELESS.match(value):  # no word boundaries in CJK text
        return body
    return rf"(?<![\p{{L}}\p{{N}}_@.\-]){body}(?![\p{{L}}\p{{N}}_]|@|\.[\p{{L}}\p{{N}}])"


def _name_words(name: str, lowered_words: set[str]) -> list[str]:
    """The words of a redacted full name that are safe to redact on their own."""
    words = name.split()
    if len(words) < 2:
        return []
    out = []
    for word in words:
        word = word.strip(".,")
        caseless = bool(_CASELESS.match(word))
        if caseless:
            continue  # "张伟" is one token; its characters alone are not names
        if len(word) < 3 or not word[0].isupper() or word.casefold() in NOT_NAME_WORDS:
            continue
        if word.casefold() in lowered_words:  # "Will", "Rose": also a word in this conversation
            continue
        out.append(word)
    return out


_WORD = regex.compile(r"[\p{Ll}][\p{L}\p{M}'’\-]*")


def propagate(
    originals: Sequence[str | None],
    texts: list[str | None],
    spans: Sequence[Sequence],
    groups: Sequence,
    placeholder: Callable[[str], str],
    keep_names: Callable[[str | None], bool] | None = None,
) -> tuple[list[int], Counter]:
    """Replace, in ``texts`` (the scrubbed messages, changed in place), every reappearance of a
    value redacted anywhere in the same group (``groups``: conversation id per message).
    ``spans[i]``: the replaced findings of message i (``entity``, ``start``, ``end`` in
    ``originals[i]``). ``keep_names(text)``: true for a message that makes its whole
    conversation one where names do not spread (fiction: a character named once after "Dear"
    would otherwise vanish from the whole story). Returns the rows changed and the
    replacements per (row, entity)."""
    by_group: dict = defaultdict(list)
    for i, group in enumerate(groups):
        if texts[i]:
            by_group[group].append(i)
    changed: list[int] = []
    counts: Counter = Counter()
    for rows in by_group.values():
        values: dict[str, str] = {}  # value → entity
        no_names = keep_names is not None and any(keep_names(originals[i]) for i in rows)
        for i in rows:
            for f in spans[i]:
                if no_names and f.entity == "PERSON":
                    continue
                value = originals[i][f.start : f.end]
                values.setdefault(value, f.entity)
        if not values:
            continue
        lowered_words: set[str] | None = None
        patterns: dict[str, str] = {}  # regex → entity; longest values first
        names = []
        for value, entity in sorted(values.items(), key=lambda kv: -len(kv[0])):
            pattern = _value_pattern(entity, value)
            if pattern:
                if entity in _CASE_INSENSITIVE:
                    pattern = f"(?i:{pattern})"
                patterns.setdefault(pattern, entity)
            if entity == "PERSON":
                names.append(value)
        if names:
            lowered_words = {w.group() for i in rows for w in _WORD.finditer(originals[i] or "")}
            lowered_words = {w.casefold() for w in lowered_words}
            for name in names:
                for word in _name_words(" ".join(name.split()), lowered_words):
                    pattern = _value_pattern("PERSON", word)
                    if pattern:
                        patterns.setdefault(pattern, "PERSON")
        if not patterns:
            continue
        order = list(patterns)
        combined = regex.compile("|".join(f"(?P<v{n}>{p})" for n, p in enumerate(order)))
        for i in rows:
            text = texts[i]
            found = Counter()

            def replace(m, found=found, patterns=patterns, order=order):
                entity = patterns[order[int(m.lastgroup[1:])]]
                found[entity] += 1
                return placeholder(entity)

            new = combined.sub(replace, text)
            if found:
                texts[i] = new
                changed.append(i)
                for entity, n in found.items():
                    counts[(i, entity)] += n
    return changed, counts
