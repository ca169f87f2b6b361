"""Phone numbers in message text: candidates by regex, validated by python-phonenumbers.

python-phonenumbers validates a number; it is not used to scan text (its matcher runs one
scan per region and was half the scrub time on real text). A regex finds candidates: digits
with the separators people write (spaces, dots, dashes, slashes, brackets), an optional
leading ``+`` and an extension, nothing glued on. Then WildChat's rule decides where a number
counts (``PhoneRules.context``): a phone cue word near it ("phone", "call", "电话", "телефон" ...,
``PiiConfig.phone_cues``), *or* a leading ``+country code`` (WildChat's own rule takes these
without a cue), *or* a contact context: a label right before it (``T:``, ``M:``, ``Tel.``,
``☎``), a ``wa.me/`` / ``tel:`` link, or a signature block (the number alone on a short line
near an e-mail address or a sign-off such as "Best regards", "С уважением", "此致"; no letters
on its line: "Student ID: 012096094" next to an e-mail is not a signature).
Or the script around it names the country (Cyrillic, kana, Hangul, Arabic, Turkish or
Portuguese letters ...) and it is written in that country's national layout (the groups of
digits phonenumbers' own ``NATIONAL`` format gives: "0532 466 10 78", "090-1304-1194"; in
plain ASCII text "212-555-0143" still needs a cue: the country is unknown), or an e-mail
address stands next to it on its line ("call 020 0287 3738 or email ...").
Only candidates with such a context are validated: ``phonenumbers.parse`` + ``is_valid_number``, for a ``+``
number without a region, else in ``PiiConfig.phone_regions`` order (a region is tried only
where the digits fit its possible lengths and general pattern, from phonenumbers' own
metadata: a valid number always does).

Public numbers are kept (``keep_reason`` → ``public``): toll-free, shared-cost, premium-rate
and universal-access numbers (phonenumbers' number type: hotlines, company switchboards);
emergency and short service numbers (911, 112, 116 123) have fewer than 7 digits and are
never candidates.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType

MIN_DIGITS, MAX_DIGITS = 7, 15
# Premium-rate and universal-access ranges are not here: in one country they are businesses, in
# another the same digits are a mobile (GB 090 premium, JP 090 mobile; GB 030 UAN, DE 030 Berlin).
PUBLIC_TYPES = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST})
# ... and public where the country is certain (a "+" number, or the script around it names it:
# JP 0570 navi-dial, TR 444 numbers)
PUBLIC_TYPES_CERTAIN = PUBLIC_TYPES | {PhoneNumberType.UAN, PhoneNumberType.PREMIUM_RATE}
# The script (or letters) around a number say which country it is written for; those regions are
# tried first ("8 800 555-35-35" in Russian is a Russian toll-free number, "090-1234-5678" next
# to 携帯 a Japanese mobile). The first hint found in this order wins.
_SCRIPT_REGIONS = (
    (re.compile(r"[\u3040-\u30ff]"), ("JP",)),
    (re.compile(r"[\uac00-\ud7af]"), ("KR",)),
    (re.compile(r"[\u4e00-\u9fff]"), ("CN", "TW", "HK")),
    (re.compile(r"[\u0400-\u04ff]"), ("RU", "UA", "BY", "KZ")),
    (re.compile(r"[\u0600-\u06ff]"), ("SA", "AE", "EG", "MA")),
    (re.compile(r"[\u0590-\u05ff]"), ("IL",)),
    (re.compile(r"[\u0900-\u097f]"), ("IN",)),
    (re.compile(r"[ıİşŞğĞ]"), ("TR",)),
    (re.compile(r"[ãõçÃÕÇ]"), ("BR", "PT")),
    (re.compile(r"[ñÑ¿¡]"), ("ES", "MX", "AR", "CO")),
    (re.compile(r"[äöüßÄÖÜ]"), ("DE", "AT", "CH")),
    (re.compile(r"[éèêàùâîôœÉÈ]"), ("FR", "BE", "CH")),
)
_HINT_REACH = 120

# a candidate: optional "+", digits and single separators, an optional extension; not glued to a
# word, a longer number, a path, a version or an operator (ASCII classes: CJK text glues numbers
# to words, "电话13812345678")
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9_+\-./#@$%&^*=])"
    r"(?:\+[ \u00a0]?|\()?\d(?:[ \u00a0.\-/]?\(?\d\)?|\)[ \u00a0.\-]?\d){5,22}"
    r"(?:[ \u00a0]?(?:ext\.?|x|доб\.?|内线|#)[ \u00a0]?\d{1,5})?"
    r"(?![A-Za-z0-9_]|[.\-/]\d|\.\d)"
)
_EXTENSION = re.compile(r"[ \u00a0]?(?:ext\.?|x|доб\.?|内线|#)[ \u00a0]?\d{1,5}$")
_DATE = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))(?:[ T]\d{1,2})?"
)
# dates, IPv4 addresses, the US SSN layout: never how a phone number is written
_NOT_A_PHONE = re.compile(rf"{_DATE.pattern}|\d{{1,3}}(?:\.\d{{1,3}}){{3}}|\d{{3}}-\d{{2}}-\d{{4}}")


def _sample(candidate: str) -> bool:
    """A sample number: one or two digits repeated, or a run (123-456-7890, 987 654 321)."""
    digits = re.sub(r"\D", "", candidate)
    if len(set(digits)) <= 2:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


_SPLIT = re.compile(r"[ \u00a0]*/[ \u00a0]*|[ \u00a0]{2,}")
_PART = re.compile(r"[^/ \u00a0]+(?:[ \u00a0][^/ \u00a0]+)*")
# links that hold a number: WhatsApp click-to-chat (international digits without "+"), tel: URIs
_LINK_BEFORE = re.compile(r"(?:tel:|callto:|sms:)\s*$", re.IGNORECASE)
_WHATSAPP = re.compile(r"(?:wa\.me/|whatsapp\.com/send/?\?phone=)\+?(\d{8,15})(?!\d)", re.IGNORECASE)
# a contact label right before the number: "T: ", "M.", "Tel.", "Ph:", "☎", "📞" ("T" and friends
# need their colon or dot; the words are also phone cues, the letters are not)
_LABEL_BEFORE = re.compile(
    r"(?:^|[\s|,;(\[/•·])(?:[tmpcwhofнмт]\.?[ \t]?[:：]|[tm]\.|☎️?|📞|📱|✆|☏)[ \t]*$", re.IGNORECASE
)
# what ends a signature: sign-offs in the ten languages (and a few more), "--" lines, e-mail
_SIGN_OFF = re.compile(
    r"(?:regards|sincerely|cheers|best wishes|thanks|thank you|yours truly|sent from my"
    r"|с уважением|спасибо|всего доброго|cordialement|bien à vous|mit freundlichen grüßen|viele grüße"
    r"|beste grüße|atentamente|saludos|un saludo|atenciosamente|abraços|obrigad[oa]|saygılarımla"
    r"|iyi çalışmalar|此致|敬礼|谢谢|祝好|敬具|よろしくお願い|مع تحياتي|تحياتي|مع خالص|شكرا)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_WEB = re.compile(r"https?://|www\.|(?<![\w@])@[a-z0-9_]{3,}|\b(?:tg|ig|vk|insta|instagram|telegram)\b")
_PAIR_REACH = 40  # an e-mail address this close on the same line: a contact pair
_SIGNATURE_REACH = 250  # characters around the number's line searched for a sign-off or e-mail
_SIGNATURE_LINE = 60  # a signature line is short: the number alone (labels are cues or _LABEL_BEFORE)


@functools.lru_cache(maxsize=64)
def _region_shapes(region: str) -> tuple[re.Pattern | None, frozenset[int], re.Pattern]:
    """(national prefix for parsing, possible lengths, general pattern) of a region's numbers."""
    md = PhoneMetadata.metadata_for_region(region)
    prefix = md.national_prefix_for_parsing or md.national_prefix
    return (
        re.compile(prefix) if prefix else None,
        frozenset(md.general_desc.possible_length or ()),
        re.compile(md.general_desc.national_number_pattern or r"\d+"),
    )


def _fits(region: str, digits: str) -> bool:
    """Could ``digits`` (a national number as written) be a number of ``region``? Necessary for
    validity: the national significant number has a possible length and the general pattern."""
    prefix, lengths, general = _region_shapes(region)
    options = [digits]
    if prefix is not None:
        m = prefix.match(digits)
        if m and m.end():
            options.append(digits[m.end() :])
    return any(len(n) in lengths and general.fullmatch(n) for n in options)


@functools.lru_cache(maxsize=4096)
def valid_number(candidate: str, regions: tuple[str, ...]) -> phonenumbers.PhoneNumber | None:
    """The number ``candidate`` is, if python-phonenumbers calls it valid (a ``+``/``00`` number
    in its own country, else in the first of ``regions`` where it is valid)."""
    national = _EXTENSION.sub("", candidate)
    digits = re.sub(r"\D", "", national)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    stripped = candidate.lstrip()
    attempts: Sequence[str | None]
    if stripped.startswith("+"):
        attempts = [None]
    elif digits.startswith("00"):
        candidate, attempts = "+" + digits[2:], [None]
    else:
        attempts = [r for r in regions if _fits(r, digits)]
    for region in attempts:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def _written_as_national(candidate: str, number: phonenumbers.PhoneNumber) -> bool:
    """Is the candidate grouped exactly as its country writes phone numbers ("0532 466 10 78",
    "(617) 521-2943", "8 (931) 601-77-79", "090-1304-1194")? Separators may differ; the groups
    of digits must be the national format's: three or more, or two after a trunk "0" or a bracketed
    area code. Code, sums and IDs
    are seldom grouped like a phone number of a country where they are valid."""
    groups = re.findall(r"\d+", _EXTENSION.sub("", candidate))
    national = re.findall(r"\d+", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    if groups != national or len(groups) < 2:
        return False
    # two groups only with a trunk prefix or an area code in brackets ("0170 8671854", "(11) 98765-4321"):
    # "1600-1046" (years), "2345 6789" are not phones by their layout alone
    return len(groups) >= 3 or re.match(r"\s*(?:0|\(\d{1,5}\))", candidate) is not None


# regions in which core/placeholders.is_public_phone looks a number up (no text around it there)
RESIDUE_REGIONS = (
    *("US", "GB", "DE", "FR", "ES", "IT", "BR", "PT", "RU", "UA", "TR", "CN", "HK", "TW", "JP", "KR"),
    *("IN", "SA", "AE", "EG", "IL", "AU", "CA", "MX", "NL"),
)


def is_public_anywhere(candidate: str, regions: Sequence[str] = RESIDUE_REGIONS) -> bool:
    """Is ``candidate`` a toll-free or shared-cost number (its own country for a ``+``/``00``
    number, else in any of ``regions`` where it is valid)?"""
    digits = re.sub(r"\D", "", _EXTENSION.sub("", candidate))
    if candidate.lstrip().startswith(("+", "00")) or digits.startswith("00"):
        number = valid_number(candidate, ())
        return number is not None and phonenumbers.number_type(number) in PUBLIC_TYPES
    return any(
        (number := valid_number(candidate, (region,))) is not None
        and phonenumbers.number_type(number) in PUBLIC_TYPES
        for region in regions
        if _fits(region, digits)
    )


class PhoneRules:
    """Where a phone number counts, and which numbers are public (see the module docstring)."""

    def __init__(self, config):
        from .pii.cue_scan import _cue_regex, lower_same_length  # the scrubber's (pii/rules.py imports us)

        self._lower = lower_same_length
        self.cue_rule = config.phone_cue
        self.before, self.after = config.phone_cue_window
        self.cue = _cue_regex(config.phone_cues, config.phone_cues_unspaced)
        self.regions = tuple(config.phone_regions)

    def regions_at(self, text: str, start: int, end: int) -> tuple[str, ...]:
        """The configured regions, those the script around the number hints at first."""
        around = text[max(0, start - _HINT_REACH) : end + _HINT_REACH]
        if not around.isascii():
            for script, regions in _SCRIPT_REGIONS:
                if script.search(around):
                    return tuple(dict.fromkeys((*regions, *self.regions)))
        return self.regions

    def near_cue(self, lowered: str, start: int, end: int) -> bool:
        return bool(
            self.cue.search(lowered, max(0, start - self.before), start)
            or self.cue.search(lowered, end, end + self.after)
        )

    def context(self, text: str, lowered: str, start: int, end: int) -> str | None:
        """Why a number here counts ("cue", "international", "label", "link", "signature"), or None."""
        if self.near_cue(lowered, start, end):
            return "cue"
        head = text[max(0, start - 30) : start]
        if text.startswith("+", start):
            before = head.rstrip()  # not a sum: "3 +4412345678"
            if not before or not (before[-1].isdigit() or before[-1] in ")]}"):
                return "international"
        if _LINK_BEFORE.search(head):
            return "link"
        if _LABEL_BEFORE.search(head):
            return "label"
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if _EMAIL.search(text, max(line_start, start - _PAIR_REACH), start) or _EMAIL.search(
            text, end, min(line_end, end + _PAIR_REACH)
        ):
            return "contact"  # "020 0287 3738 or email kez@..."
        rest = text[line_start:start] + text[end:line_end]
        if line_end - line_start <= _SIGNATURE_LINE and not any(ch.isalpha() for ch in rest):
            around = lowered[max(0, line_start - _SIGNATURE_REACH) : line_end + _SIGNATURE_REACH]
            if _SIGN_OFF.search(around) or _EMAIL.search(around) or _WEB.search(around):
                return "signature"
        regions = self.regions_at(text, start, end)
        if regions is not self.regions:  # the script around names the country: its layout counts
            number = valid_number(text[start:end], regions)
            if number is not None and _written_as_national(text[start:end], number):
                return "format"
        return None

    def candidates(self, text: str) -> list[tuple[int, int]]:
        """Spans of valid phone numbers the rule could keep (with the cue rule off: all)."""
        lowered = None
        found = []
        for m in _WHATSAPP.finditer(text):
            if valid_number("+" + m.group(1), ()) is not None:
                found.append(m.span(1))
        for m in _CANDIDATE.finditer(text):
            pieces = [(m.start(), m.group())]
            if _SPLIT.search(m.group()):  # "030/1234567" is one number, "555-0100 / 555-0199" two
                pieces += [(m.start() + p.start(), p.group()) for p in _PART.finditer(m.group())]
            elif sum(ch.isdigit() for ch in m.group()) > MAX_DIGITS:  # numbers listed with one space
                pieces += [(m.start() + p.start(), p.group()) for p in re.finditer(r"\S+", m.group())]
            for offset, piece in pieces:
                end = offset + len(piece)
                digits = sum(ch.isdigit() for ch in _EXTENSION.sub("", piece))
                if not MIN_DIGITS <= digits <= MAX_DIGITS or _NOT_A_PHONE.fullmatch(piece) or _sample(piece):
                    continue
                if self.cue_rule:
                    lowered = self._lower(text) if lowered is None else lowered
                    if self.context(text, lowered, offset, end) is None:
                        continue
                if valid_number(piece, self.regions_at(text, offset, end)) is not None:
                    found.append((offset, end))
                    if offset == m.start() and end == m.end():
                        break  # the whole candidate is one number: its parts are not tried
        return found

    def keep_reason(self, text: str, lowered: str, start: int, end: int) -> str | None:
        """Why a found number is kept: "no_cue" (no cue, no contact context) or "public"."""
        if self.cue_rule and self.context(text, lowered, start, end) is None:
            return "no_cue"
        value = text[start:end]
        if _WHATSAPP.search(text, max(0, start - 40), end) and value.isdigit():
            value = "+" + value
        regions = self.regions_at(text, start, end)
        number = valid_number(value, regions)
        if number is not None:
            certain = value.lstrip().startswith("+") or regions is not self.regions
            if phonenumbers.number_type(number) in (PUBLIC_TYPES_CERTAIN if certain else PUBLIC_TYPES):
                return "public"
        return None


def phone_recognizer(config, language: str):
    """PHONE_NUMBER as a Presidio recognizer (score 0.4, Presidio's PhoneRecognizer's)."""
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    rules = PhoneRules(config)

    class PhoneCandidateRecognizer(LocalRecognizer):
        def __init__(self):
            super().__init__(supported_entities=["PHONE_NUMBER"], supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [
                RecognizerResult(
                    "PHONE_NUMBER",
                    start,
                    end,
                    0.4,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
                for start, end in rules.candidates(text)
            ]

    return PhoneCandidateRecognizer()
