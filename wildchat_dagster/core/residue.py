"""PII, secret and IP residue: an independent second look at text that should be clean.

The scrubber (Presidio + detect-secrets) removes PII and secrets; geo_tagged drops the raw
IP. The data-quality checks do not trust either: they scan the output again with these
plain regexes (plus a Luhn test and an IP parser), written without looking at the
scrubber's rules, so a recogniser that silently stops working is caught.

What counts as residue (each match is a finding; values are never returned, only the
kind and the character span):

- ``email``: an address that is not a placeholder (``core/placeholders.py``, the one rule
  the scrubber also keeps by: documentation/sample domains such as ``example.com`` or
  ``domain.com``, reserved TLDs, role/generic local parts such as ``test@ info@ user@
  support@``), so what the scrubber keeps on purpose never blocks a partition.
- ``phone``: a run of 8-15 digits (not a date) (spaces, dots, dashes, brackets, a leading +) that
  follows a cue word (phone, tel, mobile, call, text, whatsapp, fax, number, desk, ...) within
  25 characters. Bare digit runs without a cue are not phones (maths, ids, dates); toll-free and
  shared-cost hotlines, which the scrubber keeps, are not residue (``placeholders.is_public_phone``).
- ``card``: 13-19 digits, optionally grouped by single spaces or dashes, with a major
  network's prefix (Visa, Mastercard, Maestro, Amex, Discover, JCB, Diners, UnionPay) and a valid
  Luhn checksum.
- ``secret``: AWS access key ids (AKIA/ASIA..., not AWS's documented ``...EXAMPLE``
  keys), GitHub tokens (``ghp_`` ``gho_`` ``ghu_`` ``ghs_`` ``ghr_`` ``github_pat_``),
  OpenAI-style ``sk-`` keys and Stripe ``sk_live_``/``rk_live_`` keys (placeholders such as
  ``sk-xxxx...`` with fewer than 6 distinct characters are not keys, the shared rule), Slack ``xox?-``
  tokens, PEM private-key headers, and URLs with ``user:password@`` (unless the password
  is an obvious placeholder: ``password``, ``***``, ``$VAR``, ``<...>``).

Placeholders the scrubber writes (``<PRESIDIO_ANONYMIZED_EMAIL_ADDRESS>``,
``<SECRET_REDACTED_AWS_KEY>``) contain nothing that matches.

``ip``: publicly routable IPv4 dotted quads (each octet 0-255, not part of a longer
dotted/digit run, not a product version like ``Chrome/112.0.0.0`` or ``v1.2.3.4``) and IPv6
addresses (at least two groups and one digit, not glued to a word, so ``std::vector`` or
``Base::add`` are not addresses). Only ``ipaddress``'s ``is_global`` addresses count: a
loopback, private, link-local or documentation address (``127.0.0.1`` in code,
``192.168.0.1``, ``2001:db8::1``) identifies nobody, and a user's IP is a global one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .placeholders import is_placeholder_email, is_placeholder_key, is_public_phone

PII_KINDS = ("email", "phone", "card", "secret")


@dataclass(frozen=True)
class Finding:
    kind: str  # email | phone | card | secret | ip
    subkind: str  # e.g. aws_access_key, ipv4; never the value
    start: int
    end: int


# --------------------------------------------------------------------------- e-mail
_EMAIL = re.compile(
    r"(?<![\w.+%-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63}))@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
)


# --------------------------------------------------------------------------- phone
_PHONE = re.compile(
    r"(?i:\b(?:phone|telephone|tel|mobile|mob|cell|cellphone|call|text|whats\s?app|fax|contact|number|"
    r"reach\s+me|ring|desk|office|messages\s+to|registered|answering)\b)"
    r"[^\d\n]{0,25}?"
    r"(?<![\d])(\+?\(?\d[\d\s().\-]{6,22}\d)(?![\d])"
)


_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


# --------------------------------------------------------------------------- cards
_CARD = re.compile(r"(?<![\d\-.])(\d(?:[ \-]?\d){12,18})(?![\d\-]|\.\d)")
_CARD_PREFIXES = (
    ("4",),
    ("50", "56", "57", "58"),  # Maestro
    ("1800", "2131"),  # JCB (15 digits)
    tuple(str(p) for p in range(51, 56)),
    tuple(str(p) for p in range(2221, 2721)),
    ("34", "37"),
    ("6011", "65", *(str(p) for p in range(644, 650))),
    ("35",),  # JCB
    ("36", "38", "39", *(str(p) for p in range(300, 306))),
    ("62",),
)
_ALL_CARD_PREFIXES = tuple(p for group in _CARD_PREFIXES for p in group)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    # one separator style at most: "4111 1111 1111 1111", "4111-1111-...", "4111111111111111"
    if " " in candidate and "-" in candidate:
        return False
    digits = _digits(candidate)
    return 13 <= len(digits) <= 19 and digits.startswith(_ALL_CARD_PREFIXES) and luhn_valid(digits)


# --------------------------------------------------------------------------- secrets
_SECRETS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "aws_access_key",
        re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ),
    (
        "github_token",
        re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
    ),
    ("openai_key", re.compile(r"(?<![A-Za-z0-9_\-])sk-(?:proj-|svcacct-|admin-)?([A-Za-z0-9_\-]{20,})")),
    ("stripe_key", re.compile(r"(?<![A-Za-z0-9_])(?:sk|rk)_live_([A-Za-z0-9]{16,})")),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-(?:[A-Za-z0-9]+-)+[A-Za-z0-9]+")),
    ("private_key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    (
        "url_credentials",
        re.compile(
            r"\b[A-Za-z][A-Za-z0-9+.\-]{1,15}://([^\s:/@<>]{1,64}):([^\s/@<>]{1,128})@[A-Za-z0-9.\-\[]"
        ),
    ),
)
_PLACEHOLDER_PASSWORDS = re.compile(
    r"^(?:password|passwd|pass|pwd|secret|changeme|[x*.]+|\$.*|\{.*\}|%.*%|your.*|<.*>)$", re.IGNORECASE
)


def _secret_is_placeholder(kind: str, m: re.Match) -> bool:
    if kind == "aws_access_key":
        return "EXAMPLE" in m.group(0)
    if kind in ("openai_key", "stripe_key"):
        return is_placeholder_key(m.group(1))
    if kind == "url_credentials":
        return bool(_PLACEHOLDER_PASSWORDS.match(m.group(2)))
    return False


# --------------------------------------------------------------------------- IPs
_IPV4 = re.compile(
    r"(?<![\d.])(?<![A-Za-z]/)(?<![vV])"
    r"((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})"
    r"(?![\d]|\.\d)"
)
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![0-9A-Za-z:])")


def _is_global(candidate: str) -> bool:
    try:
        return ipaddress.ip_address(candidate).is_global
    except ValueError:
        return False


def _is_ipv6(candidate: str) -> bool:
    groups = [g for g in candidate.split(":") if g]
    if len(groups) < 2 or not any(ch.isdigit() for ch in candidate):
        return False
    if "::" not in candidate and candidate.count(":") != 7:
        return False
    return _is_global(candidate)


# --------------------------------------------------------------------------- scanning
def scan_pii(text: str | None) -> list[Finding]:
    """Every e-mail, phone, card and secret residue in ``text`` (kinds and spans only)."""
    if not text:
        return []
    out: list[Finding] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            if not is_placeholder_email(m.group(0)):
                out.append(Finding("email", "email", m.start(), m.end()))
    if any(ch.isdigit() for ch in text):
        for m in _PHONE.finditer(text):
            n = len(_digits(m.group(1)))
            if (
                8 <= n <= 15
                and not _DATE.match(m.group(1))
                and not _is_card(m.group(1))
                and not is_public_phone(m.group(1))
            ):
                out.append(Finding("phone", "phone", m.start(1), m.end(1)))
        for m in _CARD.finditer(text):
            if _is_card(m.group(1)):
                out.append(Finding("card", "card", m.start(1), m.end(1)))
    for kind, pattern in _SECRETS:
        for m in pattern.finditer(text):
            if not _secret_is_placeholder(kind, m):
                out.append(Finding("secret", kind, m.start(), m.end()))
    return out


def scan_ips(text: str | None) -> list[Finding]:
    """Every IPv4/IPv6 address in ``text`` (kinds and spans only)."""
    if not text:
        return []
    out: list[Finding] = []
    if "." in text:
        out += [
            Finding("ip", "ipv4", m.start(1), m.end(1))
            for m in _IPV4.finditer(text)
            if _is_global(m.group(1))
        ]
    if ":" in text:
        out += [
            Finding("ip", "ipv6", m.start(1), m.end(1)) for m in _IPV6.finditer(text) if _is_ipv6(m.group(1))
        ]
    return out


# Cheap RE2 prefilters (pyarrow.compute): only texts that match are scanned in Python.
_PII_PREFILTER = (
    r"@|\d[\d \-.()]{7,}\d|AKIA|ASIA|ABIA|ACCA|AIDA|AROA|gh[pousr]_|github_pat_|sk-|_live_|xox[abposr]-|"
    r"PRIVATE KEY|://"
)
_IP_PREFILTER = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:"


def _candidates(texts: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    if len(texts) == 0:
        return np.zeros(0, dtype=bool)
    mask = pc.match_substring_regex(texts, pattern)
    return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _as_array(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    return texts if isinstance(texts, pa.Array | pa.ChunkedArray) else pa.array(list(texts), pa.string())


def pii_findings(
    texts: pa.Array | pa.ChunkedArray | Sequence[str | None],
) -> Iterable[tuple[int, str, list[Finding]]]:
    """(row, text, findings) for every text of ``texts`` holding PII residue (prefiltered)."""
    arr = _as_array(texts)
    for i in np.flatnonzero(_candidates(arr, _PII_PREFILTER)):
        text = arr[int(i)].as_py()
        findings = scan_pii(text)
        if findings:
            yield int(i), text, findings


def pii_residue_masks(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> dict[str, np.ndarray]:
    """Per kind in PII_KINDS, a boolean mask over ``texts``: does the text hold that residue."""
    masks = {kind: np.zeros(len(texts), dtype=bool) for kind in PII_KINDS}
    for i, _, findings in pii_findings(texts):
        for finding in findings:
            masks[finding.kind][i] = True
    return masks


def ip_residue_mask(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> np.ndarray:
    """A boolean mask over ``texts``: does the text hold an IPv4 or IPv6 address."""
    arr = _as_array(texts)
    out = np.zeros(len(arr), dtype=bool)
    for i in np.flatnonzero(_candidates(arr, _IP_PREFILTER)):
        out[i] = bool(scan_ips(arr[int(i)].as_py()))
    return out


def string_leaves(table: pa.Table) -> Iterable[tuple[str, pa.Array, np.ndarray]]:
    """(dotted name, flat string values, row index of each value) for every string column of
    ``table``, including strings nested in structs and lists, so "any string column" also
    covers the release's nested layout."""

    def walk(name: str, arr: pa.Array, rows: np.ndarray) -> Iterable[tuple[str, pa.Array, np.ndarray]]:
        typ = arr.type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            yield name, arr, rows
        elif pa.types.is_struct(typ):
            for j in range(typ.num_fields):
                yield from walk(f"{name}.{typ.field(j).name}", pc.struct_field(arr, [j]), rows)
        elif pa.types.is_list(typ) or pa.types.is_large_list(typ):
            parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), dtype=np.int64)
            yield from walk(f"{name}[]", arr.flatten(), rows[parents])

    for name in table.column_names:
        column = table.column(name)
        arr = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        yield from walk(name, arr, np.arange(table.num_rows, dtype=np.int64))


def ip_residue_columns(table: pa.Table) -> list[str | None]:
    """Per row of ``table``: the comma-joined names of the string columns (nested ones too)
    holding an IP address in that row, or None. Names, never values."""
    hits: dict[int, list[str]] = {}
    for name, values, rows in string_leaves(table):
        for i in np.flatnonzero(ip_residue_mask(values)):
            cols = hits.setdefault(int(rows[i]), [])
            if name not in cols:
                cols.append(name)
    return [",".join(hits[i]) if i in hits else None for i in range(table.num_rows)]
