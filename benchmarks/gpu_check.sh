#!/usr/bin/env bash
# The GPU check (issue 5): run from the repository root on a machine with CUDA and torch.
# Installs nothing: uses the installed package if there is one, else the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA GPU visible to torch')"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
if ! "$PY" -c "import napari_seisgrow" 2>/dev/null; then export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"; fi
PYTHONUNBUFFERED=1 exec "$PY" benchmarks/gpu_check.py "$@"
