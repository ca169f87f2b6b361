"""bench/real_text.py: real WildChat text in the generator's drops, linking unchanged."""

import datetime as dt
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from real_text import WILDCHAT_SAMPLE, RealText, rewrite_drops, vary  # noqa: E402

from wildchat_dagster.core.generate import generate_drops  # noqa: E402
from wildchat_dagster.core.linking import link_conversations  # noqa: E402
from wildchat_dagster.core.logs import parse_drops  # noqa: E402
from wildchat_dagster.core.storage import Storage  # noqa: E402

pytestmark = pytest.mark.skipif(not WILDCHAT_SAMPLE.exists(), reason="needs ../shared/data/wildchat")
DAY = dt.date(2023, 6, 14)


def test_vary_keeps_characters_but_changes_text():
    text = "First sentence here. Second one, with 42 and 7.\ncode = call(123)\nlast line"
    out = vary(text, random.Random(3))
    assert len(out) == len(text)
    strip = str.maketrans("", "", "0123456789")
    assert Counter(out.translate(strip)) == Counter(text.translate(strip))
    assert sum(c.isdigit() for c in out) == sum(c.isdigit() for c in text)
    assert {vary(text, random.Random(s)) for s in range(20)} - {text}  # some seed changes it


def _parse_and_link(base: Path):
    parsed = parse_drops(Storage(str(base)), DAY)
    table, _ = link_conversations(parsed.accepted_table(), DAY)
    return parsed, table


def test_rewritten_drops_link_and_quarantine_as_generated(tmp_path):
    gen, real = tmp_path / "gen", tmp_path / "real"
    for base in (gen, real):
        generate_drops(base, DAY, 1, 120, seed=5)
    stats = rewrite_drops(real, workers=1)
    assert stats.rewritten_lines > 0 and stats.messages > stats.rewritten_lines
    p_gen, t_gen = _parse_and_link(gen)
    p_real, t_real = _parse_and_link(real)
    assert (p_real.lines, p_real.accepted_count, p_real.no_consent) == (
        p_gen.lines, p_gen.accepted_count, p_gen.no_consent)
    assert p_real.reasons == p_gen.reasons
    for col in ("conversation_id", "message_index", "role", "turn", "turn_identifier", "copied_prefix"):
        assert t_real[col].equals(t_gen[col]), col
    pools = RealText.load()
    gen_texts, real_texts = t_gen["content"].to_pylist(), t_real["content"].to_pylist()
    same = sum(g == r for g, r in zip(gen_texts, real_texts, strict=True))
    assert same <= len(gen_texts) // 50  # only a one-word prompt both happen to use ("continue")
    # every text is a variant of a real message of its role: same length as one of the pool's
    lengths = {"user": {len(t) for t in pools.user}, "assistant": {len(t) for t in pools.assistant}}
    for role, text in zip(t_real["role"].to_pylist(), real_texts, strict=True):
        assert len(text) in lengths[role]
    # the same generated text became the same real text everywhere (pure function)
    mapping = {}
    for g, r in zip(gen_texts, real_texts, strict=True):
        assert mapping.setdefault(g, r) == r


def test_long_numbers_keep_prefix_and_luhn_validity_and_emails_vary():
    from real_text import _luhn_ok

    card, stamp = "4111111111111111", "1684934400123"  # a Luhn-valid Visa test number; a timestamp
    assert _luhn_ok(card) and not _luhn_ok(stamp)
    text = f"my card {card}, created {stamp}, mail jane.roe@comcast.net"
    outs = {vary(text, random.Random(s)) for s in range(30)}
    for out in outs:
        new_card, new_stamp = out.split()[2].rstrip(","), out.split()[4].rstrip(",")
        assert new_card[:6] == card[:6] and _luhn_ok(new_card)
        assert new_stamp[:6] == stamp[:6] and not _luhn_ok(new_stamp)
        assert out.endswith("@comcast.net") and sorted(out.split()[-1]) == sorted("jane.roe@comcast.net")
    assert len({o.split()[-1] for o in outs}) > 10  # addresses differ from message to message
