"""The realistic PII evaluation corpus (tests/data/pii_eval): well formed, values valid, and the
default scrubber's recall and precision on it held at measured floors (core/pii_eval.py)."""

import ipaddress
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

from wildchat_dagster.core.pii_eval import (
    BENIGN_KINDS,
    CATEGORIES,
    CORPUS_DIR,
    CORPUS_LANGUAGES,
    WHO_CATEGORIES,
    load_corpus,
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
