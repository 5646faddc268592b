"""The peer for `parallax bench embed`: sentence-transformers' encode() on the same
sentences, model folder and thread count. Prints one JSON object.

Run by benches/embed_vs_peer.sh, which builds the venv (.venv-bench) it needs.
"""

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--whole", metavar="OUT.jsonl",
                    help="embed once and write the vectors as JSON Lines, as `parallax embed -o` does "
                         "(for a whole-process timing: load, embed, write, exit)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    sentences = [l.rstrip("\n") for l in open(args.sentences, encoding="utf-8") if l.strip()]
    model = SentenceTransformer(args.model_dir, device="cpu")
    if args.whole:
        vectors = model.encode(sentences, batch_size=args.batch_size, normalize_embeddings=True)
        with open(args.whole, "w", encoding="utf-8") as out:
            for text, v in zip(sentences, vectors):
                out.write(json.dumps({"text": text, "embedding": [round(float(x), 7) for x in v]},
                                     ensure_ascii=False) + "\n")
        return
    model.encode(sentences[:256], batch_size=args.batch_size, normalize_embeddings=True)
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        model.encode(sentences, batch_size=args.batch_size, normalize_embeddings=True)
        best = min(best, time.perf_counter() - t)
    tokens = sum(len(x) for x in model.tokenizer(sentences, truncation=True, max_length=model.max_seq_length)["input_ids"])
    print(json.dumps({
        "peer": f"sentence-transformers {__import__('sentence_transformers').__version__}, torch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "sentences": len(sentences),
        "tokens": tokens,
        "seconds": best,
        "sentences_per_s": len(sentences) / best,
        "tokens_per_s": tokens / best,
    }))


if __name__ == "__main__":
    main()
