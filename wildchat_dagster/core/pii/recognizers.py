"""The Presidio recognizer table: pattern recognizers per entity, and the cued name and address
recognizers (patterns after "my name is", "I live at" ... in every script).
"""

from __future__ import annotations

import re

import regex

from ..pii_identifiers import ID_ENTITIES, SOCIAL_ENTITY, email_recognizer_class, identifier_recognizers
from ..pii_phones import phone_recognizer
from .cards import BROAD_CARD_PATTERN
from .config import NER_ENTITIES, PiiConfig
from .cue_scan import _cue_regex, lower_same_length
from .rules import Rules


def _pattern_recognizers(config: PiiConfig, language: str) -> list:
    from presidio_analyzer import Pattern
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        CryptoRecognizer,
        IbanRecognizer,
        IpRecognizer,
        MacAddressRecognizer,
        MedicalLicenseRecognizer,
        NhsRecognizer,
        UrlRecognizer,
        UsBankRecognizer,
        UsLicenseRecognizer,
        UsPassportRecognizer,
    )

    class CardNumberRecognizer(CreditCardRecognizer):
        """Presidio's card pattern plus any 12-19 digit card layout; a failed Luhn check keeps
        the weak score instead of dropping the match. The rules decide: Presidio's pattern
        with a valid Luhn, or any of them next to a card cue."""

        def __init__(self, **kwargs):
            patterns = [
                *CreditCardRecognizer.PATTERNS,
                Pattern("Card layout (cue needed)", BROAD_CARD_PATTERN, 0.3),
            ]
            super().__init__(patterns=patterns, **kwargs)

        def validate_result(self, pattern_text: str):
            return True if super().validate_result(pattern_text) else None

    # entity → recognizer class, built with supported_language
    classes = {
        "EMAIL_ADDRESS": email_recognizer_class(),  # core/pii_identifiers.py
        "PHONE_NUMBER": None,  # core/pii_phones.py
        "CREDIT_CARD": CardNumberRecognizer if config.card_cue_or_luhn else CreditCardRecognizer,
        "IP_ADDRESS": IpRecognizer,
        "IBAN_CODE": IbanRecognizer,
        "CRYPTO": CryptoRecognizer,
        "URL": UrlRecognizer,
        "MAC_ADDRESS": MacAddressRecognizer,
        "MEDICAL_LICENSE": MedicalLicenseRecognizer,
        "UK_NHS": NhsRecognizer,
        "US_BANK_NUMBER": UsBankRecognizer,
        "US_DRIVER_LICENSE": UsLicenseRecognizer,
        "US_PASSPORT": UsPassportRecognizer,
        "ADDRESS": None,  # CuedAddressRecognizer, below
        **{e: None for e in (*ID_ENTITIES, SOCIAL_ENTITY)},  # core/pii_identifiers.py
    }
    unknown = sorted(set(config.pattern_entities) - set(classes))
    if unknown:
        raise ValueError(
            f"no recognizer for entities {unknown}; known: {sorted(classes) + sorted(NER_ENTITIES)}"
        )
    recognizers = [
        classes[e](supported_language=language) for e in config.pattern_entities if classes[e] is not None
    ]
    recognizers += identifier_recognizers(config.pattern_entities, language)
    if "PHONE_NUMBER" in config.pattern_entities:
        recognizers.append(phone_recognizer(config, language))
    if "ADDRESS" in config.pattern_entities:
        recognizers.append(_cued_address_recognizer(config, language))
    if config.cued_names and "PERSON" in config.entities:
        recognizers.append(_cued_name_recognizer(config, language))
    return recognizers


# A name right after a name cue: up to 4 capitalised words (with "da", "van" ... between), or up
# to 3 words of a caseless script; right before an honorific suffix: 1-2 such words.
_CASED = r"[\p{Lu}\p{Lt}](?:[\p{L}\p{M}'’\-]+|\.|(?![\p{L}\p{M}]))"  # a word, or an initial "F."
_PARTICLE = r"(?:da|de|del|della|der|den|di|du|van|von|la|le|bin|ibn|al|el|dos|das|do|y|e|ter|ten)"
_CASELESS = r"\p{Lo}[\p{Lo}\p{M}]{0,11}"
_NAME_AFTER_CUE = regex.compile(
    rf"{_CASED}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CASED}){{0,3}}|{_CASELESS}(?:[ \t]{_CASELESS}){{0,2}}"
)
_NAME_BEFORE_SUFFIX = regex.compile(
    rf"(?:{_CASELESS}(?:[ \t]{_CASELESS})?|{_CASED}(?:[ \t]+{_CASED})?)[ \t]?$"
)
_NAME_SEP = re.compile(r"[ \t:,;!\-–—]*(?:\r?\n[ \t]*){0,2}")
_ADDRESS_SEP = re.compile(r"[ \t:,\-–—]*")
_ADDRESS_END = re.compile(r"[\n?!？！。]")
_ADDRESS_MAX = 200


def _result(recognizer, entity: str, start: int, end: int, score: float):
    from presidio_analyzer import RecognizerResult

    return RecognizerResult(
        entity,
        start,
        end,
        score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


def _cued_name_recognizer(config: PiiConfig, language: str):
    from presidio_analyzer import LocalRecognizer

    rules = Rules(config)

    class CuedNameRecognizer(LocalRecognizer):
        """PERSON: the name right after "my name is", "Dear", "Regards," "меня зовут", "我叫" ...
        or right before "様", "님께" (a pattern: it needs no NLP and reads every script)."""

        def __init__(self):
            super().__init__(supported_entities=["PERSON"], supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            lowered = lower_same_length(text)
            results = []
            for m in rules.name_cue.finditer(lowered):
                at = rules._after_honorific(text, lowered, _NAME_SEP.match(text, m.end()).end())
                name = _NAME_AFTER_CUE.match(text, at)
                if name:
                    results.append(_result(self, "PERSON", name.start(), name.end(), 0.6))
            if config.name_suffix_cues:
                for m in rules.name_suffix.finditer(lowered):
                    name = _NAME_BEFORE_SUFFIX.search(text, max(0, m.start() - 40), m.start())
                    if name and name.group().strip():
                        end = name.start() + len(name.group().rstrip())
                        results.append(_result(self, "PERSON", name.start(), end, 0.6))
            return results

    return CuedNameRecognizer()


def _cued_address_recognizer(config: PiiConfig, language: str):
    from presidio_analyzer import LocalRecognizer

    cue = _cue_regex(config.address_cues, config.address_cues_unspaced)

    class CuedAddressRecognizer(LocalRecognizer):
        """ADDRESS: what follows "I live at", "my address is", "我的地址是" ... to the end of the
        sentence line (addresses hold commas and dots, so the line is the safe unit)."""

        def __init__(self):
            super().__init__(supported_entities=["ADDRESS"], supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            results = []
            for m in cue.finditer(lower_same_length(text)):
                start = _ADDRESS_SEP.match(text, m.end()).end()
                if start >= len(text) or not text[start].isalnum():
                    continue  # "my address." / "my address?": no address follows
                stop = _ADDRESS_END.search(text, start, start + _ADDRESS_MAX)
                end = stop.start() if stop else min(len(text), start + _ADDRESS_MAX)
                while end > start and text[end - 1] in " \t.,;:":
                    end -= 1
                if end - start >= 5:
                    results.append(_result(self, "ADDRESS", start, end, 0.6))
            return results

    return CuedAddressRecognizer()
