"""Character gates: a pattern recognizer runs only on a text holding its necessary characters
(no digit: no phone, card or ID analysis; no ``@``: no e-mail).
"""

from __future__ import annotations

import re

from ..pii_identifiers import ID_ENTITIES, SOCIAL_ENTITY

# Necessary characters of each pattern entity: a text without them cannot hold one, so the
# recognizer is not run on it (an entity without an entry always runs). "@": an at sign;
# "digit": a decimal digit (regex ``\d``); "ip": a digit, "::" or hex:hex (IPv6).
_NEEDS = {
    "EMAIL_ADDRESS": "@",
    "PHONE_NUMBER": "digit",
    "CREDIT_CARD": "digit",
    "IBAN_CODE": "digit",
    "US_SSN": "digit",
    "IP_ADDRESS": "ip",
    **{e: "digit" for e in ID_ENTITIES},
    SOCIAL_ENTITY: "/",
}
_ASCII_DIGITS = "0123456789"
_ANY_DIGIT = re.compile(r"\d")
# ``::|[0-9A-Fa-f]:[0-9A-Fa-f]`` led by the colon, so that re finds candidates by literal search
_IPV6_COLON = re.compile(r":(?::|(?<=[0-9A-Fa-f]:)[0-9A-Fa-f])")
# Every pattern of Presidio's IpRecognizer holds a ":" (IPv6 forms) or a dotted quad's
# digit-dot-digit: without either it finds nothing, so it is not run (its slow IPv6 regex);
# the text still counts as analysed, as before.
_IPV4_DOT = re.compile(r"\.(?<=[0-9]\.)[0-9]")


def _has_digit(text: str) -> bool:
    """``re.search(r"\\d", text)``, faster: a memchr per ASCII digit; the regex only where other
    scripts' digits could be."""
    for digit in _ASCII_DIGITS:
        if digit in text:
            return True
    return not text.isascii() and _ANY_DIGIT.search(text) is not None


def _held_needs(text: str) -> dict[str, bool]:
    """Which of the ``_NEEDS`` kinds ``text`` holds (the same answer as one regex per entity)."""
    digit = _has_digit(text)
    return {
        "@": "@" in text,
        "digit": digit,
        "ip": digit or _IPV6_COLON.search(text) is not None,
        "/": "/" in text,
    }
