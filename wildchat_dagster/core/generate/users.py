"""Users: IPs the GeoIP database knows, browsers, accept-language."""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import random
import socket
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring

import maxminddb

from .composer import weighted_choice
from .packs import LANGUAGE_PACKS, LanguagePack
from .settings import SHARE_IPV6, SHARE_PRIVATE_IP, SHARE_RETURNING_USER


@dataclass(frozen=True)
class User:
    ip: str
    country: str | None
    user_agent: str
    accept_language: str

    @property
    def headers_json(self) -> str:
        return (
            f'{{"user-agent":{encode_basestring(self.user_agent)},'
            f'"accept-language":{encode_basestring(self.accept_language)}}}'
        )


@dataclass(frozen=True)
class IpPool:
    """Public IPs grouped by the country the GeoIP database gives them, plus some IPv6."""

    by_country: Mapping[str, tuple[str, ...]]
    ipv6: tuple[str, ...]

    def country_choices(self, pack: LanguagePack) -> tuple[tuple[str, ...], list[float]]:
        known = [(c, w) for c, w in pack.countries if self.by_country.get(c)]
        if not known:
            known = [(c, 1) for c in sorted(self.by_country)]
        return tuple(c for c, _ in known), list(itertools.accumulate(w for _, w in known))


_POOL_SIZE = 400
_MAX_PROBES = 40_000  # ~0.6 s; enough for every country in the packs to show up
_SHARE_WITHOUT_SUBDIVISION = 0.1


@lru_cache(maxsize=4)
def load_ip_pool(seed: int, db_path: str) -> IpPool:
    """A seeded pool of a few hundred public addresses that resolve to a country (about
    90% to a subdivision too) in the given GeoIP2/GeoLite2 City database, found by probing
    random addresses; each country gets a share proportional to its expected traffic.
    Private and reserved ranges are never in the database, so probing skips them."""
    rng = random.Random(f"ip-pool:{seed}")
    wanted = _wanted_ips_per_country()
    with_subdivision: dict[str, list[str]] = {country: [] for country in wanted}
    without_subdivision: dict[str, list[str]] = {country: [] for country in wanted}
    with maxminddb.open_database(db_path) as reader:
        for _ in range(_MAX_PROBES):
            ip = socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big"))
            country, has_subdivision = _lookup(reader, ip)
            if country in wanted:
                bucket = (with_subdivision if has_subdivision else without_subdivision)[country]
                if len(bucket) < wanted[country]:
                    bucket.append(ip)
        ipv6 = _probe_ipv6(reader, rng, count=10)
    by_country = {}
    for country, size in sorted(wanted.items()):
        # Mostly addresses with a subdivision; countries without subdivisions (HK, SG) top up.
        rich = with_subdivision[country][: size - round(size * _SHARE_WITHOUT_SUBDIVISION)]
        plain = without_subdivision[country][: size - len(rich)]
        if rich or plain:
            by_country[country] = tuple(rich + plain)
    return IpPool(by_country=by_country, ipv6=ipv6)


def _wanted_ips_per_country() -> dict[str, int]:
    total_weight = sum(pack.weight for pack in LANGUAGE_PACKS)
    share: Counter = Counter()
    for pack in LANGUAGE_PACKS:
        country_total = sum(w for _, w in pack.countries)
        for country, weight in pack.countries:
            share[country] += pack.weight / total_weight * weight / country_total
    return {country: max(3, round(s * _POOL_SIZE)) for country, s in sorted(share.items())}


def _lookup(reader: maxminddb.Reader, ip: str) -> tuple[str | None, bool]:
    record = reader.get(ip)
    if not record or "country" not in record:
        return None, False
    return record["country"].get("iso_code"), bool(record.get("subdivisions"))


def _probe_ipv6(reader: maxminddb.Reader, rng: random.Random, count: int) -> tuple[str, ...]:
    # Random addresses inside big allocated blocks hit the database often enough.
    prefixes = (0x2001, 0x2003, 0x2A00, 0x2A02, 0x2400, 0x2409, 0x2600, 0x2603)
    found: list[str] = []
    for _ in range(20_000):
        if len(found) >= count:
            break
        bits = (rng.choice(prefixes) << 112) | (rng.getrandbits(20) << 92) | rng.getrandbits(64)
        address = str(ipaddress.IPv6Address(bits))
        if _lookup(reader, address)[0]:
            found.append(address)
    return tuple(found)


class UserRegistry:
    """New and returning users; a returning user keeps IP, browser and language header."""

    def __init__(self, pool: IpPool):
        self._pool = pool
        self._returning: dict[str, deque[User]] = {}
        self._country_choices = {pack.code: pool.country_choices(pack) for pack in LANGUAGE_PACKS}

    def pick(self, rng: random.Random, pack: LanguagePack, day: dt.date) -> User:
        returning = self._returning.get(pack.code)
        if returning and rng.random() < SHARE_RETURNING_USER:
            return returning[rng.randrange(len(returning))]
        return self.new_user(rng, pack, day)

    def new_user(
        self,
        rng: random.Random,
        pack: LanguagePack,
        day: dt.date,
        ip: str | None = None,
        avoid: User | None = None,
    ) -> User:
        while True:
            address, country = (ip, None) if ip else self._new_ip(rng, pack)
            user = User(address, country, _user_agent(rng, day, pack), _accept_language(rng, pack))
            if avoid is None or (user.ip != avoid.ip and user.user_agent != avoid.user_agent):
                break
        self._returning.setdefault(pack.code, deque(maxlen=300)).append(user)
        return user

    def other_ip(self, rng: random.Random, user: User) -> str:
        """A second address for a user on the move (same country when known)."""
        candidates = self._pool.by_country.get(user.country or "", ())
        others = [ip for ip in candidates if ip != user.ip]
        return rng.choice(others) if others else user.ip

    def _new_ip(self, rng: random.Random, pack: LanguagePack) -> tuple[str, str | None]:
        draw = rng.random()
        if draw < SHARE_PRIVATE_IP:
            return _private_ip(rng), None
        if draw < SHARE_PRIVATE_IP + SHARE_IPV6 and self._pool.ipv6:
            return rng.choice(self._pool.ipv6), None
        countries, cumulative = self._country_choices[pack.code]
        country = weighted_choice(rng, countries, cumulative)
        return rng.choice(self._pool.by_country[country]), country


def _private_ip(rng: random.Random) -> str:
    block = rng.choice(("10", "192.168", "172"))
    if block == "10":
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
    if block == "192.168":
        return f"192.168.{rng.randrange(256)}.{rng.randint(1, 254)}"
    return f"172.{rng.randint(16, 31)}.{rng.randrange(256)}.{rng.randint(1, 254)}"


# (release date, Safari version, iOS version as the UA writes it)
_SAFARI_RELEASES = (
    (dt.date(2022, 10, 24), "16.1", "16_1"),
    (dt.date(2022, 12, 13), "16.2", "16_2"),
    (dt.date(2023, 1, 23), "16.3", "16_3"),
    (dt.date(2023, 3, 27), "16.4", "16_4_1"),
    (dt.date(2023, 5, 18), "16.5", "16_5"),
    (dt.date(2023, 7, 24), "16.6", "16_6"),
    (dt.date(2023, 9, 18), "17.0", "17_0"),
    (dt.date(2023, 10, 25), "17.1", "17_1_1"),
    (dt.date(2023, 12, 11), "17.2", "17_2"),
    (dt.date(2024, 1, 22), "17.3", "17_3"),
)

_UA_TEMPLATES = (
    (
        30,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{chrome}.0.0.0 Safari/537.36",
    ),
    (
        10,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{chrome}.0.0.0 Safari/537.36",
    ),
    (
        6,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/{safari} Safari/605.1.15",
    ),
    (8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0"),
    (
        7,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{chrome}.0.0.0 Safari/537.36 Edg/{chrome}.0.{edge_build}.{edge_patch}",
    ),
    (
        12,
        "Mozilla/5.0 (Linux; Android {android}; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{chrome}.0.0.0 Mobile Safari/537.36",
    ),
    (
        12,
        "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/{safari} Mobile/15E148 Safari/604.1",
    ),
    (
        3,
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{chrome}.0.0.0 Safari/537.36",
    ),
    (2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0"),
)
_YANDEX_TEMPLATE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{chrome}.0.0.0 YaBrowser/23.{yandex}.0.0 Safari/537.36"
)
_UA_CUMULATIVE = list(itertools.accumulate(weight for weight, _ in _UA_TEMPLATES))


def _user_agent(rng: random.Random, day: dt.date, pack: LanguagePack) -> str:
    """A browser string with versions that were current on ``day`` (or a little older)."""
    lag = rng.choice((0, 0, 0, 1, 1, 2, 3))
    chrome = max(90, 112 + (day - dt.date(2023, 4, 4)).days // 28 - lag)
    firefox = max(90, 112 + (day - dt.date(2023, 4, 11)).days // 28 - lag)
    released = [release for release in _SAFARI_RELEASES if release[0] <= day] or [_SAFARI_RELEASES[0]]
    _, safari, ios = released[-1] if rng.random() < 0.7 or len(released) < 2 else released[-2]
    if pack.code == "ru" and rng.random() < 0.2:
        template = _YANDEX_TEMPLATE
    else:
        template = weighted_choice(rng, _UA_TEMPLATES, _UA_CUMULATIVE)[1]
    return template.format(
        chrome=chrome,
        firefox=firefox,
        safari=safari,
        ios=ios,
        android=rng.choice(("10", "11", "12", "13", "13")),
        edge_build=rng.randint(1000, 2200),
        edge_patch=rng.randint(10, 99),
        yandex=rng.randint(3, 11),
    )


def _accept_language(rng: random.Random, pack: LanguagePack) -> str:
    if pack.code != "en" and rng.random() < 0.08:
        return "en-US,en;q=0.9"  # browser left in English
    # The first header is the most common one.
    options = pack.accept_languages
    return options[0] if rng.random() < 0.5 else rng.choice(options)
