#!/usr/bin/env bash
# Shows that a change left parallax's output as it was: runs `compare -f json` on every
# event of the dev coverage (the automatic model pick, the group view, and the English
# MiniLM), `summarize` at each length kind, `embed`, `eval rouge`, and `batch` summarize and
# compare jobs, with timing fields removed; `save` writes the outputs to DIR, `check` compares against them.
#
#   scripts/same_output.sh save DIR [BINARY]    # before the change (e.g. a copy of the old binary)
#   scripts/same_output.sh check DIR [BINARY]   # after: exits 1 and shows a diff if any byte differs
#
# Needs ../shared/data/coverage-dev.jsonl and seed-article.txt, jq, and the installed models.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:?save or check}"
DIR="${2:?output folder}"
BIN="${3:-$ROOT/target/release/parallax}"
DATA="$ROOT/../shared/data"
COV="$DATA/coverage-dev.jsonl"

OUT="$DIR"
[ "$MODE" = check ] && OUT="$(mktemp -d)"
mkdir -p "$OUT"
# Timings differ run to run; nothing else may.
strip() { jq -cS 'walk(if type == "object" then del(.elapsed_ms) else . end)'; }

for ev in $(jq -r .event "$COV" | sort -u); do
    "$BIN" -q compare "$COV" --event "$ev" -f json | strip >"$OUT/compare-$ev.json"
    "$BIN" -q compare "$COV" --event "$ev" -f json --group-by country | strip >"$OUT/compare-country-$ev.json"
    "$BIN" -q compare "$COV" --event "$ev" -f json --model all-MiniLM-L6-v2 | strip >"$OUT/compare-minilm-$ev.json"
done
for len in "--sentences 4" "--ratio 0.2" "--words 60"; do
    # shellcheck disable=SC2086
    "$BIN" -q summarize "$DATA/seed-article.txt" "$COV" -f json $len | strip >"$OUT/summarize-${len// /}.jsonl"
done
# Two inputs, one of them records, in chunks that span both.
"$BIN" -q embed "$DATA/minilm-reference.jsonl" "$DATA/seed-article.txt" --truncate --chunk 50 >"$OUT/embed.jsonl"
"$BIN" -q eval rouge --data "$DATA/summ-dev.jsonl" --limit 20 --json >"$OUT/eval-rouge.json"
TMP="$(mktemp -d)"
"$BIN" -q batch "$COV" --task summarize -o "$TMP/s.jsonl" --chunk 7 || true
"$BIN" -q batch "$COV" --task compare --group-by country -o "$TMP/c.jsonl" || true
strip <"$TMP/s.jsonl" >"$OUT/batch-summarize.jsonl"
strip <"$TMP/c.jsonl" >"$OUT/batch-compare.jsonl"
rm -rf "$TMP"

if [ "$MODE" = check ]; then
    if diff -r "$DIR" "$OUT" >"$OUT.diff"; then
        echo "same output: $(ls "$DIR" | wc -l) files identical"
        rm -rf "$OUT" "$OUT.diff"
    else
        echo "output changed (diff in $OUT.diff):"
        head -c 4000 "$OUT.diff"
        exit 1
    fi
else
    echo "saved $(ls "$OUT" | wc -l) files in $OUT"
fi
