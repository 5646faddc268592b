#!/usr/bin/env bash
# parallax's embeddings beside sentence-transformers' encode(), side by side in one run:
# same sentences, same model folder (all-MiniLM-L6-v2), same threads. Two measures:
#  1. throughput with the model loaded (best of 3): the 1,148 sentences of the articles
#     given (default coverage-dev), parallax in fp32 and in int8 (--precision int8);
#  2. whole process (/usr/bin/time: start, model load, embed, write JSON Lines, exit; and
#     peak RSS) on the first 4,000 sentences of summ-dev's documents.
#
#   benches/embed_vs_peer.sh [THREADS] [ARTICLES.jsonl] [WHOLE.jsonl]   (BATCH_TOKENS=512)
#
# Builds its own venv (.venv-bench: torch 2.4.0 and sentence-transformers 3.0.1 from PyPI)
# on first use. Prints JSON lines and the ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
DATA="${2:-../shared/data/coverage-dev.jsonl}"
WHOLE="${3:-../shared/data/summ-dev.jsonl}"
BT="${BATCH_TOKENS:-512}"

scripts/setup.sh >&2
. benches/venv.sh

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
MODEL=models/all-MiniLM-L6-v2
PX=target/release/parallax

# 1. Throughput, model loaded.
F32="$($PX bench embed "$DATA" --threads "$THREADS" --sweep "$BT" --json --dump-sentences "$TMP/sents.txt")"
I8="$($PX bench embed "$DATA" --threads "$THREADS" --sweep "$BT" --json --precision int8)"
PEER="$(.venv-bench/bin/python benches/peer_sentence_transformers.py --sentences "$TMP/sents.txt" \
    --model-dir "$MODEL" --threads "$THREADS")"

# 2. Whole process on 4,000 sentences, each run writing its vectors as JSON Lines.
$PX bench embed "$WHOLE" --field document --limit 4000 --repeat 1 --sweep 1 --dump-sentences "$TMP/whole.txt" -q >/dev/null
timed() { # NAME CMD...: seconds and peak KiB of one whole run
    local name="$1"; shift
    /usr/bin/time -f "%e %M" -o "$TMP/$name.time" "$@" >/dev/null
    cat "$TMP/$name.time"
}
W_F32="$(timed f32 $PX embed "$TMP/whole.txt" --truncate --threads "$THREADS" -q -o "$TMP/f32.jsonl")"
W_I8="$(timed i8 $PX embed "$TMP/whole.txt" --truncate --threads "$THREADS" --precision int8 -q -o "$TMP/i8.jsonl")"
W_PEER="$(timed peer .venv-bench/bin/python benches/peer_sentence_transformers.py --sentences "$TMP/whole.txt" \
    --model-dir "$MODEL" --threads "$THREADS" --whole "$TMP/peer.jsonl")"

python3 - "$F32" "$I8" "$PEER" "$W_F32" "$W_I8" "$W_PEER" "$TMP" <<'PY'
import json, math, sys
f32, i8, peer = (json.loads(a) for a in sys.argv[1:4])
(wf, mf), (wi, mi), (wp, mp) = (map(float, a.split()) for a in sys.argv[4:7])
tmp = sys.argv[7]
for name, o in (("parallax fp32", f32), ("parallax int8", i8)):
    row = o["rows"][0]
    print(json.dumps({"impl": name, "model": o["model"], "threads": o["threads"], "sentences": o["sentences"],
                      "batch_tokens": row["batch_tokens"], "sentences_per_s": round(row["sentences_per_s"], 1),
                      "tokens_per_s": round(row["tokens_per_s"])}))
print(json.dumps({"impl": peer["peer"], "threads": peer["threads"], "sentences": peer["sentences"],
                  "batch_size": peer["batch_size"], "sentences_per_s": round(peer["sentences_per_s"], 1),
                  "tokens_per_s": round(peer["tokens_per_s"])}))
ps = peer["sentences_per_s"]
print(f"throughput ratio / sentence-transformers: fp32 {f32['rows'][0]['sentences_per_s'] / ps:.2f}x, "
      f"int8 {i8['rows'][0]['sentences_per_s'] / ps:.2f}x")
for name, s, m in (("parallax fp32", wf, mf), ("parallax int8", wi, mi), ("sentence-transformers", wp, mp)):
    print(json.dumps({"whole_process": name, "seconds": s, "peak_rss_mib": round(m / 1024)}))
print(f"whole-process ratio / sentence-transformers: fp32 {wp / wf:.2f}x, int8 {wp / wi:.2f}x")
# The three files hold the same sentences in the same order: how close are the vectors?
def vecs(p):
    return [json.loads(l)["embedding"] for l in open(p)]
def cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
ref = vecs(f"{tmp}/peer.jsonl")
for name in ("f32", "i8"):
    c = sorted(cos(a, b) for a, b in zip(vecs(f"{tmp}/{name}.jsonl"), ref))
    print(f"cosine to sentence-transformers, {name}: min {c[0]:.4f}, mean {sum(c) / len(c):.4f} over {len(c)}")
PY
