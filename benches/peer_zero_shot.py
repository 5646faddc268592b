"""The peer for the NLI framing check: Hugging Face transformers' zero-shot-classification
pipeline on the same model folder, sentences, topics and template as `parallax compare
--nli-model-dir`. Also builds that folder (`--make-model ARCH`): an NLI classifier with
random weights (no NLI weights can be installed here), saved by save_pretrained with
Hugging Face's tensor names and an id2label of contradiction/neutral/entailment, plus a
tokenizer.json trained on the sentences with the architecture's pair template.

Reads parallax's JSON report, scores every framed sentence itself and prints one JSON
object: how many sentences got the same frame, the largest probability difference, and
both sides' pairs per second.

Run by benches/nli_vs_peer.sh.
"""

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}

# Dimensions: "tiny" checks the arithmetic quickly; "base" is a realistic size for speed
# (BART: distilbart-mnli-12-3's 12+3 layers of 1024; DeBERTa-v2: DeBERTa-v3-base's 12 of 768;
# RoBERTa: roberta-base's 12 of 768).
SIZES = {
    "fixture": dict(layers=2, width=32, heads=4, ffn=64, vocab=600),
    "tiny": dict(layers=2, width=64, heads=4, ffn=128, vocab=4000),
    "base": dict(layers=12, width=768, heads=12, ffn=3072, vocab=30000),
}


def make_tokenizer(arch: str, texts: list[str], vocab: int):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if arch in ("bart", "roberta", "xlm-roberta"):
        bos, eos, pad, unk, mask = "<s>", "</s>", "<pad>", "<unk>", "<mask>"
        specials = [bos, pad, eos, unk, mask]
    else:
        bos, eos, pad, unk, mask = "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"
        specials = [pad, bos, eos, unk, mask]
    tok = Tokenizer(models.BPE(unk_token=unk))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = __import__("tokenizers").decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    ids = {s: tok.token_to_id(s) for s in specials}
    if arch in ("bart", "roberta", "xlm-roberta"):
        tok.post_processor = processors.RobertaProcessing((eos, ids[eos]), (bos, ids[bos]))
    else:
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} $B:1 {eos}:1",
            special_tokens=[(bos, ids[bos]), (eos, ids[eos])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=bos, eos_token=eos,
                                   pad_token=pad, unk_token=unk, mask_token=mask,
                                   cls_token=bos, sep_token=eos, model_max_length=512,
                                   model_input_names=(["input_ids", "attention_mask"]
                                                      if arch in ("bart", "roberta", "xlm-roberta")
                                                      else
                                                      ["input_ids", "token_type_ids",
                                                       "attention_mask"]))
    return fast, ids, pad


def make_model(out: str, arch: str, size: str, texts: list[str]) -> None:
    import transformers as tf

    d = SIZES[size]
    tok, ids, pad = make_tokenizer(arch, texts, d["vocab"])
    vocab = len(tok)
    # Small models get larger random weights, so that the pooled representation depends on
    # the text and frames differ between sentences; 12 such layers would saturate.
    init = 0.02 if size == "base" else 0.2
    common = dict(id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    if arch == "bart":
        cfg = tf.BartConfig(vocab_size=vocab, d_model=d["width"], encoder_layers=d["layers"],
                            decoder_layers=max(1, d["layers"] // 4),
                            encoder_attention_heads=d["heads"], decoder_attention_heads=d["heads"],
                            encoder_ffn_dim=d["ffn"], decoder_ffn_dim=d["ffn"],
                            max_position_embeddings=1024, bos_token_id=ids["<s>"],
                            pad_token_id=ids["<pad>"], eos_token_id=ids["</s>"],
                            decoder_start_token_id=ids["</s>"], forced_bos_token_id=ids["<s>"],
                            forced_eos_token_id=ids["</s>"], scale_embedding=False, **common)
        cls = tf.BartForSequenceClassification
    elif arch in ("roberta", "xlm-roberta"):
        cfg = (tf.XLMRobertaConfig if arch == "xlm-roberta" else tf.RobertaConfig)(vocab_size=vocab, hidden_size=d["width"],
                               num_hidden_layers=d["layers"], num_attention_heads=d["heads"],
                               intermediate_size=d["ffn"], max_position_embeddings=514,
                               type_vocab_size=1, pad_token_id=ids["<pad>"],
                               bos_token_id=ids["<s>"], eos_token_id=ids["</s>"],
                               initializer_range=init, **common)
        cls = (tf.XLMRobertaForSequenceClassification if arch == "xlm-roberta"
               else tf.RobertaForSequenceClassification)
    elif arch == "bert":
        cfg = tf.BertConfig(vocab_size=vocab, hidden_size=d["width"], num_hidden_layers=d["layers"],
                            num_attention_heads=d["heads"], intermediate_size=d["ffn"],
                            initializer_range=init, pad_token_id=ids["[PAD]"], **common)
        cls = tf.BertForSequenceClassification
    elif arch == "deberta-v2":
        # DeBERTa-v3's settings.
        cfg = tf.DebertaV2Config(vocab_size=vocab, hidden_size=d["width"],
                                 num_hidden_layers=d["layers"], num_attention_heads=d["heads"],
                                 intermediate_size=d["ffn"], max_position_embeddings=512,
                                 relative_attention=True, position_buckets=256,
                                 norm_rel_ebd="layer_norm", share_att_key=True,
                                 pos_att_type=["p2c", "c2p"], position_biased_input=False,
                                 type_vocab_size=0, max_relative_positions=-1,
                                 initializer_range=init,
                                 pad_token_id=ids["[PAD]"], **common)
        cls = tf.DebertaV2ForSequenceClassification
        for k, v in json.loads(os.environ.get("NLI_CONFIG_OVERRIDES", "{}")).items():
            setattr(cfg, k, v)
    else:
        raise SystemExit(f"unknown arch {arch}")
    torch.manual_seed(0)
    model = cls(cfg).eval()
    # Random heads give near-uniform logits; scale the classifier so that frames differ.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "classif" in name or "out_proj" in name:
                p.mul_(20.0)
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--make-model", metavar="ARCH")
    ap.add_argument("--size", default="tiny", choices=SIZES)
    ap.add_argument("--texts", help="JSON Lines with a text field (training text for --make-model)")
    ap.add_argument("--report", help="parallax's compare report (JSON) to check")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--expect", help="also write the peer's frame and probability per sentence "
                    "here (the test fixtures' expected.json)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()

    if args.make_model:
        texts = [json.loads(l)["text"] for l in open(args.texts, encoding="utf-8") if l.strip()]
        make_model(args.model_dir, args.make_model, args.size, texts)
        print(json.dumps({"made": args.model_dir, "arch": args.make_model, "size": args.size}))
        return

    from transformers import pipeline

    torch.set_num_threads(args.threads)
    report = json.load(open(args.report, encoding="utf-8"))
    nli = report["frames"]["nli"]
    framed = report["frames"]["sentences"]
    # The exact hypotheses parallax asked, so the template is "{}".
    frames = [h["frame"] for h in nli["hypotheses"]]
    hyps = [h["text"] for h in nli["hypotheses"]]
    pipe = pipeline("zero-shot-classification", model=args.model_dir, device=-1)
    sentences = [s["text"] for s in framed]
    kw = dict(candidate_labels=hyps, hypothesis_template="{}", multi_label=False)
    pipe(sentences[:1], **kw)  # warm-up
    t = time.perf_counter()
    out = pipe(sentences, batch_size=args.batch_size, **kw)
    secs = time.perf_counter() - t
    same, worst, expected = 0, 0.0, []
    for s, o in zip(framed, out):
        mine = s["nli"]
        score = dict(zip(o["labels"], o["scores"]))
        best = frames[hyps.index(o["labels"][0])]
        # A tie within parallax's rounding (3 decimals) may go either way.
        same += int(score[hyps[frames.index(mine["best"])]] >= o["scores"][0] - 0.001)
        worst = max(worst, abs(mine["probability"] - o["scores"][0]))
        expected.append({"text": s["text"], "best": best, "probability": o["scores"][0],
                         "runner_up": o["scores"][1]})
    if args.expect:
        with open(args.expect, "w", encoding="utf-8") as f:
            json.dump({"made_by": "benches/peer_zero_shot.py --expect",
                       "peer": f"transformers {__import__('transformers').__version__}",
                       "hypotheses": nli["hypotheses"], "sentences": expected},
                      f, ensure_ascii=False, indent=0)
    pairs = len(sentences) * len(hyps)
    print(json.dumps({"peer": f"transformers {__import__('transformers').__version__} "
                      "zero-shot-classification pipeline", "threads": args.threads,
                      "batch_size": args.batch_size, "sentences": len(sentences), "pairs": pairs,
                      "same_best_frame": same, "max_probability_difference": round(worst, 4),
                      "seconds": round(secs, 2), "pairs_per_s": round(pairs / secs, 1)}))


if __name__ == "__main__":
    main()
