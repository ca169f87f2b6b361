"""Payment cards: the Luhn check, the card networks' issuer prefixes and lengths, and the card
layouts accepted next to a card cue.
"""

from __future__ import annotations

import re


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Presidio's card regex (the no-cue path: with a valid Luhn check, as Presidio decides) and
# the card layouts accepted next to a card cue: 12-19 digits, plain or in groups of 4 (Amex
# 4-6-5), delimited by non-digits (not \b: "卡号是4111..." has no word boundary).
_PRESIDIO_CARD_REGEX = (
    r"\b(?!1\d{12}(?!\d))((4\d{3})|(5[0-5]\d{2})|(6\d{3})|(1\d{3})|(3\d{3}))"  # as CreditCardRecognizer
    r"[- ]?(\d{3,4})[- ]?(\d{3,4})[- ]?(\d{3,5})\b"
)
_PRESIDIO_CARD = re.compile(_PRESIDIO_CARD_REGEX)
# Issuer prefixes and lengths of the card networks (a Luhn-valid number without a cue must fit one).
_CARD_IINS: tuple[tuple[tuple[int, int], tuple[int, ...]], ...] = (
    ((4, 4), (13, 16, 19)),  # Visa
    ((51, 55), (16,)),
    ((2221, 2720), (16,)),  # Mastercard
    ((34, 34), (15,)),
    ((37, 37), (15,)),  # Amex
    ((6011, 6011), (16, 17, 18, 19)),
    ((644, 649), (16, 17, 18, 19)),
    ((65, 65), (16, 17, 18, 19)),  # Discover
    ((62, 62), (16, 17, 18, 19)),  # UnionPay
    ((3528, 3589), (16, 17, 18, 19)),
    ((2131, 2131), (15,)),
    ((1800, 1800), (15,)),  # JCB
    ((300, 305), (14, 15, 16, 17, 18, 19)),
    ((309, 309), (14, 15, 16, 17, 18, 19)),
    ((36, 36), (14, 15, 16, 17, 18, 19)),
    ((38, 39), (16, 17, 18, 19)),  # Diners
    ((50, 50), (13, 14, 15, 16, 17, 18, 19)),
    ((56, 69), (13, 14, 15, 16, 17, 18, 19)),  # Maestro
)


def _latin_letter(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()


def card_iin_ok(digits: str) -> bool:
    """Does ``digits`` have a card network's issuer prefix and length."""
    for (low, high), lengths in _CARD_IINS:
        width = len(str(low))
        if len(digits) in lengths and digits[:width].isdigit() and low <= int(digits[:width]) <= high:
            return True
    return False


BROAD_CARD_PATTERN = (
    r"(?<!\d)(?:\d{12,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?!\d)"
)
