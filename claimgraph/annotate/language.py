"""Language identification: which language each document and sentence is in, and what follows.

Why: the attribution, signal and entity stages and the check-worthiness scorer are English-only.
Given French or Arabic they do not fail, they produce confident nonsense. So each document's
language is detected right after cleaning, before the spaCy parse: documents in the pipeline's
language go through it; others are kept, split into sentences by a language-neutral sentencizer
and stored with their language, with no English-only annotations. Inside an English document,
sentences detected as another language (a Persian footer, an Arabic quote) lose the
attributions, entity mentions and signals found in them, and claims skip them.

The detector is lingua restricted to the languages in `claimgraph/data/languages.yaml` (all of
lingua's languages cost 1.3 GB). A label is given only when detection is confident on enough
letters; short sentences, names and numbers stay unknown (None) rather than guessed.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import spacy
import yaml
from lingua import IsoCode639_1, IsoCode639_3, LanguageDetectorBuilder
from lingua import Language as LinguaLanguage
from spacy.language import Language
from spacy.tokens import Doc

from claimgraph.annotate import DEFAULT_WINDOW_CHARS, text_windows

# Registers the Doc extensions fill_document reads, also for the neutral sentencizer's docs.
from claimgraph.annotate import entities as _entities  # noqa: F401
from claimgraph.annotate.doctext import doc_text
from claimgraph.model import Attribution, Document, Sentence

ENGLISH = "en"
COMPONENT = "claimgraph_language"
DEFAULT_LANGUAGES = Path(__file__).resolve().parents[1] / "data" / "languages.yaml"
# Stages that only understand English, named as the run summary names them.
ENGLISH_ONLY_STAGES = ("attribution", "signals", "entities", "claims")

_LETTER = re.compile(r"[^\W\d_]")
# One ideograph or syllable block carries about as much as three Latin letters.
_DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Long texts are judged on evenly spaced slices: enough for the majority language, bounded cost.
_SAMPLE_CHARS = 20_000
_SLICES = 4
# Documents are parsed in chunks of `batch_size` documents or this many characters, whichever
# comes first, so a run of long documents is not all held, raw, at once.
_CHUNK_CHARS = 2_000_000


@dataclass(frozen=True, slots=True)
class LanguageSettings:
    """What the detector knows and when it is sure enough to give a label (languages.yaml)."""

    codes: tuple[str, ...]
    names: dict[str, str]
    min_letters: int = 20
    min_confidence: float = 0.7
    override_min_letters: int = 200


def load_language_settings(paths: Iterable[str | Path] = (DEFAULT_LANGUAGES,)) -> LanguageSettings:
    """The shipped list plus any user files: later files add languages and may set thresholds."""
    names: dict[str, str] = {}
    thresholds: dict[str, float] = {}
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for code, name in (data.get("languages") or {}).items():
            code = str(code).strip().lower()
            if not hasattr(IsoCode639_1, code.upper()):
                raise ValueError(f"{path}: {code!r} is not an ISO 639-1 code lingua knows")
            names[code] = str(name)
        for key in ("min_letters", "min_confidence", "override_min_letters"):
            if key in data:
                thresholds[key] = float(data[key])
    if ENGLISH not in names:
        raise ValueError("the language list must include English (en)")
    return LanguageSettings(
        codes=tuple(names),
        names=names,
        min_letters=int(thresholds.get("min_letters", 20)),
        min_confidence=float(thresholds.get("min_confidence", 0.7)),
        override_min_letters=int(thresholds.get("override_min_letters", 200)),
    )


def letter_count(text: str) -> int:
    """Letters in `text` (CJK characters count three): how much there is to judge by."""
    return len(_LETTER.findall(text)) + 2 * len(_DENSE_SCRIPT.findall(text))


@dataclass(frozen=True, slots=True)
class Detection:
    language: str | None  # ISO 639-1 when confident, else None
    best: str | None  # the most likely language, confident or not
    confidence: float
    letters: int


class LanguageDetector:
    """lingua over a restricted language list, in two passes.

    Why two: lingua's high-accuracy mode is the one that is reliable on sentences (no English
    news sentence of 20+ letters labelled as another language, against 0.5% in low-accuracy
    mode), but loading its models takes seconds per script and 250 MB. So every text is first
    judged in low-accuracy mode (trigram models, ~50 MB, fast to load) and only a result that
    is unsure or differs from the `expected` language (about 1% of sentences of an English
    article) is judged again in high-accuracy mode, whose models load on first need.
    """

    def __init__(self, settings: LanguageSettings | None = None) -> None:
        self.settings = settings or load_language_settings()
        languages = [
            LinguaLanguage.from_iso_code_639_1(getattr(IsoCode639_1, c.upper()))
            for c in self.settings.codes
        ]
        self._accurate = LanguageDetectorBuilder.from_languages(*languages).build()
        self._fast = (
            LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
        )

    def describe(self) -> str:
        try:
            version = metadata.version("lingua-language-detector")
        except metadata.PackageNotFoundError:  # pragma: no cover - installed with claimgraph
            version = "?"
        codes = ", ".join(self.settings.codes)
        return f"lingua {version}, {len(self.settings.codes)} languages ({codes})"

    def detect(self, text: str, expected: str | None = ENGLISH) -> Detection:
        """The language of `text`, given only when confident on enough letters."""
        letters = letter_count(text)
        if letters < self.settings.min_letters:
            return Detection(None, None, 0.0, letters)
        sample = _sample(text)
        found = self._judge(self._fast, sample, letters)
        if found.language is None or found.language != expected:
            found = self._judge(self._accurate, sample, letters)
        return found

    def _judge(self, detector: object, text: str, letters: int) -> Detection:
        values = detector.compute_language_confidence_values(text)  # type: ignore[attr-defined]
        if not values:
            return Detection(None, None, 0.0, letters)
        top = values[0]
        best = top.language.iso_code_639_1.name.lower()
        sure = top.value >= self.settings.min_confidence
        return Detection(best if sure else None, best, float(top.value), letters)

    def language_of(self, text: str, expected: str | None = ENGLISH) -> str | None:
        return self.detect(text, expected).language


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    step, size = len(text) // _SLICES, _SAMPLE_CHARS // _SLICES
    return "\n".join(text[i * step : i * step + size] for i in range(_SLICES))


def normalise_code(value: str | None, settings: LanguageSettings | None = None) -> str | None:
    """A declared language ("en-US", "fr_FR", "English", "ara") as ISO 639-1, when recognisable."""
    if not value:
        return None
    text = value.strip().lower()
    primary = re.split(r"[-_\s]", text, maxsplit=1)[0]
    if len(primary) == 2 and primary.isalpha():
        return primary
    if len(primary) == 3 and hasattr(IsoCode639_3, primary.upper()):
        lang = LinguaLanguage.from_iso_code_639_3(getattr(IsoCode639_3, primary.upper()))
        return lang.iso_code_639_1.name.lower()
    if settings is not None:
        for code, name in settings.names.items():
            if name.lower() == text:
                return code
    return None


def identify_document(document: Document, detector: LanguageDetector) -> Document:
    """Set `document.language`: the detected majority language, or the declared one when the
    text is too short to overrule it. A disagreement is kept in `meta` (declared_language or
    detected_language) so it can be audited."""
    settings = detector.settings
    declared_raw = document.language
    declared = normalise_code(declared_raw, settings)
    found = detector.detect(document.text, declared or ENGLISH)
    if declared and (found.language is None or found.letters < settings.override_min_letters):
        document.language = declared
        if found.language and found.language != declared:
            document.meta["detected_language"] = found.language
    elif found.language:
        document.language = found.language
        if declared_raw and declared != found.language:
            document.meta["declared_language"] = declared_raw
    else:
        document.language = None
    return document


def label_sentences(
    sentences: list[Sentence], detector: LanguageDetector, expected: str | None = ENGLISH
) -> None:
    """Give each sentence its language where detection is confident (None otherwise);
    `expected` is the document's language (a sentence differing from it is checked twice)."""
    for sentence in sentences:
        sentence.language = detector.language_of(sentence.text, expected)


_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_foreign(sentence: Sentence, language: str = ENGLISH) -> bool:
    """Detected as another language, or, for English, too short to label but written without
    a Latin letter, as no English text is (a fragment of an Arabic quote)."""
    if sentence.language is not None:
        return sentence.language != language
    if language == ENGLISH and letter_count(sentence.text):
        return not _LATIN_LETTER.search(sentence.text)
    return False


def foreign_spans(document: Document, language: str = ENGLISH) -> list[tuple[int, int]]:
    """Spans of the document's sentences that are not in `language` (see `is_foreign`)."""
    return [(s.start, s.end) for s in document.sentences if is_foreign(s, language)]


def keep_language_annotations(
    document: Document, detector: LanguageDetector, language: str = ENGLISH
) -> Document:
    """Drop what the `language`-only stages found in text of another language: attributions,
    mentions (and entities left without one) and signals in foreign sentences, and
    attributions whose content itself is confidently another language (a quote in Arabic)."""
    spans = foreign_spans(document, language)
    starts = [a for a, _ in spans]  # sentences: in order, never overlapping

    def foreign(offset: int | None) -> bool:
        if offset is None or not spans:
            return False
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and offset < spans[i][1]

    def keep_attribution(att: Attribution) -> bool:
        if foreign(att.start) or foreign(att.cue_start):
            return False
        said = detector.language_of(att.content, language)
        return said is None or said == language

    kept = [a for a in document.attributions if keep_attribution(a)]
    if len(kept) != len(document.attributions):
        document.attributions = kept
    if spans:
        document.mentions = [m for m in document.mentions if not foreign(m.start)]
        used = {m.entity_key for m in document.mentions}
        document.entities = [e for e in document.entities if e.key in used]
        document.signals = [
            g for g in document.signals if g.scope == "document" or not foreign(g.start)
        ]
    return document


def uses_english_stages(document: Document) -> bool:
    """Whether English-only stages may read this document (unknown: too little text to tell,
    so it is treated as English, and counted as unknown in the run summary)."""
    return document.language in (None, ENGLISH)


def english_part(document: Document) -> Document | None:
    """What an English-only stage (claims, the check-worthiness scorer) may read: None for a
    non-English document, else the document with its non-English sentences hidden."""
    if not uses_english_stages(document):
        return None
    foreign = foreign_spans(document)
    if not foreign:
        return document
    sentences = [s for s in document.sentences if not is_foreign(s)]
    return dataclasses.replace(document, sentences=sentences)


def claims_in_english(extract: Callable[[list[Document]], None], batch: list[Document]) -> None:
    """Run a claims stage (`Linker.claims`) on the English part of each document only; a
    non-English document gets no claims, rather than English-scored nonsense."""
    parts = [(document, english_part(document)) for document in batch]
    extract([view for _, view in parts if view is not None])
    for document, view in parts:
        document.claims = view.claims if view is not None else []


class LanguageRouter:
    """The spaCy component `claimgraph_language`: holds the detector (built once per pipeline)
    and routes documents before the parse. In a researcher's own pipeline it sets
    `doc._.cg_language` (None when unsure)."""

    def __init__(self, nlp: Language, name: str, language_files: list[str]) -> None:
        self.name = name
        self.pipeline_language = nlp.lang
        self.detector = LanguageDetector(
            load_language_settings((DEFAULT_LANGUAGES, *language_files))
        )
        self.neutral = spacy.blank("xx")
        self.neutral.add_pipe("sentencizer")
        self.neutral.max_length = max(nlp.max_length, self.neutral.max_length)

    def __call__(self, doc: Doc) -> Doc:
        doc._.cg_language = self.detector.language_of(doc_text(doc))
        return doc

    def describe(self) -> str:
        return self.detector.describe()

    def runs_pipeline(self, document: Document) -> bool:
        return document.language in (None, self.pipeline_language)

    def annotate(
        self,
        documents: Iterable[Document],
        nlp: Language,
        fill: Callable[[Document, Iterable[tuple[int, Doc]]], Document],
        *,
        batch_size: int,  # `claimgraph.annotate.PARSE_BATCH` by default
        window_chars: int = DEFAULT_WINDOW_CHARS,
    ) -> Iterator[Document]:
        """Detect, route, parse the pipeline's language only, label sentences; input order.

        `fill` gets each document with its parsed windows as (offset, Doc): one window at
        offset 0 for a document up to `window_chars` characters, several for a longer one."""
        window = max(1, min(window_chars, nlp.max_length, self.neutral.max_length))
        chunk: list[Document] = []
        chars = 0
        for document in documents:
            chunk.append(identify_document(document, self.detector))
            chars += len(document.text)
            if len(chunk) >= batch_size or chars >= _CHUNK_CHARS:
                yield from self._zoned(
                    nlp, self._annotate_chunk(chunk, nlp, fill, batch_size, window)
                )
                chunk, chars = [], 0
        if chunk:
            yield from self._zoned(nlp, self._annotate_chunk(chunk, nlp, fill, batch_size, window))

    def _zoned(self, nlp: Language, documents: Iterator[Document]) -> list[Document]:
        """A chunk's documents, made inside memory zones of both pipelines: the words and
        strings the chunk's text adds to their vocabularies (and the tokenizer's cache) are
        freed when it is done. Without them a long run grows by every new word it meets
        (names, numbers, links); `fill` copies what it keeps, so no spaCy object outlives
        its chunk."""
        with nlp.memory_zone(), self.neutral.memory_zone():
            return list(documents)

    def _annotate_chunk(
        self,
        chunk: list[Document],
        nlp: Language,
        fill: Callable[[Document, Iterable[tuple[int, Doc]]], Document],
        batch_size: int,
        window: int,
    ) -> Iterator[Document]:
        native = [d for d in chunk if self.runs_pipeline(d) and len(d.text) <= window]
        parsed = nlp.pipe(
            ((d.text, d) for d in native),
            as_tuples=True,
            batch_size=batch_size,
            disable=[self.name],
        )
        by_id = {id(document): doc for doc, document in parsed}
        for document in chunk:
            doc = by_id.pop(id(document), None)
            if doc is not None:
                fill(document, [(0, doc)])
            elif self.runs_pipeline(document):  # longer than a window: parsed piece by piece
                fill(document, self._windows(document.text, window, nlp, disable=[self.name]))
            else:
                fill(document, self._windows(document.text, window, self.neutral))
                label_sentences(document.sentences, self.detector, document.language)
                yield document
                continue
            del doc
            label_sentences(document.sentences, self.detector, self.pipeline_language)
            keep_language_annotations(document, self.detector, self.pipeline_language)
            yield document

    @staticmethod
    def _windows(
        text: str, window: int, pipeline: Language, **pipe_options: object
    ) -> Iterator[tuple[int, Doc]]:
        """(offset, Doc) for each window of `text`, parsed one at a time (lazily), so one
        window's parse is alive at once."""
        spans = list(text_windows(text, window))
        texts = (text[a:b] for a, b in spans)
        docs = pipeline.pipe(texts, batch_size=1, **pipe_options)  # type: ignore[arg-type]
        for (start, _), doc in zip(spans, docs, strict=True):
            yield start, doc


if not Doc.has_extension("cg_language"):
    Doc.set_extension("cg_language", default=None)


@Language.factory(COMPONENT, default_config={"language_files": []})
def make_language_router(nlp: Language, name: str, language_files: list[str]) -> LanguageRouter:
    return LanguageRouter(nlp, name, language_files)


def language_router(nlp: Language) -> LanguageRouter:
    """The pipeline's language component, added (first, once) when missing: the detector is
    built once and cached on the pipeline object."""
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, first=True)
    return nlp.get_pipe(COMPONENT)  # type: ignore[return-value]
