"""PII and secret scrubbing of message text (DESIGN §5).

Presidio (AnalyzerEngine + AnonymizerEngine) with a spaCy NLP engine whose model is chosen
per language, plus detect-secrets for credentials (``core/secrets.py``). Replacements are
WildChat's ``<PRESIDIO_ANONYMIZED_{ENTITY}>`` and ``<SECRET_REDACTED_{KIND}>``.

One module one job: ``cues`` (cue words per language), ``config`` (constants, ``PiiConfig``),
``results`` (what scrubbing returns), ``gates`` (necessary characters), ``cue_scan`` (cue
regexes, the one-pass cue scan), ``cards`` (Luhn, issuer prefixes), ``rules`` (the precision
rules), ``recognizers`` (the Presidio recognizer table), ``engines`` (spaCy, the analyzer),
``scrubber`` (``PiiScrubber``, the worker pool), ``table`` (the scrubbed stage). This face
hands on the names the rest of the project uses.
"""

from .cards import luhn_ok
from .config import (
    DEFAULT_ENTITIES,
    DEFAULT_FREQUENCY_THRESHOLDS,
    DEFAULT_MODEL,
    DEFAULT_PHONE_REGIONS,
    PII_PLACEHOLDER,
    PRODUCTION_MODELS,
    SECRET_PLACEHOLDER,
    SECRET_PREFIX,
    PiiConfig,
)
from .cues import NAME_CUES, NAME_CUES_UNSPACED, PHONE_CUES
from .engines import load_spacy_model, use_offline_tldextract
from .results import Finding, ScrubResult, ScrubStats, TextAnalysis
from .rules import Rules, normalize_value
from .scrubber import PiiScrubber
from .table import scrub_table

__all__ = [
    "DEFAULT_ENTITIES",
    "DEFAULT_FREQUENCY_THRESHOLDS",
    "DEFAULT_MODEL",
    "DEFAULT_PHONE_REGIONS",
    "NAME_CUES",
    "NAME_CUES_UNSPACED",
    "PHONE_CUES",
    "PII_PLACEHOLDER",
    "PRODUCTION_MODELS",
    "SECRET_PLACEHOLDER",
    "SECRET_PREFIX",
    "Finding",
    "PiiConfig",
    "PiiScrubber",
    "Rules",
    "ScrubResult",
    "ScrubStats",
    "TextAnalysis",
    "load_spacy_model",
    "luhn_ok",
    "normalize_value",
    "scrub_table",
    "use_offline_tldextract",
]
