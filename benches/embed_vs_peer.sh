#!/usr/bin/env bash
# parallax's embedding throughput beside sentence-transformers' encode(), side by side in
# one run: same sentences (split from the given articles), same model folder, same threads.
#
#   benches/embed_vs_peer.sh [THREADS] [ARTICLES.jsonl]     (BATCH_TOKENS=512 by default)
#
# Builds its own venv (.venv-bench: torch 2.4.0 and sentence-transformers 3.0.1 from PyPI)
# on first use. Prints both results as JSON lines and the ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
DATA="${2:-../shared/data/coverage-dev.jsonl}"

scripts/setup.sh >&2
. benches/venv.sh

SENTS="$(mktemp)"
trap 'rm -f "$SENTS"' EXIT
OURS="$(target/release/parallax bench embed "$DATA" --threads "$THREADS" --sweep "${BATCH_TOKENS:-512}" --json --dump-sentences "$SENTS")"
PEER="$(.venv-bench/bin/python benches/peer_sentence_transformers.py --sentences "$SENTS" \
    --model-dir models/all-MiniLM-L6-v2 --threads "$THREADS")"
python3 - "$OURS" "$PEER" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
row = ours["rows"][0]
print(json.dumps({"impl": "parallax", "model": ours["model"], "threads": ours["threads"],
                  "sentences": ours["sentences"], "batch_tokens": row["batch_tokens"],
                  "sentences_per_s": round(row["sentences_per_s"], 1), "tokens_per_s": round(row["tokens_per_s"])}))
print(json.dumps({"impl": peer["peer"], "threads": peer["threads"], "sentences": peer["sentences"],
                  "batch_size": peer["batch_size"], "sentences_per_s": round(peer["sentences_per_s"], 1),
                  "tokens_per_s": round(peer["tokens_per_s"])}))
print(f"ratio parallax / sentence-transformers: {row['sentences_per_s'] / peer['sentences_per_s']:.2f}x")
PY
