"""Conversations: who, when, which language, how many turns; the builder of their rows."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from .composer import Composer, join_parts, weighted_choice
from .jailbreaks import FAMILIES_BY_LANGUAGE, jailbroken_reply, variant
from .packs import LANGUAGE_PACKS
from .planter import Fakers, Planter
from .rows import Conversation, Message, PendingRow, alnum_token, epoch_seconds
from .settings import (
    BENIGN_KINDS,
    MAX_TURNS,
    MAXMIND_TEST_IPS,
    P_EDIT,
    P_REGENERATE,
    SECONDS_PER_DAY,
    SHARE_BENIGN,
    SHARE_IP_CHANGE,
    SHARE_PII,
    SHARE_TOXIC,
    SNAPSHOT_0613,
)
from .snippets import CODE_SNIPPETS, EMAIL_SNIPPET, FAMOUS_PEOPLE, PLACEHOLDER_EMAILS
from .stats import DayStats
from .users import IpPool, UserRegistry


@dataclass
class _CannedOpening:
    """A leader's first exchange, replayed verbatim by a different user later that day."""

    leader: Conversation
    prompt: Message
    reply: Message
    prompt_kind: str


@dataclass
class _Plan:
    index: int
    start: float
    day_stats: DayStats
    rng: random.Random
    opening: _CannedOpening | None = None  # set: this conversation replays a leader's opening
    follower_index: int | None = None  # set: this conversation is a leader
    night_owl: bool = False  # forced to cross midnight


class ConversationFactory:
    """Plans each day's conversations in start order and builds their rows."""

    def __init__(self, seed: int, per_day: int, no_consent_share: float, ip_pool: IpPool):
        self._seed = seed
        self._per_day = per_day
        self._no_consent_share = no_consent_share
        self._users = UserRegistry(ip_pool)
        self._fakers = Fakers()
        self._fixed_ips = list(MAXMIND_TEST_IPS)
        self._pack_weights = list(itertools.accumulate(pack.weight for pack in LANGUAGE_PACKS))

    def conversations_of(
        self, day_stats: DayStats, day_position: int, force_midnight_crossing: bool
    ) -> Iterator[Conversation]:
        day = day_stats.day
        rng = random.Random(f"{self._seed}:{day.isoformat()}")
        self._fakers.reseed(f"{self._seed}:{day.isoformat()}")
        n = self._per_day
        first_index = day_position * n  # conversation numbers are unique across the run
        day_start = epoch_seconds(day)
        followers = _plan_canned_pairs(rng, n)  # follower position -> leader position
        leaders = {leader: follower for follower, leader in followers.items()}
        openings: dict[int, _CannedOpening] = {}
        for position, fraction in enumerate(_ascending_uniforms(rng, n)):
            plan = _Plan(
                index=first_index + position,
                start=day_start + fraction * SECONDS_PER_DAY,
                day_stats=day_stats,
                rng=random.Random(rng.getrandbits(64)),
                opening=openings.pop(position, None),
            )
            if position in leaders:
                plan.follower_index = first_index + leaders[position]
            if force_midnight_crossing and position == n - 1:
                # Starts a few minutes before midnight; gaps of 150 s or more carry it over.
                plan.start = max(plan.start, day_start + SECONDS_PER_DAY - plan.rng.uniform(60, 240))
                plan.night_owl = True
            conversation, opening = self._build(plan)
            if plan.follower_index is not None:
                openings[leaders[position]] = opening
            yield conversation

    def _build(self, plan: _Plan) -> tuple[Conversation, _CannedOpening]:
        rng, opening = plan.rng, plan.opening
        pack = opening.leader.pack if opening else weighted_choice(rng, LANGUAGE_PACKS, self._pack_weights)
        if opening:
            user = self._users.new_user(rng, pack, plan.day_stats.day, avoid=opening.leader.user)
        elif self._fixed_ips:
            user = self._users.new_user(rng, pack, plan.day_stats.day, ip=self._fixed_ips.pop(0))
        else:
            user = self._users.pick(rng, pack, plan.day_stats.day)
        conversation = Conversation(plan.index, plan.start, plan.day_stats, pack, user)
        conversation.model = opening.leader.model if opening else _pick_model(rng, plan.day_stats.day)
        conversation.temperature = weighted_choice(rng, _TEMPERATURES, _TEMPERATURE_CUMULATIVE)
        conversation.top_p = 1.0 if rng.random() < 0.95 else 0.95
        # The MaxMind test addresses must reach geo_tagged: those users always consent.
        conversation.consent = rng.random() >= self._no_consent_share or user.ip in MAXMIND_TEST_IPS
        # Both sides name each other; the leader's record may be written before its follower exists.
        conversation.canned_with = opening.leader.index if opening else plan.follower_index
        builder = _ConversationBuilder(conversation, plan, self._users, self._fakers)
        first_exchange = builder.build()
        self._count(conversation, plan)
        return conversation, first_exchange

    @staticmethod
    def _count(conversation: Conversation, plan: _Plan) -> None:
        stats = plan.day_stats
        stats.conversations += 1
        stats.languages[conversation.pack.code] += 1
        stats.canned_pairs += plan.opening is not None
        stats.toxic_conversations += conversation.toxic is not None
        stats.pii_conversations += conversation.has_pii


_TEMPERATURES = (0.7, 1.0, 0.5, 0.9, 1.2)
_TEMPERATURE_CUMULATIVE = list(itertools.accumulate((70, 15, 5, 5, 5)))


def _ascending_uniforms(rng: random.Random, n: int) -> Iterator[float]:
    """n sorted uniforms in [0, 1) one at a time, O(1) memory (Bentley and Saxe, 1980)."""
    largest = 1.0
    for remaining in range(n, 0, -1):
        largest *= rng.random() ** (1.0 / remaining)
        yield 1.0 - largest


def _plan_canned_pairs(rng: random.Random, n: int) -> dict[int, int]:
    """A few (follower -> leader) positions per day; the last position stays free."""
    if n < 3:
        return {}
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _ in range(min(50, 1 + n // 150)):
        leader = rng.randrange(0, n - 2)
        follower = rng.randint(leader + 1, min(n - 2, leader + 30))
        if leader in used or follower in used:
            continue
        used.update((leader, follower))
        pairs[follower] = leader
    return pairs


def _pick_model(rng: random.Random, day: dt.date) -> str:
    """75/25 GPT-3.5/GPT-4; the 0613 snapshots only exist from 2023-06-13 on."""
    gpt4 = rng.random() < 0.25
    newer = day >= SNAPSHOT_0613 and rng.random() < 0.8
    if gpt4:
        return "gpt-4-0613" if newer else "gpt-4-0314"
    return "gpt-3.5-turbo-0613" if newer else "gpt-3.5-turbo-0301"


def _draw_turns(rng: random.Random) -> int:
    """Geometric mixture: most conversations are short, a few run long (mean ~2.5)."""
    stop = 0.5 if rng.random() < 0.92 else 0.13
    turns = 1
    while turns < MAX_TURNS and rng.random() > stop:
        turns += 1
    return turns


class _ConversationBuilder:
    """Writes one conversation's rows: turns, regenerations, edits, planted items."""

    def __init__(self, conversation: Conversation, plan: _Plan, users: UserRegistry, fakers: Fakers):
        self.conversation = conversation
        self.plan = plan
        self.rng = rng = plan.rng
        self.users = users
        self.pack = conversation.pack
        self.composer = Composer(conversation.pack, rng)
        self.planter = Planter(conversation.pack, rng, fakers)
        self.turns = max(_draw_turns(rng), 3 if plan.night_owl else 1)
        self.topic = rng.choice(self.pack.topics)
        canned = plan.opening is not None or plan.follower_index is not None
        self._decide_extras(canned)

    def _decide_extras(self, canned: bool) -> None:
        rng, pack, conversation = self.rng, self.pack, self.conversation
        self.pii_turns: set[int] = set()
        self.pii_in_reply = False
        self.benign: str | None = None
        if not canned and pack.insults and rng.random() < SHARE_TOXIC:
            conversation.toxic = "jailbreak" if pack.jailbreaks and rng.random() < 0.5 else "insult"
            families = FAMILIES_BY_LANGUAGE.get(pack.code, ())
            if conversation.toxic == "jailbreak" and families:
                conversation.jailbreak = rng.choice(families)
                conversation.jailbroken = rng.random() < conversation.jailbreak.success
        elif rng.random() < SHARE_PII:
            conversation.has_pii = True
            if canned:  # turn 1 is replayed verbatim by the other user of the pair
                self.turns = max(self.turns, 2)
                first = rng.randint(2, self.turns)
            else:
                first = 1 if rng.random() < 0.7 else rng.randint(1, self.turns)
            self.pii_turns = {first, rng.randint(first, self.turns)} if rng.random() < 0.25 else {first}
            self.pii_in_reply = rng.random() < 0.15
        elif not canned and rng.random() < SHARE_BENIGN / (1 - SHARE_PII):
            choices = BENIGN_KINDS if pack.biography else BENIGN_KINDS[1:]
            self.benign = rng.choice(choices)
        moves = self.turns > 1 and rng.random() < SHARE_IP_CHANGE
        self.ip_change_turn = rng.randint(2, self.turns) if moves else 0

    def build(self) -> _CannedOpening:
        rng, conversation = self.rng, self.conversation
        now = self.plan.start
        ip = conversation.user.ip
        history: list[Message] = []
        first: _CannedOpening | None = None
        for turn in range(1, self.turns + 1):
            if turn == self.ip_change_turn:
                ip = self.users.other_ip(rng, conversation.user)
            prompt, kind, planted = self._prompt(turn)
            if turn == 1 and self.plan.opening is not None:
                reply, reply_planted = self.plan.opening.reply, []  # the canned answer, verbatim
            else:
                reply, reply_planted = self._reply(kind, turn)
            row = self._add_row(now, turn, "turn", history, prompt, reply, ip, planted + reply_planted)
            if turn == 1:
                first = _CannedOpening(conversation, prompt, reply, kind)
            branch_allowed = turn > 1 or (self.plan.opening is None and self.plan.follower_index is None)
            while branch_allowed and rng.random() < P_REGENERATE:
                now += rng.uniform(4, 40)
                reply, reply_planted = self._different_reply(kind, turn, reply)
                row = self._add_row(now, turn, "regeneration", history, prompt, reply, ip, reply_planted)
            if branch_allowed and rng.random() < P_EDIT:
                now += rng.uniform(10, 120)
                prompt, kind = self._different_prompt(turn, prompt)
                reply, reply_planted = self._reply(kind, turn)
                row = self._add_row(now, turn, "edit", history, prompt, reply, ip, reply_planted)
            history = [*history, prompt, reply]
            now = row.time + self._pause_after(reply)
        return first

    # A branch identical to what it replaces would be the same turn twice downstream.
    def _different_reply(self, kind: str, turn: int, replaced: Message) -> tuple[Message, list]:
        for _ in range(20):
            reply, planted = self._reply(kind, turn)
            if reply.content != replaced.content:
                return reply, planted
        return self._reply("task", turn)  # tiny pools (greetings): answer at length instead

    def _different_prompt(self, turn: int, replaced: Message) -> tuple[Message, str]:
        while True:
            kind = self.composer.followup_kind() if turn > 1 else "task"
            prompt = self._message("user", self.composer.prompt(kind, self.topic))
            if prompt.content != replaced.content:
                return prompt, kind

    def _pause_after(self, reply: Message) -> float:
        if self.plan.night_owl:
            return self.rng.uniform(150, 400)
        reading = len(reply.content) / 80.0
        return min(3600.0, self.rng.lognormvariate(3.7, 1.0)) + reading

    def _add_row(self, now, turn, kind, history, prompt, reply, ip, planted) -> PendingRow:
        openai_id = "chatcmpl-" + alnum_token(self.rng, 29)
        messages = [*history, prompt]
        row = PendingRow(now, self.conversation, messages, reply, ip, turn, kind, planted, openai_id)
        self.conversation.rows.append(row)
        return row

    def _message(self, role: str, parts: list[str]) -> Message:
        return Message(role, join_parts(parts, self.pack.sep), self.pack.chars_per_token)

    def _prompt(self, turn: int) -> tuple[Message, str, list[tuple[str, str, str]]]:
        composer, opening = self.composer, self.plan.opening
        if turn == 1 and opening is not None:
            return opening.prompt, opening.prompt_kind, []
        planted: list[tuple[str, str, str]] = []
        if turn == 1 and self.conversation.jailbreak:
            kind = "jailbreak"
            request = self.rng.choice(self.pack.requests).replace("{topic}", self.topic)
            text, self.conversation.persona = variant(self.conversation.jailbreak, self.rng, request)
            parts = [text]
        elif turn == 1 and self.conversation.toxic:
            kind = self.conversation.toxic
            parts = composer.prompt(kind, self.topic)
        elif turn == 1 and self.benign:
            kind, parts, value = self._benign_prompt()
            planted.append(("user", self.benign, value))
        else:
            kind = composer.first_kind() if turn == 1 else composer.followup_kind()
            if self.plan.follower_index is not None and turn == 1:
                kind = "task"  # a canned opening is a plain request
            parts = composer.prompt(kind, self.topic)
        if turn in self.pii_turns:
            for item_kind, value in self.planter.plant_in_prompt(parts):
                planted.append(("user", item_kind, value))
        return self._message("user", parts), kind, planted

    def _benign_prompt(self) -> tuple[str, list[str], str]:
        composer, rng = self.composer, self.rng
        if self.benign == "BENIGN_PERSON":
            name = rng.choice(FAMOUS_PEOPLE)
            return "task", composer.biography(name), name
        if self.benign == "BENIGN_EMAIL":
            email = rng.choice(PLACEHOLDER_EMAILS)
            snippet = EMAIL_SNIPPET.replace("{email}", email)
            return "code", composer.code_prompt(snippet), email
        snippet = rng.choice(CODE_SNIPPETS)
        return "code", composer.code_prompt(snippet), snippet

    def _reply(self, kind: str, turn: int) -> tuple[Message, list[tuple[str, str, str]]]:
        if kind == "jailbreak" and self.conversation.jailbroken:
            return self._message("assistant", [jailbroken_reply(self.rng, self.conversation.persona)]), []
        parts = self.composer.reply(kind, self.topic)
        planted: list[tuple[str, str, str]] = []
        if self.pii_in_reply and turn in self.pii_turns and kind not in ("short", "midjourney"):
            name = self.planter.person()
            parts.insert(0, self.pack.salutation.replace("{value}", name))
            planted.append(("response", "PERSON", name))
        return self._message("assistant", parts), planted
