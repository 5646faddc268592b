#!/usr/bin/env bash
# Compare throughput: N sources of about WORDS words each (Multi-News articles from
# ../shared/data/summ-dev.jsonl, cut to length), timed by the report's elapsed_ms (model
# loading excluded). Prints one JSON line per N.
#
#   benches/compare_speed.sh [THREADS] [N...]        (WORDS=1000; default N: 2 5 10 20)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"; shift || true
SIZES="${*:-2 5 10 20}"
WORDS="${WORDS:-1000}"
scripts/setup.sh >&2
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP/articles.jsonl" "$WORDS" <<'PY'
import json, sys
out, words = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open("../shared/data/summ-dev.jsonl") if '"multi_news"' in l]
with open(out, "w") as f:
    for i, r in enumerate(rows[:40]):
        text = " ".join(r["document"].replace("|||||", "\n").split(" ")[:words])
        f.write(json.dumps({"id": r["id"], "outlet": f"source-{i:02d}", "text": text}) + "\n")
PY
for n in $SIZES; do
    head -"$n" "$TMP/articles.jsonl" > "$TMP/n.jsonl"
    target/release/parallax compare "$TMP/n.jsonl" --threads "$THREADS" --format json -q > "$TMP/r.json"
    python3 - "$TMP/r.json" "$n" "$TMP/n.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
docs = [json.loads(l) for l in open(sys.argv[3])]
words = sum(len(d["text"].split()) for d in docs)
sents = sum(s["reporting_sentences"] for s in r["sources"])
print(json.dumps({"sources": int(sys.argv[2]), "words": words, "reporting_sentences": sents,
                  "seconds": r["elapsed_ms"] / 1000, "shared": len(r["shared"]),
                  "disagreements": len(r["disagreements"])}))
PY
done
