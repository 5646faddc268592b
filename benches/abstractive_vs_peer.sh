#!/usr/bin/env bash
# Abstractive throughput: parallax beside Hugging Face transformers' summarization
# pipeline, same random-weight model with distilbart-cnn-12-6's dimensions, same documents
# (Multi-News articles cut to WORDS words so that both read each one whole, in one
# chunk), same decoding (BEAMS beams, exactly LENGTH tokens generated), same threads.
#
#   benches/abstractive_vs_peer.sh [THREADS] [DOCS]      (BEAMS=4 LENGTH=60 WORDS=400)
#
# Needs .venv-bench (see embed_vs_peer.sh; transformers comes with sentence-transformers).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
NDOCS="${2:-8}"
BEAMS="${BEAMS:-4}" LENGTH="${LENGTH:-60}" WORDS="${WORDS:-400}"
MODEL=target/bench-models/distilbart-12-6-random

scripts/setup.sh >&2
. benches/venv.sh
DOCS="$(mktemp --suffix .jsonl)"
trap 'rm -f "$DOCS" "$DOCS.one.jsonl"' EXIT
python3 - "$NDOCS" "$WORDS" > "$DOCS" <<'PY'
import json, sys
n, words = int(sys.argv[1]), int(sys.argv[2])
rows = [json.loads(l) for l in open("../shared/data/summ-dev.jsonl")]
rows = [r for r in rows if r["dataset"] == "multi_news"][:n]
for r in rows:
    print(json.dumps({"id": r["id"], "text": " ".join(r["document"].split()[:words])}))
PY
if [ ! -f "$MODEL/model.safetensors" ]; then
    .venv-bench/bin/python benches/peer_transformers_summarize.py --docs ../shared/data/summ-dev.jsonl \
        --model-dir "$MODEL" --make-model >&2
fi
head -1 "$DOCS" > "$DOCS.one.jsonl"
# Warm-up run (page cache, libtorch init), then the measured one; elapsed_ms excludes model loading.
target/release/parallax summarize --method abstractive --model-dir "$MODEL" --threads "$THREADS" \
    --beams "$BEAMS" --min-length "$LENGTH" --max-length "$LENGTH" --no-repeat-ngram 0 \
    --format json "$DOCS.one.jsonl" > /dev/null
OURS="$(target/release/parallax summarize --method abstractive --model-dir "$MODEL" --threads "$THREADS" \
    --beams "$BEAMS" --min-length "$LENGTH" --max-length "$LENGTH" --no-repeat-ngram 0 \
    --format json "$DOCS")"
# The same through rust-bert's generate() (parallax before its own BART decoder), at the
# batch budget that loop runs best at.
OLD="$(PARALLAX_RUST_BERT_GENERATE=1 target/release/parallax summarize --method abstractive \
    --model-dir "$MODEL" --threads "$THREADS" --beams "$BEAMS" --min-length "$LENGTH" \
    --max-length "$LENGTH" --no-repeat-ngram 0 --batch-tokens 1024 --format json "$DOCS")"
PEER="$(.venv-bench/bin/python benches/peer_transformers_summarize.py --docs "$DOCS" \
    --model-dir "$MODEL" --threads "$THREADS" --beams "$BEAMS" --length "$LENGTH")"
# transformers' generate() on the documents as batches: all at once, and half at a time.
GEN=()
for bs in "$NDOCS" $((NDOCS / 2)); do
    GEN+=("$(.venv-bench/bin/python benches/peer_transformers_summarize.py --docs "$DOCS" --generate \
        --batch-size "$bs" --model-dir "$MODEL" --threads "$THREADS" --beams "$BEAMS" --length "$LENGTH")")
done
# Greedy decoding (one beam), parallax against generate() on the same batch: the texts only.
GREEDY="$(target/release/parallax summarize --method abstractive --model-dir "$MODEL" \
    --threads "$THREADS" --beams 1 --min-length "$LENGTH" --max-length "$LENGTH" \
    --no-repeat-ngram 0 --format json "$DOCS")"
GREEDY_PEER="$(.venv-bench/bin/python benches/peer_transformers_summarize.py --docs "$DOCS" --generate \
    --batch-size "$NDOCS" --model-dir "$MODEL" --threads "$THREADS" --beams 1 --length "$LENGTH")"
python3 - "$GREEDY" "$GREEDY_PEER" <<'PY'
import json, sys
norm = lambda t: " ".join(t.split())
ours = [norm(json.loads(l)["summary"]) for l in sys.argv[1].splitlines()]
theirs = [norm(t) for t in json.loads(sys.argv[2])["texts"]]
print(f"greedy: same text as transformers generate(): {sum(a == b for a, b in zip(ours, theirs))} of {len(ours)}")
PY
python3 - "$OURS" "$OLD" "$PEER" "${GEN[@]}" <<'PY'
import json, sys
ours = [json.loads(l) for l in sys.argv[1].splitlines()]
old = [json.loads(l) for l in sys.argv[2].splitlines()]
peer = json.loads(sys.argv[3])
gens = [json.loads(a) for a in sys.argv[4:]]
secs = ours[0]["elapsed_ms"] / 1000
assert all(o["chunks"] == 1 for o in ours), "a document needed several chunks; lower WORDS"
rate = len(ours) / secs
print(json.dumps({"impl": "parallax", "decoder": ours[0]["generation"]["decoder"],
                  "documents": len(ours), "seconds": round(secs, 2),
                  "documents_per_s": round(rate, 3)}))
old_secs = old[0]["elapsed_ms"] / 1000
print(json.dumps({"impl": "parallax", "decoder": old[0]["generation"]["decoder"],
                  "documents": len(old), "seconds": round(old_secs, 2),
                  "documents_per_s": round(len(old) / old_secs, 3)}))
print(f"ratio parallax own decoder / rust-bert generate(): {old_secs / secs:.2f}x")
print(json.dumps(peer))
print(f"ratio parallax / transformers pipeline: {rate / peer['documents_per_s']:.2f}x")
norm = lambda t: " ".join(t.split())
texts = [norm(o["summary"]) for o in ours]
same_old = sum(norm(o["summary"]) == t for o, t in zip(old, texts))
print(f"same text from both parallax decoders: {same_old} of {len(texts)}")
for g in gens:
    same = sum(norm(a) == b for a, b in zip(g.pop("texts"), texts))
    print(json.dumps(g))
    print(f"ratio parallax / transformers generate() at batch {g['batch_size']}: "
          f"{rate / g['documents_per_s']:.2f}x; same text as parallax: {same} of {len(texts)}")
PY
