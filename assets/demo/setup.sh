#!/bin/bash
# The demo provider's setup: what a real setup prints, phase by phase, at a realistic pace, run
# locally in the demo sandbox through the same detached-run and log-following code as a real
# launch. Nothing is downloaded. GPUWARDEN_DEMO_PACE scales the pauses (1 = about 12 s).
set -euo pipefail

pace="${GPUWARDEN_DEMO_PACE:-1}"
pause() { sleep "$(awk -v a="$1" -v p="$pace" 'BEGIN { printf "%.3f", a * p }')"; }

echo "=== Phase 1: System check ==="
nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader
echo "driver 560.35.03, CUDA 12.6; disk: 58 GB free of 60 GB"
pause 0.5

echo "=== Phase 2: Clone ==="
echo "Cloning into 'app'..."
for pct in 12 37 64 91 100; do
    echo "Receiving objects: ${pct}% ($((pct * 31)) / 3100), $((pct / 4)).1 MiB | 42.0 MiB/s"
    pause 0.2
done
echo "Resolving deltas: 100% (1873/1873), done."

echo "=== Phase 3: Install dependencies ==="
for pkg in numpy-2.2.6 torch-2.7.1+cu128 torchaudio-2.7.1+cu128 transformers-4.53.2 \
    diffusers-0.34.0 fastapi-0.116.1 uvicorn-0.35.0; do
    echo "Downloading ${pkg}-cp311-manylinux_2_28_x86_64.whl"
    pause 0.25
done
echo "Installed 87 packages in 1.94s"

echo "=== Phase 4: Download model ==="
for part in 1 2 3 4; do
    echo "model-0000${part}-of-00004.safetensors: 100% 2.1G/2.1G [00:0${part}<00:00, 512MB/s]"
    pause 0.6
done
echo "model size on disk: 8.4G (expected >= 8G): ok"

echo "=== Phase 5: Start server ==="
echo "INFO:     Started server process [4242]"
echo "INFO:     Waiting for application startup."
pause 0.5
echo "INFO:     Application startup complete."
echo "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)"
: >"${GPUWARDEN_DEMO_SANDBOX:?}/service.up"
echo "SETUP_COMPLETE"
