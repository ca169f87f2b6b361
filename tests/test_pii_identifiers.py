"""Structured identifiers, phones, social profile URLs and secrets beyond detect-secrets
(core/pii_identifiers.py, core/pii_phones.py, core/secret_patterns.py), through the scrubber."""

import itertools
import json
import logging
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.br import cnpj, cpf
from stdnum.cn import ric
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.in_ import aadhaar
from stdnum.jp import in_ as my_number
from stdnum.ru import inn
from stdnum.tr import tckimlik

from wildchat_dagster.core.pii import PII_PLACEHOLDER, SECRET_PLACEHOLDER, PiiConfig, PiiScrubber
from wildchat_dagster.core.pii_identifiers import (
    ID_ENTITIES,
    SOCIAL_ENTITY,
    IdentifierFinder,
    _snils_ok,
    find_social_profiles,
)
from wildchat_dagster.core.pii_phones import PhoneRules
from wildchat_dagster.core.residue import scan_pii
from wildchat_dagster.core.secrets import SecretDetector

WILDCHAT = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "wildchat"
    / "wildchat1m_sample_186.jsonl"
)


@pytest.fixture(scope="module")
def scrubber():
    s = PiiScrubber(PiiConfig(workers=1, models={}))  # patterns only: these entities need no NER
    s.warm_up()
    return s


def scrub(scrubber, texts):
    return scrubber.scrub(texts, [f"u{i}" for i in range(len(texts))])


def complete(base: str, ok, tail: int = 1, alphabet: str = "0123456789") -> str:
    """``base`` plus the check character(s) that make ``ok`` true (python-stdnum decides)."""
    for chars in itertools.product(alphabet, repeat=tail):
        if ok(base + "".join(chars)):
            return base + "".join(chars)
    raise AssertionError(base)


def invalid(value: str) -> str:
    """The same layout with the last digit changed: the checksum fails."""
    i = max(i for i, ch in enumerate(value) if ch.isdigit())
    return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :]


# --- national identifiers --------------------------------------------------------------------------

CN_ID = complete("36042619910101007", ric.is_valid, 1, "0123456789X")
CPF = complete("390533447", cpf.is_valid, 2)
CNPJ = complete("457416400001", cnpj.is_valid, 2)
AADHAAR = complete("48273916052", aadhaar.is_valid)
DNI = complete("48273916", dni.is_valid, 1, "TRWAGMYFPDXBNJZSQVHLCKE")
NIE = complete("Y4827391", nie.is_valid, 1, "TRWAGMYFPDXBNJZSQVHLCKE")
NIR = complete("2820675108123", nir.is_valid, 2)
STEUER_ID = complete("8609574271", idnr.is_valid)
TCKN = complete("482739160", tckimlik.is_valid, 2)
MY_NUMBER = complete("48273916052", my_number.is_valid)
INN = complete("50039482710", inn.is_valid)
SNILS = complete("112233445", _snils_ok, 2)
SA_ID = complete("110842051", luhn.is_valid)


def fmt(value: str, groups: tuple[int, ...], seps: str) -> str:
    out, at = [], 0
    for n in groups:
        out.append(value[at : at + n])
        at += n
    return "".join(part + (seps[i] if i < len(seps) else "") for i, part in enumerate(out))


# (entity, text with a checksum-valid identifier in its usual written form, the identifier): no cue
WITHOUT_CUE = [
    ("CN_RESIDENT_ID", f"表格里填的是{CN_ID}，帮我检查格式", CN_ID),
    ("BR_CPF", f"o número é {fmt(CPF, (3, 3, 3, 2), '..-')} pode conferir?", fmt(CPF, (3, 3, 3, 2), "..-")),
    ("BR_CNPJ", f"empresa {fmt(CNPJ, (2, 3, 3, 4, 2), '../-')} ltda", fmt(CNPJ, (2, 3, 3, 4, 2), "../-")),
    (
        "IN_AADHAAR",
        f"fill the form with {fmt(AADHAAR, (4, 4, 4), '  ')} please",
        fmt(AADHAAR, (4, 4, 4), "  "),
    ),
    ("ES_NIF", f"rellena el formulario con {DNI} y la fecha", DNI),
    ("ES_NIE", f"mi número es {NIE}, ¿está bien?", NIE),
    (
        "FR_NIR",
        f"voici {fmt(NIR, (1, 2, 2, 2, 3, 3, 2), '      ')} merci",
        fmt(NIR, (1, 2, 2, 2, 3, 3, 2), "      "),
    ),
    (
        "DE_TAX_ID",
        f"bitte {fmt(STEUER_ID, (2, 3, 3, 3), '   ')} eintragen",
        fmt(STEUER_ID, (2, 3, 3, 3), "   "),
    ),
    ("RU_SNILS", f"номер {fmt(SNILS, (3, 3, 3, 2), '-- ')} в анкете", fmt(SNILS, (3, 3, 3, 2), "-- ")),
    ("US_SSN", "the form says 536-90-4399, is that ok?", "536-90-4399"),
    ("US_ITIN", "form W-7 came back with 912-78-4399 on it", "912-78-4399"),
]
# (entity, text with a cue, the identifier): plain digit runs and identifiers without a checksum
WITH_CUE = [
    ("BR_CPF", f"meu CPF é {CPF}", CPF),
    ("BR_CNPJ", f"CNPJ {CNPJ}", CNPJ),
    ("IN_AADHAAR", f"my aadhaar number is {AADHAAR}", AADHAAR),
    ("IN_PAN", "PAN card: BNZPM2501F", "BNZPM2501F"),
    ("FR_NIR", f"numéro de sécurité sociale : {NIR}", NIR),
    ("DE_TAX_ID", f"Meine Steuer-ID ist {STEUER_ID}", STEUER_ID),
    ("TR_NATIONAL_ID", f"TC kimlik numaram {TCKN}, başvuru için", TCKN),
    ("JP_MY_NUMBER", f"マイナンバーは{MY_NUMBER}です", MY_NUMBER),
    ("JP_MY_NUMBER", f"マイナンバー：{fmt(MY_NUMBER, (4, 4, 4), '  ')}", fmt(MY_NUMBER, (4, 4, 4), "  ")),
    ("RU_INN", f"мой ИНН {INN}", INN),
    ("RU_SNILS", f"СНИЛС {SNILS}", SNILS),
    ("US_SSN", "my ssn is 536904399", "536904399"),
    ("UK_NINO", "my National Insurance number is JK 48 27 39 A", "JK 48 27 39 A"),
    ("SA_NATIONAL_ID", f"رقم الهوية الوطنية {SA_ID}", SA_ID),
]
PASSPORTS = [
    "My passport number is 548273916.",
    "паспорт серия 45 12 482739, выдан ОВД",
    "загранпаспорт 76 8572660",
    "我的护照号码是E48273916",
    "Mi número de pasaporte es XDA482739.",
    "numéro de passeport : 18AV48273",
    "Reisepassnummer C01X00T47",
    "número do passaporte FT482739",
    "pasaport numaram U48273916",
    "パスポート番号はTK4827391です",
    "旅券番号：TR4827391",
    "رقم جواز السفر A48273916",
]


def test_checksum_valid_identifiers_in_their_usual_layout_need_no_cue(scrubber):
    result = scrub(scrubber, [t for _, t, _ in WITHOUT_CUE])
    for (entity, text, value), out, types in zip(WITHOUT_CUE, result.texts, result.pii_types, strict=True):
        assert value not in out and PII_PLACEHOLDER.format(entity) in out, (entity, text, out)
        assert types == [entity], (text, types)


def test_plain_digit_runs_and_checksumless_ids_need_their_cue(scrubber):
    cued = scrub(scrubber, [t for _, t, _ in WITH_CUE])
    for (entity, text, value), out in zip(WITH_CUE, cued.texts, strict=True):
        assert value not in out and PII_PLACEHOLDER.format(entity) in out, (entity, text, out)
    # the same values with the cue replaced by a neutral word: kept (order numbers, sums, codes)
    bare = [f"order {value} was shipped" for _, _, value in WITH_CUE if value.replace(" ", "").isdigit()]
    bare += ["ref BNZPM2501F", "code JK 48 27 39 A ok"]
    out = scrub(scrubber, bare)
    assert out.texts == bare, [t for t, r in zip(out.texts, out.redacted, strict=True) if r]
    assert not any(out.redacted)


def test_invalid_checksums_and_look_alikes_are_kept(scrubber):
    texts = [
        f"meu CPF é {invalid(CPF)}",
        f"my aadhaar is {invalid(AADHAAR)}",
        f"TC kimlik: {invalid(TCKN)}",
        f"表格里填的是{invalid(CN_ID[:17]) + CN_ID[17]}",
        f"Steuer-ID {invalid(STEUER_ID)}",
        "id 123e4567-e89b-12d3-a456-426614174000, sha1 5d41402abc4b2a76b9719d911017c592aaaa1234",
        "version 10.0.19045.3803 and build 22621.2428, numpy==1.26.4",
        f"timestamp 1686739200000, snowflake 1093421748912345678, x{CN_ID}y, /files/{CN_ID}.pdf",
        "1234 5678 9012 and 111-11-1111 are sample numbers, so is 123-45-6789",
        "order #48273916000 and invoice 2023-06-14, total 4827391605 + 12 = 4827391617",
        "passport photos must be 35x45 mm; passport fee is 130 USD since 2023",
    ]
    result = scrub(scrubber, texts)
    for text, out in zip(texts, result.texts, strict=True):
        assert out == text, (text, out)


@pytest.mark.parametrize("text", PASSPORTS)
def test_passport_numbers_after_a_passport_cue_in_ten_languages(scrubber, text):
    out = scrub(scrubber, [text])
    assert out.pii_types[0] == ["PASSPORT"], (text, out.texts[0])


def test_passport_like_tokens_without_a_cue_are_kept(scrubber):
    texts = ["the model is XDA482739", "SKU E48273916 in stock", "serial C01X00T47"]
    assert scrub(scrubber, texts).texts == texts


def test_every_identifier_entity_is_scrubbed_by_default():
    config = PiiConfig()
    assert set(ID_ENTITIES) | {SOCIAL_ENTITY} <= set(config.entities)
    found = {e for _, text, _ in WITHOUT_CUE + WITH_CUE for e, _, _ in IdentifierFinder().find(text)}
    found |= {e for text in PASSPORTS for e, _, _ in IdentifierFinder().find(text)}
    assert found == set(ID_ENTITIES) - {"AE_EMIRATES_ID"}


# --- phones ----------------------------------------------------------------------------------------

PHONES_WITHOUT_A_CUE_WORD = [
    # signature blocks: the number alone on a line near an e-mail, a sign-off, a web address
    "Jane Roe\nAcme Corp\n(415) 867-5309\njane.roe@acme-corp.io",
    "Best regards,\nHans Müller\n030 12345678",
    "С уважением,\nИван Петров\n8 (912) 345-67-89",
    "Peluquería Rocío\nC/ Mayor 15, Alcalá\n916 00 33 92\ninstagram https://www.instagram.com/rocio",
    # labels
    "T: 020 7946 0958\nM: 07700 900 456",
    "☎ 06 12 34 56 78",
    # a leading + country code (WildChat's rule)
    "reach out any time at +49 1512 3456789 after lunch",
    "WhatsApp: wa.me/4915123456789",
    # national layouts where the script names the country
    "質問はこちら090-1304-1194まで",
    "oğlu Hakan Güler 0532 466 10 78. epikriz yaz",
    "اسمي رنا ورقمي 050 406 0869",
    # a contact pair on one line
    "selling iphone 13, 380 quid. 020 7946 0321 or email kez.mc9@gmail.com",
]
PHONES_WITH_A_CUE = [
    "RSVP to 415-867-5309 by Friday",
    "text me at 415 867 5309",
    "Meine Handynummer: 0151 23456789",
    "Mi movil es 612 34 56 78",
    "Vous pouvez me joindre au 06 12 34 56 78",
    "我的手机号是13812345678",
    "Celular: (11) 98765-4321",
    "Cep telefonum 0532 123 45 67",
    "携帯：090-1234-5678",
    "мой номер +7 912 345-67-89",
]
PHONES_KEPT = [
    "Call the suicide hotline at 1-800-273-8255",  # toll-free
    "Звоните: 8 800 555-35-35 бесплатно",  # RU toll-free
    "ナビダイヤル 0570-783-556 までお電話ください",  # JP navi-dial (the script names the country)
    "call 911 or 112, or the Samaritans on 116 123",  # emergency and short numbers
    "The answer is 212-555-0143 units.",  # ASCII text, no cue: the country is unknown
    "The Shang Dynasty (1600-1046 BCE) lasted",
    'app.run(host="127.0.0.1", port=8080)  # the router is 192.168.1.1',
    "x = 2023-06-14 10:30 and 3.14159265",
    "Student ID : 012096094\nName: A. B.\nEmail: ab@example.com",
]


def test_phones_in_contact_contexts_need_no_cue_word(scrubber):
    result = scrub(scrubber, PHONES_WITHOUT_A_CUE_WORD + PHONES_WITH_A_CUE)
    for text, out, types in zip(
        PHONES_WITHOUT_A_CUE_WORD + PHONES_WITH_A_CUE, result.texts, result.pii_types, strict=True
    ):
        assert "PHONE_NUMBER" in types, (text, out)


def test_hotlines_short_numbers_and_phone_look_alikes_are_kept(scrubber):
    result = scrub(scrubber, PHONES_KEPT)
    assert result.texts == PHONES_KEPT
    assert result.stats.kept["PHONE_NUMBER:public"] == 3


def test_hotlines_the_scrubber_keeps_are_no_residue_real_numbers_are(scrubber):
    """One rule (placeholders.is_public_phone): a kept hotline never trips the blocking residue
    check; a private number after a cue is redacted by the scrubber and flagged by the check."""
    hotlines = ["Call the suicide hotline at 1-800-273-8255", "Tel: 0800 111 4444", "phone +1 800 273 8255"]
    result = scrub(scrubber, hotlines)
    assert result.texts == hotlines
    assert all(scan_pii(t) == [] for t in hotlines)
    private = ["call me at 415-867-5309 tonight", "call 020 7946 0958 after six"]
    assert all([f.kind for f in scan_pii(t)] == ["phone"] for t in private)
    assert all(scan_pii(t) == [] for t in scrub(scrubber, private).texts)


def test_phone_candidates_are_validated_only_where_the_rule_could_keep_them():
    rules = PhoneRules(PiiConfig())
    text = "values: 4158675309 6175212943 7135264480"  # valid US numbers, no context
    assert rules.candidates(text) == []
    assert len(PhoneRules(PiiConfig(phone_cue=False)).candidates(text)) == 3


# --- social profile URLs ---------------------------------------------------------------------------


def test_social_profile_urls_are_redacted_company_pages_and_placeholders_kept(scrubber):
    profiles = [
        "https://www.linkedin.com/in/jane-roe-4827",
        "facebook.com/jane.roe.5",
        "https://vk.com/id48273916",
        "instagram.com/jane.roe",
        "https://x.com/jroe_42",
        "twitter.com/jroe_42",
        "https://github.com/jroe",
        "t.me/jroe_chat",
        "https://www.tiktok.com/@jane.roe",
        "reddit.com/user/jroe42",
    ]
    kept = [
        "https://www.linkedin.com/company/acme",
        "https://github.com/psf/requests",
        "facebook.com/groups/python",
        "https://x.com/search?q=python",
        "instagram.com/p/Cx12AbC",
        "linkedin.com/in/yourname",
        "https://github.com/username",
        "vk.com/club12345",
    ]
    result = scrub(scrubber, [f"see {u} for more" for u in profiles + kept])
    for url, out in zip(profiles, result.texts[: len(profiles)], strict=True):
        assert out == f"see {PII_PLACEHOLDER.format(SOCIAL_ENTITY)} for more", (url, out)
    assert result.texts[len(profiles) :] == [f"see {u} for more" for u in kept]
    assert find_social_profiles("https://www.linkedin.com/in/jane-roe-4827/") == [(0, 41)]


# --- secrets beyond detect-secrets -----------------------------------------------------------------

TOKENS = {
    "HUGGING_FACE_TOKEN": "HF_TOKEN=hf_Zx81kPq0Lm2Wv7Yt5Rn3Bc9Jd4Hf6Gs8Ka",
    "GOOGLE_API_KEY": "https://maps.googleapis.com/maps/api/js?key=AIzaSyZx81kPq0Lm2Wv7Yt5Rn3Bc9Jd4Hf6Gs8K",
    "GITHUB_FINE_GRAINED_TOKEN": "token: github_pat_11Zx81kPq0Lm2Wv7Yt5Rn3_"
    + "Bc9Jd4Hf6Gs8Ka1Qw2E" * 3
    + "Zx",
    "NPM_ACCESS_TOKEN": "NPM_TOKEN=npm_Zx81kPq0Lm2Wv7Yt5Rn3Bc9Jd4Hf6Gs8Ka1Q",
    "ANTHROPIC_KEY": "client = Anthropic(api_key='sk-ant-api03-"
    + "Zx81kPq0Lm2Wv7Yt5Rn3Bc9Jd4Hf6Gs8Ka1Qw2E" * 2
    + "AA')",
    "STRIPE_KEY": "stripe.api_key = 'sk_test_51HZx81kPq0Lm2Wv7Yt5Rn3Bc9Jd4Hf6Gs8Ka1Qw2E'",
    "YANDEX_OAUTH_TOKEN": "YANDEX_OAUTH=y0_JzIytq5n82dvoSEIwn00arPCYB8J3YVX9RBMhfacj6CGPRHqbeBZ-FS",
}
PASSWORDS = {  # text: the password
    "my wifi password is hunter2x": "hunter2x",
    "пароль от вайфая kotik2015vasya а ноут не подключается": "kotik2015vasya",
    "我的邮箱密码是abc12345，帮我看看": "abc12345",
    "mi contraseña es Gato2023! no sé por qué falla": "Gato2023",
    "mon mot de passe est Soleil#88 mais": "Soleil#88",
    "Mein WLAN-Passwort lautet Sommer2024, der Drucker": "Sommer2024",
    "minha senha é Brasil@123 e não entra": "Brasil@123",
    "wifi şifresi galatasaray1905cimbom ama laptop bağlanmıyor": "galatasaray1905cimbom",
    "パスワードはabc12345です": "abc12345",
    "كلمة المرور حق الواي فاي Riyadh@2020home والجوال": "Riyadh@2020home",
    # code and command lines
    'server.login("me@gmail.com", "app-pass-1234")': "app-pass-1234",
    'requests.get(url, auth=("admin", "S3cr3tPw"))': "S3cr3tPw",
    "mysql -u root -pS3cretPw shop": "S3cretPw",
    "define( 'DB_PASSWORD', 'Cr0issant&Cafe' );": "Cr0issant&Cafe",
    # connection strings with an IP host, passwords with characters BasicAuthDetector stops at
    "DATABASE_URL=mysql://root:Qw3rty_Pr0d#7@217.51.41.139:3306/shop": "Qw3rty_Pr0d#7",
    "mongoose.connect('mongodb://admin:R1verside#Otter@185.74.250.154:27017/crm')": "R1verside#Otter",
    "postgres://app:Zx81kPq0@10.0.0.5:5432/db": "Zx81kPq0",
}
NOT_PASSWORDS = [
    "password is required",
    "Your password must be at least 8 characters and contain 1 digit",
    "password = input('Password: ')",
    "пароль должен быть длинным",
    "the password is ********",
    "password: <your password>",
    "password=YOUR_PASSWORD",
    "password: str = Field(..., min_length=8)",
    "**Password Handling**: It uses `password_hash` for hashing",
    "if password == confirm_password: return True",
    "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx and AIza_YOUR_API_KEY_HERE",
    "postgres://user:password@localhost:5432/db",
    "UPDATE users SET exmne_password=:hashedPassword WHERE id=:id",
]


def test_new_token_kinds_are_redacted(scrubber):
    result = scrub(scrubber, list(TOKENS.values()))
    for kind, out, types in zip(TOKENS, result.texts, result.pii_types, strict=True):
        assert SECRET_PLACEHOLDER.format(kind) in out, (kind, out)
        assert f"SECRET_{kind}" in types


def test_passwords_in_prose_in_ten_languages_and_in_code(scrubber):
    result = scrub(scrubber, list(PASSWORDS))
    for (text, password), out in zip(PASSWORDS.items(), result.texts, strict=True):
        assert password not in out and "<SECRET_REDACTED_" in out, (text, out)


def test_words_code_and_placeholders_after_password_are_kept():
    detector = SecretDetector()
    for text in NOT_PASSWORDS:
        assert detector.find(text) == [], (text, detector.find(text))


# --- real text: what the new recognizers flag on the WildChat sample -------------------------------


def test_real_wildchat_sample_flags_few_new_spans_and_they_are_real(scrubber):
    rows = [json.loads(line) for line in WILDCHAT.read_text().splitlines()]
    texts = [m["content"] for r in rows for m in r["conversation"]]
    result = scrubber.scrub(texts, [r["conversation_hash"] for r in rows for _ in r["conversation"]])
    new = {*ID_ENTITIES, SOCIAL_ENTITY, "PHONE_NUMBER"}
    flagged = [
        (f.entity, t[f.start : f.end])
        for t, spans in zip(texts, result.spans, strict=True)
        for f in spans
        if f.entity in new
    ]
    # measured: a Chinese resident ID in a transcript (twice) and a list of Sri Lankan phone numbers
    assert {e for e, _ in flagged} == {"CN_RESIDENT_ID", "PHONE_NUMBER"}, flagged
    assert len(flagged) <= 8, flagged
    assert all(v.startswith("947") for e, v in flagged if e == "PHONE_NUMBER"), flagged
    assert not result.stats.secrets, result.stats.secrets  # PHP code: "exmne_password=:hashedPassword"


def test_nothing_of_a_new_value_reaches_logs_or_stats(caplog, scrubber):
    texts = [t for _, t, _ in WITHOUT_CUE + WITH_CUE] + PASSPORTS + list(PASSWORDS) + list(TOKENS.values())
    values = [v for _, _, v in WITHOUT_CUE + WITH_CUE] + list(PASSWORDS.values())
    with caplog.at_level(logging.DEBUG):
        result = scrub(scrubber, texts)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    stats = json.dumps(result.stats.as_dict())
    for value in values:
        assert value not in logged and value not in stats, value
    assert all("<PRESIDIO_ANONYMIZED_" in t or "<SECRET_REDACTED_" in t for t in result.texts)
