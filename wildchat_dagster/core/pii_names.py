"""Names, addresses and dates of birth found by the shape of the text, not by a name model.

People give their own data in a few fixed shapes, in every language: form and resume fields
("Name: …", "ФИО:", "姓名：", "氏名", "Ad Soyad:"), letter and e-mail headers ("From: Maeve
Walsh <maeve@…>"), sign-offs on their own line at the end of a letter ("Cheers,\\nMaeve",
"— Maeve"), a name line on top of a contact block (the line above an e-mail or phone number),
self-introductions beyond the fixed cue phrases ("im Jordan", "sign it as …", "Jordan here"),
and dates of birth and addresses after their labels. ``StructuredPii.find`` returns these
spans; ``core/pii/scrubber.py`` adds them to a text's findings next to the recognizers' (they need no
NER cue: the shape is the cue). Precision comes from the shape itself (a field label at the
start of a line, a valediction alone on its line), a name-shaped value (capitalised words, or
a few letters of a caseless script; no digits, no code characters), and lists of words that
are not names (titles, departments, "Team", "Everyone") and of placeholder names ("John Doe",
"Max Mustermann", "张三"), which are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

# --- name shapes --------------------------------------------------------------------------------

_CASED_TOKEN = r"[\p{Lu}\p{Lt}](?:[\p{L}\p{M}'’]*(?:-[\p{Lu}\p{Ll}][\p{L}\p{M}'’]*)?|\.)"
_PARTICLE = (
    r"(?:da|de|del|della|der|den|di|du|van|von|la|le|bin|ibn|al|el|dos|das|do|y|e|ter|ten|ben|bint|abu)"
)
_CASELESS_TOKEN = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Arabic}\p{Hangul}\p{Thai}\p{Hebrew}ー・]{1,12}"
# a whole value that is a name: 1-5 capitalised words (particles between), or 1-4 caseless words
NAME_VALUE = regex.compile(
    rf"(?:{_CASED_TOKEN}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CASED_TOKEN}){{0,4}}"
    rf"|{_CASELESS_TOKEN}(?:[ \t\u3000]{_CASELESS_TOKEN}){{0,3}})"
)
# Capitalised words that are not names (sign-off lines, headers, contact blocks, form values).
NOT_NAME_WORDS = frozenset(
    """
    a an the and or of for to in on at by with from my your our his her their its this that these
    all everyone everybody team staff department dept management manager managers hiring recruiter
    recruiting hr human resources customer customers client clients support service services sales
    marketing admin administrator office company corp inc ltd llc gmbh plc co group board committee
    university college school institute academy hospital clinic bank ministry government council
    sir madam madame whom concern friends friend colleagues students parents family everyone
    mom dad mum mother father love thanks thank you regards best cheers sincerely yours truly
    hello hi hey dear greetings note subject date re fwd fw cc bcc yes no ok n a na none null
    unknown anonymous guest user username name full first last surname address email mail phone
    tel mobile signature title position role senior junior lead head chief director executive
    officer ceo cto cfo coo founder president vice assistant associate analyst engineer developer
    designer consultant specialist coordinator intern student teacher professor doctor nurse
    lawyer attorney editor writer author owner partner member candidate applicant employee
    sent iphone android mobile device today tomorrow yesterday monday tuesday wednesday thursday
    friday saturday sunday january february march april june july august september october
    november december please kindly urgent important confidential draft final version copy
    english french german spanish chinese russian arabic japanese turkish portuguese
    equipo todos estimado estimada saludos gracias atentamente cordialmente señor señora
    équipe tous monsieur directeur directrice cordialement merci bonjour
    team alle herr frau grüße gruß danke hallo abteilung
    equipe todos obrigado obrigada atenciosamente senhor senhora
    команда всем уважением спасибо привет здравствуйте отдел
    ekip herkese teşekkürler saygılarımla sayın
    """.split()
)
# Sample names that forms, templates and tutorials use: kept (placeholders, not people).
PLACEHOLDER_NAMES = frozenset(
    """
    john doe|jane doe|john q public|john q. public|joe bloggs|jane bloggs|john smith doe|
    max mustermann|erika mustermann|maria mustermann|hans muster|max muster|
    mario rossi|jean dupont|jean dupond|marie dupont|fulano|fulano de tal|beltrano|sicrano|
    juan pérez|juan perez|juan del pueblo|pepito pérez|
    иван иванов|иванов иван|иванов иван иванович|иван иванович иванов|петр петров|пётр петров|
    张三|李四|王五|赵六|某某|山田太郎|山田 太郎|
    فلان|فلان الفلاني|ahmet yılmaz|ayşe yılmaz|
    your name|full name|first last|firstname lastname|first name|last name|name surname|
    ваше имя|фамилия имя|您的姓名|你的名字|tu nombre|votre nom|ihr name|seu nome|adınız
    """.split("|")
)
PLACEHOLDER_NAMES = frozenset(" ".join(n.split()) for n in PLACEHOLDER_NAMES if n.strip())


def _clean(value: str) -> str:
    return " ".join(value.split()).strip()


def is_placeholder_name(value: str) -> bool:
    folded = _clean(value).casefold().strip(".")
    return folded in PLACEHOLDER_NAMES or "某" in folded or folded.strip("x* ") == ""


def not_a_person(value: str) -> str | None:
    """Why a PERSON detection is no person: a placeholder ("John Doe") or only words that are
    not names ("Dear Hiring Manager", "Hi Team"); None when it may be one."""
    if is_placeholder_name(value):
        return "placeholder"
    words = [w.casefold().strip(".,") for w in value.split()]
    if words and all(w in NOT_NAME_WORDS for w in words):
        return "not_a_name"
    return None


def name_span(text: str, start: int, end: int, min_tokens: int = 1) -> tuple[int, int] | None:
    """The span of a name that fills ``text[start:end]`` (spaces and trailing punctuation
    aside), or None when that stretch is not name-shaped or is a placeholder / non-name."""
    while start < end and text[start] in " \t*_\"'“”«»「」":
        start += 1
    while end > start and text[end - 1] in " \t.,;:!*_\"'“”«»「」":
        end -= 1
    if end <= start:
        return None
    m = NAME_VALUE.fullmatch(text, start, end)
    if m is None:
        return None
    value = m.group()
    tokens = value.split()
    if len(tokens) < min_tokens:
        return None
    if any(t.casefold().strip(".") in NOT_NAME_WORDS for t in tokens):
        return None
    if is_placeholder_name(value):
        return None
    cased = value[0].isupper() or value[0].istitle()
    if cased and len(tokens) == 1 and (len(value) < 2 or (value.isupper() and len(value) <= 3)):
        return None  # "N", "NA", "TBD": not a name alone
    if not cased and ((len(tokens) == 1 and len(value) > 8) or any(len(t) > 12 for t in tokens)):
        return None  # a caseless run that long is a sentence, not a name ("مريم سعيد الكعبي" is one)
    return start, end


# --- labels -------------------------------------------------------------------------------------

# Field labels (lower case, regex fragments). A label counts at the start of a line (after
# bullets, numbering, markdown emphasis) or after a field separator, followed by ":" / "：".
PERSON_LABELS = (
    # en
    r"name",
    r"full name",
    r"first name",
    r"last name",
    r"surname",
    r"given names?",
    r"family name",
    r"middle name",
    r"legal name",
    r"maiden name",
    r"nickname",
    r"applicant(?: name)?",
    r"candidate(?: name)?",
    r"employee(?: name)?",
    r"patient(?: name)?",
    r"student(?: name)?",
    r"client(?: name)?",
    r"customer name",
    r"tenant(?: name)?",
    r"landlord(?: name)?",
    r"contact(?: person| name)?",
    r"emergency contact",
    r"next of kin",
    r"guardian",
    r"spouse",
    r"signature",
    r"signed(?: by)?",
    r"sender",
    r"recipient",
    r"attn\.?",
    r"attention",
    r"your name",
    *(r"my details", r"personal details", r"мои данные", r"mis datos", r"meus dados", r"meine daten"),
    r"my name",
    # ru / uk
    r"имя",
    r"фамилия",
    r"отчество",
    r"ф\.?\s?и\.?\s?о\.?",
    r"полное имя",
    r"имя и фамилия",
    r"фамилия,? имя(?:,? отчество)?",
    r"контактное лицо",
    r"кандидат",
    r"соискатель",
    r"пациент",
    r"ім['’]я",
    r"прізвище",
    r"піб",
    # zh / ja / ko
    r"姓名",
    r"名字",
    r"求职人",
    r"求职者",
    r"联系人",
    r"申请人",
    r"收件人",
    r"寄件人",
    r"发件人",
    r"称呼",
    r"患者姓名",
    r"学生姓名",
    r"氏名",
    r"お名前",
    r"名前",
    r"フリガナ",
    r"ふりがな",
    r"担当者",
    r"差出人",
    r"宛先",
    r"이름",
    r"성명",
    # es / pt / it
    r"nombres?",
    r"nombre completo",
    r"nombre y apellidos?",
    r"apellidos?",
    r"solicitante",
    r"remitente",
    r"destinatario",
    r"nome",
    r"nome completo",
    r"sobrenome",
    r"remetente",
    r"destinatário",
    r"assinatura",
    r"cognome",
    r"nome e cognome",
    # fr / de
    r"nom",
    r"prénom",
    r"prénoms",
    r"nom complet",
    r"nom de famille",
    r"nom et prénom",
    r"nom,? prénom",
    r"prénom et nom",
    r"expéditeur",
    r"destinataire",
    r"vorname",
    r"nachname",
    r"vollständiger name",
    r"familienname",
    r"vor- und nachname",
    r"absender",
    r"empfänger",
    r"ansprechpartner(?:in)?",
    r"unterschrift",
    # tr / ar
    r"adı",
    r"ad soyad",
    r"adı soyadı",
    r"ad-soyad",
    r"isim",
    r"isim soyisim",
    r"soyad",
    r"soyadı",
    r"gönderen",
    r"alıcı",
    r"الاسم",
    r"الاسم الكامل",
    r"اسم",
    r"الاسم الأول",
    r"اسم العائلة",
    r"اللقب",
    r"المرسل",
)
# Header lines of an e-mail: a name there only with an address on the line or in a header block.
HEADER_LABELS = (
    r"from",
    r"to",
    r"cc",
    r"bcc",
    r"reply-to",
    r"von",
    r"an",
    r"de",
    r"para",
    r"à",
    r"от",
    r"кому",
    r"kimden",
    r"kime",
    r"من",
    r"إلى",
)
SUBJECT_LABELS = (
    r"subject",
    r"betreff",
    r"asunto",
    r"objet",
    r"assunto",
    r"oggetto",
    r"тема",
    r"konu",
    r"主题",
    r"主題",
    r"件名",
    r"الموضوع",
    r"date",
    r"sent",
    r"datum",
    r"fecha",
)
ADDRESS_LABELS = (
    r"(?:home |street |mailing |postal |residential |permanent |current |billing |shipping )?address",
    r"addr\.?",
    r"адрес(?: проживания| регистрации)?",
    r"место жительства",
    r"адреса",
    r"地址",
    r"住址",
    r"家庭住址",
    r"通讯地址",
    r"联系地址",
    r"现住址",
    r"现居",
    r"现居住地",
    r"居住地",
    r"住所",
    r"現住所",
    r"dirección",
    r"direccion",
    r"domicilio",
    r"adresse",
    r"anschrift",
    r"wohnort",
    r"wohnadresse",
    r"endereço",
    r"endereco",
    r"morada",
    r"indirizzo",
    r"adres",
    r"adresi",
    r"ev adresi",
    r"العنوان",
    r"عنوان",
    r"주소",
)
DOB_LABELS = (
    r"dob",
    r"d\.o\.b\.?",
    r"date of birth",
    r"birth ?date",
    r"born",
    r"birthday",
    r"дата рождения",
    r"д\.\s?р\.?",
    r"出生日期",
    r"出生年月(?:日)?",
    r"生日",
    r"生年月日",
    r"誕生日",
    r"fecha de nacimiento",
    r"f\. de nacimiento",
    r"date de naissance",
    r"né(?:e)? le",
    r"geburtsdatum",
    r"geboren(?: am)?",
    r"geb\.",
    r"data de nascimento",
    r"data di nascita",
    r"doğum tarihi",
    r"تاريخ الميلاد",
    r"تاريخ الولادة",
    r"생년월일",
)
# Cues before a date of birth in running text ("I was born on", "nací el" ...).
DOB_PHRASES = (
    r"i was born on",
    r"i was born",
    r"my (?:date of birth|birth ?date|dob|d\.o\.b\.?|birthday)(?: is)?",
    r"nací el",
    r"nací",
    r"mi fecha de nacimiento(?: es)?",
    r"je suis née? le",
    r"je suis née?",
    r"ma date de naissance(?: est)?",
    r"mein geburtsdatum(?: ist| lautet)?",
    r"ich bin am",
    r"ich wurde am",
    r"nasci em",
    r"nasci no dia",
    r"nasci",
    r"minha data de nascimento(?: é)?",
    r"я родил(?:ся|ась)",
    r"моя дата рождения",
    r"дата моего рождения",
    r"мой день рождения",
    r"doğum tarihim",
    r"ولدت في",
    r"ولدت بتاريخ",
    r"تاريخ ميلادي",
    r"sono nato il",
    r"sono nata il",
)
DOB_PHRASES_UNSPACED = (
    r"我出生于",
    r"我出生在",
    r"我的生日是",
    r"我的出生日期是",
    r"我生于",
    r"私の誕生日は",
)

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
    r"|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre"
    r"|januar|jänner|februar|märz|april|juni|juli|august|september|oktober|november|dezember"
    r"|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro"
    r"|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    r"|ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
    r"|январ[ьяе]|феврал[ьяе]|марта?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|сентябр[ьяе]"
    r"|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]"
    r"|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
)
DATE = regex.compile(
    rf"""(?ix)
    (?:\d{{4}}|(?:明治|大正|昭和|平成|令和)\s*(?:\d{{1,2}}|元))\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*[日号])?
    | \d{{1,4}}\s?[./\-]\s?\d{{1,2}}\s?[./\-]\s?\d{{1,4}}
    | \d{{1,2}}(?:st|nd|rd|th|er|º|°|\.)?\s*(?:de\s+|of\s+)?(?:{_MONTHS})\.?,?\s*
      (?:de\s+|del\s+)?\d{{2,4}}(?:\s*г\.?|\s*года)?
    | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}
    | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)
    | \d{{1,2}}(?:st|nd|rd|th|er|\.)?\s*(?:de\s+|of\s+)?(?:{_MONTHS})(?![\p{{L}}])
    """
)
# A date followed by a birth word ("1990年5月3日生まれ", "3 Mart 1990'da doğdum", "… geboren").
_DATE_THEN_BORN = regex.compile(
    r"[\s'’]*(?:da|de|te|ta)?\s*(?:生まれ|出生|doğdum|geboren|г\.\s?р\.|года рождения)", regex.I
)


def _alt(fragments: Iterable[str]) -> str:
    return "|".join(f"(?:{f})" for f in fragments)


# the start of a field: line start or a separator, then bullets / numbering / markdown
_FIELD_START = (
    r"(?:^|(?<=[|•·;,，；(])|(?<=[.!?。！？:][ \t]))[ \t]*(?:[-*•>#]+[ \t]*|\d{1,2}[.)][ \t]*)?(?:\*\*|__)?"
)
_FIELD_SEP = r"(?:\*\*|__)?[ \t]*[:：](?:\*\*|__)?[ \t]*"
# a label right before a colon (searched in the 48 characters before each colon: fast)
_LABEL_TAIL = regex.compile(
    rf"(?i)[ \t]*(?:[-*•>#]+[ \t]*|\d{{1,2}}[.)][ \t]*)?(?:\*\*|__)?(?:(?P<person>{_alt(PERSON_LABELS)})"
    rf"|(?P<address>{_alt(ADDRESS_LABELS)})|(?P<dob>{_alt(DOB_LABELS)})|(?P<header>{_alt(HEADER_LABELS)}))"
    r"(?:\*\*|__)?[ \t]*\Z"
)
# where a field may start inside a line: after a separator, or a sentence end and a space
_FIELD_SEPARATOR = re.compile(r"[|•·;,，；(]|[.!?。！？:](?=[ \t])")
_AFTER_COLON = regex.compile(r"[:：](?:\*\*|__)?[ \t]*")
_COLON = re.compile("[:：]")
_LINE = re.compile(r"[^\r\n]*")
# words every date-of-birth phrase or label holds (str.find: most texts have none)
_DOB_WORDS = (
    *("born", "dob", "d.o.b", "birth", "рожд", "出生", "生日", "生年月日", "誕生", "生まれ", "nacimiento"),
    *("nací", "naci", "naissance", "né", "geburt", "geboren", "geb.", "nascimento", "nasci", "nascita"),
    *("nato il", "nata il", "doğum", "doğdum", "الميلاد", "ولدت", "ميلاد", "الولادة", "생년월일"),
    *("г.р.", "г. р.", "года рождения", "родил", "ولد", "nacid", "nascid", "née", "né le"),
)
_BORN_AFTER_DATE = ("生まれ", "出生", "doğdum", "geboren", "г.р.", "г. р.", "года рождения")
# Another person's date of birth ("she was born April 2, 1957", "nacida el 30/01/1941", "doğum
# 15.06.1945") is private when the text is about a private person: a relative, a patient, a client
# (a famous person's birth date stays). The phrase, then a private-person cue within the message.
THIRD_DOB_PHRASES = (
    r"(?:was|were|is) born(?: on| in)?",
    r"nacid[oa](?: el)?",
    r"née? le",
    r"geboren am",
    r"nascid[oa](?: em| no dia)?",
    r"родил(?:ся|ась)",
    r"doğum(?:lu)?",
    r"وُ?لد(?:ت)? (?:في|بتاريخ)",
    r"nat[oa] il",
)
PRIVATE_PERSON_CUES = (
    r"my (?:mom|mum|mother|dad|father|son|daughter|wife|husband|grand(?:ma|mother|pa|father)|brother"
    r"|sister|uncle|aunt|child|kid|baby|boyfriend|girlfriend|partner|friend|neighbou?r|boss|coworker"
    r"|colleague|client|patient|tenant|landlord)",
    r"patient(?:e|in)?",
    r"пациент(?:ка|а)?",
    r"больно(?:й|го|му)",
    r"paciente",
    r"hasta",
    r"患者",
    r"病人",
    r"مريض(?:ة)?",
    r"paziente",
    r"(?:mi|mis) (?:madre|padre|hij[oa]|abuel[oa]|espos[oa]|herman[oa])",
    r"(?:ma|mon) (?:mère|père|fils|fille|grand-mère|grand-père|femme|mari)",
    r"(?:meine|mein) (?:mutter|vater|sohn|tochter|oma|opa|frau|mann)",
    r"(?:minha|meu) (?:mãe|pai|filh[oa]|avó|avô|espos[oa])",
    r"(?:мо[яй]|моего|моей) (?:мам[аы]|пап[аы]|сын|доч[ьи]|бабушк[аи]|дедушк[аи]|жен[аы]|муж)",
    r"annem|babam|oğlum|kızım",
    r"我(?:的)?(?:妈|爸|母亲|父亲|儿子|女儿|奶奶|爷爷)",
    r"母|父|祖母|祖父|息子|娘",
)
_LABEL_REACH = 48
_THIRD_DOB = regex.compile(rf"(?i)(?<![\p{{L}}])(?:{_alt(THIRD_DOB_PHRASES)})(?![\p{{L}}])[ \t:,]*")
_PRIVATE_PERSON = regex.compile(rf"(?<![\p{{L}}])(?:{_alt(PRIVATE_PERSON_CUES[:-2])})(?![\p{{L}}])"
                                rf"|{_alt(PRIVATE_PERSON_CUES[-2:])}")
# PERSON shapes whose block may hold the person's street address
_BLOCK_RULES = frozenset({"header_field", "person_field", "sign_off", "contact_block", "contact_line"})
_SUBJECT_LINE = regex.compile(rf"(?im)^[ \t]*(?:{_alt(SUBJECT_LABELS)})[ \t]*[:：]")
# A field value ends at a wide gap, a tab, a bar, or the next "Label:" on the line.
_ADDRESS_VALUE_END = regex.compile(
    r"[ \t]{3,}|\t|[|｜]|[ \t,，;；](?!(?:No|Nr|Apt|Kat|Daire|Blok|Piso|Bl)[ \t]*[:：])"
    r"(?:[\p{Lu}][\p{Ll}]+(?:[ \t][\p{Ll}]+){0,2}|\p{Lo}{1,6})[ \t]*[:：]"
)
_EMAIL_IN_LINE = regex.compile(r"[<(\[]?[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+[>)\]]?")
_HONORIFIC = regex.compile(
    r"(?i)(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|madam|herr|frau|sr|sra|srta|señor|señora|"
    r"m|mme|mlle|dott|dra|bay|bayan|sayın|господин|госпожа|г-н|г-жа)\.?[ \t]+"
)

# Valedictions alone on their line: the next line is the writer's name.
VALEDICTIONS = (
    r"(?:best|kind|warm|warmest|many|with|all the)?\s*(?:regards|wishes)",
    r"best",
    r"cheers",
    r"thanks",
    r"thank you",
    r"many thanks",
    r"thanks again",
    r"thanks so much",
    r"sincerely",
    r"yours",
    r"yours (?:truly|sincerely|faithfully)",
    r"respectfully",
    r"love",
    r"lots of love",
    r"xoxo",
    r"warmly",
    r"take care",
    r"talk soon",
    r"all the best",
    r"best wishes",
    r"take it easy",
    r"peace",
    r"saludos(?: cordiales)?",
    r"un saludo",
    r"atentamente",
    r"cordialmente",
    r"gracias",
    r"un abrazo",
    r"abrazos",
    r"besos",
    r"cordialement",
    r"bien à vous",
    r"bien cordialement",
    r"merci",
    r"bises",
    r"amitiés",
    r"à bientôt",
    r"mit freundlichen grüßen",
    r"mit freundlichen grüssen",
    r"(?:viele|liebe|beste|herzliche) grüße",
    r"lg",
    r"vg",
    r"mfg",
    r"danke",
    r"gruß",
    r"grüße",
    r"atenciosamente",
    r"abraços",
    r"obrigad[oa]",
    r"beijos",
    r"cumprimentos",
    r"distinti saluti",
    r"cordiali saluti",
    r"grazie",
    r"с уважением",
    r"спасибо",
    r"всего доброго",
    r"с наилучшими пожеланиями",
    r"saygılarımla",
    r"teşekkürler",
    r"sevgiler",
    r"iyi çalışmalar",
    r"此致敬礼",
    r"此致\s*敬礼",
    r"敬上",
    r"谢谢",
    r"祝好",
    r"よろしくお願いします",
    r"よろしくお願いいたします",
    r"敬具",
    r"مع التحية",
    r"مع خالص التحية",
    r"شكرا",
    r"وتفضلوا بقبول فائق الاحترام",
    r"감사합니다",
)
_VALEDICTION_LINE = re.compile(rf"(?im)^[ \t]*(?:{_alt(VALEDICTIONS)})[ \t]*[,.!，、。]?[ \t]*$")
# "— Maeve", "-- Maeve Walsh", "~Maeve" alone on the last line of a message
_DASH_SIGNATURE = regex.compile(r"(?m)^[ \t]*(?:—|–|--|-|~)[ \t]*(?P<name>[^\n\-—–~]{1,50})[ \t]*\Z")
# self-introductions beyond the fixed cue phrases (core/pii/cues.py NAME_CUES): the capture is the
# name. Each shape runs only around its literal words (str.find; most texts have none).
_SELF_INTRO = {
    # "im Jordan," (no apostrophe: "I'm" is a cue of core/pii/cues.py)
    "im": (
        ("im ", "im\t"),
        regex.compile(
            r"(?:^|(?<=[\s,.!?:;(]))(?i:(?:hi|hey|hello|yo)[ \t,!.]*)?(?i:im)[ \t]+"
            r"(?P<im>[\p{Lu}][\p{Ll}'’\-]+)"
            r"(?=[ \t]*(?:[,.!?;)\n]|$|[ \t]+(?i:and|from|here|a|an|i|im|btw|lol|\d)(?![\p{L}])))",
            regex.M,
        ),
    ),
    # "sign it as Maeve Walsh", "signed as ..."
    "sign": (
        ("sign",),
        regex.compile(
            r"(?i:sign(?:ed)?(?:[ \t]+(?:it|this|that|them|off|the[ \t]+\w+|my[ \t]+\w+))?"
            r"[ \t]+as[ \t]*[:\-]?[ \t]*)(?P<sign>[^\n,.;!?()]{1,60})"
        ),
    ),
    "goby": (
        ("go by",),
        regex.compile(r"(?i:\bi[ \t]+go[ \t]+by[ \t]+)(?P<goby>[^\n,.;!?()]{1,40})"),
    ),
    # "name Jordan Reyes, title Senior Analyst"
    "nametitle": (
        ("name",),
        regex.compile(
            r"(?i:\bname)[ \t]+(?P<nametitle>[\p{Lu}][^\n,;:()]{1,50}),[ \t]*"
            r"(?i:title|role|position|job|email|e-mail|phone|age|company|department)\b"
        ),
    ),
    # "full name Callum Ferris", "name on card Bethany Quill", ", name Sneha Iyer" (no colon)
    "inline": (
        ("full name", "name on", "cardholder", "surname", "given name", ", name", "; name"),
        regex.compile(
            r"(?i:(?:full[ \t]+name|name[ \t]+on[ \t]+(?:the[ \t]+)?card|cardholder(?:[ \t]+name)?|surname"
            r"|given[ \t]+name)|(?<=[,;][ \t]{0,3})name)[ \t]*(?:is[ \t]+)?"
            r"(?P<inline>[\p{Lu}][\p{L}\p{M}'’\-]+(?:[ \t]+[\p{Lu}][\p{L}\p{M}'’\-]+){1,3})"
        ),
    ),
    # "hola soy Ximena,", "oi, sou o Caio,", "hi its Siobhan again", "moi c Enzo,"
    "soy": (
        ("soy ", "sou ", "moi c", "its ", "it's ", "it’s "),
        regex.compile(
            r"(?<![\p{L}])(?i:soy|sou(?:[ \t]+[oa])?|moi[ \t]+c(?:['’]est)?|hi[ \t,]+it['’]?s"
            r"|hey[ \t,]+it['’]?s)"
            r"[ \t]+(?P<soy>[\p{Lu}][\p{Ll}\p{M}'’\-]+(?:[ \t]+[\p{Lu}][\p{Ll}\p{M}'’\-]+){0,2})"
            r"(?=[ \t]*(?:[,.!?;]|$|[ \t]+(?i:again|here|from|de|da|do|aqui|aquí|ici|y|e|et|and|j['’]ai|tengo"
            r"|tenho)(?![\p{L}])))",
            regex.M,
        ),
    ),
    # "私は藤井 彩花、", "أنا رنا الزعبي،"
    "caseless": (
        ("私は", "أنا", "انا"),
        regex.compile(
            r"(?:私は|(?<![\p{L}])(?:أنا|انا)[ \t]+)"
            r"(?P<caseless>[\p{Han}\p{Hiragana}\p{Katakana}\p{Arabic}ー]{1,8}"
            r"(?:[ \t\u3000][\p{Han}\p{Hiragana}\p{Katakana}\p{Arabic}ー]{1,8}){0,2})(?=[、，,،。.!！])"
        ),
    ),
    # "Jordan here, ..." opening a message
    "here": (
        ("here",),
        regex.compile(
            r"\A[ \t]*(?i:(?:hi|hey|hello)[ \t,!]+)?"
            r"(?P<here>[\p{Lu}][\p{Ll}'’\-]+(?:[ \t][\p{Lu}][\p{Ll}'’\-]+)?)"
            r"[ \t]+here(?=[ \t]*[,!—–\-])"
        ),
    ),
}
# adjectives people capitalise after "im" ("Im Sorry"): never a name there
NOT_NAME_AFTER_IM = frozenset(
    "sorry fine good done ready back here new sure glad happy tired confused stuck lost okay ok "
    "excited trying looking working going getting writing new just so very really not also still "
    "gonna currently interested curious bored sick hungry".split()
)
# imperatives that open a line before "here" ("Click here, ...")
NOT_NAME_BEFORE_HERE = frozenset(
    "click tap look start sign go come read see put enter stop stay get check sit wait".split()
)
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_GERMAN = regex.compile(r"(?i)(?<![\p{L}])(?:der|die|das|und|ist|nicht|mit|für|ich|wir)(?![\p{L}])")
_ADDRESS_HINT = regex.compile(r"\d|[\p{Han}\p{Hiragana}\p{Katakana}\p{Arabic}\p{Hangul}]{4,}")
_NOT_ADDRESS = regex.compile(r"(?i)^(?:0x[0-9a-f]+|[\d.:/#\[\]a-f]+|https?://\S*|\S+@\S+)$")
_LABEL_LINE = regex.compile(r"^[ \t]*[\p{L}][\p{L} ]{0,25}[:：]")
# what may follow a name that ends a field value
_FIELD_ENDS = regex.compile(
    r"[ \t*_\"'”»」.!]*(?:$|[(,，/|｜;；<\[·•]|[ \t]+[-–—][ \t]|[ \t]{2,}|\t"
    r"|[\p{L}][\p{L}\p{M} .\-]{0,25}[:：])",
    regex.M,
)
_LEADING_LABEL = regex.compile(r"[ \t]*[\p{L}][\p{L}\p{M} .\-]{0,25}[:：][ \t]*")


def _literal_hits(lowered: str, literals: Iterable[str], limit: int = 200) -> list[int]:
    """Positions of the literals in the lower-cased text (str.find: a memchr, not a regex)."""
    hits = []
    for literal in literals:
        at = lowered.find(literal)
        while at >= 0 and len(hits) < limit:
            hits.append(at)
            at = lowered.find(literal, at + 1)
    return sorted(hits)


# A street address by its shape (house number and street word, ten languages); taken only in a
# contact block or letter header (next to an e-mail, phone, name field, sign-off): alone, "221B
# Baker Street" and "10 Downing Street" are public.
_STREET_WORDS_AFTER = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|square|sq|grove|place|pl|court|ct|close|way|terrace"
    r"|boulevard|blvd|crescent|row|gardens|park|hill|walk|mews|parkway|pkwy|highway|hwy"
)
_STREET_WORDS_BEFORE = (
    r"rue|avenue|av\.|bd|boulevard|impasse|allée|chemin|quai|place|route|calle|c/|avda\.?|avenida|plaza"
    r"|paseo|camino|rua|travessa|praça|alameda|estrada|via|viale|piazza|corso|ул\.|улица|проспект|пр-т"
    r"|пер\.|переулок|шоссе|бульвар|наб\.|شارع|طريق"
)
STREET = regex.compile(
    rf"""(?ix)
    \b\d{{1,5}}[a-z]?,?[ \t]+(?:[\p{{L}}'’.\-]+[ \t]+){{0,4}}?(?:{_STREET_WORDS_AFTER})\b\.?
    | \b\d{{1,5}}(?:[ \t]+(?:bis|ter))?,?[ \t]+(?:{_STREET_WORDS_BEFORE})[ \t]
    | (?<![\p{{L}}])(?:{_STREET_WORDS_BEFORE})[ \t]*[^\n,<|]{{1,40}}?,?[ \t]*(?:n[ºo°.]?[ \t]*)?\d{{1,5}}
    | [\p{{L}}\-]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)[ \t]+\d{{1,4}}[a-z]?\b
    | (?:mah\.|mahallesi|sok\.|sokak|cad\.|caddesi)[^\n]{{0,40}}?no[ \t]*:?[ \t]*\d+
    | \p{{Han}}{{2,}}(?:省|市|区|県|都|府)[\p{{Han}}\d\-]{{1,20}}?(?:路|街|道|号|丁目|番地|町)
      [\p{{Han}}\d\-号楼室栋]*
    """
)
_ADDRESS_STOP = re.compile(r"[<|｜\n]|\S+@\S+|\b(?:tel|phone|mob|email|e-mail)\b", re.I)


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int
    rule: str  # which shape found it (for tests and counts)


def _line_bounds(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def _after_honorific(text: str, start: int, end: int) -> int:
    m = _HONORIFIC.match(text, start, end)
    return m.end() if m else start


class StructuredPii:
    """Finds PERSON, ADDRESS and DATE_OF_BIRTH spans given by the shape of the text."""

    def __init__(self, entities: Sequence[str]):
        self.person = "PERSON" in entities
        self.address = "ADDRESS" in entities
        self.dob = "DATE_OF_BIRTH" in entities
        # a DOB phrase or label anywhere, then a date right after it ("DOB 1994-11-23",
        # "дата рождения 17.05.1991", "生年月日は1990年10月3日", ", born 2 August 1989"); a bare
        # "born" only after a comma or at a line start ("Einstein was born on …" stays)
        labels = [label for label in DOB_LABELS if label != "born" and not _CJK.search(label)]
        unspaced = [*DOB_PHRASES_UNSPACED, *(label for label in DOB_LABELS if _CJK.search(label))]
        self._dob_phrase = regex.compile(
            rf"(?i)(?:(?<![\p{{L}}])(?:{_alt(DOB_PHRASES)}|{_alt(labels)})(?![\p{{L}}])"
            rf"|(?:(?<=[,;]\s*)|^)born(?![\p{{L}}])|{_alt(unspaced)}|(?<![\p{{L}}])و(?:{_alt(labels)}))"
            r"[ \t:：,\-–—]*(?:(?:is|was|es|est|ist|é|on|the|el|le|am|em|no dia|il|в|в ?году|تاريخ)[ \t]+)?"
            r"(?:[はは是为:：][ \t]*)?"
        )

    def find(self, text: str, contacts: Sequence[tuple[int, int]] = ()) -> list[Span]:
        """Spans in ``text``; ``contacts``: spans of e-mails / phone numbers already found (the
        line above them, or the words before them on their line, may be the owner's name)."""
        if not text or not (self.person or self.address or self.dob):
            return []
        spans: list[Span] = []
        if ":" in text or "：" in text:
            spans += self._fields(text)
        if self.person:
            if "\n" in text:
                spans += self._sign_offs(text)
            spans += self._self_intros(text)
            if contacts:
                spans += self._contact_names(text, contacts)
        if self.address:
            anchors = [start for start, _ in contacts] + [s.start for s in spans if s.rule in _BLOCK_RULES]
            if anchors:
                spans += self._block_addresses(text, anchors)
        if self.dob:
            spans += self._dob_phrases(text)
        return spans

    # form fields and headers
    def _fields(self, text: str) -> list[Span]:
        spans = []
        header_block = None
        line_start = line_end = -1
        for colon in _COLON.finditer(text):
            at = colon.start()
            if at > line_end:
                line_start, line_end = _line_bounds(text, at)
            lo = max(line_start, at - _LABEL_REACH)
            starts = [line_start] if line_start == lo else []
            starts += [sep.end() for sep in _FIELD_SEPARATOR.finditer(text, lo, at)]
            m = None
            for c in starts:
                m = _LABEL_TAIL.match(text, c, at)
                if m is not None:
                    break
            if m is None:
                continue
            kind = m.lastgroup
            label = m.group(kind)
            start = _AFTER_COLON.match(text, at).end()
            if kind == "dob" and self.dob:
                date = DATE.match(text, start, min(line_end, start + 40))
                if date:
                    spans.append(Span("DATE_OF_BIRTH", date.start(), date.end(), "dob_field"))
            elif kind == "address" and self.address:
                span = self._address_value(text, start, line_end)
                if span:
                    spans.append(Span("ADDRESS", *span, "address_field"))
            elif kind in ("person", "header") and self.person:
                if kind == "header" or (label.islower() and label.isascii()):
                    # "to:"/"from:" and lower-case labels ("name: build") are code and prose as
                    # often as forms: a header needs an address on its line or a header block
                    # around it; a lower-case label needs a full name
                    email = _EMAIL_IN_LINE.search(text, start, line_end)
                    if kind == "header":
                        if header_block is None:
                            header_block = bool(_SUBJECT_LINE.search(text))
                        if not (email or header_block) or (not label[:1].isupper() and label.isascii()):
                            continue
                    end = email.start() if email and email.start() > start else None
                    tokens = 1 if kind == "header" else 2
                    span = self._name_value(text, start, line_end, end, min_tokens=tokens)
                else:
                    span = self._name_value(text, start, line_end)
                if span is None and start == line_end:  # "Name:\nMaeve Walsh"
                    next_start, next_end = _line_bounds(text, min(len(text) - 1, line_end + 1))
                    if line_end + 1 < len(text) and not _LABEL_LINE.match(text, next_start, next_end):
                        span = self._name_value(text, next_start, next_end)
                if span:
                    spans.append(Span("PERSON", *span, f"{kind}_field"))
        return spans

    @staticmethod
    def _name_value(
        text: str, start: int, line_end: int, end: int | None = None, min_tokens: int = 1
    ) -> tuple[int, int] | None:
        """The name that opens ``text[start:line_end]`` (or fills ``text[start:end]``): the
        longest run of name-shaped words after which the field ends (line end, "(", ",", " - ",
        or the next "Label:" on the line: "姓名：张伟 性别：男", "Name: Ann Lee Age: 34")."""
        start = _after_honorific(text, start, end or line_end)
        if end is not None:
            return name_span(text, start, end, min_tokens)
        while start < line_end and text[start] in " \t*_\"'“”«»「」":
            start += 1
        m = NAME_VALUE.match(text, start, line_end)
        if m is None:
            return None
        cuts = [m.end(), *[start + i for i, ch in enumerate(m.group()) if ch in " \t\u3000"][::-1]]
        for cut in cuts:
            if _FIELD_ENDS.match(text, cut, line_end):
                return name_span(text, start, cut, min_tokens)
        return None

    @staticmethod
    def _address_value(text: str, start: int, line_end: int) -> tuple[int, int] | None:
        if start == line_end and line_end + 1 < len(text):
            # "Address:\n12 Elm St\nDublin 4": up to three following non-label lines
            first = line_end + 1
            end = first
            for _ in range(3):
                s, e = _line_bounds(text, min(end, len(text) - 1))
                if s >= len(text) or e == s or _LABEL_LINE.match(text, s, e) or e - s > 80:
                    break
                end = e
                if e + 1 >= len(text):
                    break
                end = e + 1
            start, line_end = first, end
        else:
            stop = _ADDRESS_VALUE_END.search(text, start, line_end)
            line_end = stop.start() if stop else line_end
        while line_end > start and text[line_end - 1] in " \t\n.,;:*_":
            line_end -= 1
        value = text[start:line_end].strip()
        if len(value) < 6 or not _ADDRESS_HINT.search(value) or _NOT_ADDRESS.match(value):
            return None
        if value.startswith(("[", "<", "{", "(")) or "your" in value.casefold():
            return None  # "[Your Address]"
        return start, line_end

    # sign-offs
    def _sign_offs(self, text: str) -> list[Span]:
        spans = []
        # a valediction alone on its line, the name on the next (one blank line allowed)
        for m in _VALEDICTION_LINE.finditer(text):
            at = m.end() + 1
            for _ in range(2):
                if at >= len(text):
                    break
                start, end = _line_bounds(text, at)
                if text[start:end].strip():
                    span = self._name_value(text, start, end)
                    if span:
                        spans.append(Span("PERSON", *span, "sign_off"))
                    break
                at = end + 1
        tail = text.rstrip()
        m = _DASH_SIGNATURE.search(tail, max(0, tail.rfind("\n")))
        if m:
            before = tail[: m.start()].rstrip()
            if before and before[-1] not in "\"”»」』'’":  # "“…” — Albert Einstein": a quotation
                span = self._name_value(tail, *m.span("name"))
                if span:
                    spans.append(Span("PERSON", *span, "dash_signature"))
        return spans

    # self-introductions
    def _self_intros(self, text: str) -> list[Span]:
        spans = []
        found = {}
        lowered = text.lower()
        for kind, (literals, pattern) in _SELF_INTRO.items():
            if kind == "here":  # opens the message
                hits = [0] if "here" in lowered[:80] else []
            else:
                hits = _literal_hits(lowered, literals)
            for at in hits:  # the shape runs around its words only
                lo = 0 if kind == "here" else max(0, at - 24)
                for m in pattern.finditer(text, lo, min(len(text), at + 120)):
                    found[(kind, m.span(kind))] = m
        for (kind, _), m in sorted(found.items(), key=lambda item: item[0][1]):
            s, e = m.span(kind)
            if kind == "im" and (
                _GERMAN.search(text) or text[s:e].casefold() in NOT_NAME_AFTER_IM
            ):  # German "im Sommer": "im" is "in the"; "Im sorry"
                continue
            if kind == "here" and text[s:e].split()[0].casefold() in NOT_NAME_BEFORE_HERE:
                continue
            if kind in ("sign", "goby"):
                s = _after_honorific(text, s, e)
                name = NAME_VALUE.match(text, s, e)
                if name is None:
                    continue
                e = name.end()
            span = name_span(text, s, e)
            if span:
                spans.append(Span("PERSON", *span, f"intro_{kind}"))
        return spans

    # contact blocks
    def _contact_names(self, text: str, contacts: Sequence[tuple[int, int]]) -> list[Span]:
        spans = []
        seen_lines = set()
        for c_start, _ in contacts:
            line_start = _line_bounds(text, c_start)[0]
            if line_start in seen_lines:
                continue
            seen_lines.add(line_start)
            # "Maeve Walsh, maeve@…", "Maeve Walsh | +1 …", "Maeve Walsh <maeve@…>"
            prefix_end = c_start
            while prefix_end > line_start and text[prefix_end - 1] in " \t,|<(-–—:;/·•":
                prefix_end -= 1
            if prefix_end > line_start and ":" not in text[prefix_end:c_start]:  # not "Desk: 555 …"
                label = _LEADING_LABEL.match(text, line_start, prefix_end)
                name_start = label.end() if label else line_start
                span = name_span(text, _after_honorific(text, name_start, prefix_end), prefix_end)
                if span:
                    spans.append(Span("PERSON", *span, "contact_line"))
                    continue
            # a contact block opens with its owner's name: the block's first line (or the one
            # after it, below "Best regards," / "Contact:"), up to six lines above, no blank line
            top = line_start
            for _ in range(6):
                if top <= 0:
                    break
                prev_start, prev_end = _line_bounds(text, top - 1)
                if not text[prev_start:prev_end].strip():
                    break
                top = prev_start
            for _ in range(2):
                if top >= line_start:
                    break
                top_end = _line_bounds(text, top)[1]
                if top_end - top <= 60 and not _LABEL_LINE.match(text, top, top_end):
                    span = self._name_value(text, top, top_end)  # "**周婉清** · 室内设计师"
                    if span and text[span[0]].isupper() and len(text[span[0] : span[1]].split()) < 2:
                        span = None  # a single capitalised word is too often a brand or a title
                    if span:
                        spans.append(Span("PERSON", *span, "contact_block"))
                        break
                top = top_end + 1
        return spans

    # street addresses in a contact block or letter header
    def _block_addresses(self, text: str, anchors: Sequence[int]) -> list[Span]:
        spans = []
        lines = set()
        for at in anchors:  # the anchor's line, up to 3 above and 4 below, no blank line between
            start, end = _line_bounds(text, at)
            lines.add((start, end))
            up, down = start, end
            for _ in range(3):
                if up <= 0:
                    break
                s, e = _line_bounds(text, up - 1)
                if not text[s:e].strip():
                    break
                lines.add((s, e))
                up = s
            for _ in range(4):
                if down + 1 >= len(text):
                    break
                s, e = _line_bounds(text, down + 1)
                if not text[s:e].strip():
                    break
                lines.add((s, e))
                down = e
        for start, end in sorted(lines):
            m = STREET.search(text, start, end)
            if m is None:
                continue
            stop = _ADDRESS_STOP.search(text, m.end(), end)
            stop_at = stop.start() if stop else end
            while stop_at > m.start() and text[stop_at - 1] in " \t,;.-–—(":
                stop_at -= 1
            spans.append(Span("ADDRESS", m.start(), stop_at, "block_address"))
        return spans

    # dates of birth in running text
    def _dob_phrases(self, text: str) -> list[Span]:
        spans = []
        lowered = text.lower()
        hits = _literal_hits(lowered, _DOB_WORDS)
        seen = set()
        for at in hits:  # a phrase holds one of these words, at most 30 characters in
            for m in self._dob_phrase.finditer(text, max(0, at - 30), min(len(text), at + 40)):
                date = DATE.match(text, m.end(), m.end() + 40)
                if date and date.span() not in seen:
                    seen.add(date.span())
                    spans.append(Span("DATE_OF_BIRTH", date.start(), date.end(), "dob_phrase"))
        for at in _literal_hits(lowered, _BORN_AFTER_DATE):
            for date in DATE.finditer(text, max(0, at - 30), at):
                if _DATE_THEN_BORN.match(text, date.end()) and date.span() not in seen:
                    seen.add(date.span())
                    spans.append(Span("DATE_OF_BIRTH", date.start(), date.end(), "dob_suffix"))
        if hits and _PRIVATE_PERSON.search(lowered):  # another's date of birth, about a private person
            for m in _THIRD_DOB.finditer(text):
                date = DATE.match(text, m.end(), m.end() + 40)
                if date and date.span() not in seen:
                    seen.add(date.span())
                    spans.append(Span("DATE_OF_BIRTH", date.start(), date.end(), "dob_private_third"))
        return spans
