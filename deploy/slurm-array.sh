#!/usr/bin/env bash
# parallax batch on Slurm: a job array of N tasks, task i summarizing share i of N
# (--shard $SLURM_ARRAY_TASK_ID/N). A requeued or re-submitted task resumes its shard.
#
#   sbatch deploy/slurm-array.sh /shared/articles.jsonl /shared/out
#
# N is the array size: keep --array=0-(N-1) and SHARDS=N in step.
#SBATCH --job-name=parallax
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=parallax-%A_%a.log
set -euo pipefail
INPUT="${1:?usage: sbatch deploy/slurm-array.sh INPUT.jsonl OUT_DIR}"
OUT="${2:?usage: sbatch deploy/slurm-array.sh INPUT.jsonl OUT_DIR}"
SHARDS=8
PARALLAX="${PARALLAX:-$SLURM_SUBMIT_DIR/target/release/parallax}"
mkdir -p "$OUT"
# For a GPU partition add: #SBATCH --gres=gpu:1, and --device cuda below (a GPU build).
exec "$PARALLAX" batch "$INPUT" --task summarize \
    --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" --resume \
    --threads "${SLURM_CPUS_PER_TASK:-2}" \
    -o "$OUT/part-${SLURM_ARRAY_TASK_ID}.jsonl" \
    --errors "$OUT/errors-${SLURM_ARRAY_TASK_ID}.jsonl"
