#!/usr/bin/env bash
# Memory of `embed` and `batch` over a 1 GB JSON Lines file, read at 10%, 50% and 90% of
# the input, and at its end (docs/GUIDE.md, Limits). The files are built from the repo's dev articles under
# $WORK (default /tmp/parallax-big): embed.jsonl holds ~30 KB records (a title and a long
# body, as an article dump with full texts has) whose titles are embedded; batch.jsonl holds
# ~3 KB articles, of which `batch --shard 0/N` summarizes one in N while reading them all.
# The input's read position comes from /proc/PID/fdinfo, the memory from /proc/PID/status.
#
#   benches/big_jsonl.sh [SIZE_MB] [SHARDS] [COMMANDS]    # defaults: 1024 400 "embed batch"
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
shards=${2:-400}
commands=${3:-embed batch}
work=${WORK:-/tmp/parallax-big}
data=${DATA:-../shared/data}
bin=target/release/parallax
mkdir -p "$work"

python3 - "$data" "$work" "$size_mb" <<'EOF'
import json, os, sys
data, work, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = size_mb * 1024 * 1024
articles = []
for line in open(os.path.join(data, "coverage-dev.jsonl"), encoding="utf-8"):
    r = json.loads(line)
    articles.append((r.get("title") or r["text"][:80], r["text"]))
for line in open(os.path.join(data, "summ-dev.jsonl"), encoding="utf-8"):
    r = json.loads(line)
    for part in r["document"].split("|||||"):
        part = part.strip()
        if part:
            articles.append((part.split(". ")[0][:120], part))

def write(name, body_articles):
    path = os.path.join(work, name)
    if os.path.exists(path) and os.path.getsize(path) >= target:
        return
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < target:
            i = n % len(articles)
            title = articles[i][0]
            body = "\n\n".join(articles[(i + k) % len(articles)][1] for k in range(body_articles))
            f.write(json.dumps({"id": f"a{n}", "title": title, "text": body}, ensure_ascii=False) + "\n")
            n += 1
    print(f"{path}: {n} records, {os.path.getsize(path) / 2**20:.0f} MiB", file=sys.stderr)

write("embed.jsonl", 12)
write("batch.jsonl", 1)
EOF

# Runs "$@" in the background and prints the resident memory when the input has been read
# to 10%, 50% and 100%, then the peak (VmHWM) and the wall time.
watch() {
    local input=$1; shift
    local total; total=$(stat -c %s "$input")
    local start; start=$(date +%s.%N)
    "$@" &
    local pid=$!
    local marks=(10 50 90) next=0 rss=0 hwm=0 last=0
    while kill -0 "$pid" 2>/dev/null; do
        local pos=""
        for fd in /proc/$pid/fd/*; do
            if [ "$(readlink "$fd" 2>/dev/null)" = "$(realpath "$input")" ]; then
                pos=$(awk '/^pos:/ {print $2}' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null || true)
            fi
        done
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "$rss")
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "$hwm")
        # A read position that goes back is a new pass over the input (batch counts its
        # lines first): the marks start again.
        if [ -n "$pos" ] && [ "$pos" -lt "$last" ]; then
            echo "  (a new pass over the input)"
            next=0
        fi
        last=${pos:-$last}
        if [ -n "$pos" ] && [ "$next" -lt 3 ]; then
            local pct=$((pos * 100 / total))
            while [ "$next" -lt 3 ] && [ "$pct" -ge "${marks[$next]}" ]; do
                printf '  input read %3d%%: RSS %s KiB (at %.0f s)\n' "${marks[$next]}" "$rss" \
                    "$(echo "$(date +%s.%N) - $start" | bc)"
                next=$((next + 1))
            done
        fi
        sleep 0.5
    done
    wait "$pid" || echo "  exit status $?"
    printf '  end of run: last RSS %s KiB, peak RSS %s KiB, %.0f s in all\n' "$rss" "$hwm" \
        "$(echo "$(date +%s.%N) - $start" | bc)"
}

if [[ $commands == *embed* ]]; then
echo "embed --field title on $work/embed.jsonl ($(du -m "$work/embed.jsonl" | cut -f1) MiB)"
watch "$work/embed.jsonl" "$bin" -q embed --threads 2 --field title "$work/embed.jsonl" \
    -o "$work/embed.out.jsonl"
echo "  $(wc -l < "$work/embed.out.jsonl") vectors written"
fi

if [[ $commands == *batch* ]]; then
echo "batch --shard 0/$shards on $work/batch.jsonl ($(du -m "$work/batch.jsonl" | cut -f1) MiB)"
rm -f "$work/batch.out.jsonl"
watch "$work/batch.jsonl" "$bin" -q batch --threads 2 "$work/batch.jsonl" --shard "0/$shards" \
    -o "$work/batch.out.jsonl"
echo "  $(wc -l < "$work/batch.out.jsonl") records written"
fi
