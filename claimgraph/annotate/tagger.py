"""A trained attribution tagger: Source, Cue and Content spans from the pipeline's own parse.

Why a tagger beside the rules: the rules in ``attribution.py`` were written while reading a few
articles; on unseen news they miss about half of what PolNeAR's annotators marked. The tagger
reads what spaCy already computed for every token — the tok2vec vectors (``doc.tensor``), the
tag, dependency, entity and head, whether the lemma is a cue of ``cues.yaml`` and whether the
token sits inside a quotation — and a 2-layer BiLSTM with one O/B/I head per span kind, so a
token can be at once in a content and in the source or cue of another relation. Taggers trained
with a linear-chain CRF per kind (``train_attribution.py --crf``, config ``"crf": true``; not
the shipped one) are decoded with Viterbi (``viterbi``), others token by token
(``decode_probs``); a config ``"crf"`` that lists kinds (``["content"]``) decodes only those
with Viterbi and the others from the softmax (``viterbi_kinds``). It costs a few
milliseconds a document on top of the parse. ``scripts/train_attribution.py`` trains it on
PolNeAR train; ``relations_from`` pairs its spans into relations (cue + nearest source + the
content next to it or around it).

The model folder holds ``config.json`` (label vocabularies, sizes, the spaCy pipeline it was
trained on, figures), ``model.safetensors`` and ``MODEL_CARD.md``; ``AttributionTagger.load(path)``
takes any such folder, so a user can train and load their own. The features are those of one
spaCy pipeline: loading the tagger beside another pipeline is an error, never a silent mismatch.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

KINDS = ("Source", "Cue", "Content")
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "attribution-tagger"
HASH_BUCKETS = 1 << 14
CUE_CLASSES = (
    "speech_verbs",
    "cognition_verbs",
    "evidential_verbs",
    "quotation_only_verbs",
    "relay_verbs",
    "object_verbs",
    "source_phrases",
    "document_nouns",
)
N_FLAGS = 12

Span = tuple[int, int]


class TaggerNotAvailable(RuntimeError):
    """The attribution model folder is missing, incomplete or made for another pipeline."""


def _torch():
    import torch

    return torch


def cue_lexicon() -> dict[str, int]:
    """Word -> 1-based cue class (``CUE_CLASSES``) from cues.yaml: the same vocabulary the rules
    read, so a user who extends it extends what the tagger sees."""
    from claimgraph.vocabulary import load_vocabulary

    data = load_vocabulary("cues")
    lexicon: dict[str, int] = {}
    for number, key in enumerate(CUE_CLASSES, start=1):
        entries = data.get(key) or []
        for entry in entries.keys() if isinstance(entries, dict) else entries:
            for word in str(entry).lower().split():
                if len(word) > 3 or key != "source_phrases":
                    lexicon.setdefault(word, number)
    return lexicon


def model_lexicon(config: dict) -> dict[str, int]:
    """The cue classes a tagger reads: those it was trained with (config ``cue_lexicon``), and
    words the user's cues.yaml adds on top. Why: the classes are an input feature, so a word
    moved or dropped in cues.yaml after training would change what the shipped weights see
    and make them differ from what the training script gives; a new word still reaches the
    tagger. A config without the entry (taggers trained before session 20) reads cues.yaml."""
    trained = config.get("cue_lexicon")
    current = cue_lexicon()
    if not trained:
        return current
    return {**{w: c for w, c in current.items() if w not in trained}, **trained}


@dataclass(slots=True)
class Features:
    """One document's token features, as plain lists (turned into tensors per batch)."""

    starts: list[int]
    ends: list[int]
    vectors: list  # (n, width) numpy array: doc.tensor
    ids: list[list[int]]  # per token: word hash, tag, dep, head dep, entity, cue, head cue
    # (with ``boundaries``, two more: the dependency of the widest phrase opening and closing
    # at the token)
    flags: list[list[float]]
    lines: list[tuple[int, int]]  # token ranges [a, b) of each non-empty line


def _index(labels: Sequence[str]) -> dict[str, int]:
    return {label: i + 1 for i, label in enumerate(labels)}


_QUOTE_TOKENS = "\"\u201c\u201d\u201e\u00ab\u00bb''``"
_IOB = {1: "I", 2: "O", 3: "B"}


class _Lookups:
    """Per-string-hash caches: the features need each distinct word, lemma and label once."""

    def __init__(self, vocab: dict[str, dict[str, int]], lexicon: dict[str, int]) -> None:
        self.vocab, self.lexicon = vocab, lexicon
        self.word: dict[int, int] = {}
        self.cue: dict[tuple[int, int], int] = {}
        self.head_cue: dict[int, int] = {}
        self.label: dict[tuple[str, int], int] = {}
        self.quote: dict[int, float] = {}

    def of(self, doc, table: str, key: int) -> int:
        found = self.label.get((table, key))
        if found is None:
            found = self.vocab[table].get(doc.vocab.strings[key], 0) if key else 0
            self.label[(table, key)] = found
        return found


def phrase_edges(heads: Sequence[int]) -> tuple[list[int], list[int]]:
    """For each token, the dependency of the widest phrase (a subtree, the token's own
    excluded) that opens and that closes at it, as indices of the phrase's head (-1: none).

    Why: PolNeAR draws contents along the parse's phrases (a "that" clause, a clause cut
    before its ", which ..." relative clause, a coordinated second clause): a tagger that sees
    where phrases open and close can put a content's edges there, which the token's own
    dependency and its head's do not say. ``heads`` are absolute head indices."""
    n = len(heads)
    left, right = list(range(n)), list(range(n))
    for i in range(n):
        j, steps = i, 0
        while heads[j] != j and steps < n:
            j = heads[j]
            left[j] = min(left[j], i)
            right[j] = max(right[j], i)
            steps += 1
    opens, closes = [-1] * n, [-1] * n
    for j in range(n):
        size = right[j] - left[j]
        if size == 0:
            continue
        a, b = left[j], right[j]
        if opens[a] < 0 or size > right[opens[a]] - left[opens[a]]:
            opens[a] = j
        if closes[b] < 0 or size > right[closes[b]] - left[closes[b]]:
            closes[b] = j
    return opens, closes


def doc_features(
    doc,
    vocab: dict[str, dict[str, int]],
    lexicon: dict[str, int],
    lookups=None,
    boundaries: bool = False,
) -> Features:
    """What the tagger reads of a parsed Doc; see the module docstring. Read from spaCy's
    arrays (``Doc.to_array``), never by making a Token object per token. ``boundaries``: also
    the phrases opening and closing at each token (``phrase_edges``), for taggers trained
    with them."""
    import numpy as np
    from spacy.attrs import (
        DEP,
        ENT_IOB,
        ENT_TYPE,
        HEAD,
        IDX,
        IS_PUNCT,
        IS_SPACE,
        IS_TITLE,
        IS_UPPER,
        LEMMA,
        LIKE_NUM,
        LOWER,
        ORTH,
        POS,
        SENT_START,
        TAG,
    )

    from claimgraph.annotate.attribution import quote_regions
    from claimgraph.annotate.doctext import doc_text

    look = lookups or _Lookups(vocab, lexicon)
    strings = doc.vocab.strings
    text = doc_text(doc)
    n = len(doc)
    inside = np.zeros(len(text) + 1, dtype=np.int8)
    for a, b in quote_regions(text):
        inside[a:b] = 1
    cols = (TAG, DEP, HEAD, ENT_IOB, ENT_TYPE, LEMMA, LOWER, ORTH, IDX, IS_TITLE, IS_UPPER,
            LIKE_NUM, IS_PUNCT, SENT_START, POS, IS_SPACE)  # fmt: skip
    # String hashes are uint64; HEAD is a signed offset stored in the same array.
    arr = doc.to_array(list(cols)) if n else np.zeros((0, len(cols)), np.uint64)
    tag, dep, _, iob, ent_type, lemma, lower, orth, idx = (arr[:, i].tolist() for i in range(9))
    head_off = arr[:, 2].astype(np.int64).tolist()
    title, upper, num, punct, sent, pos, space = (arr[:, i].tolist() for i in range(9, 16))
    pron, propn = strings["PRON"], strings["PROPN"]
    if boundaries:
        opens, closes = phrase_edges([i + int(off) for i, off in enumerate(head_off)])
    ids, flags, starts, ends = [], [], [], []
    for i in range(n):
        h = i + int(head_off[i])
        low, lem = int(lower[i]), int(lemma[i])
        word = look.word.get(low)
        if word is None:
            word = zlib.crc32(strings[low].encode("utf-8")) % HASH_BUCKETS + 1
            look.word[low] = word
        cue = look.cue.get((lem, low))
        if cue is None:
            cue = lexicon.get(strings[lem].lower(), lexicon.get(strings[low], 0))
            look.cue[(lem, low)] = cue
        head_cue = 0
        if h != i:
            head_lemma = int(lemma[h])
            head_cue = look.head_cue.get(head_lemma, -1)
            if head_cue < 0:
                head_cue = lexicon.get(strings[head_lemma].lower(), 0)
                look.head_cue[head_lemma] = head_cue
        entity = 0
        if ent_type[i]:
            key = f"{_IOB.get(int(iob[i]), '')}-{strings[int(ent_type[i])]}"
            entity = vocab["ent"].get(key, 0)
        row = [
            word,
            look.of(doc, "tag", int(tag[i])),
            look.of(doc, "dep", int(dep[i])),
            look.of(doc, "dep", int(dep[h])) if h != i else 0,
            entity,
            cue,
            head_cue,
        ]
        if boundaries:
            row.append(look.of(doc, "dep", int(dep[opens[i]])) if opens[i] >= 0 else 0)
            row.append(look.of(doc, "dep", int(dep[closes[i]])) if closes[i] >= 0 else 0)
        ids.append(row)
        o = int(orth[i])
        quote = look.quote.get(o)
        if quote is None:
            quote = float(strings[o] in _QUOTE_TOKENS)
            look.quote[o] = quote
        start = int(idx[i])
        distance = h - i
        line_start = i == 0 or "\n" in text[int(idx[i - 1]) : start]
        flags.append(
            [
                float(inside[start]),
                quote,
                float(title[i]),
                float(upper[i]),
                float(num[i]),
                float(punct[i]),
                float(sent[i] == 1 or (i == 0 and bool(doc[0].is_sent_start))),
                float(line_start),
                float(distance > 0),
                float(distance < 0),
                min(abs(distance), 20) / 20.0,
                float(pos[i] in (pron, propn)),
            ]
        )
        starts.append(start)
        ends.append(start + len(strings[o]))
    lines, first = [], None
    for i in range(n):
        token_text = strings[int(orth[i])]
        if space[i] or "\n" in token_text:
            if first is not None:
                lines.append((first, i))
                first = None
            continue
        if first is None:
            first = i
        after = ends[i]
        if text[after : after + 1] == "\n":  # whitespace_ is at most one space: never a newline
            lines.append((first, i + 1))
            first = None
    if first is not None:
        lines.append((first, n))
    tensor = doc.tensor if doc.tensor is not None and len(doc.tensor) == len(doc) else None
    if tensor is None:
        raise TaggerNotAvailable("the spaCy pipeline left no tok2vec tensor (doc.tensor)")
    return Features(starts, ends, tensor, ids, flags, lines)


# ---------------------------------------------------------------------------------------------
# Optional input: frozen MiniLM token states (config "encoder_states")

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def encoder_units(features: Features, gate: str = "all", size: int = 120) -> list[tuple[int, int]]:
    """Token ranges [a, b) the encoder reads: each sentence of each line (cut at ``size``
    tokens). ``gate="cue"``: only sentences with a cue word of cues.yaml (the token's lemma)
    or a quotation mark, where attributions are; the others keep zero states.

    Why sentences: the encoder's cost grows with what it reads, and a sentence is the context
    a reporting verb and its content share."""
    units = []
    for a, b in features.lines:
        start = a
        for i in range(a + 1, b + 1):
            if i == b or features.flags[i][6] or i - start >= size:
                if gate == "all" or any(
                    features.ids[t][5] or features.flags[t][1] for t in range(start, i)
                ):
                    units.append((start, i))
                start = i
    return units


def with_states(features: Features, states) -> Features:
    """The features with the encoder's token states after the tok2vec vector (in place)."""
    import numpy as np

    features.vectors = np.hstack([np.asarray(features.vectors, dtype=np.float32), states])
    return features


class TokenEncoder:
    """Frozen sentence-encoder token states (an int8 ONNX graph that returns
    ``last_hidden_state``, and its ``tokenizer.json``), averaged over the word pieces of each
    spaCy token. Why: the tok2vec of a small spaCy pipeline sees four words either side;
    MiniLM's states see the whole sentence."""

    def __init__(self, folder: Path, gate: str = "all", threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(256)
        self.folder, self.gate = folder, gate
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)

    @classmethod
    def load(cls, spec: dict, tagger_dir: Path) -> TokenEncoder:
        """The encoder a tagger's config names: a folder under claimgraph/models/, or a path
        (relative to the tagger's folder)."""
        name = Path(spec["model"])
        folder = next(
            (
                p
                for p in (MODELS_DIR / name, tagger_dir / name, name)
                if (p / "model.onnx").is_file()
            ),
            None,
        )
        if folder is None:
            raise TaggerNotAvailable(f"token encoder {spec['model']!r} of {tagger_dir} not found")
        return cls(folder, gate=spec.get("gate", "all"))

    def states(self, text: str, features: Features, batch_size: int = 1):
        """(n_tokens, dim) float32: each token's mean piece state; zeros outside the units.

        One sentence a run by default: the int8 graph quantises its activations per run
        (dynamic quantisation), so in a padded batch a sentence's states would depend on the
        sentences beside it."""
        import numpy as np

        n = len(features.starts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        units = encoder_units(features, self.gate)
        if not units:
            return out
        encoded = [
            self.tokenizer.encode(text[features.starts[a] : features.ends[b - 1]]) for a, b in units
        ]
        order = sorted(range(len(units)), key=lambda u: len(encoded[u].ids))
        for k in range(0, len(order), batch_size):
            chunk = order[k : k + batch_size]
            width = max(len(encoded[u].ids) for u in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, u in enumerate(chunk):
                ids[row, : len(encoded[u].ids)] = encoded[u].ids
                mask[row, : len(encoded[u].ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, feed)[0]
            for row, u in enumerate(chunk):
                self._pool(hidden[row], encoded[u], units[u], features, out)
        return out

    @staticmethod
    def _pool(hidden, encoding, unit: tuple[int, int], features: Features, out) -> None:
        import bisect

        import numpy as np

        a, b = unit
        base = features.starts[a]
        starts, ends = features.starts[a:b], features.ends[a:b]
        sums = np.zeros((b - a, hidden.shape[1]), dtype=np.float32)
        counts = np.zeros(b - a, dtype=np.float32)
        for p, (s, e) in enumerate(encoding.offsets):
            if e <= s:  # [CLS], [SEP]
                continue
            s, e = s + base, e + base
            first = max(bisect.bisect_right(starts, s) - 1, 0)
            last = max(bisect.bisect_left(starts, e) - 1, first)
            for t in range(first, last + 1):
                if starts[t] < e and s < ends[t]:
                    sums[t] += hidden[p]
                    counts[t] += 1
        seen = counts > 0
        out[a:b][seen] = sums[seen] / counts[seen, None]


def build_model(config: dict):
    """The network: embeddings of the categorical features, the tok2vec vector and flags,
    projected and read by a 2-layer BiLSTM; one 3-way (O/B/I) head per span kind. With
    ``boundaries`` in the config, also the dependencies of the phrases opening and closing at
    each token (``phrase_edges``). With ``crf``, learned O/B/I transitions per kind as well."""
    torch = _torch()
    nn = torch.nn
    sizes = config["sizes"]
    boundaries = bool(config.get("boundaries"))

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word = nn.Embedding(HASH_BUCKETS + 1, 32, padding_idx=0)
            self.tag = nn.Embedding(sizes["tag"] + 1, 16, padding_idx=0)
            self.dep = nn.Embedding(sizes["dep"] + 1, 16, padding_idx=0)
            self.ent = nn.Embedding(sizes["ent"] + 1, 8, padding_idx=0)
            self.cue = nn.Embedding(len(CUE_CLASSES) + 1, 8, padding_idx=0)
            width = config["tensor_width"] + 32 + 16 * 3 + 8 + 8 * 2 + N_FLAGS
            width += 16 * 2 if boundaries else 0
            width += int((config.get("encoder_states") or {}).get("dim", 0))
            hidden = config.get("hidden", 128)
            self.project = nn.Sequential(nn.Linear(width, 2 * hidden), nn.ReLU(), nn.Dropout(0.2))
            self.lstm = nn.LSTM(
                2 * hidden,
                hidden,
                num_layers=2,
                bidirectional=True,
                batch_first=True,
                dropout=0.2,
            )
            self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(2 * hidden, len(KINDS) * 3))
            if has_crf(config):
                # One linear-chain CRF per kind over the head's scores (``viterbi``).
                self.crf_transitions = nn.Parameter(torch.zeros(len(KINDS), 3, 3))
                self.crf_start = nn.Parameter(torch.zeros(len(KINDS), 3))
                self.crf_end = nn.Parameter(torch.zeros(len(KINDS), 3))

        def forward(self, vectors, ids, flags, lengths):
            parts = [
                vectors,
                self.word(ids[..., 0]),
                self.tag(ids[..., 1]),
                self.dep(ids[..., 2]),
                self.dep(ids[..., 3]),
                self.ent(ids[..., 4]),
                self.cue(ids[..., 5]),
                self.cue(ids[..., 6]),
                flags,
            ]
            if boundaries:
                parts += [self.dep(ids[..., 7]), self.dep(ids[..., 8])]
            x = self.project(torch.cat(parts, -1))
            packed = nn.utils.rnn.pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            out, _ = self.lstm(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=x.shape[1]
            )
            logits = self.head(out)
            return logits.view(*logits.shape[:2], len(KINDS), 3)

    return Tagger()


def batch_tensors(pieces: Sequence[tuple[Features, int, int]]):
    """Pad token ranges [a, b) of documents' features into one batch."""
    import numpy as np

    torch = _torch()
    width = max(b - a for _, a, b in pieces)
    dim = pieces[0][0].vectors.shape[1]
    columns = max((len(f.ids[a]) for f, a, b in pieces if b > a), default=7)
    vectors = np.zeros((len(pieces), width, dim), dtype=np.float32)
    ids = torch.zeros(len(pieces), width, columns, dtype=torch.long)
    flags = torch.zeros(len(pieces), width, N_FLAGS)
    lengths = []
    for row, (f, a, b) in enumerate(pieces):
        vectors[row, : b - a] = f.vectors[a:b]
        ids[row, : b - a] = torch.tensor(f.ids[a:b])
        flags[row, : b - a] = torch.tensor(f.flags[a:b])
        lengths.append(b - a)
    return torch.from_numpy(vectors), ids, flags, torch.tensor(lengths)


def sequences(features: Features, size: int = 200) -> list[tuple[int, int]]:
    """The token ranges read as one sequence: each line, long ones cut into ``size`` pieces."""
    out = []
    for a, b in features.lines:
        for start in range(a, b, size):
            out.append((start, min(b, start + size)))
    return out


def decode_bio(labels: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(first, last+1) token runs: B starts a span, I continues one (or starts it when stray)."""
    start = None
    for i, label in enumerate(labels):
        if label == 1 or (label == 2 and start is None):
            if start is not None:
                yield start, i
            start = i
        elif label == 0 and start is not None:
            yield start, i
            start = None
    if start is not None:
        yield start, len(labels)


_EDGE = " \t\r\n\u00a0.,;:"


def trim(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


class AttributionTagger:
    """Load a trained tagger folder and predict Source/Cue/Content character spans."""

    def __init__(self, path: Path, model, config: dict) -> None:
        self.path = path
        self.model = model
        self.config = config
        self.vocab = {k: _index(v) for k, v in config["labels"].items()}
        self.lexicon = model_lexicon(config)
        self.name = config.get("name", path.name)
        spec = config.get("encoder_states")
        self.encoder = TokenEncoder.load(spec, path) if spec else None
        self.viterbi_kinds = viterbi_kinds(config)

    @classmethod
    def load(cls, path: str | Path | None = None) -> AttributionTagger:
        """Load a model folder (default: the one shipped in the package), offline."""
        folder = Path(path) if path else DEFAULT_MODEL_DIR
        config_file, weights = folder / "config.json", folder / "model.safetensors"
        if not config_file.is_file() or not weights.is_file():
            raise TaggerNotAvailable(
                f"attribution model not found at {folder} (needs config.json and "
                f"model.safetensors; train one with scripts/train_attribution.py, or use "
                f"--attribution rules)"
            )
        from safetensors.torch import load_file

        config = json.loads(config_file.read_text(encoding="utf-8"))
        model = build_model(config)
        model.load_state_dict({k: v.float() for k, v in load_file(str(weights)).items()})
        model.eval()
        return cls(folder, model, config)

    def describe(self) -> str:
        """The shipped tagger by its folder name, another one by its path."""
        return self.path.name if self.path == DEFAULT_MODEL_DIR else str(self.path)

    def check_pipeline(self, nlp_name: str) -> None:
        """The tagger reads one pipeline's tok2vec: refuse another one, by name."""
        trained = self.config.get("spacy_pipeline")
        if trained and trained != nlp_name:
            raise TaggerNotAvailable(
                f"attribution model {self.path} was trained on the features of spaCy pipeline "
                f"{trained!r}, not {nlp_name!r}: train one for it with "
                f"scripts/train_attribution.py --model {nlp_name}, or use --attribution rules"
            )

    def predict_features(
        self, features: Sequence[Features], texts: Sequence[str], batch_size: int = 64
    ) -> list[dict[str, list[Span]]]:
        torch = _torch()
        jobs = [(i, a, b) for i, f in enumerate(features) for a, b in sequences(f)]
        labels: list[dict[int, list[list[float]]]] = [{} for _ in features]
        # Many small LSTM steps: one thread is fastest, and leaves the other cores to spaCy.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            self._run(jobs, features, labels, batch_size)
        finally:
            torch.set_num_threads(threads)
        out = []
        for f, text, found in zip(features, texts, labels, strict=True):
            rows = [found.get(t, _OUTSIDE) for t in range(len(f.starts))]
            out.append(spans_of(text, f, rows))
        return out

    def _run(self, jobs, features, labels, batch_size: int) -> None:
        torch = _torch()
        with torch.inference_mode():
            for k in range(0, len(jobs), batch_size):
                chunk = jobs[k : k + batch_size]
                vectors, ids, flags, lengths = batch_tensors(
                    [(features[i], a, b) for i, a, b in chunk]
                )
                scores = self.model(vectors, ids, flags, lengths)
                best = scores.softmax(-1)
                if any(self.viterbi_kinds):
                    # One-hot rows of the Viterbi path: decode_probs reads them as B/I/O.
                    tags = viterbi(scores, lengths, *crf_scores(self.model))
                    path = torch.nn.functional.one_hot(tags, 3).float()
                    chosen = torch.tensor(self.viterbi_kinds)[None, None, :, None]
                    best = torch.where(chosen, path, best)
                for row, (i, a, b) in enumerate(chunk):
                    rows = best[row, : b - a].tolist()
                    for t, value in enumerate(rows):
                        labels[i][a + t] = value

    def predict(self, docs: Sequence) -> list[dict[str, list[Span]]]:
        """Character spans per kind for each parsed Doc (PolNeAR conventions: content with its
        quotation marks and complementiser)."""
        boundaries = bool(self.config.get("boundaries"))
        feats = [doc_features(d, self.vocab, self.lexicon, boundaries=boundaries) for d in docs]
        if self.encoder is not None:
            for d, f in zip(docs, feats, strict=True):
                with_states(f, self.encoder.states(d.text, f))
        return self.predict_features(feats, [d.text for d in docs])


_OUTSIDE = [[1.0, 0.0, 0.0]] * len(KINDS)


def has_crf(config: dict) -> bool:
    """Whether the model was trained with CRF transitions (``"crf"``: true or a list of kinds,
    even an empty one: the weights hold them either way)."""
    crf = config.get("crf")
    return crf is not None and crf is not False


def viterbi_kinds(config: dict) -> tuple[bool, ...]:
    """Per kind of ``KINDS``, whether to decode it with Viterbi rather than from the softmax.

    ``"crf": true`` decodes every kind with Viterbi; a list of kind names (any case, e.g.
    ``["content"]``) only those. Why per kind: a CRF-trained head is still trained with
    cross-entropy, so its softmax decodes as well, and what Viterbi does differs by kind (it
    gives contents their edges; on a cue it finds fewer of the acts and statements that news
    readers count as attributions). Measured per kind in MODEL_CARD.md.
    """
    crf = config.get("crf")
    if crf is None or crf is False:
        return (False,) * len(KINDS)
    if crf is True:
        return (True,) * len(KINDS)
    if not isinstance(crf, list):
        raise ValueError(f'config "crf" must be true, false or a list of kinds, not {crf!r}')
    names = {str(k).lower() for k in crf}
    unknown = names - {k.lower() for k in KINDS}
    if unknown:
        raise ValueError(f'config "crf" names unknown kinds {sorted(unknown)}; kinds: {KINDS}')
    return tuple(k.lower() in names for k in KINDS)


# O/B/I: no I after O and none at a sequence's start (a span opens with B). Applied at use,
# never stored, so the learned transitions stay finite in fp16.
FORBIDDEN = -1e4


def crf_scores(model):
    """(transitions (kinds, from, to), start (kinds, 3), end (kinds, 3)) of a CRF tagger with
    the O->I and start->I constraints added; training and decoding both read them here."""
    torch = _torch()
    penalty = torch.zeros(3, 3)
    penalty[0, 2] = FORBIDDEN
    first = torch.tensor([0.0, 0.0, FORBIDDEN])
    return model.crf_transitions + penalty, model.crf_start + first, model.crf_end


def viterbi(scores, lengths, transitions, start, end):
    """(batch, tokens, kinds) best O/B/I tags of a linear-chain CRF per kind over the head's
    ``scores`` (batch, tokens, kinds, 3); positions past a sequence's length are padding.

    Why: decoding each token alone (``decode_probs``) puts span edges where one token's
    probability tips over, and can run two adjacent spans into one; the CRF scores whole tag
    sequences, so an edge is where the sequence is likeliest to turn."""
    torch = _torch()
    batch, width, kinds, _ = scores.shape
    emit = scores.permute(0, 2, 1, 3).reshape(batch * kinds, width, 3)
    trans = transitions.unsqueeze(0).expand(batch, -1, -1, -1).reshape(batch * kinds, 3, 3)
    score = start.repeat(batch, 1) + emit[:, 0]
    alive = (torch.arange(width)[None, :] < lengths[:, None]).repeat_interleave(kinds, 0)
    keep = torch.arange(3).expand(batch * kinds, 3)
    pointers = []
    for t in range(1, width):
        best, back = (score[:, :, None] + trans + emit[:, t, None, :]).max(1)
        step = alive[:, t, None]
        score = torch.where(step, best, score)
        pointers.append(torch.where(step, back, keep))
    last = (score + end.repeat(batch, 1)).argmax(1)
    tags = [last]
    for back in reversed(pointers):
        last = back.gather(1, last[:, None]).squeeze(1)
        tags.append(last)
    path = torch.stack(tags[::-1], 1)  # (batch * kinds, width)
    return path.view(batch, kinds, width).permute(0, 2, 1)


def decode_probs(probs: Sequence[Sequence[float]], split: float = 0.5) -> Iterator[tuple[int, int]]:
    """(first, last+1) token runs from O/B/I probabilities: a token is inside a span when
    P(B) + P(I) > 0.5 (a tagger unsure between B and I still means "inside", which keeps long
    contents whole); a run is split where P(B) alone passes ``split`` and beats P(I)."""
    start = None
    for i, (_, b, inside) in enumerate(probs):
        if b + inside <= 0.5:
            if start is not None:
                yield start, i
                start = None
        elif start is None:
            start = i
        elif b > split and b > inside:
            yield start, i
            start = i
    if start is not None:
        yield start, len(probs)


def spans_of(text: str, features: Features, rows: list[list[list[float]]]) -> dict[str, list[Span]]:
    found: dict[str, list[Span]] = {}
    for k, kind in enumerate(KINDS):
        spans = []
        for first, last in decode_probs([row[k] for row in rows]):
            span = trim(text, (features.starts[first], features.ends[last - 1]))
            if span[1] > span[0]:
                spans.append(span)
        found[kind] = spans
    return found


# ---------------------------------------------------------------------------------------------
# Spans -> relations

_QUOTE_CHARS = "\"'\u201c\u201d\u201e\u00ab\u00bb`"
_THAT = re.compile(r"^that\s+", re.IGNORECASE)


def strip_content(text: str, span: Span) -> Span:
    """Our content convention: without the complementiser and the quotation marks."""
    start, end = span
    m = _THAT.match(text[start:end])
    if m:
        start += m.end()
    while start < end and (text[start] in _QUOTE_CHARS or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _QUOTE_CHARS or text[end - 1] in " ,.\n"):
        end -= 1
    if end < len(text) and text[end : end + 1] in ".!?" and end > start:
        end += 1 if text[end - 1] not in _QUOTE_CHARS else 0
    return start, end


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


@dataclass(slots=True)
class SpanRelation:
    cue: Span
    source: Span | None
    content: Span | None


def relations_from(
    text: str, spans: dict[str, list[Span]], bounds: Sequence[Span] = (), reach: int = 400
) -> list[SpanRelation]:
    """Pair each cue with the nearest source and content within its paragraph or ``reach``.

    A content that envelops the cue (a quotation split by "he said") belongs to it; otherwise the
    nearest content not crossing a paragraph break; the source is the nearest one likewise.
    Contents and sources left without a cue are dropped: a relation needs its cue.
    """

    def paragraph(pos: int) -> Span:
        for b in bounds:
            if b[0] <= pos < b[1]:
                return b
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        return start, len(text) if end < 0 else end

    contents = merge_touching(text, spans.get("Content", []))
    out = []
    for cue in spans.get("Cue", []):
        para = paragraph(cue[0])

        def near(candidates: list[Span], cue: Span = cue, para: Span = para) -> Span | None:
            best = None
            for span in candidates:
                if span[1] <= para[0] or span[0] >= para[1] or _gap(span, cue) > reach:
                    continue
                if span[0] <= cue[0] and cue[1] <= span[1] and span != cue:
                    return span
                key = _gap(span, cue)
                if best is None or key < best[0]:
                    best = (key, span)
            return best[1] if best else None

        out.append(SpanRelation(cue, near(spans.get("Source", [])), near(contents)))
    return out


# What may stand between two pieces of one content; a no-break space too, as pages often have.
_JOINERS = frozenset(" \t\u00a0,;:-\u2013\u2014\"'\u201c\u201d\u2018\u2019")


def merge_touching(text: str, spans: Sequence[Span]) -> list[Span]:
    """Content runs the tagger broke apart with nothing but spaces, punctuation or quotation
    marks between them are one content."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and all(ch in _JOINERS for ch in text[merged[-1][1] : span[0]]):
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return merged
