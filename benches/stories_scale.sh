#!/usr/bin/env bash
# `parallax stories` at scale: articles/s and peak memory at 1k, 5k and 10k articles on this
# machine, to show that memory follows the stories open in the date window, not the corpus.
#
#   benches/stories_scale.sh [SIZES]          (default "1000 5000 10000")
#
# The corpus reuses the repo's dev articles (coverage-dev and the Multi-News sources of
# summ-dev): copy k of an article starts k sentences further into its text (so leads differ),
# gets a date spread over 30 days, and the whole is shuffled then sorted by date, as a feed is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZES="${1:-1000 5000 10000}"
scripts/setup.sh >&2
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
printf '%-8s %-8s %-8s %-10s %-11s %-13s %-12s %s\n' ARTICLES STORIES SECONDS ARTICLES/S EMBED_SECS CLUSTER_SECS PEAK_RSS_MIB PEAK_OPEN_ARTICLES
for n in $SIZES; do
python3 - "$n" > "$WORK/corpus.jsonl" <<'PY'
import json, random, re, sys
n = int(sys.argv[1])
random.seed(7)
texts = []
for l in open("../shared/data/coverage-dev.jsonl"):
    r = json.loads(l)
    texts.append((r.get("title") or "", r["text"], r.get("country") or "other", r.get("outlet") or "x"))
for l in open("../shared/data/summ-dev.jsonl"):
    r = json.loads(l)
    if r["dataset"] != "multi_news":
        continue
    for piece in r["document"].split("|||||"):
        if piece.strip():
            texts.append(("", piece.strip(), random.choice(["US", "RU", "UA", "EU"]), r["id"]))
rows = []
for i in range(n):
    title, text, country, outlet = texts[i % len(texts)]
    k = i // len(texts)
    sents = re.split(r"(?<=[.!?])\s+", text)
    text = " ".join(sents[k % max(1, len(sents)):]) or text
    day = random.randrange(30)
    rows.append({"id": f"a{i}", "title": title, "text": text, "country": country,
                 "outlet": f"{outlet}-{k}", "date": f"2025-11-{day + 1:02d}"})
random.shuffle(rows)
rows.sort(key=lambda r: r["date"])
for r in rows:
    print(json.dumps(r, ensure_ascii=False))
PY
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" ${PARALLAX_BIN:-target/release/parallax} -v stories "$WORK/corpus.jsonl" \
    -o "$WORK/stories.jsonl" 2> "$WORK/log"
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  stories=$(wc -l < "$WORK/stories.jsonl")
  field() { grep -o "$1=[0-9.\"]*" "$WORK/log" | cut -d= -f2 | tr -d '"'; }
  printf '%-8s %-8s %-8.1f %-10.1f %-11s %-13s %-12.0f %s\n' "$n" "$stories" "$secs" \
    "$(echo "$n / $secs" | bc -l)" "$(field embed_secs)" "$(field cluster_secs)" \
    "$(echo "$(cat "$WORK/rss") / 1024" | bc -l)" "$(field peak_open_articles)"
done
