#!/usr/bin/env bash
# The device check, built here, run on a Linux x64 machine with a GPU, no internet and no node:
#
#   scripts/gpu-check.sh [bundle dir]          # here: build the bundle (default .cache/gpu-bundle, ≤ 64 MiB)
#   bash .cache/gpu-bundle/run.sh              # there: unpack, then verify-hf, bench:model, oracle bench on webgpu
#
# The bundle holds: this machine's node binary (stripped, xz), the project compiled by tsc (src, model, retrieval, util,
# trie, scripts), the production node_modules pruned to what Node loads (the tfjs packages' Node bundles and wasm
# binaries, webgpu's linux-x64 dawn.node only), the Vulkan loader (libvulkan.so.1 of Debian's libvulkan1, used when
# the machine has none), the hf-llama test fixtures, tiny-coder-dsc's tokenizer (not its weights: the oracle and the
# cost models use random weights), RepoEval and the CPython stdlib tarball for D_c. What run.sh does and where it
# writes: scripts/gpu-check-run.sh.
#
# To try it here on SwiftShader (slow; GPU_CHECK_QUICK=1 runs each step at its smallest):
#   scripts/gpu-check.sh && VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json GPU_CHECK_QUICK=1 \
#     OUT=/tmp/gpu-check-out bash .cache/gpu-bundle/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=$(realpath -m "${1:-$ROOT/.cache/gpu-bundle}")
SHARED=${FASTCODER_SHARED:-$ROOT/../shared}
LIMIT_MIB=64
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "gpu-check: builds a linux-x64 bundle, and must run on linux-x64 to take its node binary" >&2; exit 1; }
for f in "$SHARED/data/repoeval" "$SHARED/data/common-python/cpython-3.11.7-lib.tar.gz" "$ROOT/node_modules/webgpu/dist/linux-x64/dawn.node"; do
  [ -e "$f" ] || { echo "gpu-check: $f is missing (run npm ci; ../shared holds the data)" >&2; exit 1; }
done
VULKAN=$(/sbin/ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ { print $NF; exit }')
[ -n "$VULKAN" ] || { echo "gpu-check: no libvulkan.so.1 here to bundle (apt-get install libvulkan1)" >&2; exit 1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
APP=$STAGE/app
mkdir -p "$APP/lib" "$APP/data/common-python" "$APP/models/tiny-coder-dsc" "$APP/test/fixtures"

echo "gpu-check: compiling the project"
cat > "$STAGE/tsconfig.json" <<EOF
{ "extends": "$ROOT/tsconfig.json",
  "compilerOptions": { "types": ["node"], "typeRoots": ["$ROOT/node_modules/@types"], "noEmit": false, "sourceMap": false, "outDir": "$APP/dist", "rootDir": "$ROOT" },
  "include": ["$ROOT/src", "$ROOT/model", "$ROOT/retrieval", "$ROOT/trie", "$ROOT/util", "$ROOT/scripts"] }
EOF
(cd "$ROOT" && npx tsc -p "$STAGE/tsconfig.json")
cp "$ROOT/package.json" "$APP/"

echo "gpu-check: production node_modules, pruned"
# every package the lock file marks neither dev nor optional; of the tfjs packages only what `main` loads (the Node
# bundle) and their wasm binaries; of webgpu only the linux-x64 dawn.node
(cd "$ROOT" && node -e '
  const lock = require("./package-lock.json");
  for (const [p, e] of Object.entries(lock.packages)) if (p && !e.dev && !e.optional && !e.devOptional) console.log(p);
') | while read -r pkg; do
  mkdir -p "$APP/$(dirname "$pkg")"
  cp -a "$ROOT/$pkg" "$APP/$pkg"
done
for pkg in "$APP"/node_modules/@tensorflow/*; do
  main=$(node -p "require('$pkg/package.json').main")
  find "$pkg/dist" -type f ! -path "$pkg/$main" ! -name '*.wasm' ! -path '*/wasm-out/*' -delete
  find "$pkg/dist" -type d -empty -delete
  find "$pkg" -name '*.map' -delete
done
find "$APP/node_modules/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
rm -rf "$APP/node_modules/@types" "$APP/node_modules/@webgpu" "$APP/node_modules/webgpu/node_modules"

echo "gpu-check: data, fixtures, Vulkan loader, node"
cp -a "$SHARED/data/repoeval" "$APP/data/"
cp "$SHARED/data/common-python/cpython-3.11.7-lib.tar.gz" "$APP/data/common-python/"
cp "$ROOT"/models/tiny-coder-dsc/{config.json,tokenizer.json,tokenizer_config.json} "$APP/models/tiny-coder-dsc/"
cp -a "$ROOT/test/fixtures/hf-llama" "$APP/test/fixtures/"
cp -L "$VULKAN" "$APP/lib/libvulkan.so.1"
cp "$(command -v node)" "$APP/node"
strip "$APP/node"
chmod -R u+w "$APP"

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE"
tar -C "$STAGE" -cf - app | xz -T0 -6 > "$BUNDLE/app.tar.xz"
cp "$ROOT/scripts/gpu-check-run.sh" "$BUNDLE/run.sh"
SIZE=$(du -sb "$BUNDLE" | cut -f1)
echo "gpu-check: $BUNDLE: $((SIZE / 1024 / 1024)) MiB ($(node -p 'process.version') node, $(du -sh "$APP" | cut -f1) unpacked)"
[ "$SIZE" -le $((LIMIT_MIB * 1024 * 1024)) ] || { echo "gpu-check: the bundle is over $LIMIT_MIB MiB" >&2; exit 1; }
