"""The spaCy pipeline built from a project's codebook, and its saved form.

Components, built offline: the blank English tokenizer, spaCy's sentencizer (rule
suggestions cover the sentence that matched, which a coder can judge at a glance) and lookup
lemmatizer (tables from `spacy-lookups-data`, needed only when the pipeline is first built:
the saved pipeline carries its own copy), both with their per-token loops vectorised
(`fast_pipes`), accord's indexed token-pattern matcher, two SpanRulers (phrases and the
remaining token patterns on lower case; example phrases on lemmas), `accord_disfluency` (the
same rules again over each disfluent sentence with its fillers, restarts and repetitions left
out: `disfluency`) and, once coders have made decisions, the `accord_classifier` component.

Everything needed to rebuild it lives in one byte string (config + `nlp.to_bytes`), stored
in the project file, so a project moved to another machine keeps its model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from dataclasses import dataclass, field
from typing import TypeVar

import srsly
from spacy.language import Language
from spacy.pipeline import SpanRuler

from ..codebook import codebook_to_dict
from ..errors import AccordError
from ..model import Codebook
from . import classifier as _classifier  # noqa: F401  (registers the accord_classifier factory)
from . import disfluency, fast_pipes
from . import token_patterns as _token_patterns  # noqa: F401  (registers accord_token_patterns)
from .classifier import AccordClassifier, LinearModel
from .analysis import SPANS_KEY
from .rules import Rule, check_patterns, rules_for, ruler_patterns
from .token_patterns import TokenPatternRuler

FORMAT = 1
P = TypeVar("P")


@contextlib.contextmanager
def _quiet():
    """W012: phrase patterns pass through the lemmatizer (the lemma ruler needs it); harmless for LOWER."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W012\]")
        yield


class ModelError(AccordError):
    """The saved pipeline cannot be used (damaged, or from an incompatible accord)."""


def _as(pipe: object, kind: type[P]) -> P:
    """A pipe as the component accord put there (spaCy types every pipe as a Doc callable)."""
    if not isinstance(pipe, kind):
        raise ModelError(f"the suggestion pipeline's component {getattr(pipe, 'name', pipe)!r} is not a {kind.__name__}")
    return pipe


def codebook_sha(codebook: Codebook) -> str:
    snapshot = json.dumps(codebook_to_dict(codebook), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(snapshot.encode()).hexdigest()


@dataclass
class Pipeline:
    """A built or loaded pipeline with what is known about it."""

    nlp: Language
    rules: dict[str, Rule]
    meta: dict = field(default_factory=dict)

    @property
    def classifier(self) -> LinearModel | None:
        return _as(self.nlp.get_pipe("accord_classifier"), AccordClassifier).model

    @property
    def version(self) -> str:
        return self.meta.get("version") or f"rules-{self.meta.get('codebook_sha256', '')[:8]}"

    def set_model(self, model: LinearModel | None, meta: dict) -> None:
        _as(self.nlp.get_pipe("accord_classifier"), AccordClassifier).model = model
        self.meta.update(meta)

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps(
            {
                "format": FORMAT,
                "config": self.nlp.config.to_str(),
                "nlp": self.nlp.to_bytes(),
                "rules": [r.__dict__ for r in self.rules.values()],
                "meta": self.meta,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "Pipeline":
        from spacy import util
        from thinc.api import Config

        try:
            d = srsly.msgpack_loads(data)
            if d.get("format") != FORMAT:
                raise ModelError(f"the saved suggestion model has format {d.get('format')!r}; this accord reads {FORMAT}")
            with _quiet():
                nlp = util.load_model_from_config(Config().from_str(d["config"]), auto_fill=False)
                nlp.from_bytes(d["nlp"])
                fast_pipes.upgrade(nlp)  # saved by an older accord with spaCy's own components
                disfluency.add_to(nlp)  # saved before rules tolerated disfluencies
            rules = {r["id"]: Rule(**r) for r in d["rules"]}
            return cls(nlp, rules, d["meta"])
        except ModelError:
            raise
        except Exception as e:  # a damaged blob can fail in msgpack, thinc or spaCy
            raise ModelError(
                f"the saved suggestion model is damaged and cannot be loaded ({type(e).__name__}); "
                "rebuild it with `accord train` (rules alone: `accord suggest --rebuild`)"
            ) from None


def _lemmatize(nlp):
    def run(text: str) -> tuple[list[str], list[str]]:
        doc = nlp(text)
        tokens = [t for t in doc if not t.is_space]
        return [t.lower_ for t in tokens], [t.lemma_.lower() for t in tokens]

    return run


def build_pipeline(codebook: Codebook, codes: set[str] | None = None) -> Pipeline:
    """Build the rules pipeline for a codebook; raises InputError for a pattern spaCy refuses."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("accord_sentencizer", name="sentencizer")
    nlp.add_pipe("accord_lemmatizer", name="lemmatizer")
    try:
        nlp.initialize()
    except (ValueError, OSError) as e:
        raise AccordError(
            f"cannot build the suggestion pipeline: the English lemma tables are missing ({e}). "
            "Install them with `pip install spacy-lookups-data` (needed only to build it)"
        ) from None
    check_patterns(codebook, nlp)
    rules = rules_for(codebook, codes)
    lower, lemma = ruler_patterns(codebook, rules, _lemmatize(nlp))
    config = {"spans_key": SPANS_KEY, "overwrite": False, "validate": True, "annotate_ents": False}
    # Plain token patterns go to accord's indexed matcher (spaCy's Matcher runs IN sets as
    # Python callbacks at every token: ~12k words/s for the alliance codebook); phrases and
    # anything it cannot take stay with spaCy's SpanRuler.
    token_rules = nlp.add_pipe("accord_token_patterns", name="accord_token_rules", config={"spans_key": SPANS_KEY})
    lower = _as(token_rules, TokenPatternRuler).add_patterns(lower)
    with _quiet():
        rulers = nlp.add_pipe("span_ruler", name="accord_rules", config=dict(config, phrase_matcher_attr="LOWER"))
        _as(rulers, SpanRuler).add_patterns(lower)
        if lemma:
            lemma_rules = nlp.add_pipe("span_ruler", name="accord_lemma_rules", config=dict(config, phrase_matcher_attr="LEMMA"))
            _as(lemma_rules, SpanRuler).add_patterns(lemma)
    nlp.add_pipe("accord_disfluency", config={"spans_key": SPANS_KEY})  # the rulers again, over a tidied view
    by_id = {r.id: r for r in rules}
    for p in lemma:
        base = by_id[p["id"][:-1]]
        rules.append(Rule(p["id"], base.code, "lemma", base.text))
    nlp.add_pipe("accord_classifier")
    meta = {"codebook_sha256": codebook_sha(codebook), "codes": [c.name for c in codebook.codes],
            # The codebook's `speakers` (inherited down the hierarchy): suggested for no other role.
            "speakers": {c.name: list(codebook.speakers_of(c.name)) for c in codebook.codes if codebook.speakers_of(c.name)},
            # Codes never suggested on a backchannel ("Yeah.", "Okay."): `backchannels: false`.
            "no_backchannels": [c.name for c in codebook.codes if not codebook.allows_backchannels(c.name)]}
    return Pipeline(nlp, {r.id: r for r in rules}, meta)
