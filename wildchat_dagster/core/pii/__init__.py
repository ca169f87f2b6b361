"""PII and secret scrubbing of message text (DESIGN §5).

Presidio (AnalyzerEngine + AnonymizerEngine) with a spaCy NLP engine whose model is chosen
per language, plus detect-secrets for credentials (``core/secrets.py``). Replacements are
WildChat's ``<PRESIDIO_ANONYMIZED_{ENTITY}>`` and ``<SECRET_REDACTED_{KIND}>``.

One module one job: ``cues`` (cue words per language), ``config`` (constants, ``PiiConfig``),
``results`` (what scrubbing returns), ``gates`` (necessary characters), ``cue_scan`` (cue
regexes, the one-pass cue scan), ``cards`` (Luhn, issuer prefixes), ``rules`` (the precision
rules), ``recognizers`` (the Presidio recognizer table), ``engines`` (spaCy, the analyzer),
``scrubber`` (``PiiScrubber``, the worker pool), ``table`` (the scrubbed stage). This face
hands on every public name of the former single module, so ``from .pii import X`` still works.
"""

from .cards import BROAD_CARD_PATTERN, card_iin_ok, luhn_ok
from .config import (
    DEFAULT_ENTITIES,
    DEFAULT_FREQUENCY_THRESHOLDS,
    DEFAULT_MODEL,
    DEFAULT_PHONE_REGIONS,
    NER_ENTITIES,
    NER_LABELS_TO_IGNORE,
    PATTERN_LANGUAGE,
    PII_PLACEHOLDER,
    PRODUCTION_MODELS,
    SECRET_PLACEHOLDER,
    SECRET_PREFIX,
    STRUCTURAL_ENTITIES,
    PiiConfig,
)
from .cue_scan import CueStarts, lower_same_length
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
from .engines import load_spacy_model, use_offline_tldextract
from .results import Finding, ScrubResult, ScrubStats, TextAnalysis
from .rules import NO_CUES, PersonCues, Rules, normalize_value
from .scrubber import PiiScrubber
from .table import scrub_table

__all__ = [
    "ADDRESS_CUES",
    "ADDRESS_CUES_UNSPACED",
    "BROAD_CARD_PATTERN",
    "CARD_CUES",
    "CARD_CUES_UNSPACED",
    "DEFAULT_ENTITIES",
    "DEFAULT_FREQUENCY_THRESHOLDS",
    "DEFAULT_MODEL",
    "DEFAULT_PHONE_REGIONS",
    "HONORIFICS",
    "NAME_CUES",
    "NAME_CUES_UNSPACED",
    "NAME_SUFFIX_CUES",
    "NER_ENTITIES",
    "NER_LABELS_TO_IGNORE",
    "NO_CUES",
    "PATTERN_LANGUAGE",
    "PERSON_CUES_STRONG",
    "PERSON_CUES_UNSPACED",
    "PERSON_CUES_WEAK",
    "PHONE_CUES",
    "PHONE_CUES_UNSPACED",
    "PII_PLACEHOLDER",
    "PRODUCTION_MODELS",
    "SECRET_PLACEHOLDER",
    "SECRET_PREFIX",
    "STRUCTURAL_ENTITIES",
    "CueStarts",
    "Finding",
    "PersonCues",
    "PiiConfig",
    "PiiScrubber",
    "Rules",
    "ScrubResult",
    "ScrubStats",
    "TextAnalysis",
    "card_iin_ok",
    "load_spacy_model",
    "lower_same_length",
    "luhn_ok",
    "normalize_value",
    "scrub_table",
    "use_offline_tldextract",
]
