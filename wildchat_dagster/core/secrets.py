"""Secrets in message text (DESIGN §5): API keys, tokens, private keys, passwords in URLs.

Detection uses detect-secrets' plugin classes directly on strings (no files, no baseline,
no global settings, never the network: plugin ``verify`` is not called). Each plugin
reports secret *values*; we locate every occurrence of a value in the text and return
character spans, extended where a value is only the head of a secret (a private key's
``BEGIN ... PRIVATE KEY`` line stands for the whole PEM block; a JWT's signature part).
detect-secrets' heuristic filters (sequential strings, UUIDs, templates, ``$VAR``,
indirect references ...) remove the usual false positives. Most chat texts skip the plugins:
``could_hold_secret`` rejects texts that none of them can match (one cheap pass).

A span's kind is the plugin's ``secret_type`` in upper snake case
(``OpenAI Token`` → ``OPENAI_TOKEN``); the scrubber writes ``<SECRET_REDACTED_{KIND}>``.

Our own plugin, ``OpenAIKeyDetector`` (kind ``OPENAI_KEY``), adds what detect-secrets 1.5.0
misses: current OpenAI keys (``sk-proj-``, ``sk-svcacct-``, ``sk-admin-`` and a long
base64url body with ``-``/``_``) and other ``sk-`` keys in that format; placeholders
(``sk-xxxx...``) are left alone by the rule the residue check shares (core/placeholders.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic
from detect_secrets.plugins import keyword as ds_keyword
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import KeywordDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector

from .placeholders import is_placeholder_key
from .secret_patterns import (
    PASSWORD_GATES,
    PASSWORD_HINT_PATTERNS,
    PASSWORD_HINTS,
    PASSWORD_PLUGINS,
    TOKEN_GATES,
    TOKEN_PLUGINS,
    is_placeholder_password,
)

# detect-secrets logs skipped secret values at DEBUG; never let them reach a handler.
logging.getLogger("detect-secrets").setLevel(logging.WARNING)


class OpenAIKeyDetector(RegexBasedDetector):
    """OpenAI API keys of every generation: ``sk-`` (optionally ``proj-``, ``svcacct-``,
    ``admin-``) and 20+ base64url characters. detect-secrets' OpenAIDetector needs the legacy
    ``T3BlbkFJ`` marker between 20 plain alphanumerics, which current keys do not have."""

    secret_type = "OpenAI Key"
    denylist = [re.compile(r"(?<![A-Za-z0-9_\-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")]

    @staticmethod
    def is_placeholder(value: str) -> bool:
        body = re.sub(r"^sk-(?:proj-|svcacct-|admin-)?", "", value)
        return is_placeholder_key(body)


# Plugins of our own, by class name, next to detect-secrets' (same config keys).
# core/secret_patterns.py: vendor tokens detect-secrets 1.5.0 lacks, passwords in prose and code.
LOCAL_PLUGINS: dict[str, type[BasePlugin]] = {
    "OpenAIKeyDetector": OpenAIKeyDetector,
    **TOKEN_PLUGINS,
    **PASSWORD_PLUGINS,
}

# Every vendor/format plugin of detect-secrets 1.5.0 except IPPublicDetector (IP addresses
# are PII, handled by Presidio) and the two entropy plugins (noisy on code: hashes,
# checksums; enable them in config with a limit where wanted).
DEFAULT_SECRET_PLUGINS: dict[str, dict] = {
    name: {}
    for name in (
        "ArtifactoryDetector",
        "AWSKeyDetector",
        "AzureStorageKeyDetector",
        "BasicAuthDetector",
        "CloudantDetector",
        "DiscordBotTokenDetector",
        "GitHubTokenDetector",
        "GitLabTokenDetector",
        "IbmCloudIamDetector",
        "IbmCosHmacDetector",
        "JwtTokenDetector",
        "KeywordDetector",
        "MailchimpDetector",
        "NpmDetector",
        "OpenAIDetector",
        "OpenAIKeyDetector",
        "PrivateKeyDetector",
        "PypiTokenDetector",
        "SendGridDetector",
        "SlackDetector",
        "SoftlayerDetector",
        "SquareOAuthDetector",
        "StripeDetector",
        "TelegramBotTokenDetector",
        "TwilioKeyDetector",
        *TOKEN_PLUGINS,
        *PASSWORD_PLUGINS,
    )
}

# Keyword plugin: try the quoted forms (code) and the config forms (``password: hunter2``,
# as people write in chat). An unquoted value is its first token (passwords have no spaces;
# the rest of the line is prose). Plain words (``password: required``, ``api_key: str``),
# env-var names and placeholders (``YOUR_API_KEY``, ``xxxx``) are not secrets.
_KEYWORD_ATTEMPTS = (
    (ds_keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, True),
    (ds_keyword.CONFIG_DENYLIST_REGEX_TO_GROUP, False),
)
_KEYWORD_LINE = re.compile(ds_keyword.DENYLIST_REGEX, re.IGNORECASE)
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*|[a-z]+(?:[_\-.][a-z]+)*")
_PLACEHOLDER = re.compile(
    r"(?-i:^[A-Z][A-Z0-9_]*$)|your|xxxx|\*\*\*|\.\.\.|example|placeholder|changeme|dummy|[<>{}]",
    re.IGNORECASE,
)
_TOKEN_END = re.compile(r"[\s]")
_TRAILING_PUNCT = ").,;:!?]}>"
_KEYWORD_MIN_LEN = 4
_LEADING_JUNK = " \t\r\n\"'=:"

_PEM_BLOCK = re.compile(
    r"-*BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-*.*?(?:-+END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-*|\Z)", re.DOTALL
)
_PUTTY_BLOCK = re.compile(r"PuTTY-User-Key-File-\d.*?(?:Private-MAC:[^\n]*|\Z)", re.DOTALL)
_JWT_TAIL = re.compile(r"[A-Za-z0-9\-_.+/=]*")
_MIN_REPEAT_LEN = 8  # a found secret value this long is redacted wherever else it occurs

# Speed: what every match of a plugin's patterns must contain, checked before the plugin's
# own (slow, lookbehind-led) patterns run: ``(long, condition, ...)``. ``long``: the match
# holds a run of 23+ token characters (checked once per text, shared by the plugins that
# need it); each condition is a tuple of literals (any present; an "i:" prefix means
# case-insensitive) or a regex, and all must hold on the match's line. The regex plugins
# then run only on lines meeting every condition. Every gate is implied by the plugin's own
# patterns, so nothing is lost; tests check that every plugin still finds its secrets.
_Condition = tuple[str, ...] | re.Pattern
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_\-]{23}")
_KEYS = ("i:key", "i:pw", "i:pass", "i:token")
# Discord's token head (its gate; also the prefilter's: the token class has \d, which holds
# other scripts' digits, so a UTF-8 run misses those)
_DISCORD_HEAD = re.compile(r"[MNO][a-zA-Z\d_-]{23}")
_PLUGIN_GATES: dict[str, tuple[bool, tuple[_Condition, ...]]] = {
    "ArtifactoryDetector": (False, (("AKC", "AP"),)),
    "AWSKeyDetector": (False, (("A3T", "ABIA", "ACCA", "AKIA", "ASIA", "i:aws"),)),
    "AzureStorageKeyDetector": (True, (("AccountKey=",),)),
    "BasicAuthDetector": (False, (("://",),)),
    "CloudantDetector": (True, (("i:cl",),)),
    "DiscordBotTokenDetector": (True, (_DISCORD_HEAD,)),
    "GitHubTokenDetector": (False, (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),)),
    "GitLabTokenDetector": (
        False,
        (
            (
                "glpat-",
                "gldt-",
                "glft-",
                "glsoat-",
                "glrt-",
                "glcbt-",
                "glimt-",
                "glptt-",
                "glagent-",
                "gloas-",
                "GR1348941",
            ),
        ),
    ),
    "IbmCloudIamDetector": (True, (_KEYS,)),
    "IbmCosHmacDetector": (True, (("i:secret",),)),
    "JwtTokenDetector": (False, (("eyJ",),)),
    "KeywordDetector": (False, (("i:key", "i:pass", "i:pwd", "i:secret", "i:contrase"), _KEYWORD_LINE)),
    "MailchimpDetector": (True, (("-us",),)),
    "NpmDetector": (False, (("_authToken",),)),
    "OpenAIDetector": (False, (("T3BlbkFJ",),)),
    "OpenAIKeyDetector": (False, (("sk-",),)),
    "PrivateKeyDetector": (False, (("PRIVATE KEY", "PuTTY-User-Key-File"),)),
    "PypiTokenDetector": (True, (("pypi-",),)),
    "SendGridDetector": (True, (("SG.",),)),
    "SlackDetector": (False, (("i:xox", "i:hooks.slack"),)),
    "SoftlayerDetector": (True, (("i:sl", "i:softlayer"),)),  # "softlayer" holds no "sl"
    "SquareOAuthDetector": (True, (("sq0csp-",),)),
    "StripeDetector": (True, (("k_live_",),)),
    "TelegramBotTokenDetector": (True, ((":",),)),
    "TwilioKeyDetector": (True, (("AC", "SK"),)),
    **TOKEN_GATES,
    **PASSWORD_GATES,
}


# Speed: one check in front of all plugins. Each plugin's patterns can match only where one of
# the conditions below holds, so a text that meets none holds no secret and skips the plugins
# (most chat texts). Per plugin of detect-secrets 1.5.0 (tests plant a secret of every kind):
# - a run of 23+ [A-Za-z0-9_-], case-folded: Discord (24+), GitHub, GitLab, Mailchimp, OpenAI,
#   OpenAIKey ("sk-" + 20: 23), PyPI, SendGrid, Stripe, Telegram, Twilio, and the
#   case-insensitive Cloudant, IBM Cloud IAM, IBM COS HMAC, Softlayer;
# - case-sensitive markers: "eyJ" (JWT), "/:_authToken=" (npm), "sq0csp-" (Square), "PRIVATE
#   KEY"/"PuTTY-User-Key-File-2" (private keys), "AccountKey=" (Azure), Artifactory's and AWS
#   key ids' heads, BasicAuth's own pattern (://user:password@);
# - case-insensitive, on the case-folded text: the keyword plugin's words (password, pwd,
#   secret, contraseña, api_key, ...), Slack ("xox", "hooks.slack.com"), AWS secret keys ("aws"
#   and 40 of [0-9a-z/+]).
# A configuration with any other plugin (the entropy ones ...) runs without the prefilter.
_CASED_MARKERS = ("eyJ", "/:_authToken=", "sq0csp-", "PRIVATE KEY", "PuTTY-User-Key-File-2")
_A_HEADS = re.compile(  # one leading literal: re finds candidates by literal search
    r"A(?:KC[a-zA-Z0-9]{10}|P[\dA-F][a-zA-Z0-9]{8}|ccountKey="
    r"|(?:3T[A-Z0-9]|BIA|CCA|KIA|SIA)[0-9A-Z]{16})"  # Artifactory, Azure, AWS key ids
)
_BASIC_AUTH = BasicAuthDetector.denylist[0]
_AWS_SECRET = re.compile(r"[0-9a-z/+]{40}")  # AWSKeyDetector's second pattern, case-folded
_RUN_MIN = 23
# a byte table: [A-Za-z0-9_-] → "a", every other byte (all of non-ASCII characters) → " "; a
# translate and a substring search run in C (about 2 ns a character; the regex takes 20)
_RUN_TABLE = bytes(
    ord("a") if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "_-") else ord(" ") for b in range(256)
)
_RUN_MARK = b"a" * _RUN_MIN
# The characters re's IGNORECASE matches to an ASCII letter that str.lower() does not turn into
# it ("K", the Kelvin sign, lower() does).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_SLACK_MARKERS = ("xox", "hooks.slack.com")


def _keyword_parts() -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """From the keyword plugin's denylist ("api_?key", "db_?pass", "password", "secret", ...):
    words one of which every entry holds, and the heads of the "<head>_?key" entries (None: an
    entry of another shape; the keyword plugin then runs without the prefilter)."""
    words = ("pass", "pwd", "secret", "contrase")
    heads: list[str] = []
    for entry in ds_keyword.DENYLIST:
        m = re.fullmatch(r"([^\W\d_]+)(?:_\?([^\W\d_]+))?", entry)
        if m is None:
            return None
        if any(w in part for part in m.groups() if part for w in words):
            continue
        if m.group(2) != "key":
            return None
        heads += (m.group(1), m.group(1) + "_")
    return words, tuple(heads)


_KEYWORD_PARTS = _keyword_parts()
_KEYWORD_WORDS, _KEY_HEADS = _KEYWORD_PARTS or ((), ())
_PREFILTERED = frozenset(DEFAULT_SECRET_PLUGINS) - (set() if _KEYWORD_PARTS else {"KeywordDetector"})


def _casefolded(text: str) -> str:
    """``text.lower()`` where every character that re's IGNORECASE matches to an ASCII letter
    is that letter (same length: "İ" would lower to two characters)."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD)
    return text.lower()


def _keyword_hint(folded: str) -> bool:
    """A word of the keyword plugin's denylist occurs (case-folded text)."""
    for word in _KEYWORD_WORDS:
        if word in folded:
            return True
    at = folded.find("key")
    while at >= 0:
        if folded.endswith(_KEY_HEADS, 0, at):
            return True
        at = folded.find("key", at + 1)
    return False


def could_hold_secret(text: str) -> bool:
    """False where no plugin of ``DEFAULT_SECRET_PLUGINS`` can find a secret (see above)."""
    for marker in _CASED_MARKERS:
        if marker in text:
            return True
    if _A_HEADS.search(text) or _BASIC_AUTH.search(text):
        return True
    if not text.isascii() and _DISCORD_HEAD.search(text):
        return True
    folded = _casefolded(text)
    if _RUN_MARK in folded.encode("utf-8", "surrogatepass").translate(_RUN_TABLE):
        return True
    for marker in _SLACK_MARKERS:
        if marker in folded:
            return True
    for hint in PASSWORD_HINTS:  # core/secret_patterns.py: passwords in prose (ten languages) and code
        if hint in folded:
            return True
    for literal, pattern in PASSWORD_HINT_PATTERNS:
        if literal in folded and pattern.search(folded):
            return True
    return _keyword_hint(folded) or ("aws" in folded and _AWS_SECRET.search(folded) is not None)


def _holds(condition: _Condition, text: str) -> bool:
    if isinstance(condition, re.Pattern):
        return condition.search(text) is not None
    lowered = None
    for lit in condition:
        if lit.startswith("i:"):
            lowered = text.lower() if lowered is None else lowered
            if lit[2:] in lowered:
                return True
        elif lit in text:
            return True
    return False


def kind_of(secret_type: str) -> str:
    """detect-secrets' ``secret_type`` in upper snake case: ``AWS Access Key`` → ``AWS_ACCESS_KEY``."""
    return re.sub(r"[^A-Z0-9]+", "_", secret_type.upper()).strip("_")


@dataclass(frozen=True)
class SecretSpan:
    kind: str
    start: int
    end: int


def _filtered(plugin: BasePlugin, value: str, line: str) -> bool:
    """detect-secrets' heuristic filters, as its scanner applies them to a found value."""
    return (
        heuristic.is_sequential_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_not_alphanumeric_string(value)
        or heuristic.is_likely_id_string(value, line, plugin)
        or (not isinstance(plugin, RegexBasedDetector) and heuristic.is_indirect_reference(line))
        or (hasattr(plugin, "is_placeholder") and plugin.is_placeholder(value))
        or (isinstance(plugin, BasicAuthDetector) and is_placeholder_password(value))
    )


def _lines(text: str) -> Iterable[tuple[int, str]]:
    """(offset, line) for every ``\\n``-separated line of ``text`` (a trailing ``\\r`` dropped)."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line[:-1] if line.endswith("\r") else line
        offset += len(line) + 1


class SecretDetector:
    """detect-secrets plugins applied to one string at a time; safe to use from any process."""

    def __init__(self, plugins: Mapping[str, Mapping] | None = None):
        config = DEFAULT_SECRET_PLUGINS if plugins is None else plugins
        by_name = {cls.__name__: cls for cls in get_mapping_from_secret_type_to_class().values()}
        by_name.update(LOCAL_PLUGINS)
        unknown = sorted(set(config) - set(by_name))
        if unknown:
            raise ValueError(f"unknown detect-secrets plugins {unknown}; known: {sorted(by_name)}")
        self.plugins: list[BasePlugin] = [by_name[name](**dict(kwargs)) for name, kwargs in config.items()]
        self.kinds = sorted({kind_of(p.secret_type) for p in self.plugins})
        self._gates = [_PLUGIN_GATES.get(type(p).__name__, (False, ())) for p in self.plugins]
        self.prefiltered = {type(p).__name__ for p in self.plugins} <= _PREFILTERED

    # -- per plugin family: (start, end, value) in text coordinates ------------------------------

    @staticmethod
    def _regex_spans(plugin: RegexBasedDetector, lines: Iterable[tuple[int, str]]):
        """Regex plugins run line by line, as detect-secrets scans files."""
        for offset, line in lines:
            for regex in plugin.denylist:
                for m in regex.finditer(line):
                    start, end = m.span()
                    groups = [i for i in range(1, (regex.groups or 0) + 1) if m.group(i)]
                    if groups:  # a captured secret (BasicAuth's password), unless only a prefix (ghp)
                        best = max(groups, key=lambda i: m.end(i) - m.start(i))
                        if m.end(best) - m.start(best) >= 8:
                            start, end = m.span(best)
                    while start < end and line[start] in _LEADING_JUNK:
                        start += 1
                    while end > start and line[end - 1] in _LEADING_JUNK:
                        end -= 1
                    if end > start:
                        yield offset + start, offset + end, line[start:end]

    @staticmethod
    def _keyword_spans(plugin: KeywordDetector, lines: Iterable[tuple[int, str]]):
        for offset, line in lines:
            for attempt, quoted in _KEYWORD_ATTEMPTS:
                for value in plugin.analyze_string(line, denylist_regex_to_group=attempt):
                    if not value:
                        continue
                    if not quoted:
                        value = _TOKEN_END.split(value.strip(), maxsplit=1)[0].rstrip(_TRAILING_PUNCT)
                    if (
                        len(value) < _KEYWORD_MIN_LEN
                        or _PLAIN_WORD.fullmatch(value)
                        or _PLACEHOLDER.search(value)
                        or _filtered(plugin, value, line)
                    ):
                        continue
                    at = line.find(value)
                    if at >= 0:
                        yield offset + at, offset + at + len(value), value

    @staticmethod
    def _entropy_spans(plugin: HighEntropyStringsPlugin, lines: Iterable[tuple[int, str]]):
        for offset, line in lines:
            if "'" not in line and '"' not in line:
                continue
            for value in plugin.analyze_string(line):
                if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit and not _filtered(
                    plugin, value, line
                ):
                    at = line.find(value)
                    if at >= 0:
                        yield offset + at, offset + at + len(value), value

    def find(self, text: str) -> list[SecretSpan]:
        """Spans of secrets in ``text`` (may overlap; the scrubber resolves overlaps)."""
        if not text or (self.prefiltered and not could_hold_secret(text)):
            return []
        spans: list[SecretSpan] = []
        repeated: dict[tuple[str, str], None] = {}
        all_lines: list[tuple[int, str]] | None = None
        long_lines: list[tuple[int, str]] | None = None
        for plugin, (long, conditions) in zip(self.plugins, self._gates, strict=True):
            if long:
                if long_lines is None:
                    long_lines = (
                        [(o, line) for o, line in _lines(text) if _LONG_TOKEN.search(line)]
                        if _LONG_TOKEN.search(text)
                        else []
                    )
                lines = long_lines
            else:
                if conditions and not _holds(conditions[0], text):
                    continue
                if all_lines is None:
                    all_lines = list(_lines(text))
                lines = all_lines
            if conditions:
                lines = [(o, line) for o, line in lines if all(_holds(c, line) for c in conditions)]
            if not lines:
                continue
            kind = kind_of(plugin.secret_type)
            if isinstance(plugin, PrivateKeyDetector):
                if any(r.search(line) for _, line in lines for r in plugin.denylist):
                    for block in (*_PEM_BLOCK.finditer(text), *_PUTTY_BLOCK.finditer(text)):
                        spans.append(SecretSpan(kind, block.start(), block.end()))
                continue
            if isinstance(plugin, KeywordDetector):
                found = self._keyword_spans(plugin, lines)
            elif hasattr(plugin, "value_spans"):  # core/secret_patterns.py: the value group, filtered
                found = ((o + s, o + e, v) for o, line in lines for s, e, v in plugin.value_spans(line))
            elif isinstance(plugin, HighEntropyStringsPlugin):
                found = self._entropy_spans(plugin, lines)
            elif isinstance(plugin, RegexBasedDetector):
                found = self._regex_spans(plugin, lines)
            else:  # a plugin family we do not know: its own line analysis, values located per line
                found = (
                    (offset + line.find(v), offset + line.find(v) + len(v), v)
                    for offset, line in lines
                    for v in plugin.analyze_string(line)
                    if v and line.find(v) >= 0
                )
            for start, end, value in found:
                if isinstance(plugin, JwtTokenDetector):
                    if not plugin.is_formally_valid(value):
                        continue
                    # the plugin's lazy regex stops before the signature part
                    end = _JWT_TAIL.match(text, end).end()
                elif isinstance(plugin, RegexBasedDetector):
                    line_start = text.rfind("\n", 0, start) + 1
                    line_end = text.find("\n", end)
                    line = text[line_start : len(text) if line_end < 0 else line_end]
                    if _filtered(plugin, value, line):
                        continue
                spans.append(SecretSpan(kind, start, end))
                if len(value) >= _MIN_REPEAT_LEN:
                    repeated[(kind, text[start:end])] = None
        for kind, value in repeated:
            at = text.find(value)
            while at != -1:
                spans.append(SecretSpan(kind, at, at + len(value)))
                at = text.find(value, at + len(value))
        return sorted(set(spans), key=lambda s: (s.start, -s.end, s.kind))
