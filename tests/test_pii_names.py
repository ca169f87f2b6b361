"""Names, addresses and dates of birth given by the text's shape (core/pii_names.py), the
conversation-level propagation (core/pii_consistency.py), through the real scrubber."""

import pytest

from wildchat_dagster.core.pii import PII_PLACEHOLDER, PiiConfig, PiiScrubber
from wildchat_dagster.core.pii_names import StructuredPii

PERSON = PII_PLACEHOLDER.format("PERSON")
ADDRESS = PII_PLACEHOLDER.format("ADDRESS")
DOB = PII_PLACEHOLDER.format("DATE_OF_BIRTH")


@pytest.fixture(scope="module")
def scrubber():
    s = PiiScrubber(PiiConfig(workers=1))
    s.warm_up()
    return s


def scrub(scrubber, texts, conversations=None):
    return scrubber.scrub(texts, [f"u{i}" for i in range(len(texts))], conversations)


def assert_gone(scrubber, cases):
    """cases: (text, [values that must not survive], placeholder that must appear)."""
    result = scrub(scrubber, [text for text, _, _ in cases])
    for (text, values, placeholder), out in zip(cases, result.texts, strict=True):
        assert placeholder in out, (text, out)
        for value in values:
            assert value not in out, (value, text, out)


# --- names in forms, headers, sign-offs, contact blocks, self-introductions -------------------------


def test_form_fields_in_ten_languages(scrubber):
    assert_gone(
        scrubber,
        [
            ("Please fix my resume.\nName: Maeve Walsh\nSkills: Python", ["Maeve", "Walsh"], PERSON),
            ("**Full name:** Jordan Okafor  \n**Role:** intern", ["Jordan", "Okafor"], PERSON),
            ("Исправь анкету.\nФИО: Кузнецова Дарья Олеговна\nВозраст: 29", ["Кузнецова", "Дарья"], PERSON),
            ("Имя: Святослав\nФамилия: Лебедев", ["Святослав", "Лебедев"], PERSON),
            ("帮我改简历。\n姓名：黄晓明 性别：男 年龄：28", ["黄晓明"], PERSON),
            ("求职人：欧阳娜娜\n求职意向：产品经理", ["欧阳娜娜"], PERSON),
            ("履歴書を直してください。\n氏名：佐々木 健太\n年齢：30", ["佐々木", "健太"], PERSON),
            ("Nombre: Lucía Fernández Ortega\nEdad: 31", ["Lucía", "Fernández"], PERSON),
            ("Nom : Lefèvre\nPrénom : Camille", ["Lefèvre", "Camille"], PERSON),
            ("Vorname: Jonas\nNachname: Brückner\nBeruf: Koch", ["Jonas", "Brückner"], PERSON),
            ("Nome completo: João Pedro Almeida\nCargo: analista", ["João", "Almeida"], PERSON),
            ("Ad Soyad: Elif Karaca\nMeslek: öğretmen", ["Elif", "Karaca"], PERSON),
            ("الاسم: يوسف الحربي\nالعمر: 25", ["يوسف", "الحربي"], PERSON),
        ],
    )


def test_sign_offs_on_their_own_line_and_dash_signatures(scrubber):
    assert_gone(
        scrubber,
        [
            ("Can you make this email sound nicer?\n\nCheers,\nMaeve", ["Maeve"], PERSON),
            ("Please reply by Friday.\n\nThanks!\nTobias Lindqvist", ["Tobias", "Lindqvist"], PERSON),
            ("Merci de votre aide.\n\nCordialement,\nAmélie Rousseau", ["Amélie", "Rousseau"], PERSON),
            ("Vielen Dank.\n\nViele Grüße\nLukas Hofer", ["Lukas", "Hofer"], PERSON),
            ("Спасибо за ответ.\n\nС уважением,\nАнтон Белов", ["Антон", "Белов"], PERSON),
            ("Gracias.\n\nUn saludo,\nMaría José Ruiz", ["María José", "Ruiz"], PERSON),
            ("Teşekkürler.\n\nSaygılarımla,\nBurak Şahin", ["Burak", "Şahin"], PERSON),
            ("Let me know what you think.\n— Priya", ["Priya"], PERSON),
        ],
    )


def test_email_headers_and_contact_blocks(scrubber):
    assert_gone(
        scrubber,
        [
            (
                "From: Maeve Walsh <maeve.walsh88@gmail.com>\nTo: Dan Whitfield <dan.w@acme-corp.io>\n"
                "Subject: rent\n\nHi Dan, the rent is late.",
                ["Maeve", "Walsh", "Whitfield"],
                PERSON,
            ),
            (
                "Rewrite my signature:\nOlusegun Adeyemi\nolusegun.adeyemi@outlook.com",
                ["Olusegun", "Adeyemi"],
                PERSON,
            ),
            ("Contact: Ines Carvalho, ines.carvalho77@gmail.com", ["Ines", "Carvalho"], PERSON),
        ],
    )


def test_self_introductions_beyond_the_fixed_cues(scrubber):
    assert_gone(
        scrubber,
        [
            ("hi im Jordan and i need help with a cover letter", ["Jordan"], PERSON),
            (
                "Write a letter to my landlord about the heating. Sign it as Maeve Walsh.",
                ["Maeve", "Walsh"],
                PERSON,
            ),
            ("Draft a bio: name Tariq Haddad, title Senior Analyst at a bank", ["Tariq", "Haddad"], PERSON),
            ("Priya here, quick question about my visa", ["Priya"], PERSON),
            ("I go by Sunny Okonkwo at work", ["Sunny", "Okonkwo"], PERSON),
            ("はじめまして、佐藤一郎と申します。", ["佐藤一郎"], PERSON),
        ],
    )


# --- dates of birth and addresses ----------------------------------------------------------------------


def test_dates_of_birth_in_forms_and_sentences(scrubber):
    assert_gone(
        scrubber,
        [
            ("DOB: 03/14/1990\nPlease check my form.", ["03/14/1990"], DOB),
            ("I was born on 14 March 1991 and need a horoscope.", ["14 March 1991"], DOB),
            ("Дата рождения: 12.03.1988", ["12.03.1988"], DOB),
            ("出生日期：1995年3月12日", ["1995年3月12日"], DOB),
            ("生年月日：1990年4月1日", ["1990年4月1日"], DOB),
            ("Fecha de nacimiento: 3 de marzo de 1992", ["3 de marzo de 1992"], DOB),
            ("Date de naissance : 12/05/1988", ["12/05/1988"], DOB),
            ("Geburtsdatum: 3. März 1991", ["3. März 1991"], DOB),
            ("Data de nascimento: 05/06/1985", ["05/06/1985"], DOB),
            ("Doğum tarihi: 12 Mart 1993", ["12 Mart 1993"], DOB),
            ("تاريخ الميلاد: 1990/05/12", ["1990/05/12"], DOB),
        ],
    )


def test_addresses_after_form_fields(scrubber):
    assert_gone(
        scrubber,
        [
            ("Address: 742 Evergreen Terrace, Springfield, OR 97403", ["742 Evergreen"], ADDRESS),
            ("Адрес: г. Казань, ул. Баумана, д. 17, кв. 4", ["Баумана"], ADDRESS),
            ("地址：上海市浦东新区世纪大道100号", ["世纪大道100号"], ADDRESS),
            ("住所：東京都新宿区西新宿2-8-1", ["西新宿2-8-1"], ADDRESS),
            ("Dirección: Calle de Alcalá 45, 28014 Madrid", ["Alcalá 45"], ADDRESS),
            ("Adresse : 12 rue des Lilas, 69003 Lyon", ["rue des Lilas"], ADDRESS),
            ("Anschrift: Lindenstraße 8, 80331 München", ["Lindenstraße 8"], ADDRESS),
            ("Endereço: Rua das Flores, 123, Porto", ["Rua das Flores"], ADDRESS),
            ("Adres: Atatürk Cad. No: 5, İzmir", ["Atatürk Cad"], ADDRESS),
            ("العنوان: شارع الملك فهد 12، الرياض", ["الملك فهد 12"], ADDRESS),
        ],
    )


# --- what stays ---------------------------------------------------------------------------------------

BENIGN = [
    "Write a story about a detective named Sherlock Holmes.\n\nThanks!",
    "“Imagination is more important than knowledge.”\n— Albert Einstein",
    "Name: John Doe\nEmail: john.doe@example.com",
    "Name: [Your Name]\nAddress: [Your Address]",
    "- name: Build\n  run: make test\n- name: Lint\n  run: ruff check .",
    "class User:\n    name: str\n    address: str\n    dob: date",
    "nslookup output:\nServer: 10.0.0.53\nAddress: 10.0.0.53#53",
    "To: All Staff\nPlease submit your timesheets.",
    "Albert Einstein was born on 14 March 1879 in Ulm.",
    "Im Sommer fahren wir an die See, und die Kinder freuen sich.",
    "Im sorry, that was wrong.",
    "Click here, then press Save.",
    "Best regards,\n[Your Name]",
    "Sincerely,\nThe Support Team",
    "姓名：张三\n性别：男",
    "Max Mustermann\nmax.mustermann@example.com",
]


def test_famous_fictional_placeholder_and_code_look_alikes_survive(scrubber):
    result = scrub(scrubber, BENIGN)
    for text, out in zip(BENIGN, result.texts, strict=True):
        assert out == text, (text, out)


# --- conversation consistency --------------------------------------------------------------------------


def test_a_value_redacted_once_is_redacted_in_the_whole_conversation(scrubber):
    conversation = [
        "Hi, my name is Maeve Walsh. Please write a cover letter. My phone is (212) 555-0143.",
        "Dear Hiring Manager,\n...\nMaeve is a great fit. Or try 212.555.0143.\nSincerely,\nMaeve Walsh",
        "Thanks! Make it shorter, and mention Walsh Consulting is my old firm.",
    ]
    other = ["Tell me about Maeve Walsh's recent novel."]  # another conversation: untouched here
    result = scrub(scrubber, conversation + other, ["c1", "c1", "c1", "c2"])
    for out in result.texts[:3]:
        assert "Maeve" not in out and "Walsh" not in out and "555" not in out, out
    assert result.texts[1].count(PERSON) == 2
    assert result.pii_types[2] == ["PERSON"] and result.redacted[2]
    assert result.texts[3] == other[0]
    assert result.stats.propagated >= 3
    # without conversation ids each message stands alone: the echo survives
    alone = scrub(scrubber, conversation)
    assert "Maeve is a great fit" in alone.texts[1] and "212.555.0143" in alone.texts[1]


def test_name_words_that_are_also_common_words_do_not_spread(scrubber):
    conversation = [
        "My name is Will Turner.",
        "Nice to meet you, Will Turner. I will help you, Turner.",
    ]
    result = scrub(scrubber, conversation, ["c", "c"])
    assert "Turner" not in result.texts[1]
    assert (
        "I will help you" in result.texts[1]
    )  # "will" is a word in this conversation: only the full name spreads


# --- third-person names: the person_policy ------------------------------------------------------------

THIRD_PERSON = [
    "My landlord, Mark Thompson, keeps my deposit. What can I do?",
    "My coworker Sarah Mitchell takes credit for my work. How do I handle it?",
]
PUBLIC_OR_FICTION = [
    "Who was Abraham Lincoln and why is he famous?",
    "Write a story about a knight named Roderick Blackwood who fights a dragon.",
]


def test_wildchat_policy_keeps_third_person_names_strict_redacts_them_but_not_public_or_fiction(scrubber):
    texts = THIRD_PERSON + PUBLIC_OR_FICTION
    kept = scrub(scrubber, texts, ["a", "b", "c", "d"])
    assert kept.texts == texts  # WildChat's rule: no cue, no redaction
    strict = PiiScrubber(PiiConfig(workers=1, person_policy="strict"))
    out = strict.scrub(texts, [f"u{i}" for i in range(len(texts))], ["a", "b", "c", "d"])
    for text, redacted in zip(texts[:2], out.texts[:2], strict=True):
        assert PERSON in redacted, (text, redacted)
    assert "Thompson" not in out.texts[0] and "Mitchell" not in out.texts[1]
    assert out.texts[2:] == texts[2:]  # a public figure's context, a story
    assert out.stats.ner_texts == len(texts)  # strict runs NER on every text


def test_a_story_request_keeps_the_names_of_the_assistant_story():
    strict = PiiScrubber(PiiConfig(workers=1, person_policy="strict"))
    conversation = [
        "Write a bedtime story for my son.",
        "Once, Oliver Thistlewood found a lantern in the woods. Oliver smiled.",
    ]
    out = strict.scrub(conversation, ["u", "u"], ["c", "c"])
    assert out.texts == conversation


def test_unknown_person_policy_is_rejected():
    with pytest.raises(ValueError, match="person_policy"):
        PiiScrubber(PiiConfig(person_policy="everything"))


def test_person_policy_from_the_environment(monkeypatch):
    from wildchat_dagster.resources import pii_resource_from_env

    monkeypatch.setenv("WILDCHAT_PII_PERSON_POLICY", "strict")
    assert pii_resource_from_env().get_config().person_policy == "strict"
    monkeypatch.setenv("WILDCHAT_PII_PERSON_POLICY", "loose")
    with pytest.raises(ValueError, match="WILDCHAT_PII_PERSON_POLICY"):
        pii_resource_from_env()


def test_date_of_birth_is_an_entity_of_its_own(scrubber):
    result = scrub(scrubber, ["DOB: 1990-04-12"])
    assert result.pii_types[0] == ["DATE_OF_BIRTH"] and result.stats.entities["DATE_OF_BIRTH"] == 1
    off = PiiScrubber(PiiConfig(workers=1, entities=("PERSON", "EMAIL_ADDRESS")))
    assert off.scrub(["DOB: 1990-04-12"]).texts == ["DOB: 1990-04-12"]


@pytest.mark.parametrize("text, date", [
    ("my mom's name is Carol and she was born April 2, 1957, write her a poem", "April 2, 1957"),
    ("paciente Encarnación Morales Gil, nacida el 30/01/1941, domicilio en Sevilla", "30/01/1941"),
    ("hasta bilgileri: Fatma Güler, doğum 15.06.1945, Konak", "15.06.1945"),
    ("пациент Кузьмина Р. П., 12.01.1944 г.р., жалобы на головокружение", "12.01.1944"),
    ("患者さん：田中様、昭和12年5月20日生まれ", "昭和12年5月20日"),
])
def test_another_persons_date_of_birth_in_a_private_context_is_found(text, date):
    found = [text[s.start:s.end] for s in StructuredPii(["DATE_OF_BIRTH"]).find(text)]
    assert found == [date]


@pytest.mark.parametrize("text", [
    "Albert Einstein was born on March 14, 1879 in Ulm.",
    "Пушкин родился 6 июня 1799 года в Москве.",
    "my mom asked when the Berlin Wall fell: 9 November 1989",
])
def test_a_public_birth_date_or_a_date_without_a_birth_phrase_is_kept(text):
    assert StructuredPii(["DATE_OF_BIRTH"]).find(text) == []
