#!/usr/bin/env bash
# What --precision int8 changes, against fp32, on the dev data: vector cosines for both
# shipped models, extractive ROUGE, stories' B-cubed F1, and compare's findings on the ten
# coverage-dev events (how many are identical, and each one that is not).
#
#   benches/int8_quality.sh [THREADS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${1:-$(nproc)}"
D=../shared/data
PX=target/release/parallax
scripts/setup.sh >&2
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

$PX bench embed $D/coverage-dev.jsonl --repeat 1 --sweep 1 --dump-sentences "$TMP/dev.txt" -q >/dev/null
$PX bench embed $D/summ-dev.jsonl --field document --limit 4000 --repeat 1 --sweep 1 \
    --dump-sentences "$TMP/summ.txt" -q >/dev/null
for model in all-MiniLM-L6-v2 multilingual-e5-small; do
    for set in dev summ; do
        for p in fp32 int8; do
            $PX embed "$TMP/$set.txt" --truncate --model $model --precision $p --threads "$THREADS" \
                -q -o "$TMP/$model.$set.$p.jsonl"
        done
        python3 - "$TMP/$model.$set.fp32.jsonl" "$TMP/$model.$set.int8.jsonl" "$model $set" <<'PY'
import json, math, sys
def vecs(p): return [json.loads(l)["embedding"] for l in open(p)]
c = sorted(sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
           for a, b in zip(vecs(sys.argv[1]), vecs(sys.argv[2])))
print(f"cosine int8 vs fp32, {sys.argv[3]}: n={len(c)} min={c[0]:.4f} mean={sum(c) / len(c):.4f}")
PY
    done
done

for p in fp32 int8; do
    echo "== eval rouge, $p"
    $PX eval rouge --data $D/summ-dev.jsonl --precision $p --threads "$THREADS" -q
    echo "== eval stories, $p"
    $PX eval stories --data $D/coverage-dev.jsonl --precision $p --threads "$THREADS" -q | sed -n 2p
    $PX eval stories --data $D/summ-dev.jsonl --dataset multi_news --precision $p --threads "$THREADS" -q | sed -n 2p
    $PX batch $D/coverage-dev.jsonl --task compare --group-by country --precision $p \
        --threads "$THREADS" -q -o "$TMP/compare.$p.jsonl"
done

echo "== compare findings, int8 vs fp32"
python3 - "$TMP/compare.fp32.jsonl" "$TMP/compare.int8.jsonl" <<'PY'
import json, sys
def load(p):
    return {r["group"]: r for r in map(json.loads, open(p))}
def keys(r, kind):
    if kind == "shared":
        return {tuple(sorted((w["source"], w["index"]) for w in f["wording"])): f["wording"][0]["text"]
                for f in r["shared"]}
    if kind == "unique":
        return {(c["cite"]["source"], c["cite"]["index"]): c["cite"]["text"]
                for u in r["unique"] for c in u["claims"]}
    return {(e["cite"]["source"], e["cite"]["index"], e.get("value")): e["cite"]["text"] for e in r["exclusive"]}
a, b = load(sys.argv[1]), load(sys.argv[2])
for kind in ("shared", "unique", "exclusive"):
    same = total_a = total_b = 0
    for event in a:
        ka, kb = keys(a[event], kind), keys(b[event], kind)
        same += len(ka.keys() & kb.keys()); total_a += len(ka); total_b += len(kb)
        for k in ka.keys() - kb.keys():
            print(f"  {event} {kind}: fp32 only: {ka[k][:100]!r}")
        for k in kb.keys() - ka.keys():
            print(f"  {event} {kind}: int8 only: {kb[k][:100]!r}")
    print(f"{kind}: {same} identical; {total_a} in fp32, {total_b} in int8")
PY
