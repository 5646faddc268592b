"""The peer for the abstractive benchmark: Hugging Face transformers' summarization
pipeline on the same random-weight model folder, documents and decoding settings as
parallax. Also builds that folder (`--make-model`): a BART with distilbart-cnn-12-6's
dimensions (12 encoder and 6 decoder layers, d_model 1024, 16 heads, FFN 4096, vocab
50264, 1024 positions) and random weights, saved with save_pretrained (model.safetensors
with Hugging Face's tensor names, which parallax loads as is), plus a byte-level BPE
tokenizer.json trained on the documents. Prints one JSON object.

Run by benches/abstractive_vs_peer.sh.
"""

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402


def make_model(out: str, docs: list[str]) -> None:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    os.makedirs(out, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(docs, vocab_size=50264, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    from tokenizers.processors import RobertaProcessing
    bpe._tokenizer.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token="<s>", eos_token="</s>",
                                  pad_token="<pad>", unk_token="<unk>", mask_token="<mask>",
                                  model_max_length=1024)
    tok.save_pretrained(out)
    cfg = BartConfig(vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6,
                     encoder_attention_heads=16, decoder_attention_heads=16,
                     encoder_ffn_dim=4096, decoder_ffn_dim=4096, max_position_embeddings=1024,
                     activation_function="gelu", bos_token_id=0, pad_token_id=1, eos_token_id=2,
                     decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
                     scale_embedding=False, normalize_before=False, add_final_layer_norm=False)
    torch.manual_seed(0)
    model = BartForConditionalGeneration(cfg).eval()
    model.save_pretrained(out, safe_serialization=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", required=True, help="JSON Lines with a text (or document) field")
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--make-model", action="store_true")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--length", type=int, default=60, help="generated tokens (min = max)")
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--generate", action="store_true",
                    help="model.generate() on batches of --batch-size documents (padded), what an "
                         "engineer writes for a batch job, instead of the pipeline")
    args = ap.parse_args()

    rows = [json.loads(l) for l in open(args.docs, encoding="utf-8") if l.strip()]
    docs = [r.get("text") or r["document"] for r in rows]
    if args.make_model:
        make_model(args.model_dir, docs)
        print(json.dumps({"made": args.model_dir}))
        return

    torch.set_num_threads(args.threads)
    if args.generate:
        generate(args, docs)
        return

    from transformers import pipeline

    pipe = pipeline("summarization", model=args.model_dir, tokenizer=args.model_dir, device=-1)
    # parallax's --max-length counts the decoder start token, as rust-bert does; the
    # pipeline's generation config would otherwise add max_new_tokens=256 on top.
    kw = dict(num_beams=args.beams, min_new_tokens=args.length - 1, max_new_tokens=args.length - 1,
              no_repeat_ngram_size=0, early_stopping=True, truncation=True)
    pipe(docs[:1], **kw)  # warm-up
    t = time.perf_counter()
    out = pipe(docs, batch_size=args.batch_size, **kw)
    secs = time.perf_counter() - t
    print(json.dumps({"peer": f"transformers {__import__('transformers').__version__} pipeline",
                      "threads": args.threads, "documents": len(docs), "batch_size": args.batch_size,
                      "beams": args.beams, "length": args.length, "seconds": round(secs, 2),
                      "documents_per_s": round(len(docs) / secs, 3),
                      "sample": out[0]["summary_text"][:80]}))


def generate(args, docs: list[str]) -> None:
    from transformers import AutoTokenizer, BartForConditionalGeneration

    tok = AutoTokenizer.from_pretrained(args.model_dir)
    model = BartForConditionalGeneration.from_pretrained(args.model_dir).eval()
    kw = dict(num_beams=args.beams, min_new_tokens=args.length - 1, max_new_tokens=args.length - 1,
              no_repeat_ngram_size=0, early_stopping=True)

    def run(batch: list[str]) -> list[str]:
        enc = tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=1024)
        enc.pop("token_type_ids", None)  # BART has none; generate() refuses unused inputs
        with torch.inference_mode():
            ids = model.generate(**enc, **kw)
        return tok.batch_decode(ids, skip_special_tokens=True)

    run(docs[:1])  # warm-up
    t = time.perf_counter()
    texts = []
    for i in range(0, len(docs), args.batch_size):
        texts += run(docs[i:i + args.batch_size])
    secs = time.perf_counter() - t
    print(json.dumps({"peer": f"transformers {__import__('transformers').__version__} generate()",
                      "threads": args.threads, "documents": len(docs), "batch_size": args.batch_size,
                      "beams": args.beams, "length": args.length, "seconds": round(secs, 2),
                      "documents_per_s": round(len(docs) / secs, 3), "texts": texts}))


if __name__ == "__main__":
    main()
