"""Structured identifiers in message text: national IDs, passport numbers, social profile URLs.

National IDs are Presidio recognizers whose candidates are validated by python-stdnum (check
digits, birth dates, regions): a candidate must have the identifier's exact layout, stand on
its own (no letter, digit or ``_`` glued to it, not part of a longer number, a version, a path
or a hash) and pass the library's ``is_valid``. Then:

* the country's usual written form with a checksum (``123.456.789-09`` CPF, ``123-45-6789``
  SSN, ``2345 6789 0124`` Aadhaar, an 18-character Chinese resident ID, ``12345678Z`` DNI)
  needs no cue;
* the same digits run together (``12345678909``), and every identifier without a check digit
  (UK NINO, Indian PAN, passports), need a cue word of that identifier within
  ``CUE_BEFORE`` characters before it or ``CUE_AFTER`` after it ("CPF", "SSN", "TC kimlik",
  "ИНН", "マイナンバー", "passport", "护照" ...).

Bare digit runs collide with order numbers, timestamps and sums, which is why a checksum alone
is never enough for them. Obvious sample numbers (one digit repeated, ``123456789``) are kept.

python-stdnum 2.2 has no module for the UK National Insurance number or the Russian SNILS:
NINO is checked against HMRC's published prefix rules (``_nino_ok``) and SNILS by its
published check-number rule (``_snils_ok``), both documented below.

Social profile URLs (``SOCIAL_PROFILE``): a person's page on LinkedIn (``/in/``), Facebook,
VK, Instagram, X/Twitter, Telegram (``t.me``), TikTok (``@user``), Threads, Reddit (``/user/``),
OK.ru (``/profile/``), Weibo (``/u/``), and a bare GitHub account (``github.com/<user>``, no
repository after it: a repository link is a public project, usually in code). Company, group
and help pages (``linkedin.com/company``, ``facebook.com/groups``, ``x.com/search`` ...) and
placeholder handles (``yourname``, ``username``, ``johndoe``) are kept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stdnum import luhn
from stdnum.br import cnpj, cpf
from stdnum.cn import ric
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.in_ import aadhaar, pan
from stdnum.jp import in_ as my_number
from stdnum.ru import inn
from stdnum.tr import tckimlik
from stdnum.us import itin, ssn

CUE_BEFORE = 40  # characters between a cue word's end and the identifier
CUE_AFTER = 15  # "123.456.789-09 (CPF)"
PASSPORT_CUE_AFTER = 40  # "passport number for my trip is X": the cue comes first


def _nino_ok(value: str) -> bool:
    """HMRC's NINO layout (National Insurance Manual NIM39110): two prefix letters (D, F, I, Q,
    U, V never; O never second; BG, GB, KN, NK, NT, TN, ZZ never issued), six digits, suffix A-D."""
    v = re.sub(r"\s", "", value).upper()
    return re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", v) is not None and v[:2] not in (
        "BG",
        "GB",
        "KN",
        "NK",
        "NT",
        "TN",
        "ZZ",
    )


def _snils_ok(value: str) -> bool:
    """SNILS check number (Pension Fund of Russia regulation, as published): the first nine
    digits weighted 9..1; a sum under 100 is the check number, 100 and 101 give 00, larger
    sums are taken mod 101 (100 again giving 00). Defined for numbers above 001-001-998."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 11 or int(digits[:9]) <= 1001998:
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total if total < 100 else (0 if total in (100, 101) else total % 101 % 100)
    return f"{check:02d}" == digits[9:]


def _synthetic(value: str) -> bool:
    """A sample number, not anybody's: one digit repeated, or an ascending/descending run."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return False
    if len(set(digits)) <= 2:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


@dataclass(frozen=True)
class IdSpec:
    """One identifier: ``formatted`` (its usual written form: valid → found without a cue, or
    None: always a cue) and ``plain`` (other layouts: valid and a cue within reach)."""

    entity: str
    plain: str
    is_valid: Callable[[str], bool]
    cues: tuple[str, ...]
    formatted: str | None = None
    case_insensitive: bool = False  # letters of the identifier may be lower case (NINO, PAN)


# The candidates' own boundaries: no ASCII letter, digit or "_" glued on (CJK text glues
# identifiers to words: "身份证号码是11010119...", so \b cannot be used); no longer number, version,
# path or hash around them ("v1.2.3", "/12345678901", "#1234", "12345678901.5").
_LEFT = r"(?<![A-Za-z0-9_#/\\@$%&+\-.])"
_RIGHT = r"(?![A-Za-z0-9_/\\@%&]|[.,\-:]\d)"

ID_SPECS: tuple[IdSpec, ...] = (
    IdSpec(
        "CN_RESIDENT_ID",
        r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]",
        ric.is_valid,
        (r"身份证", r"身份證", r"证件号", r"id card", r"resident id", r"citizen id"),
        formatted=r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]",
    ),
    IdSpec("BR_CPF", r"\d{11}", cpf.is_valid, (r"cpf",), formatted=r"\d{3}\.\d{3}\.\d{3}-\d{2}"),
    IdSpec("BR_CNPJ", r"\d{14}", cnpj.is_valid, (r"cnpj",), formatted=r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}"),
    IdSpec(
        "IN_AADHAAR",
        r"[2-9]\d{11}|[2-9]\d{3}-\d{4}-\d{4}",
        aadhaar.is_valid,
        (r"aadhaa?r", r"आधार", r"uidai", r"uid"),
        formatted=r"[2-9]\d{3} \d{4} \d{4}",
    ),
    IdSpec(
        "JP_MY_NUMBER",
        r"\d{12}|\d{4}([ -])\d{4}\1\d{4}",
        my_number.is_valid,
        (r"マイナンバー", r"個人番号", r"my ?number", r"mynumber"),
    ),
    IdSpec(
        "IN_PAN",
        r"[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]",
        pan.is_valid,
        (r"pan", r"permanent account number", r"पैन"),
    ),
    IdSpec(
        "ES_NIF",
        r"\d{8}-?[A-Z]",
        dni.is_valid,
        (r"dni", r"nif", r"documento nacional"),
        formatted=r"\d{8}-?[A-Z]",
    ),
    IdSpec("ES_NIE", r"[XYZ]-?\d{7}-?[A-Z]", nie.is_valid, (r"nie",), formatted=r"[XYZ]-?\d{7}-?[A-Z]"),
    IdSpec(
        "FR_NIR",
        r"[1-478]\d{4}(?:\d{2}|2[AB])\d{8}",
        nir.is_valid,
        (r"nir", r"s[ée]curit[ée] sociale", r"s[ée]cu", r"insee", r"carte vitale"),
        formatted=r"[1-478] \d{2} \d{2} (?:\d{2}|2[AB]) \d{3} \d{3} \d{2}",
    ),
    IdSpec(
        "DE_TAX_ID",
        r"[1-9]\d{10}",
        idnr.is_valid,
        (
            r"steuer-?id\w*",
            r"steueridentifikationsnummer",
            r"steuer-identifikationsnummer",
            r"identifikationsnummer",
            r"idnr",
            r"tax id",
        ),
        formatted=r"[1-9]\d \d{3} \d{3} \d{3}",
    ),
    IdSpec(
        "TR_NATIONAL_ID",
        r"[1-9]\d{10}",
        tckimlik.is_valid,
        (r"t\.?c\.?(?: kimlik)?(?: no| numaras\w*)?", r"tckn", r"kimlik", r"nüfus"),
    ),
    IdSpec(
        "RU_SNILS",
        r"\d{11}|\d{3}-\d{3}-\d{3} \d{2}",
        _snils_ok,
        (r"снилс", r"snils", r"страхов\w* номер"),
        formatted=r"\d{3}-\d{3}-\d{3}[ -]\d{2}",
    ),
    IdSpec("RU_INN", r"\d{10}|\d{12}", inn.is_valid, (r"инн", r"inn", r"налогоплательщик\w*")),
    # Saudi national ID / iqama: 10 digits, 1 (citizen) or 2 (resident) first, Luhn check digit
    IdSpec(
        "SA_NATIONAL_ID",
        r"[12]\d{9}",
        luhn.is_valid,
        (r"\w*هوي\w*", r"\w*إقام\w*", r"\w*اقام\w*", r"iqama", r"national id", r"saudi id", r"\w*سجل المدني"),
    ),
    # UAE Emirates ID: 784-YYYY-NNNNNNN-C, Luhn check digit
    IdSpec(
        "AE_EMIRATES_ID",
        r"784\d{12}",
        luhn.is_valid,
        (r"emirates id", r"\w*هوية\w*", r"eid"),
        formatted=r"784-\d{4}-\d{7}-\d",
    ),
    IdSpec(
        "US_ITIN",
        r"9\d{8}|9\d{2}([ -])\d{2}\1\d{4}",
        itin.is_valid,
        (r"itin", r"taxpayer identification"),
        formatted=r"9\d{2}-\d{2}-\d{4}",
    ),
    IdSpec(
        "US_SSN",
        r"\d{9}|\d{3}\.\d{2}\.\d{4}",
        ssn.is_valid,
        (r"ssn", r"social security(?: number| no)?", r"soc\.? sec\.?"),
        formatted=r"\d{3}([- ])\d{2}\1\d{4}",
    ),
    IdSpec(
        "UK_NINO",
        r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]",
        _nino_ok,
        (r"national insurance(?: number| no)?", r"ni (?:number|no)", r"nino"),
        case_insensitive=True,
    ),
)
# passport: a cue word in one of the ten languages, then a number of 6-9 characters with at
# least 5 digits (US/UK 9 digits, DE C01X00T47, CN E12345678, JP TK1234567, RU "45 12 345678")
PASSPORT_CUES = (
    r"passports?",
    r"pass-?nr",
    r"passnummer",
    r"reisepass\w*",
    r"\w*паспорт\w*",  # загранпаспорт
    r"护照",
    r"護照",
    r"pasaportes?",
    r"pasaport\w*",
    r"passeports?",
    r"passaportes?",
    r"パスポート",
    r"旅券",
    r"\w*جواز\w*",  # الجواز, جوازي
)
# RU internal "45 12 345678", RU foreign "76 8572660", 6-9 characters with 5+ digits, or 8-9 upper-case
# characters with 2+ digits and 2+ letters (DE "CYGKLPT95")
_PASSPORT_NUMBER = re.compile(
    _LEFT
    + r"(?:\d{2} ?\d{2} ?(?:№ ?)?\d{6}|\d{2} \d{7}|(?=(?:[A-Z]*\d){5})[A-Z0-9]{6,9}"
    + r"|(?=(?:[A-Z]*\d){2})(?=(?:\d*[A-Z]){2})[A-Z0-9]{8,9})"
    + _RIGHT
)

ID_ENTITIES = (*(s.entity for s in ID_SPECS), "PASSPORT")
SOCIAL_ENTITY = "SOCIAL_PROFILE"


def _cue_pattern(cues: Sequence[str]) -> re.Pattern:
    """Cue words on (Unicode) word boundaries of the lower-cased text; CJK cues anywhere."""
    spaced = [c for c in cues if re.match(r"[\w\\(\[]", c) and not re.match(r"[\u3040-\u9fff]", c)]
    unspaced = [c for c in cues if c not in spaced]
    parts = []
    if spaced:
        parts.append(r"(?<!\w)(?:" + "|".join(f"(?:{c})" for c in spaced) + r")(?!\w)")
    if unspaced:
        parts.append("|".join(f"(?:{c})" for c in unspaced))
    return re.compile("|".join(parts))


@dataclass
class _Compiled:
    spec: IdSpec
    plain: re.Pattern
    formatted: re.Pattern | None
    cue: re.Pattern


def _compile(spec: IdSpec) -> _Compiled:
    flags = re.IGNORECASE if spec.case_insensitive else 0
    return _Compiled(
        spec,
        re.compile(f"{_LEFT}(?:{spec.plain}){_RIGHT}", flags),
        re.compile(f"{_LEFT}(?:{spec.formatted}){_RIGHT}") if spec.formatted else None,
        _cue_pattern(spec.cues),
    )


# Every national identifier holds six digits (spaces, dots, dashes, slashes between them
# allowed), a PAN four in a row (and a cue): the specs are skipped on texts without. Passport
# numbers are looked for only after a passport cue.
_SIX_DIGITS = re.compile(r"\d(?:[ .\-/]?\d){5}")
_FOUR_DIGITS = re.compile(r"\d{4}")


class IdentifierFinder:
    """Finds national identifiers and passport numbers: ``(entity, start, end)`` spans."""

    def __init__(self, entities: Sequence[str] = ID_ENTITIES):
        self.entities = tuple(e for e in ID_ENTITIES if e in entities)
        self._specs = [_compile(s) for s in ID_SPECS if s.entity in self.entities]
        self._passport_cue = _cue_pattern(PASSPORT_CUES) if "PASSPORT" in self.entities else None
        if "CN_RESIDENT_ID" in self.entities:
            ric.is_valid("11010519491231002X")  # loads stdnum's region table now, not on the first ID

    @staticmethod
    def _cued(cue: re.Pattern, lowered: str, start: int, end: int, after: int = CUE_AFTER) -> bool:
        return bool(
            cue.search(lowered, max(0, start - CUE_BEFORE), start) or cue.search(lowered, end, end + after)
        )

    def find(self, text: str, entities: Sequence[str] | None = None) -> list[tuple[str, int, int]]:
        wanted = set(self.entities if entities is None else entities)
        six = _SIX_DIGITS.search(text) is not None
        four = six or _FOUR_DIGITS.search(text) is not None
        if not four and "PASSPORT" not in wanted:
            return []
        lowered = text.lower()
        found: dict[tuple[int, int], str] = {}  # one entity per span: the first spec that claims it
        for c in self._specs:
            if c.spec.entity not in wanted or not (six or (four and c.spec.entity == "IN_PAN")):
                continue
            if c.formatted is not None:
                for m in c.formatted.finditer(text):
                    if m.span() not in found and c.spec.is_valid(m.group()) and not _synthetic(m.group()):
                        found[m.span()] = c.spec.entity
            if not c.cue.search(lowered):
                continue
            for m in c.plain.finditer(text):
                value = m.group()
                if (
                    m.span() not in found
                    and self._cued(c.cue, lowered, m.start(), m.end())
                    and c.spec.is_valid(value.upper() if c.spec.case_insensitive else value)
                    and not _synthetic(value)
                ):
                    found[m.span()] = c.spec.entity
        if self._passport_cue is not None and "PASSPORT" in wanted:
            for cue in self._passport_cue.finditer(lowered):
                for m in _PASSPORT_NUMBER.finditer(text, cue.end(), cue.end() + PASSPORT_CUE_AFTER):
                    if not _synthetic(m.group()) and not any(s < m.end() and m.start() < e for s, e in found):
                        found[m.span()] = "PASSPORT"
                for m in _PASSPORT_NUMBER.finditer(text, max(0, cue.start() - CUE_AFTER), cue.start()):
                    if not _synthetic(m.group()) and m.span() not in found:
                        found[m.span()] = "PASSPORT"
        return sorted((entity, s, e) for (s, e), entity in found.items())


# --- social profile URLs --------------------------------------------------------------------------

# host → path pattern of a person's page (the first path segment(s)); a match is the whole URL up
# to the handle. Paths that are not a person (company pages, features) are excluded per host.
_HANDLE = r"[A-Za-z0-9_.\-%]{2,80}"
_NOT_A_PERSON = {
    "facebook": r"(?:groups|events|pages|watch|help|policies|privacy|sharer|share|login|marketplace|gaming"
    r"|business|ads|hashtag|photo\.php|story\.php|permalink\.php|profile\.php|dialog|plugins|legal|about"
    r"|settings|notifications|messages|friends|bookmarks|home\.php|l\.php|reel|reels|stories|public)",
    "instagram": r"(?:p|reel|reels|explore|stories|accounts|about|developer|legal|direct|tv)",
    "twitter": r"(?:i|home|search|hashtag|intent|share|explore|settings|notifications|messages|login|signup"
    r"|tos|privacy|compose|about|download|jobs)",
    "github": r"(?:orgs|topics|features|pricing|about|login|join|settings|marketplace|explore|trending"
    r"|sponsors|collections|events|enterprise|security|apps|readme|site|contact|customer-stories|team|new|notifications"
    r"|issues|pulls|codespaces|search)",
    "vk": r"(?:away\.php|feed|im|search|groups|wall-?\d+|video|audio|music|photo-?\d+|app\d+|about|support"
    r"|help|settings|login|public\d+|club\d+|event\d+|dev|apps|games|doc-?\d+)",
    "telegram": r"(?:joinchat|addstickers|share|proxy|s|c|iv|socks|setlanguage|addtheme|login|bot)",
}
_SOCIAL = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:[a-z]{2,3}\.|www\.|m\.|mobile\.)?"
    r"(?:"
    rf"(?P<linkedin>linkedin\.com/in/{_HANDLE})"
    rf"|(?P<facebook>(?:facebook|fb)\.com/(?!{_NOT_A_PERSON['facebook']}(?![\w.\-]))(?!profile\.php){_HANDLE}"
    r"|facebook\.com/profile\.php\?id=\d{5,20})"
    rf"|(?P<instagram>instagram\.com/(?!{_NOT_A_PERSON['instagram']}(?![\w.\-])){_HANDLE})"
    rf"|(?P<twitter>(?:twitter|x)\.com/(?!{_NOT_A_PERSON['twitter']}(?![\w.\-]))@?[A-Za-z0-9_]{{1,15}}(?![A-Za-z0-9_]))"
    rf"|(?P<github>github\.com/(?!{_NOT_A_PERSON['github']}(?![\w.\-]))[A-Za-z0-9\-]{{1,39}}(?![A-Za-z0-9\-]|/[\w.\-])/?)"
    rf"|(?P<vk>vk\.com/(?!{_NOT_A_PERSON['vk']}(?![\w.\-])){_HANDLE})"
    rf"|(?P<telegram>t\.me/(?!{_NOT_A_PERSON['telegram']}(?![\w.\-]))@?[A-Za-z0-9_]{{5,32}}(?![A-Za-z0-9_]))"
    rf"|(?P<tiktok>tiktok\.com/@{_HANDLE})"
    rf"|(?P<threads>threads\.(?:net|com)/@{_HANDLE})"
    rf"|(?P<reddit>reddit\.com/(?:user|u)/{_HANDLE})"
    r"|(?P<ok>ok\.ru/profile/\d{5,20})"
    r"|(?P<weibo>weibo\.com/u/\d{5,20})"
    r")",
    re.IGNORECASE,
)
_SOCIAL_HOSTS = (
    "linkedin.",
    "facebook.",
    "fb.com",
    "instagram.",
    "twitter.",
    "x.com",
    "github.",
    "vk.com",
    "t.me",
    "tiktok.",
    "threads.",
    "reddit.",
    "ok.ru",
    "weibo.",
)
# handles that are placeholders in templates and tutorials, not anybody's page
PLACEHOLDER_HANDLES = frozenset(
    {
        "yourname",
        "your-name",
        "your_name",
        "yourusername",
        "your-username",
        "your_username",
        "username",
        "user",
        "yourprofile",
        "your-profile",
        "profile",
        "johndoe",
        "john-doe",
        "john_doe",
        "janedoe",
        "jane-doe",
        "jane_doe",
        "example",
        "yourhandle",
        "handle",
        "name",
        "me",
        "someone",
        "xxx",
        "xxxx",
        "yourpage",
        "yourcompany",
        "yourbrand",
        "your-linkedin",
        "yourlinkedin",
        "yourgithub",
        "your-github",
        "github",
        "octocat",
    }
)


def find_social_profiles(text: str) -> list[tuple[int, int]]:
    """Spans of social-network profile URLs of people (see the module docstring)."""
    lowered = text.lower()
    if not any(h in lowered for h in _SOCIAL_HOSTS):
        return []
    spans = []
    for m in _SOCIAL.finditer(text):
        url = m.group().rstrip("/.")
        handle = re.split(r"[/=@]", url)[-1].lower()
        if handle.startswith("your") or handle in PLACEHOLDER_HANDLES or "<" in handle or "{" in handle:
            continue
        spans.append((m.start(), m.start() + len(url)))
    return spans


# --- Presidio recognizers -------------------------------------------------------------------------


def email_recognizer_class():
    """Presidio's EmailRecognizer plus the same address bounded by ASCII only: its ``\\b`` misses
    an address glued to CJK text ("連絡先はayaka.fujii@yahoo.co.jpです", "邮箱abc@qq.com")."""
    from presidio_analyzer import Pattern
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class CjkAwareEmailRecognizer(EmailRecognizer):
        PATTERNS = [
            *EmailRecognizer.PATTERNS,
            Pattern(
                "Email (ASCII-bounded)",
                r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
                r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
                0.5,
            ),
        ]

    return CjkAwareEmailRecognizer



def identifier_recognizers(entities: Sequence[str], language: str) -> list:
    """Presidio recognizers for the identifier and social-profile entities in ``entities``."""
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    def result(recognizer, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            },
        )

    class NationalIdRecognizer(LocalRecognizer):
        """National identifiers (python-stdnum validated) and cued passport numbers."""

        def __init__(self, ids: Sequence[str]):
            self.finder = IdentifierFinder(ids)
            super().__init__(supported_entities=list(ids), supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [result(self, e, s, t, 0.8) for e, s, t in self.finder.find(text, entities)]

    class SocialProfileRecognizer(LocalRecognizer):
        def __init__(self):
            super().__init__(supported_entities=[SOCIAL_ENTITY], supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [result(self, SOCIAL_ENTITY, s, e, 0.7) for s, e in find_social_profiles(text)]

    out: list = []
    ids = [e for e in ID_ENTITIES if e in entities]
    if ids:
        out.append(NationalIdRecognizer(ids))
    if SOCIAL_ENTITY in entities:
        out.append(SocialProfileRecognizer())
    return out
