#!/usr/bin/env bash
# Frames by zero-shot NLI: parallax beside Hugging Face transformers' zero-shot-classification
# pipeline, on the same NLI model folder (random weights, built by transformers with
# contradiction/neutral/entailment classes: no NLI weights can be installed here), the same
# sentences (every framed sentence of a coverage-dev story) and the same 14 hypotheses.
# Checks that both pick the same best frame for every sentence with the same probability
# (so loading, pair tokenization, pooling and scoring match), and times both.
#
#   benches/nli_vs_peer.sh [ARCH] [SIZE] [THREADS]    ARCH: bart | deberta-v2 | roberta
#                                                     SIZE: tiny | base (default tiny)
# EVENT=ternopil_strike_nov19 picks the story. PRECISION=int8 runs parallax's encoder in int8
# (RoBERTa, XLM-RoBERTa, BERT; BART stays fp32); the peer stays fp32, so "same best frame"
# then measures what int8 changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARCH="${1:-bart}" SIZE="${2:-tiny}" THREADS="${3:-$(nproc)}"
EVENT="${EVENT:-ternopil_strike_nov19}"
PRECISION="${PRECISION:-fp32}"
MODEL="target/bench-models/nli-$ARCH-$SIZE-random"

scripts/setup.sh >&2
. benches/venv.sh
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
grep "\"$EVENT\"" ../shared/data/coverage-dev.jsonl | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["language"] == "en":
        print(json.dumps({"id": r["id"], "outlet": r["outlet"], "text": r["text"]}))
' > "$TMP/story.jsonl"
if [ ! -f "$MODEL/model.safetensors" ]; then
    .venv-bench/bin/python benches/peer_zero_shot.py --make-model "$ARCH" --size "$SIZE" \
        --texts ../shared/data/coverage-dev.jsonl --model-dir "$MODEL" >&2
fi
target/release/parallax compare "$TMP/story.jsonl" --model all-MiniLM-L6-v2 --nli-model-dir "$MODEL" \
    --threads "$THREADS" --precision "$PRECISION" --format json -q > "$TMP/report.json"
.venv-bench/bin/python benches/peer_zero_shot.py --model-dir "$MODEL" --report "$TMP/report.json" \
    --threads "$THREADS" > "$TMP/peer.json"
python3 - "$TMP/report.json" "$TMP/peer.json" "$ARCH" "$SIZE" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
peer = json.load(open(sys.argv[2]))
n = r["frames"]["nli"]
secs = n["elapsed_ms"] / 1000
print(json.dumps({"impl": "parallax", "arch": sys.argv[3], "size": sys.argv[4],
                  "precision": n["precision"],
                  "sentences": len(r["frames"]["sentences"]), "pairs": n["pairs"],
                  "seconds": round(secs, 2), "pairs_per_s": round(n["pairs"] / secs, 1)}))
print(json.dumps(peer))
print(f"same best frame: {peer['same_best_frame']}/{peer['sentences']}; "
      f"max probability difference {peer['max_probability_difference']}; "
      f"speed parallax / transformers: {n['pairs'] / secs / peer['pairs_per_s']:.2f}x")
PY
