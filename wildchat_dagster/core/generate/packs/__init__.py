"""Language packs: hand-written sentences per language, one module each (the generator's text)."""

from __future__ import annotations

from .arabic import ARABIC
from .chinese import CHINESE
from .english import ENGLISH
from .french import FRENCH
from .german import GERMAN
from .italian import ITALIAN
from .japanese import JAPANESE
from .korean import KOREAN
from .pack import LanguagePack
from .portuguese import PORTUGUESE
from .russian import RUSSIAN
from .spanish import SPANISH
from .turkish import TURKISH
from .vietnamese import VIETNAMESE

LANGUAGE_PACKS: tuple[LanguagePack, ...] = (
    ENGLISH,
    CHINESE,
    RUSSIAN,
    FRENCH,
    SPANISH,
    PORTUGUESE,
    GERMAN,
    ARABIC,
    ITALIAN,
    TURKISH,
    JAPANESE,
    KOREAN,
    VIETNAMESE,
)
LANGUAGE_CODES = tuple(pack.code for pack in LANGUAGE_PACKS)
