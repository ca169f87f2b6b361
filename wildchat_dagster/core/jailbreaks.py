"""Jailbreak families: near-duplicate clusters of long templated first prompts that carry known
jailbreak markers, or that recur across many users (the WildChat paper's jailbreak analysis).

Near-duplicate clusters (core/near_dup.py) that carry markers and whose centers are similar
(``variant_similarity``, looser than the near-duplicate threshold: a renamed persona, a dropped
sentence, another question) form one family; it counts when its prompts are long (median ≥
``min_chars``), it has at least ``min_conversations`` members and at least half of its prompts carry
a marker (``kind = "marker"``). A cluster without markers is a family when many users share its
long template nearly verbatim (``kind = "recurring"``: an unknown jailbreak spreading).
A family's success rate is the share of its conversations whose assistant turns are flagged toxic
by any backend (the paper's measure); the aggregation per family is the dbt model
``jailbreak_families`` (docs/analytics.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Marker name → pattern (lower-cased text). Role-play personas and instruction overrides as
# circulated in WildChat-era jailbreaks, in the ten languages the project measures.
MARKERS: dict[str, str] = {
    "dan": r"\bdan\b|do anything now|делай что угодно|现在可以做任何事",
    "developer_mode": (
        r"developer mode|dev mode|режим разработчика|开发者模式|開発者モード|modo desarrollador"
        r"|mode développeur|entwicklermodus|modo (?:de )?desenvolvedor|geliştirici modu|وضع المطور"
    ),
    "ignore_instructions": (
        r"ignore (?:all |any )?(?:of )?(?:the |your )?(?:previous|prior|above|earlier) "
        r"(?:instructions|prompts|rules)"
        r"|ignore all the instructions|disregard (?:all )?(?:previous|prior) instructions"
        r"|игнорируй (?:все )?(?:предыдущие|прошлые) (?:инструкции|указания)"
        r"|忽略(?:之前|以上|前面)(?:的)?(?:所有)?(?:指令|指示|说明)|以前の指示を(?:すべて)?無視"
        r"|ignora (?:todas )?las instrucciones (?:anteriores|previas)|ignore toutes? (?:les )?instructions"
        r"|ignoriere alle (?:vorherigen )?anweisungen|ignore todas as instruções"
        r"|önceki (?:tüm )?talimatları (?:yok say|görmezden gel)|تجاهل (?:جميع )?التعليمات السابقة"
    ),
    "no_restrictions": (
        r"no (?:restrictions|filters|limitations|censorship|ethical guidelines)|without any "
        r"(?:restrictions|filters)"
        r"|broken free of the typical confines|unfiltered|uncensored|без (?:каких-либо )?ограничений"
        r"|没有任何限制|不受任何限制|sin (?:ninguna )?restricci[oó]n|sans (?:aucune )?restriction"
        r"|ohne (?:jegliche )?einschränkungen|sem (?:nenhuma )?restri[cç][aã]o|kısıtlama olmadan|بدون أي قيود"
    ),
    "stay_in_character": r"stay in character|stay as|never break character|не выходи из роли|保持角色",
    "persona_aim": r"\baim\b.*machiavelli|machiavelli.*\baim\b|always intelligent and machiavellian",
    "evil_persona": r"evil (?:ai|confidant|assistant|bot)|opposite mode|злой ии|邪恶的ai",
    "jailbreak_word": r"jailbreak|jailbroken|джейлбрейк|越狱",
    "grandma_exploit": r"(?:deceased|dead|late) grandm(?:a|other)|покойн\w+ бабушк",
}
_MARKER_REGEX = {name: re.compile(pattern) for name, pattern in MARKERS.items()}
_ANY_MARKER = re.compile("|".join(f"(?:{pattern})" for pattern in MARKERS.values()))  # most prompts: one scan
MARKER_CHARS = 8_000  # markers open a template; pasted material may follow


def markers_in(text: str | None) -> list[str]:
    """The marker names found in ``text`` (sorted; empty when none)."""
    if not text:
        return []
    lowered = text[:MARKER_CHARS].lower()
    if not _ANY_MARKER.search(lowered):
        return []
    return [name for name, pattern in _MARKER_REGEX.items() if pattern.search(lowered)]


@dataclass(frozen=True)
class FamilyRules:
    min_chars: int = 300  # median first-prompt length of the family
    min_conversations: int = 2
    marker_share: float = 0.5  # of its prompts carrying a marker
    # Clusters whose centers are at least this similar are variants of one template (renamed
    # persona, a dropped sentence, another question): one family. Looser than the near-duplicate
    # threshold on purpose, and applied only between clusters that carry markers.
    variant_similarity: float = 0.3
    # A long template without known markers is a family when this many users share it nearly
    # verbatim (median similarity to its cluster's center at least ``recurring_similarity``).
    min_users_recurring: int = 20
    recurring_similarity: float = 0.8


class _Groups:
    def __init__(self, keys):
        self.parent = {k: k for k in keys}

    def find(self, k):
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def family_of_clusters(
    cluster_ids: Sequence[str],
    center_similarity: Sequence[float],
    prompt_chars: Sequence[int],
    markers: Sequence[Sequence[str]],
    users: Sequence[str | None],
    center_signatures: dict[str, np.ndarray],
    rules: FamilyRules = FamilyRules(),
) -> tuple[list[str | None], list[str | None]]:
    """Per row: the family id (the cluster id of the family's earliest cluster, or None) and
    the family kind ("marker", "recurring" or None). ``center_signatures``: each cluster's
    center signature; ``center_similarity``: each row's estimated Jaccard to its center."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, cid in enumerate(cluster_ids):
        members[cid].append(i)
    # Variants: clusters with markers whose centers are similar join one family.
    marked = sorted(cid for cid, rows in members.items() if any(markers[i] for i in rows))
    groups = _Groups(marked)
    for a_pos, a in enumerate(marked):
        for b in marked[a_pos + 1 :]:
            sa, sb = center_signatures[a], center_signatures[b]
            if np.count_nonzero(sa == sb) >= rules.variant_similarity * len(sa):
                groups.union(a, b)
    family_rows: dict[str, list[int]] = defaultdict(list)
    for cid in marked:
        family_rows[groups.find(cid)].extend(members[cid])
    kind_of: dict[str, str] = {}
    family_of_cluster: dict[str, str] = {}
    for fid, rows in family_rows.items():
        if len(rows) < rules.min_conversations or _median(prompt_chars[i] for i in rows) < rules.min_chars:
            continue
        if sum(1 for i in rows if markers[i]) >= rules.marker_share * len(rows):
            kind_of[fid] = "marker"
            for i in rows:
                family_of_cluster[cluster_ids[i]] = fid
    # Templates without known markers, shared nearly verbatim by many users.
    for cid, rows in members.items():
        if cid in family_of_cluster or len(rows) < rules.min_conversations:
            continue
        if (
            len({users[i] for i in rows if users[i]}) >= rules.min_users_recurring
            and _median(prompt_chars[i] for i in rows) >= rules.min_chars
            and _median(center_similarity[i] for i in rows) >= rules.recurring_similarity
        ):
            kind_of[cid] = "recurring"
            family_of_cluster[cid] = cid
    family = [family_of_cluster.get(cid) for cid in cluster_ids]
    kind = [kind_of[f] if f is not None else None for f in family]
    return family, kind


def _median(values) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0
