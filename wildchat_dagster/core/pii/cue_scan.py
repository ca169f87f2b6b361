"""Cue regexes and the one-pass scan (``CueStarts``) that finds where any cue may start, so each
cue regex runs only there; ``lower_same_length`` keeps offsets of the lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def _alternation(cues: Iterable[str]) -> str:
    return "|".join(f"(?:{c})" for c in cues)


def _cue_regex(spaced: Sequence[str], unspaced: Sequence[str]) -> re.Pattern:
    """Cue words on word boundaries (``unspaced`` ones anywhere), matched on lower-cased text."""
    parts = []
    if spaced:
        parts.append(rf"(?<!\w)(?:{_alternation(spaced)})(?!\w)")
    if unspaced:
        parts.append(f"(?:{_alternation(unspaced)})")
    return re.compile("|".join(parts) or r"(?!)")


_REGEX_SPECIAL = frozenset("\\.^$*+?{}[]|()")
# Fragments the cue scan cannot combine: group references and conditionals (group numbers
# change in a combined regex), comments (may hold unbalanced parentheses).
_NOT_COMBINABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?#")


def _split_first_char(fragment: str) -> tuple[str, str] | None:
    """``(c, rest)`` such that ``c(?:rest)`` is the regex ``fragment``: ``c`` a plain character
    that no quantifier follows and no ``|`` outside brackets and groups; else None."""
    if not fragment or fragment[0] in _REGEX_SPECIAL or fragment[1:2] in ("*", "+", "?", "{"):
        return None
    depth, i, in_class = 0, 1, False
    while i < len(fragment):
        ch = fragment[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 1
            i += fragment[i : i + 1] == "^"
            i += fragment[i : i + 1] == "]"  # a "]" first in a set is a member
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None
        i += 1
    return fragment[0], fragment[1:]


class CueStarts:
    """Every position where a cue regex built from these fragments (by ``_cue_regex``, or the
    PERSON cue regex: spaced fragments on word boundaries, unspaced ones anywhere) can match,
    in one pass over the lower-cased text instead of one pass per regex. It may return more
    positions than match, never fewer: callers run a regex's own ``match`` at these positions
    (``_finditer_at``), which gives exactly its ``finditer``/``search`` result.

    Speed: re tries the branches of an alternation one after the other at every position. The
    pass visits only the characters after a non-word character (re skips the others in C),
    and the spaced fragments are grouped by their first character."""

    def __init__(self, spaced: Sequence[str], unspaced: Sequence[str]):
        groups: dict[str, list[str]] = {}
        other: list[str] = []
        for fragment in dict.fromkeys(spaced):
            split = _split_first_char(fragment)
            if split is None:
                other.append(fragment)
            else:
                groups.setdefault(split[0], []).append(split[1])
        branches = [f"{re.escape(c)}(?:{_alternation(rests)})" for c, rests in groups.items()]
        branches += [f"(?:{f})" for f in other]
        spaced_cue = f"(?:{'|'.join(branches)})(?!\\w)"
        # "\W" consumes the character before the cue: (?<!\w) is true there
        self._after_nonword = re.compile(rf"\W(?={spaced_cue})") if branches else None
        self._at_start = re.compile(spaced_cue) if branches else None
        self._unspaced = re.compile(_alternation(dict.fromkeys(unspaced))) if unspaced else None

    @staticmethod
    def possible(fragments: Iterable[str]) -> bool:
        return not any(_NOT_COMBINABLE.search(f) for f in fragments)

    def __call__(self, lowered: str) -> list[int]:
        starts: list[int] = []
        if self._after_nonword is not None:
            if self._at_start.match(lowered):
                starts.append(0)
            starts.extend(m.end() for m in self._after_nonword.finditer(lowered))
        if self._unspaced is not None:
            found = []
            for m in self._unspaced.finditer(lowered):
                found.append(m.start())
                # finditer does not try the positions inside a match: another cue may start there
                found.extend(at for at in range(m.start() + 1, m.end()) if self._unspaced.match(lowered, at))
            if found:
                starts = sorted(set(starts).union(found))
        return starts


def _finditer_at(pattern: re.Pattern, text: str, starts: Sequence[int]) -> list[re.Match]:
    """``list(pattern.finditer(text))``, given every position where ``pattern`` can match
    among ``starts`` (sorted): ``match`` there, skipping the positions a match covers."""
    found = []
    pos = 0
    for at in starts:
        if at < pos:
            continue
        m = pattern.match(text, at)
        if m is not None:
            if m.end() == at:  # finditer has its own rules after an empty match: let it apply them
                return list(pattern.finditer(text))
            found.append(m)
            pos = m.end()
    return found


def _search_at(pattern: re.Pattern, text: str, starts: Sequence[int] | None) -> bool:
    """``pattern.search(text)`` matches, given its possible starts (None: not known)."""
    if starts is None:
        return pattern.search(text) is not None
    return any(pattern.match(text, at) for at in starts)


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping offsets: the few characters whose lower case is longer stay as they are."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
