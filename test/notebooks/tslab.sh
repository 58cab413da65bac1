#!/usr/bin/env bash
# Execute every notebook in the real tslab Jupyter kernel, as a user opening notebooks/ in Jupyter would, and fail on
# the first cell that errors. Needs `npm ci` (tslab is a devDependency) and Jupyter's nbconvert with an IPython kernel
# (Debian: apt-get install jupyter-nbconvert python3-ipykernel). The kernel spec goes into a temporary folder; nothing
# is installed for the user.
#   bash test/notebooks/tslab.sh            # outputs go to a temporary folder
#   bash test/notebooks/tslab.sh --inplace  # rewrite notebooks/*.ipynb with their outputs (to commit them)
#   bash test/notebooks/tslab.sh --inplace notebooks/04-trie-and-draft-tree.ipynb   # only these
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
inplace=; [ "${1:-}" = --inplace ] && { inplace=1; shift; }
notebooks=("$@"); [ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)
jupyter=$(command -v jupyter-nbconvert || true)
[ -n "$jupyter" ] || { echo "tslab.sh: jupyter-nbconvert not found (apt-get install jupyter-nbconvert python3-ipykernel)" >&2; exit 1; }
python=$(head -1 "$jupyter" | sed -n 's/^#! *//p' | awk '{print $1}') # the Python that runs nbconvert has jupyter_client
[ -x node_modules/.bin/tslab ] || { echo "tslab.sh: node_modules/.bin/tslab not found: run npm ci" >&2; exit 1; }
npm run --silent build # the notebooks import the compiled public API (dist/src/index)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node_modules/.bin/tslab install --python "$python" --binary "$root/node_modules/.bin/tslab" --prefix "$work/prefix" >/dev/null
export JUPYTER_PATH="$work/prefix/share/jupyter" JUPYTER_CONFIG_DIR="$work/config" JUPYTER_DATA_DIR="$work/data"
for nb in "${notebooks[@]}"; do
  start=$(date +%s)
  if [ -n "$inplace" ]; then out=(--inplace); else out=(--output-dir "$work/out"); fi
  (cd notebooks && "$jupyter" --to notebook --execute --ExecutePreprocessor.kernel_name=tslab \
    --ExecutePreprocessor.timeout=600 "${out[@]}" "$(basename "$nb")" 2>"$work/log") ||
    { cat "$work/log" >&2; echo "tslab.sh: $nb FAILED in the tslab kernel" >&2; exit 1; }
  echo "tslab.sh: $nb OK in the tslab kernel ($(($(date +%s) - start)) s)"
done
