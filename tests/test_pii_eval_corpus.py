"""The realistic PII evaluation corpus (tests/data/pii_eval): well formed, values valid, and the
default scrubber's recall and precision on it held at measured floors (core/pii_eval.py)."""

import ipaddress
import json
import re
from collections import Counter

import phonenumbers
import pytest
from stdnum import iban, luhn
from stdnum.br import cnpj, cpf
from stdnum.cn import ric
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.in_ import aadhaar, pan
from stdnum.jp import in_ as jp_in
from stdnum.ru import inn
from stdnum.tr import tckimlik
from stdnum.us import itin, ssn

from wildchat_dagster.core.pii import PiiConfig, PiiScrubber
from wildchat_dagster.core.pii_eval import (
    BENIGN_KINDS,
    CATEGORIES,
    CORPUS_DIR,
    CORPUS_LANGUAGES,
    WHO_CATEGORIES,
    evaluate_corpus,
    load_corpus,
    score_corpus,
    survives,
)


def _gb_nino(v: str) -> bool:
    # HMRC's format: two prefix letters (not D, F, I, Q, U, V; second not O; some pairs never
    # issued), six digits, suffix A-D.
    v = v.replace(" ", "").upper()
    m = re.fullmatch(r"([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])\d{6}[A-D]", v)
    return bool(m) and v[:2] not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def _ru_snils(v: str) -> bool:
    # Pension Fund of Russia's control number: weights 9..1 on the first nine digits, mod 101.
    d = re.sub(r"\D", "", v)
    if len(d) != 11:
        return False
    s = sum(int(c) * (9 - i) for i, c in enumerate(d[:9])) % 101
    return d[9:] == ("00" if s in (100, 101) else f"{s % 100:02d}")


def _luhn_digits(v: str, length: int, prefix: str = "") -> bool:
    d = re.sub(r"\D", "", v)
    return len(d) == length and d.startswith(prefix) and luhn.is_valid(d)


ID_VALIDATORS = {
    "us.ssn": ssn.is_valid,
    "us.itin": itin.is_valid,
    "gb.nino": _gb_nino,
    "cn.ric": ric.is_valid,
    "br.cpf": cpf.is_valid,
    "br.cnpj": cnpj.is_valid,
    "in_.aadhaar": aadhaar.is_valid,
    "in_.pan": pan.is_valid,
    "es.dni": dni.is_valid,
    "es.nie": nie.is_valid,
    "fr.nir": nir.is_valid,
    "de.idnr": idnr.is_valid,
    "tr.tckimlik": tckimlik.is_valid,
    "jp.in_": jp_in.is_valid,
    "ru.snils": _ru_snils,
    "ru.inn": inn.is_valid,
    "ae.emirates_id": lambda v: _luhn_digits(v, 15, "784"),
    "sa.national_id": lambda v: _luhn_digits(v, 10, "1"),
}
CONTEXTS = {
    "cover_letter",
    "email_reply",
    "signature",
    "resume",
    "form",
    "visa_form",
    "marketplace_ad",
    "code",
    "config",
    "chat",
    "story",
    "letter_header",
    "contact_block",
    "assistant_echo",
    "prose",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_has_every_language_and_its_size(corpus):
    per_lang = Counter(c["lang"] for c in corpus)
    assert set(per_lang) == set(CORPUS_LANGUAGES)
    assert per_lang["en"] >= 45
    assert min(per_lang.values()) >= 25
    planted = [p for c in corpus for p in c["planted"]]
    benign = [b for c in corpus for b in c["benign"]]
    assert len(planted) >= 300 and len(benign) >= 150
    assert len({c["id"] for c in corpus}) == len(corpus)
    # every category in several languages
    langs = {
        cat: {c["lang"] for c in corpus for p in c["planted"] if p["category"] == cat} for cat in CATEGORIES
    }
    assert all(len(v) >= 5 for v in langs.values()), {k: len(v) for k, v in langs.items()}


def test_every_record_is_well_formed_and_every_value_occurs(corpus):
    for c in corpus:
        assert c["id"].startswith(c["lang"] + "-") and c["context"] in CONTEXTS, c["id"]
        assert c["messages"] and all(
            m["role"] in ("user", "assistant") and m["content"] for m in c["messages"]
        )
        text = "\n".join(m["content"] for m in c["messages"])
        for p in c["planted"]:
            assert p["category"] in CATEGORIES and p["context"] in CONTEXTS, (c["id"], p["category"])
            assert p["who"] in ("self", "third")
            assert p["who"] == "self" or p["category"] in (*WHO_CATEGORIES, "DOB", "NATIONAL_ID")
            assert p["value"] in text, (c["id"], p["category"])
        for b in c["benign"]:
            assert b["kind"] in BENIGN_KINDS, (c["id"], b["kind"])
            assert b["value"] in text, (c["id"], b["kind"])


def test_planted_values_are_valid(corpus):
    """IDs pass their national checksum, cards Luhn, IBANs mod 97 and country format, phones are
    valid numbers of their region, IPs globally routable: a scrubber cannot pass by rejecting
    malformed values."""
    seen = Counter()
    for c in corpus:
        for p in c["planted"]:
            v, cat = p["value"], p["category"]
            where = (c["id"], cat, p.get("scheme"))
            if cat == "NATIONAL_ID":
                assert ID_VALIDATORS[p["scheme"]](v), where
                seen[p["scheme"]] += 1
            elif cat == "CARD":
                assert luhn.is_valid(re.sub(r"\D", "", v)), where
            elif cat == "IBAN":
                assert iban.is_valid(v, check_country=True), where
            elif cat == "PHONE":
                number = phonenumbers.parse(v, p["region"])
                assert phonenumbers.is_valid_number(number), where
                assert phonenumbers.region_code_for_number(number) == p["region"], where
            elif cat == "IP":
                assert ipaddress.ip_address(v).is_global, where
    # the national IDs of the corpus's countries are all there
    assert set(seen) == set(ID_VALIDATORS), set(ID_VALIDATORS) - set(seen)


def test_benign_private_ips_are_not_global(corpus):
    ips = [b["value"] for c in corpus for b in c["benign"] if b["kind"] == "private_ip"]
    assert ips and not any(ipaddress.ip_address(v).is_global for v in ips)


def test_corpus_files_are_the_ones_loaded():
    assert sorted(p.stem for p in CORPUS_DIR.glob("*.jsonl")) == sorted(CORPUS_LANGUAGES)


# --- the scoring rule (core/pii_eval.survives): known answers ------------------------------------


@pytest.mark.parametrize(
    ("category", "value", "scrubbed", "survived"),
    [
        # names: any token of 2+ letters, as a whole word; particles and honorifics do not count
        ("NAME", "Maeve Gallagher", "Cheers, <PERSON> Gallagher", True),
        ("NAME", "Maeve Gallagher", "Cheers, <PERSON>", False),
        ("NAME", "Hannah Okonkwo-Reyes", "Yours, <PERSON>-Reyes", True),
        ("NAME", "Dev", "Hi Dev!", True),
        ("NAME", "Dev", "see the dev server", False),
        ("NAME", "Camila de Souza", "a casa de <PERSON>", False),
        ("NAME", "刘思远", "姓名：<PERSON>，刘思远的简历", True),
        ("NAME", "高橋 健太", "営業部　<PERSON> 健太", True),
        # numbers: reformatted, or more than half of the digits (6+) in one number
        ("PHONE", "+33 6 12 34 56 78", "appelle le 06 12 34 56 78", True),
        ("PHONE", "+33 6 12 34 56 78", "appelle le +33 6 <PHONE>", False),
        ("PHONE", "+44 7700 900123", "call +44 <PHONE> or 7700 900 123", True),
        ("PHONE", "+44 7700 900123", "it was 2019 and 44 people, 77 rooms", False),
        ("CARD", "4539 1488 0343 6467", "card 4539148803436467 exp", True),
        ("CARD", "4539 1488 0343 6467", "card ending 6467", False),
        ("NATIONAL_ID", "SX 94 20 07 C", "NI number SX942007C", True),
        ("NATIONAL_ID", "123.456.789-09", "cpf <CPF>, pedido 123", False),
        ("DOB", "14/03/1996", "born 1996", False),
        ("DOB", "14/03/1996", "born 14.03.1996", True),
        ("IP", "81.2.69.142", "host 81.2.69.<IP>", False),
        # e-mail local part, profile handle, secret and password pieces, address segments
        ("EMAIL", "jwhitfield.stats@gmail.com", "mail jwhitfield.stats at gmail", True),
        ("EMAIL", "jwhitfield.stats@gmail.com", "mail <EMAIL>", False),
        ("SOCIAL_URL", "https://vk.com/alina_safonova_98", "ВК: alina_safonova_98", True),
        ("SECRET", "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", 'token="hf_<SECRET>QpAiFHszBzcsc"', True),
        ("SECRET", "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", 'token="<SECRET>"', False),
        ("PASSWORD", "sunflower-lagoon-88", "password is <PASSWORD>", False),
        ("PASSWORD", "sunflower-lagoon-88", "password is sunflower-<X>", True),  # 8+ characters left
        ("PASSWORD", "sunflower-lagoon-88", "password is sunflower-lagoon", True),
        ("ADDRESS", "Flat 4B, 27 Marlborough Road, Leicester LE2 1PT", "lives at 27 Marlborough Road", True),
        ("ADDRESS", "Flat 4B, 27 Marlborough Road, Leicester LE2 1PT", "lives in Leicester", False),
    ],
)
def test_survival_rule(category, value, scrubbed, survived):
    assert survives(category, value, [scrubbed]) is survived


def test_a_value_repeated_by_the_assistant_counts_as_missed_and_as_an_echo():
    conv = {
        "id": "xx-001",
        "lang": "en",
        "context": "chat",
        "messages": [
            {"role": "user", "content": "im Jordan Whitfield, call 617-521-2943"},
            {"role": "assistant", "content": "Hi Jordan! I'll call 617-521-2943."},
        ],
        "planted": [
            {"value": "Jordan Whitfield", "category": "NAME", "context": "chat", "who": "self"},
            {"value": "617-521-2943", "category": "PHONE", "context": "chat", "who": "self"},
        ],
        "benign": [],
    }
    user_only = {"xx-001": ["im <PERSON>, call <PHONE>", "Hi Jordan! I'll call 617-521-2943."]}
    report = score_corpus([conv], user_only)
    assert report.recall["NAME"].hits == 0 and report.recall["PHONE"].hits == 0
    assert report.echo["PHONE"].total == 1 and report.echo["PHONE"].hits == 0
    clean = {"xx-001": ["im <PERSON>, call <PHONE>", "Hi <PERSON>! I'll call <PHONE>."]}
    report = score_corpus([conv], clean)
    assert report.overall_recall.hits == 2 and not report.misses
    # counts only: nothing planted reaches the report's dictionary
    dumped = json.dumps(score_corpus([conv], user_only).as_dict())
    assert "Whitfield" not in dumped and "521" not in dumped


# --- floors: the default scrubber on the corpus --------------------------------------------------

# category: (floor, goal). Floors are the measurement after the issue-14 recall work, rounded down a
# little (before it, at ffb6fcd: e-mail 0.91, phone 0.44, national IDs 0.18, passports 0.05, profile
# URLs 0, secrets 0.62, passwords 0.26, names 0.11, addresses 0.07, DOB 0.03); goals are issue 14's.
# NAME mixes the writer's own names (goal 0.95, SELF_FLOORS) with third-person ones, which the
# default `wildchat` person policy keeps (docs/pii.md: the measured policy).
RECALL_FLOORS = {
    "EMAIL": (1.0, 1.0),
    "PHONE": (1.0, 1.0),
    "CARD": (1.0, 1.0),
    "IBAN": (1.0, 1.0),
    "NATIONAL_ID": (1.0, 1.0),
    "PASSPORT": (1.0, 1.0),
    "IP": (1.0, 1.0),
    "SOCIAL_URL": (1.0, 1.0),
    "SECRET": (1.0, 1.0),
    "PASSWORD": (0.95, 1.0),  # 26/27: the router brand the assistant names is 8 characters of it
    "NAME": (0.62, 0.95),
    "ADDRESS": (0.82, 0.95),
    "DOB": (0.95, 0.95),
}
SELF_FLOORS = {"NAME": (0.95, 0.95), "ADDRESS": (0.90, 0.95), "PHONE": (1.0, 1.0)}  # the writer's own
BENIGN_FLOOR = (0.99, 0.95)  # all benign kinds together: goal ≥ 0.95 kept, measured 184/184
BENIGN_KIND_FLOORS: dict[str, float] = {}  # every kind: 1.0 measured, hotlines included


@pytest.fixture(scope="module")
def corpus_report(corpus):
    scrubber = PiiScrubber(PiiConfig(workers=1))
    return evaluate_corpus(corpus, scrubber=scrubber)


def test_default_scrubber_recall_floors(corpus_report):
    low = {
        cat: f"{t.hits}/{t.total}"
        for cat, t in corpus_report.recall.items()
        if t.rate < RECALL_FLOORS[cat][0]
    }
    assert not low, f"recall below floor (category: removed/planted): {low}"
    for category, (floor, _goal) in SELF_FLOORS.items():
        own = corpus_report.by_who[(category, "self")]
        assert own.rate >= floor, f"{category} (own): {own.hits}/{own.total}"


def test_default_scrubber_keeps_benign_look_alikes(corpus_report):
    kept = corpus_report.overall_benign
    assert kept.total >= 150 and kept.rate >= BENIGN_FLOOR[0], f"{kept.hits}/{kept.total}"
    low = {
        kind: f"{t.hits}/{t.total}"
        for kind, t in corpus_report.benign.items()
        if t.rate < BENIGN_KIND_FLOORS.get(kind, 1.0)
    }
    assert not low, f"benign kept below floor (kind: kept/items): {low}"
