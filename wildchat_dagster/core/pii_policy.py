"""Third-person private names: the ``person_policy`` of ``PiiConfig``.

``wildchat`` (WildChat's rule): a PERSON found by NER is redacted only after a cue ("my name
is", "Dear", "Regards,") or in a shape (form field, sign-off, header: core/pii_names.py);
names mentioned in passing (a landlord, a coworker, a patient) stay.

``strict``: NER runs on every text and a PERSON without a cue is redacted too, unless
* the conversation asks for fiction ("write a story about", "character", "рассказ", "故事" ...):
  every name there may be invented, and the assistant's story never says so itself;
* the name stands in a public-figure context within ``PUBLIC_WINDOW`` characters: a title or
  role ("President", "CEO of", "actor", "писатель"), a question about a person ("who was",
  "biography", "кто такой", "是谁"), authorship ("written by", "'s novel"), life dates
  ("(1879–1955)", "born in 1879");
* the text is code (identifiers look like names to NER);
* the span is not name-shaped (digits, underscores, lower case);
* and, as for every PERSON, the frequency rule: a name seen for ≥ N users is public.
"""

from __future__ import annotations

import regex

PERSON_POLICIES = ("wildchat", "strict")
PUBLIC_WINDOW = 100  # characters around a name searched for a public-figure signal

FICTION_CUES = (
    r"story",
    r"stories",
    r"fiction",
    r"fanfic\w*",
    r"fan fiction",
    r"novel",
    r"chapter",
    r"character\w*",
    r"role[- ]?play\w*",
    r"rp",
    r"scene",
    r"screenplay",
    r"script",
    r"episode",
    r"plot",
    r"protagonist",
    r"villain",
    r"hero(?:ine)?",
    r"fairy ?tale",
    r"once upon a time",
    r"poem",
    r"lyrics",
    r"dialogue",
    r"narrat\w*",
    r"imagine",
    r"fictional",
    r"universe",
    r"anime",
    r"manga",
    r"game",
    r"dnd",
    r"d&d",
    r"рассказ\w*",
    r"истори\w*",
    r"сказк\w*",
    r"роман\w*",
    r"глав[аыу]",
    r"персонаж\w*",
    r"сюжет\w*",
    r"стих\w*",
    r"сценари\w*",
    r"historia",
    r"cuento",
    r"relato",
    r"personaje\w*",
    r"novela",
    r"capítulo",
    r"histoire",
    r"récit",
    r"conte",
    r"personnage\w*",
    r"roman",
    r"chapitre",
    r"\w*geschichte\w*",  # gutenachtgeschichte, kurzgeschichte
    r"erzählung",
    r"märchen",
    r"figur(?:en)?",
    r"kapitel",
    r"história",
    r"conto",
    r"personage\w*",
    r"romance",
    r"hikaye\w*",
    r"öykü\w*",
    r"karakter\w*",
    r"masal\w*",
    r"roman\w*",
    r"قصة",
    r"رواية",
    r"شخصي\w*",
    r"حكاية",
)
FICTION_CUES_UNSPACED = (
    r"故事",
    r"小说",
    r"小說",
    r"角色",
    r"剧本",
    r"劇本",
    r"章节",
    r"第.章",
    r"物語",
    r"小説",
    r"キャラ",
    r"ストーリー",
    r"シナリオ",
    r"童话",
    r"同人",
)
PUBLIC_CUES = (
    # titles and roles
    r"president",
    r"prime minister",
    r"minister",
    r"senator",
    r"congress\w*",
    r"governor",
    r"mayor",
    r"chancellor",
    r"king",
    r"queen",
    r"prince(?:ss)?",
    r"emperor",
    r"empress",
    r"pope",
    r"saint",
    r"ceo",
    r"founder",
    r"co-?founder",
    r"chairman",
    r"billionaire",
    r"actor",
    r"actress",
    r"singer",
    r"rapper",
    r"musician",
    r"band",
    r"composer",
    r"filmmaker",
    r"author",
    r"novelist",
    r"writer",
    r"poet",
    r"playwright",
    r"philosopher",
    r"scientist",
    r"physicist",
    r"chemist",
    r"mathematician",
    r"inventor",
    r"painter",
    r"artist",
    r"athlete",
    r"footballer",
    r"player",
    r"champion",
    r"olympic\w*",
    r"nobel",
    r"laureate",
    r"celebrity",
    r"influencer",
    r"youtuber",
    r"streamer",
    r"journalist",
    r"historian",
    r"economist",
    r"psychologist",
    r"theorist",
    r"professor at",
    r"famous",
    r"legendary",
    # questions, authorship, life dates
    r"who (?:is|was)",
    r"biography",
    r"tell me about",
    r"according to",
    r"quote\w*",
    r"wrote",
    r"written by",
    r"directed by",
    r"painted by",
    r"composed by",
    r"sung by",
    r"played by",
    r"starring",
    r"starred",
    r"theory",
    r"works of",
    r"wikipedia",
    r"history of",
    r"born in",
    r"died",
    *(r"albums?", r"songs?", r"movies?", r"films?", r"richest", r"invented"),
    *(r"discovered", r"won", r"olympics", r"world cup", r"oscars?"),
    r"reign\w*",
    r"elected",
    r"'s (?:book|novel|theory|law|song|album|film|movie|painting|poem|speech)",
    # other languages
    r"президент\w*",
    r"писател\w*",
    r"поэт\w*",
    r"акт[её]р\w*",
    r"актрис\w*",
    r"певиц\w*",
    r"певец",
    r"учён\w*",
    r"учен\w*",
    r"философ\w*",
    r"композитор\w*",
    r"художник\w*",
    r"царь",
    r"император\w*",
    r"режисс[её]р\w*",
    r"кто так(?:ой|ая)",
    r"кем был\w*",
    r"биографи\w*",
    r"presidente",
    r"escritor\w*",
    r"actor",
    r"actriz",
    r"cantante",
    r"poeta",
    r"pintor\w*",
    r"científic\w*",
    r"qui[ée]n (?:es|fue|escribi[óo])",
    r"escribi[óo]",
    r"biografía",
    r"président\w*",
    r"écrivain\w*",
    r"acteur",
    r"actrice",
    r"chanteu\w*",
    r"poète",
    r"peintre",
    r"qui (?:est|était)",
    r"biographie",
    r"präsident\w*",
    r"kanzler\w*",
    r"schriftsteller\w*",
    r"schauspieler\w*",
    r"sänger\w*",
    r"dichter\w*",
    r"maler\w*",
    r"wer (?:ist|war)",
    r"vorgänger\w*",
    r"nachfolger\w*",
    r"ator",
    r"atriz",
    r"cantor\w*",
    r"quem (?:é|foi)",
    r"pioneir[oa]",
    r"biografia",
    r"cumhurbaşkan\w*",
    r"başkan\w*",
    r"yazar\w*",
    r"şair\w*",
    r"oyuncu\w*",
    r"şarkıcı\w*",
    r"kimdir",
    r"doğdu",
    r"hangi yıl",
    r"الرئيس",
    r"الكاتب",
    r"الشاعر",
    r"الممثل",
    r"المغني",
    r"من (?:هو|هي)",
)
PUBLIC_CUES_UNSPACED = (
    r"总统",
    r"主席",
    r"作家",
    r"诗人",
    r"演员",
    r"歌手",
    r"科学家",
    r"导演",
    r"皇帝",
    r"是谁",
    r"大統領",
    r"俳優",
    r"監督",
    r"とは",
    r"について",
)
_CODE = regex.compile(
    r"```|^\s*(?:def|class|import|from \S+ import|function|const|let|var|public|#include)\b|[;{}]\s*$",
    regex.M,
)
_LIFE_DATES = regex.compile(r"\(\s*(?:born\s+)?\d{3,4}\s*(?:[-–—]\s*\d{3,4})?\s*\)|\(\s*born")
_NAME_SHAPE = regex.compile(r"[\p{Lu}\p{Lt}\p{Lo}][\p{L}\p{M}'’.\- ]*")


def _cue_regex(spaced, unspaced) -> regex.Pattern:
    spaced_alt = "|".join(f"(?:{c})" for c in spaced)
    unspaced_alt = "|".join(f"(?:{c})" for c in unspaced)
    return regex.compile(rf"(?i)(?<![\p{{L}}\p{{N}}])(?:{spaced_alt})(?![\p{{L}}\p{{N}}])|{unspaced_alt}")


_FICTION = _cue_regex(FICTION_CUES, FICTION_CUES_UNSPACED)
_PUBLIC = _cue_regex(PUBLIC_CUES, PUBLIC_CUES_UNSPACED)


def is_fiction(text: str) -> bool:
    """Does this text ask for or hold fiction (a story, a character, a role-play)?"""
    return _FICTION.search(text) is not None


def third_person_keep(text: str, start: int, end: int) -> str | None:
    """Why a PERSON found without a cue is kept under the strict policy, or None to redact it
    (the conversation-level fiction rule is applied by the scrubber)."""
    value = text[start:end]
    if not _NAME_SHAPE.fullmatch(value) or any(ch.isdigit() or ch == "_" for ch in value):
        return "not_a_name"
    if _CODE.search(text):
        return "code"
    window = text[max(0, start - PUBLIC_WINDOW) : end + PUBLIC_WINDOW]
    if _PUBLIC.search(window) or _LIFE_DATES.search(text, end, end + 40):
        return "public"
    if is_fiction(text):
        return "fiction"
    return None
