"""Secret formats detect-secrets 1.5.0 has no plugin for, as detect-secrets plugins (``core/secrets.py``
runs them like its own: same line scan, same heuristic filters, same placeholder rules).

* Vendor tokens with a fixed prefix: Hugging Face ``hf_``, Google API keys ``AIza``, GitHub
  fine-grained ``github_pat_``, npm ``npm_`` (outside ``.npmrc``), Anthropic ``sk-ant-``,
  Stripe test/restricted keys and webhook secrets, Slack app tokens ``xapp-``, Replicate
  ``r8_``, Groq ``gsk_``, Google OAuth client secrets ``GOCSPX-``, Shopify ``shpat_``,
  DigitalOcean ``dop_v1_``, Notion ``ntn_``, Postman ``PMAK-``, Perplexity ``pplx-``.
* ``PasswordInProseDetector``: a password written out after the word in the ten languages
  ("my wifi password is hunter2", "пароль: qwerty123", "密码是abc12345", "mi contraseña es ...",
  "Passwort lautet ...", "mot de passe : ...", "senha é ...", "şifrem ...", "パスワードは...",
  "كلمة المرور ..."). The value must look like a password (a digit or a symbol):
  "password is required", "пароль должен" are words, not secrets.
* ``CodeCredentialDetector``: the password argument of login calls (``server.login(user, "...")``,
  ``HTTPBasicAuth("u", "...")``, ``auth=("u", "...")``) and command lines (``mysql -pS3cret``,
  ``sshpass -p ...``, ``--password=...``). ``password="..."`` keyword arguments are detect-secrets'
  KeywordDetector's; ``user:password@host`` in any URL or connection string (IP hosts too) its
  BasicAuthDetector's.

Kinds: the vendor tokens their own (``HUGGING_FACE_TOKEN`` ...); the password detectors write
``SECRET_KEYWORD`` like detect-secrets' keyword plugin, so a password is one kind whoever finds it.
Placeholders (``YOUR_API_KEY``, ``<password>``, ``****``, ``xxxx``, ``changeme``, ``password``
itself) are kept.
"""

from __future__ import annotations

import re

from detect_secrets.plugins.base import RegexBasedDetector

from .placeholders import is_placeholder_key


def _token(name: str, secret_type: str, pattern: str, prefix: str) -> type[RegexBasedDetector]:
    """A detect-secrets regex plugin for a prefixed token (placeholder bodies ignored)."""

    def is_placeholder(value: str) -> bool:
        return is_placeholder_key(value[len(prefix) :] if prefix and value.startswith(prefix) else value)

    return type(
        name,
        (RegexBasedDetector,),
        {
            "secret_type": secret_type,
            "denylist": [re.compile(rf"(?<![A-Za-z0-9_\-]){pattern}(?![A-Za-z0-9_\-])")],
            "is_placeholder": staticmethod(is_placeholder),
            "__doc__": f"{secret_type}: ``{prefix}...``",
        },
    )


# class name → (kind as detect-secrets writes it, pattern, literal prefix, literals one of which every
# match holds: the per-plugin gate in core/secrets.py). Every pattern holds a run of 23+
# [A-Za-z0-9_-] (the prefilter in core/secrets.py relies on it).
TOKEN_FORMATS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "HuggingFaceTokenDetector": ("Hugging Face Token", r"hf_[A-Za-z0-9]{34,40}", "hf_", ("hf_",)),
    "GoogleApiKeyDetector": ("Google API Key", r"AIza[0-9A-Za-z_\-]{35}", "AIza", ("AIza",)),
    "GitHubFineGrainedTokenDetector": (
        "GitHub Fine Grained Token",
        r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        "github_pat_",
        ("github_pat_",),
    ),
    "NpmAccessTokenDetector": ("NPM Access Token", r"npm_[A-Za-z0-9]{36}", "npm_", ("npm_",)),
    "AnthropicKeyDetector": (
        "Anthropic Key",
        r"sk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_\-]{80,}",
        "sk-ant-",
        ("sk-ant-",),
    ),
    "StripeKeyDetector": (
        "Stripe Key",
        r"(?:sk|rk)_(?:test|live)_[0-9A-Za-z]{24,99}|whsec_[0-9A-Za-z]{32,}",
        "",
        ("k_test_", "k_live_", "whsec_"),
    ),
    "SlackAppTokenDetector": (
        "Slack App Token",
        r"xapp-\d-[A-Z0-9]{9,12}-\d{10,16}-[a-f0-9]{32,80}",
        "xapp-",
        ("xapp-",),
    ),
    "ReplicateTokenDetector": ("Replicate Token", r"r8_[A-Za-z0-9]{37}", "r8_", ("r8_",)),
    "GroqKeyDetector": ("Groq Key", r"gsk_[A-Za-z0-9]{48,56}", "gsk_", ("gsk_",)),
    "GoogleOAuthSecretDetector": (
        "Google OAuth Client Secret",
        r"GOCSPX-[A-Za-z0-9_\-]{28}",
        "GOCSPX-",
        ("GOCSPX-",),
    ),
    "ShopifyTokenDetector": ("Shopify Token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", "", ("shp",)),
    "DigitalOceanTokenDetector": ("DigitalOcean Token", r"do[opr]_v1_[a-f0-9]{64}", "", ("_v1_",)),
    "NotionTokenDetector": ("Notion Token", r"ntn_[A-Za-z0-9]{40,50}", "ntn_", ("ntn_",)),
    "PostmanKeyDetector": ("Postman Key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", "PMAK-", ("PMAK-",)),
    "PerplexityKeyDetector": ("Perplexity Key", r"pplx-[A-Za-z0-9]{48}", "pplx-", ("pplx-",)),
    "YandexOAuthTokenDetector": (
        "Yandex OAuth Token",
        r"y[0-3]_[A-Za-z0-9_\-]{55}",
        "",
        ("y0_", "y1_", "y2_", "y3_"),
    ),
}
TOKEN_PLUGINS: dict[str, type[RegexBasedDetector]] = {
    name: _token(name, kind, pattern, prefix) for name, (kind, pattern, prefix, _) in TOKEN_FORMATS.items()
}
TOKEN_GATES = {name: (True, (literals,)) for name, (_, _, _, literals) in TOKEN_FORMATS.items()}

# --- passwords in prose and code -------------------------------------------------------------------

# the word "password" in the ten languages (lower case; matched case-insensitively)
PASSWORD_WORDS = (
    "password",
    "passwort",
    "passcode",
    "passwd",
    "kennwort",
    "mot de passe",
    "contraseña",
    "contrasena",
    "senha",
    "пароль",
    "парол",
    "şifre",
    "sifre",
    "密码",
    "密碼",
    "口令",
    "パスワード",
    "暗証番号",
    "كلمة المرور",
    "كلمة السر",
    "رمز المرور",
)
_CONNECTOR = (
    r"(?:[ \t]*(?:[:=：]|-|—|–|is|was|=>|->|to|lautet|ist|est|es|é|era|это|—|是|为|為|は|:|هي|هو)[ \t]*)"
)
# "my wifi password is X", "пароль от почты: X" (up to 3 words between the word and the value)
_PROSE = re.compile(
    r"(?:(?<![A-Za-z])(?:password|passwort|passcode|passwd|kennwort|mot de passe|contrase(?:ñ|n)a|senha"
    r"|şifre(?:m|n|si|niz)?|sifre(?:m|n|si)?)(?![A-Za-z0-9_])"
    r"|парол[ьея]|密码|密碼|口令|パスワード|暗証番号|كلمة (?:المرور|السر)|رمز المرور)"
    r"(?:[ \t]+[^\s:=：]{1,15}){0,3}?"
    rf"{_CONNECTOR}+[\"'“«「]?"
    r"(?P<value>[^\s\"'”»」，。、\u3000-\u9fff\uff00-\uffef]{4,64})",
    re.IGNORECASE,
)
_PROSE_WORD = re.compile(_PROSE.pattern.split("(?:[ \\t]+")[0], re.IGNORECASE)  # the word alone
_PROSE_TOKEN = re.compile(
    r"[ \t:=：\-—–>]*[\"'“«「]?(?P<value>[^\s\"'”»」，。、\u3000-\u9fff\uff00-\uffef]+)"
)
_PROSE_REACH, _PROSE_TOKENS = 60, 4  # the value starts within 60 characters and 4 tokens of the word
_CODE = (
    # server.login(user, "pw"), smtp.login("me@x.com", 'pw'), ftp.login(u, pw="...")
    re.compile(
        r"\.login\([^,()\n]{1,80},[ \t]*(?:passw(?:or)?d[ \t]*=[ \t]*)?([\"'])(?P<value>[^\"'\n]{4,80})\1"
    ),
    # HTTPBasicAuth("u", "pw"), auth=("u", "pw")
    re.compile(
        r"(?:BasicAuth|DigestAuth|auth[ \t]*=[ \t]*)\(?[ \t]*([\"'])[^\"'\n]{1,80}\1[ \t]*,[ \t]*([\"'])"
        r"(?P<value>[^\"'\n]{4,80})\2"
    ),
    # mysql -uroot -pS3cret, mysqldump -p'S3cret'
    re.compile(r"(?<![\w-])mysql(?:dump|admin|import)?\b[^\n]*?[ \t]-p([\"']?)(?P<value>[^\s\"']{4,80})\1"),
    # sshpass -p 'pw', --password=pw, --password 'pw'
    re.compile(r"(?<![\w-])sshpass[ \t]+-p[ \t]*([\"']?)(?P<value>[^\s\"']{4,80})\1"),
    re.compile(r"(?<![\w-])--password(?:=|[ \t]+)([\"']?)(?P<value>[^\s\"'-][^\s\"']{3,80})\1"),
    # user:password@host in any URL or connection string, passwords with # $ & ... too (detect-secrets'
    # BasicAuthDetector stops at them): mysql://root:Qw3rty#7@10.0.0.5:3306/db
    re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@?#]{1,64}:(?P<value>[^\s@]{3,128})@(?=[\w\[])"),
    # quoted key-value pairs: define('DB_PASSWORD', 'x'), {"api_key": "x"}, Mistral(api_key="x")
    re.compile(
        r"(?i)(?:passw(?:or)?d|pwd|api_?key|secret_?key|client_?secret)\w*[\"']?[ \t]*(?:[,:=]|=>)[ \t]*"
        r"([\"'])(?P<value>[^\"'\s]{4,200})\1"
    ),
    # Twilio's client: the auth token after the account SID
    re.compile(r"AC[0-9a-f]{32}[\"'][ \t]*,[ \t]*([\"'])(?P<value>[0-9a-f]{32})\1"),
)
_PLACEHOLDER = re.compile(
    # YOUR_PASSWORD, $PW, {pw}, <pw>, ****
    r"^(?:(?-i:[A-Z][A-Z0-9_]*)|\$.*|%.*|\{.*|<.*|\[.*|\*+|x+|\.+|_+|-+|#+)$"
    # the word itself ("password: password"), not a password that holds it ("Password123!")
    r"|^(?:secret|password|passwort|pass|pwd|passwd|pw|пароль|contraseña|senha|mot_de_passe|admin|root|user"
    r"|username|test|qwerty)$"
    r"|your|xxxx|\*\*\*|\.\.\.|example|placeholder|changeme|change_me|dummy|getpass|input\(|environ|getenv"
    r"|process\.env|config\[",
    re.IGNORECASE,
)
_EXPRESSION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(.*\)?|\[.*\]?)?[,;)]?$")
_TRAILING = ".,;:!?)]}>。，、！？"


def _looks_like_password(value: str) -> bool:
    """A digit or a symbol: "hunter2", "Tr0ub4dor&3x"; not a word ("required", "incorrect",
    "hashedPassword") nor a variable, call or markup (``user.password``, ``min_length=8``)."""
    if len(value) < 4 or _PLACEHOLDER.search(value) or "://" in value or value.lower().startswith("www."):
        return False
    if any(ch in value for ch in "=()[]{}<>*`") or value.endswith(":") or value[0] in "@/\\:":
        return False
    if any(ch.isdigit() for ch in value) or any(not ch.isalnum() and ch != "_" for ch in value):
        digit = any(ch.isdigit() for ch in value)
        return not _EXPRESSION.fullmatch(value) or (digit and "." not in value)
    return False  # letters only: a word or a camelCase identifier ("hashedPassword"), not kept as a secret


class _ValueDetector(RegexBasedDetector):
    """A regex plugin whose secret is its pattern's ``value`` group, kept only where ``accept``."""

    secret_type = "Secret Keyword"
    denylist: list[re.Pattern] = []

    @staticmethod
    def accept(value: str) -> bool:
        raise NotImplementedError

    def value_spans(self, string: str):
        """(start, end, value) of every accepted value in ``string`` (one line)."""
        for regex in self.denylist:
            for m in regex.finditer(string):
                value = m.group("value").rstrip(_TRAILING)
                if self.accept(value):
                    yield m.start("value"), m.start("value") + len(value), value

    def analyze_string(self, string: str):
        for _, _, value in self.value_spans(string):
            yield value


class PasswordInProseDetector(_ValueDetector):
    """A password written after the word for it, in the ten languages (see the module docstring):
    the first of the next four tokens on the line that looks like a password ("пароль от вайфая
    kotik2015vasya", "wifi şifresi galatasaray1905cimbom", "كلمة المرور حق الواي فاي X")."""

    denylist = [_PROSE]
    accept = staticmethod(_looks_like_password)

    def value_spans(self, string: str):
        for m in _PROSE_WORD.finditer(string):
            if string[m.start() - 1 : m.start()] in (":", "/"):  # inside a URL: URL credential rules
                continue
            for n, token in enumerate(_PROSE_TOKEN.finditer(string, m.end())):
                if n >= _PROSE_TOKENS or token.start() > m.end() + _PROSE_REACH:
                    break
                value = token.group("value").rstrip(_TRAILING)
                if _looks_like_password(value):
                    yield token.start("value"), token.start("value") + len(value), value
                    break


class CodeCredentialDetector(_ValueDetector):
    """Passwords passed to login calls and on command lines (see the module docstring)."""

    denylist = list(_CODE)

    @staticmethod
    def accept(value: str) -> bool:
        return not _PLACEHOLDER.search(value) and not (
            _EXPRESSION.fullmatch(value) and not any(ch.isdigit() for ch in value)
        )


def is_placeholder_password(value: str) -> bool:
    """``password``, ``****``, ``$DB_PASS``, ``<password>``, ``YOUR_PASSWORD``, ``changeme`` ..."""
    return _PLACEHOLDER.search(value) is not None


# their gates for core/secrets.py (case-insensitive literals, one of which every match holds)
PASSWORD_GATES = {
    "PasswordInProseDetector": (False, (tuple("i:" + w for w in PASSWORD_WORDS),)),
    "CodeCredentialDetector": (
        False,
        (("i:.login(", "i:auth", "i:mysql", "i:sshpass", "i:pass", "i:pwd", "i:key", "i:secret", "://",
          "AC"),),
    ),
}
# what the prefilter in core/secrets.py looks for (case-folded text) on behalf of these plugins
PASSWORD_HINTS = (*PASSWORD_WORDS, ".login(", "basicauth", "digestauth", "mysql")
# (literal, regex): where the literal occurs, the regex must match too
PASSWORD_HINT_PATTERNS = (
    ("auth", re.compile(r"auth[ \t]*=")),  # auth=("user", "pw")
    ("://", re.compile(r"://[^\s@]*@")),  # URL credentials
)
PASSWORD_PLUGINS: dict[str, type[RegexBasedDetector]] = {
    "PasswordInProseDetector": PasswordInProseDetector,
    "CodeCredentialDetector": CodeCredentialDetector,
}
