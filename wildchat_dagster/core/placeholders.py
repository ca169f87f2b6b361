"""Placeholder values that are not anybody's data: ONE definition shared by the scrubber
(``core/pii/``, ``core/secrets.py``: kept, not redacted) and the residue checks
(``core/residue.py``: not a finding), so that what the scrubber keeps on purpose never
trips a blocking check, and the check still catches everything else.

* E-mail: documentation/sample domains (``example.com``, ``domain.com``, ...), the reserved
  TLDs (RFC 2606/6761) and the label ``example`` under any suffix (``example.co.uk``), and
  generic or role local parts (``test@``, ``info@``, ``user@``, ``support@``, ``your...@``).
* Phones: toll-free and shared-cost numbers (hotlines, python-phonenumbers' number type).
* API keys: a key body with fewer than 6 distinct characters (``sk-xxxx...``,
  ``sk-proj-XXXX...``), ``-`` and ``_`` not counted.
"""

from __future__ import annotations

PLACEHOLDER_EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "example.edu",
    "test.com",
    "domain.com",
    "yourdomain.com",
    "mydomain.com",
    "company.com",
    "yourcompany.com",
    "email.com",
    "sample.com",
    "acme.com",
    "foo.com",
    "bar.com",
    "localhost",
)
# Reserved TLDs (RFC 2606/6761) and the label "example" under any suffix (example.co.uk).
PLACEHOLDER_EMAIL_TLDS = ("example", "test", "invalid", "localhost", "local")
PLACEHOLDER_EMAIL_LOCALS = (
    "test",
    "example",
    "user",
    "username",
    "name",
    "email",
    "you",
    "yourname",
    "youremail",
    "your.name",
    "your.email",
    "your_email",
    "your-email",
    "someone",
    "somebody",
    "nobody",
    "john.doe",
    "jane.doe",
    "johndoe",
    "janedoe",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "webmaster",
    "postmaster",
    "hostmaster",
    "abuse",
    "foo",
    "bar",
    "sample",
)
# Not here: role addresses (info@, contact@, hello@, sales@, support@, office@ …). At a real domain
# they reach a person (a sole trader's contact line, a small office), so they are redacted unless
# the domain is a placeholder or the frequency rule finds them public (many users paste them).
# Machine addresses (noreply@, postmaster@ …) stay: they identify nobody.

_DOMAINS = frozenset(PLACEHOLDER_EMAIL_DOMAINS)
_TLDS = frozenset(PLACEHOLDER_EMAIL_TLDS)
_LOCALS = frozenset(PLACEHOLDER_EMAIL_LOCALS)

MIN_KEY_DISTINCT_CHARS = 6


def is_placeholder_email(
    address: str,
    domains: frozenset[str] = _DOMAINS,
    tlds: frozenset[str] = _TLDS,
    locals_: frozenset[str] = _LOCALS,
) -> bool:
    """Is ``local@domain`` a placeholder address (kept by the scrubber, no residue)? The sets
    are lower case; the defaults are the module's lists (``PiiConfig`` may pass its own)."""
    local, _, domain = address.lower().rpartition("@")
    labels = domain.split(".")
    return (
        domain in domains
        or labels[-1] in tlds
        or "example" in labels[:-1]
        or local in locals_
        or local.startswith("your")
    )


def is_public_phone(number: str) -> bool:
    """Is a phone number a public one the scrubber keeps (a toll-free or shared-cost hotline,
    core/pii_phones.py), and so no residue?"""
    from .pii_phones import is_public_anywhere

    return is_public_anywhere(number)


def is_placeholder_key(body: str) -> bool:
    """Is an API key body (after its ``sk-``/``sk_live_`` prefix) a placeholder?"""
    return len(set(body.replace("-", "").replace("_", ""))) < MIN_KEY_DISTINCT_CHARS
