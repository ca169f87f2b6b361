"""WildChat's precision rules, all configurable (``PiiConfig``):

* PERSON only right after a context cue ("my name is", "I am", "dear", "regards",
  "sincerely", ... in 14 languages; "weak" cues such as "I am" or "hi" need a capitalised
  word after them; honorific suffixes such as "様" count for the name before them). The words
  right after a name cue are a PERSON even when NER misses them (``CuedNameRecognizer``).
* PHONE_NUMBER only with a cue word ("phone", "call", "mobile", "tel", ...) near it, or in a
  contact context (``+``country code, a label, a signature ...: core/pii_phones.py); toll-free
  and shared-cost hotlines are kept.
* National identifiers, passports and social profile URLs: core/pii_identifiers.py.
* CREDIT_CARD with a card cue near it, or else a valid Luhn check on a card network's layout.
* Placeholder e-mails (``@example.com``, ``test@``, ``info@``, ...) are kept; so are IP
  addresses that are not globally routable (private, loopback, documentation ranges).
* ADDRESS only after "I live at", "my address is", ... (the rest of that line).
* An entity string detected for many distinct users in the partition (celebrities,
  boilerplate, public service numbers) is kept: threshold per type.

``normalize_value`` is the form under which the frequency rule counts a value.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from dataclasses import dataclass

from ..pii_identifiers import ID_ENTITIES
from ..pii_names import not_a_person
from ..pii_phones import PhoneRules
from ..placeholders import (
    is_placeholder_email,
)
from .cards import _PRESIDIO_CARD, _latin_letter, card_iin_ok, luhn_ok
from .config import PiiConfig
from .cue_scan import CueStarts, _alternation, _cue_regex, _finditer_at, lower_same_length


def _starts_name(ch: str) -> bool:
    """A name can start here: an upper/title-case letter, or a letter of a caseless script (CJK ...)."""
    return ch.isupper() or ch.istitle() or (ch.isalpha() and not ch.islower())


@dataclass(frozen=True)
class PersonCues:
    anchors: list[int]  # sorted ends of cues: a name may start here
    suffixes: list[int]  # sorted starts of honorific suffixes: a name may end here

    def __bool__(self) -> bool:
        return bool(self.anchors or self.suffixes)

    def positions(self) -> list[int]:
        return sorted(self.anchors + self.suffixes)


NO_CUES = PersonCues([], [])
_STRONG_SEP = re.compile(r"[\s,:;.!\-–—]*")  # after a strong cue: "Regards,\n\nJohn", "Name: John"
_WEAK_SEP = re.compile(r"[ \t,:]*")  # after a weak cue, same line and sentence: "Hi John"


class Rules:
    """WildChat's per-text precision rules over analyzer results (no Presidio, no NLP here).

    Cue fragments are regular expressions matched on the lower-cased text (Python ``re``:
    one alternation, fast); whether the word after a weak cue is capitalised is checked on
    the original text."""

    def __init__(self, config: PiiConfig):
        self.config = config
        strong = (*config.name_cues, *config.person_cues_strong)
        unspaced = (*config.name_cues_unspaced, *config.person_cues_unspaced)
        parts = []
        if strong or config.person_cues_weak:
            alts = []
            if strong:
                alts.append(f"(?P<strong>{_alternation(strong)})")
            if config.person_cues_weak:
                alts.append(f"(?P<weak>{_alternation(config.person_cues_weak)})")
            parts.append(rf"(?<!\w)(?:{'|'.join(alts)})(?!\w)")
        if unspaced:
            parts.append(f"(?P<unspaced>{_alternation(unspaced)})")
        self.person_cue = re.compile("|".join(parts) or r"(?!)")
        self.name_cue = _cue_regex(config.name_cues, config.name_cues_unspaced)
        self.name_suffix = re.compile(_alternation(config.name_suffix_cues) or r"(?!)")
        self.address_cue = _cue_regex(config.address_cues, config.address_cues_unspaced)
        self.honorific = re.compile(rf"(?:{_alternation(config.honorifics)})(?:\.[ \t]*|[ \t]+)(?=\S)")
        self.phone_cue = _cue_regex(config.phone_cues, config.phone_cues_unspaced)
        self.phones = PhoneRules(config)  # cue or contact context; public numbers (core/pii_phones.py)
        self.card_cue = _cue_regex(config.card_cues, config.card_cues_unspaced)
        self.email_domains = frozenset(d.lower() for d in config.placeholder_email_domains)
        self.email_tlds = frozenset(t.lower() for t in config.placeholder_email_tlds)
        self.email_locals = frozenset(v.lower() for v in config.placeholder_email_locals)
        # one pass finds where any of person_cue, name_cue, address_cue, phone_cue can match
        all_spaced = (*strong, *config.person_cues_weak, *config.address_cues, *config.phone_cues)
        all_unspaced = (*unspaced, *config.address_cues_unspaced, *config.phone_cues_unspaced)
        self._cue_starts: CueStarts | None = None
        if CueStarts.possible(all_spaced + all_unspaced):
            try:
                self._cue_starts = CueStarts(all_spaced, all_unspaced)
            except re.error:  # fragments that compile apart but not together (a group name twice)
                pass

    def cue_starts(self, lowered: str) -> list[int] | None:
        """Sorted positions where a PERSON, name, address or phone cue may start (more than
        match, never fewer), or None where the cues cannot be scanned together."""
        return None if self._cue_starts is None else self._cue_starts(lowered)

    # gates: a text without a cue cannot keep a cue-gated entity, so its analysis is skipped
    def person_cues(
        self, text: str, lowered: str | None = None, starts: list[int] | None = None
    ) -> PersonCues:
        """Where a name may start (after a cue) or end (before an honorific suffix). ``starts``:
        ``cue_starts(lowered)`` where already known."""
        lowered = lower_same_length(text) if lowered is None else lowered
        suffixes = (
            [m.start() for m in self.name_suffix.finditer(lowered)] if self.config.name_suffix_cues else []
        )
        return PersonCues(self.person_anchors(text, lowered, starts), suffixes)

    def person_anchors(
        self, text: str, lowered: str | None = None, starts: list[int] | None = None
    ) -> list[int]:
        """Sorted end offsets of PERSON cues: where a name may start."""
        lowered = lower_same_length(text) if lowered is None else lowered
        if starts is None:
            starts = self.cue_starts(lowered)
        matches = (
            self.person_cue.finditer(lowered)
            if starts is None
            else _finditer_at(self.person_cue, lowered, starts)
        )
        anchors = []
        for m in matches:
            if "weak" in self.person_cue.groupindex and m.group("weak") is not None:
                end = _WEAK_SEP.match(text, m.end()).end()
                end = self._after_honorific(text, lowered, end)
                if end < len(text) and _starts_name(text[end]):
                    anchors.append(end)
            else:
                end = _STRONG_SEP.match(text, m.end()).end()
                anchors.append(self._after_honorific(text, lowered, end))
        return anchors

    def _after_honorific(self, text: str, lowered: str, at: int) -> int:
        m = self.honorific.match(lowered, at)
        return m.end() if m else at

    def _near(self, cue: re.Pattern, lowered: str, start: int, end: int, window: tuple[int, int]) -> bool:
        before, after = window
        return bool(
            cue.search(lowered, max(0, start - before), start) or cue.search(lowered, end, end + after)
        )

    def is_placeholder_email(self, value: str) -> bool:
        """The shared rule (core/placeholders.py, also the residue check's) on this config's lists."""
        return is_placeholder_email(value, self.email_domains, self.email_tlds, self.email_locals)

    def keep_reason(
        self, entity: str, text: str, lowered: str, start: int, end: int, cues: PersonCues
    ) -> str | None:
        """Why a detection is kept (not redacted), or None to redact it."""
        config = self.config
        value = text[start:end]
        if entity == "PERSON" and config.structured_names and (reason := not_a_person(value)):
            return reason  # "John Doe", "张三": sample names; "Dear Hiring Manager": no name
        if entity == "PERSON" and config.person_cue:
            # a cue ends at most `gap` characters before the name starts (and the name runs past
            # it), or an honorific suffix starts at most `gap` characters after the name ends
            gap = config.person_cue_gap
            i = bisect.bisect_left(cues.anchors, start - gap)
            j = bisect.bisect_left(cues.suffixes, end)
            if not (
                (i < len(cues.anchors) and cues.anchors[i] < end)
                or (j < len(cues.suffixes) and cues.suffixes[j] <= end + gap)
            ):
                return "no_cue"
        elif entity == "PHONE_NUMBER":
            return self.phones.keep_reason(text, lowered, start, end)
        elif entity == "CREDIT_CARD" and config.card_cue_or_luhn:
            if not self._near(self.card_cue, lowered, start, end, config.card_cue_window):
                digits = "".join(ch for ch in value if ch.isdigit())
                presidio = _PRESIDIO_CARD.match(text, start)  # in context: \b sees the neighbours
                glued = _latin_letter(text, start - 1) or _latin_letter(text, end)  # "U6292...": an ID
                card_like = (card_iin_ok(digits) and not glued) or (
                    presidio is not None and presidio.end() == end
                )
                if not (card_like and luhn_ok(digits)):
                    return "no_cue_not_luhn"
        elif entity == "EMAIL_ADDRESS" and config.keep_placeholder_emails:
            if self.is_placeholder_email(value):
                return "placeholder"
        elif entity == "IP_ADDRESS" and config.keep_non_global_ips:
            try:
                ip = ipaddress.ip_address(value.split("/")[0].strip("[]"))
            except ValueError:
                return None
            if not ip.is_global:
                return "not_global"
        return None


def normalize_value(entity: str, value: str) -> str:
    """The form under which the frequency rule counts an entity string."""
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE") or entity in ID_ENTITIES:
        return "".join(ch for ch in value if ch.isalnum()).lower()
    return " ".join(value.casefold().split())
