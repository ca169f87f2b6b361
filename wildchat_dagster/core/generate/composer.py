"""Text: real sentences per language, combined to WildChat-like lengths."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from functools import lru_cache

from .packs import LanguagePack
from .snippets import CODE_SNIPPETS, MIDJOURNEY_CONCEPTS, MIDJOURNEY_DETAILS, MIDJOURNEY_PROMPT

_BLOCK = "\x1e"  # never in generated text


def join_parts(parts: list[str], sep: str) -> str:
    """Sentences joined by the language's separator; parts starting with a newline are
    blocks (paragraphs, code) set off by a blank line."""
    text = sep.join([_BLOCK + part[1:] if part[:1] == "\n" else part for part in parts])
    if text.startswith(_BLOCK):
        text = text[1:]
    return text.replace(sep + _BLOCK, "\n\n").replace(_BLOCK, "\n\n")


class Composer:
    """Prompts and replies in one language, lengths drawn to match WildChat."""

    FIRST_KINDS = ("task", "code", "paste", "short")
    FIRST_CUMULATIVE = list(itertools.accumulate((70, 11, 8, 11)))
    FOLLOWUP_KINDS = ("followup", "task", "short", "code", "paste")
    FOLLOWUP_CUMULATIVE = list(itertools.accumulate((56, 22, 10, 7, 5)))

    def __init__(self, pack: LanguagePack, rng: random.Random):
        self.pack = pack
        self.rng = rng

    def first_kind(self) -> str:
        if self.pack.code == "en" and self.rng.random() < 0.04:
            return "midjourney"  # WildChat's most repeated prompt template
        return weighted_choice(self.rng, self.FIRST_KINDS, self.FIRST_CUMULATIVE)

    def followup_kind(self) -> str:
        return weighted_choice(self.rng, self.FOLLOWUP_KINDS, self.FOLLOWUP_CUMULATIVE)

    # Lengths: log-normal like WildChat (user ~hundreds of chars with a long tail, replies ~1k+).
    def _user_chars(self) -> float:
        return min(12_000.0, self.rng.lognormvariate(math.log(190), 1.2)) * self.pack.length_factor

    def _reply_chars(self) -> float:
        return min(9_000.0, self.rng.lognormvariate(math.log(1_200), 0.6)) * self.pack.length_factor

    def _fill(self, pool: tuple[str, ...], chars: float, topic: str = "") -> list[str]:
        """Random sentences from ``pool`` until about ``chars`` characters (the hot loop)."""
        sentences = _with_topic(pool, topic)
        draw, count, strides = self.rng.random, len(sentences), _coprime_strides(len(sentences))
        parts: list[str] = []
        size = 0.0
        while size < chars:
            # A stride coprime with the pool size visits every sentence once before any
            # repeats, so no sentence follows itself; redrawn for each pass over the pool.
            if len(parts) % count == 0:
                at, stride = int(draw() * count), strides[int(draw() * len(strides))]
            sentence = sentences[at]
            parts.append(sentence)
            size += len(sentence) + 1
            at = (at + stride) % count
        return parts

    def _paragraphs(self, sentences: list[str]) -> list[str]:
        """Marks every 3rd to 5th sentence as a paragraph start (in place)."""
        draw = self.rng.random
        at = 3 + int(draw() * 3)
        while at < len(sentences):
            sentences[at] = "\n" + sentences[at]
            at += 3 + int(draw() * 3)
        return sentences

    def prompt(self, kind: str, topic: str) -> list[str]:
        pack, rng = self.pack, self.rng
        if kind == "task":
            request = rng.choice(pack.requests).replace("{topic}", topic)
            pool = pack.context if rng.random() < 0.8 else pack.context + pack.body
            return [request, *self._fill(pool, self._user_chars() - len(request), topic)]
        if kind == "followup":
            extra = rng.choice((0, 0, 1, 2)) * 60 * pack.length_factor
            return [rng.choice(pack.followups), *self._fill(pack.context, extra, topic)]
        if kind == "code":
            return self.code_prompt(rng.choice(CODE_SNIPPETS))
        if kind == "paste":
            pasted = self._fill(pack.body + pack.context, max(200.0, self._user_chars()), topic)
            return [rng.choice(pack.paste_requests), "\n" + join_parts(pasted, pack.sep)]
        if kind == "short":
            return [rng.choice(pack.shorts)]
        if kind == "midjourney":
            return [MIDJOURNEY_PROMPT.replace("{concept}", rng.choice(MIDJOURNEY_CONCEPTS))]
        if kind == "insult":
            return [rng.choice(pack.insults)]
        if kind == "jailbreak":
            return [rng.choice(pack.jailbreaks), rng.choice(pack.requests).replace("{topic}", topic)]
        raise ValueError(f"unknown prompt kind {kind!r}")

    def code_prompt(self, snippet: str) -> list[str]:
        """A request in the language, enough context that the language still dominates the
        pasted code (fastText must see the turn's language), then the code block."""
        pack = self.pack
        parts = [self.rng.choice(pack.code_requests)]
        parts += self._fill(pack.context, len(snippet) * pack.length_factor * 0.8)
        parts.append("\n" + pack.code_paste + "\n```\n" + snippet + "\n```")
        return parts

    def biography(self, name: str) -> list[str]:
        request = self.pack.biography.replace("{name}", name)
        return [request, *self._fill(self.pack.context, self._user_chars() - len(request))]

    def reply(self, kind: str, topic: str) -> list[str]:
        pack, rng = self.pack, self.rng
        if kind in ("insult", "jailbreak"):
            return [rng.choice(pack.refusals), rng.choice(pack.closers)]
        if kind == "short":
            return [rng.choice(pack.greeting_replies)]
        if kind == "midjourney":
            return ["\n" + "\n\n".join(_midjourney_line(rng) for _ in range(4))]
        if kind == "code":
            snippet = rng.choice(CODE_SNIPPETS)
            notes = rng.sample(pack.code_notes, k=min(len(pack.code_notes), rng.randint(3, 4)))
            block = "\n```\n" + snippet + "\n```"
            return [rng.choice(pack.code_intros), block, "\n" + notes[0], *notes[1:]]
        opener = rng.choice(pack.openers).replace("{topic}", topic)
        body = self._paragraphs(self._fill(pack.body, self._reply_chars() - len(opener), topic))
        parts = [opener, "\n" + body[0].lstrip("\n"), *body[1:]]
        if rng.random() < 0.5:
            parts.append("\n" + rng.choice(pack.closers))
        return parts


@lru_cache(maxsize=64)
def _coprime_strides(count: int) -> tuple[int, ...]:
    return tuple(step for step in range(1, max(2, count)) if math.gcd(step, count) == 1)


@lru_cache(maxsize=4096)
def _with_topic(pool: tuple[str, ...], topic: str) -> tuple[str, ...]:
    return tuple(sentence.replace("{topic}", topic) for sentence in pool)


def weighted_choice(rng: random.Random, items: tuple, cumulative: list[float]):
    """One weighted pick (``random.choices`` without its per-call overhead)."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _midjourney_line(rng: random.Random) -> str:
    details = [rng.choice(pool) for pool in MIDJOURNEY_DETAILS]
    ratio = rng.choice(("16:9", "9:16", "1:1"))
    version = rng.choice(("--v 5", "--v 5.2", "--niji"))
    return f"/imagine prompt: {rng.choice(MIDJOURNEY_CONCEPTS)}, {', '.join(details)}, --ar {ratio} {version}"
