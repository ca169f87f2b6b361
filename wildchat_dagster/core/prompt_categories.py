"""Prompt categories (the WildChat paper's breakdown: coding, creative writing, analysis, …) by
cheap offline rules over the first user prompt.

Each category has weighted cue patterns in the ten main languages; a prompt gets the category
with the highest score, ``other`` when nothing scores. Measured on a hand-labelled sample
(``tests/data/prompt_categories.jsonl``; accuracy in docs/analytics.md and asserted as a floor in
tests/test_prompt_analysis.py). Rules are a baseline a user can read and fix, not a model.
"""

from __future__ import annotations

import re

CATEGORIES = (
    "coding",
    "creative_writing",
    "translation",
    "summarization",
    "math",
    "analysis",
    "roleplay",
    "factual_qa",
    "other",
)

CATEGORY_CHARS = 1500  # what a prompt asks for is in its first lines; pasted material follows

# (category, weight, alternatives): the alternatives are joined into one pattern over the lower-cased
# prompt (non-Latin scripts without word boundaries, so no \b there).
_RULES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("coding", 3.0, (
        r"```", r"\bdef \w+\(", r"\bfunction\s*\w*\(", r"#include\s*<",
        r"\bpublic (?:static )?(?:void|class)\b", r"\bimport \w+", r"\bselect .+ from \b",
        r"console\.log", r"system\.out\.print", r"=>\s*\{", r"\};",
    )),
    ("coding", 2.0, (
        r"(?<![a-z])(?:python|javascript|typescript|java|c\+\+|c#|golang|rust|sql|html|css|react|django|flask|node\.?js|pandas|numpy|api|regex|bash|powershell|kotlin|swift|php|vba|excel formula)(?![a-z])",  # noqa: E501
    )),
    ("coding", 1.5, (
        r"\b(?:code|script|function|bug|error|exception|compile|debug|algorithm|class|method|traceback|stack trace)\b",  # noqa: E501
        r"代码", r"程序", r"函数", r"报错", r"код\b", r"кода\b", r"функци", r"программ", r"コード", r"関数", r"código",  # noqa: E501
        r"programa", r"fonction", r"programm", r"kod", r"hata",
    )),
    ("translation", 4.0, (
        r"\btranslat\w*", r"переведи", r"перевод", r"翻译", r"翻訳", r"訳して", r"traduc\w*", r"tradu[zçs]\w*",  # noqa: E501
        r"übersetz\w*", r"çevir\w*", r"ترجم\w*",
    )),
    ("summarization", 3.5, (
        r"\bsummar\w*", r"\btl;?dr\b", r"\bsum up\b", r"кратко(?:е)? (?:содержание|изложи)",
        r"резюмир\w*", r"суммариз\w*", r"总结", r"概括", r"摘要", r"要約", r"まとめ", r"resum\w*",
        r"zusammenfass\w*", r"fass\w* .{0,60}zusammen", r"özetle\w*", r"لخص", r"ملخص",
    )),
    ("creative_writing", 3.0, (
        r"\b(?:write|compose|create) (?:me )?(?:a |an )?(?:short )?(?:story|poem|song|lyrics|haiku|novel|chapter|scene|script|screenplay|fanfic\w*|limerick|sonnet|rap)",  # noqa: E501
        r"напиши (?:мне )?(?:рассказ|стих\w*|историю|песню|сказку|сценарий)",
        r"写一(?:首|篇|个)[^。，,]{0,10}(?:诗|故事|小说|歌)", r"物語", r"小説", r"詩を",
        r"escribe (?:un |una )?(?:historia|cuento|poema|canción)",
        r"écris (?:une? )?(?:histoire|poème|chanson|nouvelle)",
        r"schreib\w* (?:eine? )?(?:geschichte|gedicht)", r"escreva (?:uma? )?(?:história|poema|conto)",
        r"(?:hikaye|şiir|öykü) yaz", r"اكتب (?:قصة|قصيدة)",
    )),
    ("creative_writing", 1.5, (
        r"\b(?:story|poem|chapter|character|plot|fiction|episode|narrative|verse)\b", r"рассказ",
        r"стихотворение", r"故事", r"诗歌", r"historia", r"poema", r"histoire", r"geschichte", r"hikaye",
        r"قصة",
    )),
    ("creative_writing", 2.0, (
        r"\b(?:re-?write|rephrase|paraphrase|polish|proofread|reword|make (?:it|this) (?:sound|more))\b",
        r"\b(?:write|draft|compose|create|give me|make)\b.{0,40}\b(?:e-?mail|letter|essay|blog|post|caption|description|discription|paragraph|dialogue|speech|bio|slogan|ad copy|cover letter|article)s?\b",  # noqa: E501
        r"润色", r"改写", r"перепиши", r"перефразируй", r"напиши (?:письмо|эссе|пост)", r"reescribe",
        r"réécris", r"umschreiben",
    )),
    ("math", 3.0, (
        r"\b(?:solve|calculate|compute|simplify|integrate|derivative|equation|probability|prove that)\b",
        r"\d\s*[\+\-\*/\^×÷=−]\s*\d", r"\d\s*x(?:²|\^2)?\s*[\+\-−=]", r"\bx\s*=", r"решите", r"вычисли",
        r"уравнени", r"计算", r"求解", r"方程", r"計算", r"resuelve", r"calcula", r"résou", r"berechne",
        r"hesapla", r"احسب",
    )),
    ("roleplay", 3.0, (
        r"\b(?:act as|pretend (?:to be|you are)|you are now|role-?play|stay in character|from now on,? you|you will play)\b",  # noqa: E501
        r"представь,? что ты", r"веди себя как", r"ты теперь", r"扮演", r"假装你是", r"なりきって", r"actúa como",  # noqa: E501
        r"finge que", r"agis comme", r"fais semblant", r"tu es maintenant", r"spiel(?:e)? die rolle",
        r"aja como", r"finja que", r"gibi davran", r"تصرف ك",
    )),
    ("analysis", 2.0, (
        r"\b(?:analy[sz]e|analysis|compare|evaluate|assess|pros and cons|advantages|disadvantages|explain why|critique|review|what do you think|recommend|should i|strategy|swot)\b",  # noqa: E501
        r"проанализируй", r"анализ", r"сравни", r"оцени", r"分析", r"比较", r"评价", r"分析して", r"比較", r"analiza",  # noqa: E501
        r"compara", r"evalúa", r"analyse", r"compare", r"évalue", r"vergleich", r"bewerte", r"analise",
        r"avalie", r"analiz", r"karşılaştır", r"حلل", r"قارن",
    )),
    ("factual_qa", 1.0, (
        r"^(?:what|who|when|where|which|how|why|is it|is this|are there|can you tell me)\b", r"\?\s*$",
        r"что такое", r"кто такой", r"когда", r"сколько", r"什么是", r"谁是", r"为什么", r"何ですか", r"qué es",  # noqa: E501
        r"quién", r"cuándo", r"qu'est-ce", r"qui est", r"was ist", r"wer ist", r"o que é", r"quem é",
        r"nedir", r"kimdir", r"ما هو", r"من هو",
    )),
)
_COMPILED = tuple(
    (category, weight, re.compile("|".join(alternatives), re.MULTILINE))
    for category, weight, alternatives in _RULES
)


def categorize(prompt: str | None) -> str:
    """The prompt's category (one of ``CATEGORIES``)."""
    if not prompt or not prompt.strip():
        return "other"
    text = prompt[:CATEGORY_CHARS].lower()
    scores: dict[str, float] = {}
    for category, weight, pattern in _COMPILED:
        if pattern.search(text):
            scores[category] = scores.get(category, 0.0) + weight
    if not scores:
        return "other"
    # ties: the order of CATEGORIES (more specific first)
    return max(CATEGORIES, key=lambda c: (scores.get(c, 0.0), -CATEGORIES.index(c)))
