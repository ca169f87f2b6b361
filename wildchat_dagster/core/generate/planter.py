"""Planted PII, secrets and benign look-alikes (the canaries the tests check)."""

from __future__ import annotations

import base64
import itertools
import random
import string
import threading

from faker import Faker

from .composer import weighted_choice
from .packs import LanguagePack
from .rows import alnum_token
from .settings import ALNUM, SECRET_KINDS

_THREAD_FAKERS = threading.local()  # building a Faker costs ~0.1 s; runs in one thread share them


US_AREA_CODES = (
    "212", "213", "214", "305", "312", "347", "404", "415", "480", "512",
    "571", "617", "646", "702", "718", "773", "818", "919", "206", "303",
)  # fmt: skip


class Fakers:
    """One seeded Faker per locale, reseeded for each day (and each run) on first use, so
    output never depends on what an instance generated before."""

    def __init__(self):
        if not hasattr(_THREAD_FAKERS, "by_locale"):
            _THREAD_FAKERS.by_locale = {}
        self._fakers: dict[str, Faker] = _THREAD_FAKERS.by_locale
        self._seeded_for: dict[str, str] = {}
        self._day_key = ""

    def reseed(self, day_key: str) -> None:
        self._day_key = day_key

    def get(self, locale: str) -> Faker:
        if locale not in self._fakers:
            self._fakers[locale] = Faker(locale)
        if self._seeded_for.get(locale) != self._day_key:
            self._fakers[locale].seed_instance(f"{self._day_key}:{locale}")
            self._seeded_for[locale] = self._day_key
        return self._fakers[locale]


_PLANT_WEIGHTS = {
    "PERSON": 20,
    "EMAIL_ADDRESS": 18,
    "PHONE_NUMBER": 14,
    "CREDIT_CARD": 6,
    "ADDRESS": 8,
    "US_SSN": 3,
    "IP_ADDRESS": 4,
    "AWS_KEY": 6,
    "GITHUB_TOKEN": 5,
    "OPENAI_KEY": 7,
    "SLACK_TOKEN": 3,
    "PRIVATE_KEY": 3,
    "URL_PASSWORD": 4,
}


class Planter:
    """Makes PII and secrets (Faker for people and contact data) and their cue sentences."""

    def __init__(self, pack: LanguagePack, rng: random.Random, fakers: Fakers):
        self.pack = pack
        self.rng = rng
        self.fakers = fakers
        self._kinds = tuple(k for k in _PLANT_WEIGHTS if k in pack.pii or k in SECRET_KINDS)
        self._cumulative = list(itertools.accumulate(_PLANT_WEIGHTS[k] for k in self._kinds))

    @property
    def faker(self) -> Faker:
        return self.fakers.get(self.pack.faker_locale)

    def plant_in_prompt(self, parts: list[str]) -> list[tuple[str, str]]:
        """Inserts 1-2 items into a prompt's parts; returns (kind, value) pairs."""
        planted: list[tuple[str, str]] = []
        for _ in range(1 if self.rng.random() < 0.6 else 2):
            kind = weighted_choice(self.rng, self._kinds, self._cumulative)
            text, items = self._secret(kind) if kind in SECRET_KINDS else self._pii(kind)
            if text.startswith("\n"):
                parts.append(text)  # blocks and signatures go last
            else:
                parts.insert(self.rng.randint(1, len(parts)), text)
            planted.extend(items)
        return planted

    def _pii(self, kind: str) -> tuple[str, list[tuple[str, str]]]:
        value = {
            "PERSON": self.person,
            "EMAIL_ADDRESS": self._email,
            "PHONE_NUMBER": self._phone,
            "CREDIT_CARD": self._card,
            "ADDRESS": self._address,
            "US_SSN": lambda: self.faker.ssn(),
            "IP_ADDRESS": lambda: self.faker.ipv4_public(),
        }[kind]()
        return self.rng.choice(self.pack.pii[kind]).replace("{value}", value), [(kind, value)]

    def person(self) -> str:
        faker = self.faker
        if self.pack.code in ("zh", "ja", "ko", "ru", "vi"):
            return faker.name()  # native order, no Western first/last split
        return f"{faker.first_name()} {faker.last_name()}"

    def _email(self) -> str:
        while True:
            email = self.faker.free_email()
            if "example." not in email:  # example.* addresses are the benign kind
                return email

    def _phone(self) -> str:
        pattern = self.rng.choice(self.pack.phone_formats)
        random_ = self.faker.random
        out = []
        for ch in pattern:
            if ch == "#":
                out.append(str(random_.randint(0, 9)))
            elif ch == "X":
                out.append(str(random_.randint(2, 9)))
            else:
                out.append(ch)
        text = "".join(out)
        if "{area}" in text:
            text = text.replace("{area}", random_.choice(US_AREA_CODES))
        return text

    def _card(self) -> str:
        faker = self.fakers.get("en_US")  # card schemes are global
        card_type = self.rng.choice(("visa16", "visa16", "mastercard", "amex"))
        number = faker.credit_card_number(card_type=card_type)
        if self.rng.random() < 0.4:
            groups = (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4)
            chunks, at = [], 0
            for size in groups:
                chunks.append(number[at : at + size])
                at += size
            number = " ".join(chunks)
        return number

    def _address(self) -> str:
        faker = self.faker
        if self.pack.code == "en":
            return f"{faker.street_address()}, {faker.city()}, {faker.state_abbr()} {faker.zipcode()}"
        return faker.address().replace("\n", ", ")

    def _secret(self, kind: str) -> tuple[str, list[tuple[str, str]]]:
        rng = self.rng
        if kind == "AWS_KEY":
            key = "AKIA" + "".join(rng.choices(string.ascii_uppercase + "234567", k=16))
            secret = "".join(rng.choices(ALNUM + "/+", k=40))
            code = (
                f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\nregion = us-east-1"
            )
            return self._code_block(code), [("AWS_KEY", key), ("AWS_SECRET_KEY", secret)]
        if kind == "GITHUB_TOKEN":
            value = "ghp_" + "".join(rng.choices(ALNUM, k=36))
            code = rng.choice(
                (
                    f"export GITHUB_TOKEN={value}\ngh repo list",
                    f'headers = {{"Authorization": "token {value}"}}\nr = requests.get(url, headers=headers)',
                )
            )
            return self._code_block(code), [(kind, value)]
        if kind == "OPENAI_KEY":
            # The classic key layout, with the "T3BlbkFJ" marker secret scanners look for.
            value = f"sk-{alnum_token(rng, 20)}T3BlbkFJ{alnum_token(rng, 20)}"
            code = (
                f'import openai\n\nopenai.api_key = "{value}"\n'
                'response = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=messages)'
            )
            return self._code_block(code), [(kind, value)]
        if kind == "SLACK_TOKEN":
            value = "xoxb-{}-{}-{}".format(
                "".join(rng.choices(string.digits, k=12)),
                "".join(rng.choices(string.digits, k=13)),
                "".join(rng.choices(ALNUM, k=24)),
            )
            return self._code_block(f'client = WebClient(token="{value}")'), [(kind, value)]
        if kind == "PRIVATE_KEY":
            label = rng.choice(("RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY"))
            body = base64.b64encode(rng.randbytes(rng.choice((121, 240, 400)))).decode("ascii")
            lines = [body[i : i + 64] for i in range(0, len(body), 64)]
            value = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
            return self._code_block(value), [(kind, value)]
        if kind == "URL_PASSWORD":
            faker = self.fakers.get("en_US")
            password = "".join(rng.choices(ALNUM, k=rng.randint(10, 16)))
            value = f"https://{faker.user_name()}:{password}@{faker.domain_name()}/{faker.uri_path()}"
            code = rng.choice((f"git clone {value}", f'DATABASE_URL = "{value}"', f'requests.get("{value}")'))
            return self._code_block(code), [(kind, value)]
        raise ValueError(f"unknown secret kind {kind!r}")

    def _code_block(self, code: str) -> str:
        return "\n" + self.pack.code_paste + "\n```\n" + code + "\n```"
