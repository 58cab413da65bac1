#!/usr/bin/env bash
# The device side of scripts/gpu-check.sh (copied into the bundle as run.sh): unpack the bundle, point the Vulkan
# loader at a GPU, and run on the webgpu backend, each step under its own time limit (about 8.5 minutes in all):
#   1. verify-hf on the four hf-llama fixtures (the model against Hugging Face, on this GPU)
#   2. bench:model for smollm-135m and deepseek-coder-1.3b: decode ms/token at contexts 128/512/2048, a verify
#      forward over 1…128 tokens, memory bandwidth, reads and dispatches per step
#   3. the oracle + cost-model benchmark on RepoEval (16 tasks, 64 new tokens, prompts cut to 128), budget 64, with
#      each cost model; then budget auto with the larger one
# Logs and JSON go to $OUT (default: out/ next to this script); each step's last lines are printed.
#
# Environment: VK_DRIVER_FILES (default: the NVIDIA ICD, /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json or
# the usual places), GPU_CHECK_QUICK=1 (each step at its smallest: for trying the bundle on SwiftShader).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar -C "$WORK" -xJf "$HERE/app.tar.xz" || { echo "run.sh: cannot unpack $HERE/app.tar.xz" >&2; exit 1; }
APP=$WORK/app
NODE=$APP/node
cd "$APP"

if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  export LD_LIBRARY_PATH=$APP/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} # the bundled Vulkan loader
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -e "$f" ]; then export VK_DRIVER_FILES=$f; break; fi
  done
fi
export FASTCODER_BACKEND=webgpu
QUICK=${GPU_CHECK_QUICK:-}
limit() { if [ -n "$QUICK" ]; then echo "$2"; else echo "$1"; fi; } # seconds: on a GPU, or on SwiftShader

echo "node $("$NODE" --version); Vulkan driver: ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-none set}}; loader: ${LD_LIBRARY_PATH:+bundled}${LD_LIBRARY_PATH:-system}; quick: ${QUICK:-no}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

# step <name> <seconds> <command...>: run with a time limit, log to $OUT/<name>.log, print its last lines
step() {
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  echo "== $name: exit $rc in $((SECONDS - t0)) s$([ $rc = 124 ] && echo " (time limit $limit s)")"
  grep -v '^\s*$' "$OUT/$name.log" | grep -E '^(\||backend|FAIL|all |[0-9]+ of|bench|memory|warm-up|decode|one decode|verify forward|oracle|Table|[a-z_-]+:)' | tail -n "${TAIL:-24}"
}
CLI=("$NODE" dist/src/cli/main.js)
BENCH_MODEL=("$NODE" dist/scripts/bench-model.js)

if [ -n "$QUICK" ]; then
  step verify-hf-gqa-tiny 300 "${CLI[@]}" verify-hf test/fixtures/hf-llama/gqa-tiny
  step bench-model-smollm-135m 900 "${BENCH_MODEL[@]}" --config smollm-135m --contexts 16 --tree-context 16 --trees 1,4 --reps 1 --warmup 1 --prefill 0 --out "$OUT/bench-model-smollm-135m.json"
  step bench-model-deepseek-coder-1.3b 900 "${BENCH_MODEL[@]}" --config deepseek-coder-1.3b --contexts '' --trees '' --warmup 1 --prefill 0 --out "$OUT/bench-model-deepseek-coder-1.3b.json"
  ORACLE=(--limit 1 --max-new-tokens 8 --modes ar,fastcoder)
  COST_MODELS=(smollm-135m)
else
  for fx in llama-tiny deepseek-tiny gqa-tiny tinystories-656k; do
    TAIL=3 step "verify-hf-$fx" 30 "${CLI[@]}" verify-hf "test/fixtures/hf-llama/$fx"
  done
  step bench-model-smollm-135m 90 "${BENCH_MODEL[@]}" --config smollm-135m --reps 3 --out "$OUT/bench-model-smollm-135m.json"
  step bench-model-deepseek-coder-1.3b 120 "${BENCH_MODEL[@]}" --config deepseek-coder-1.3b --reps 3 --out "$OUT/bench-model-deepseek-coder-1.3b.json"
  ORACLE=(--limit 16 --max-new-tokens 64 --max-prompt-tokens 128 --modes ar,pld,rest,fastcoder)
  COST_MODELS=(smollm-135m deepseek-coder-1.3b)
fi

step index-dc "$(limit 60 600)" "${CLI[@]}" index --tokenizer models/tiny-coder-dsc --out "$WORK/dc.fcds" data/common-python/cpython-3.11.7-lib.tar.gz
for cost in "${COST_MODELS[@]}"; do
  step "oracle-$cost-b64" "$(limit 100 900)" "${CLI[@]}" bench --dataset repoeval --data data/repoeval --tokenizer models/tiny-coder-dsc --oracle \
    --oracle-cost-model "$cost" --budget 64 "${ORACLE[@]}" --common-index "$WORK/dc.fcds" --cache-dir "$WORK/dr" --out "$OUT/oracle-$cost-b64.json"
done
step "oracle-${COST_MODELS[-1]}-auto" 60 "${CLI[@]}" bench --dataset repoeval --data data/repoeval --tokenizer models/tiny-coder-dsc --oracle \
  --oracle-cost-model "${COST_MODELS[-1]}" --budget auto "${ORACLE[@]}" --common-index "$WORK/dc.fcds" --cache-dir "$WORK/dr" --out "$OUT/oracle-${COST_MODELS[-1]}-auto.json"
echo "logs and JSON: $OUT"
