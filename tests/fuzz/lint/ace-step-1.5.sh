#!/bin/bash
# ACE-Step 1.5 on a plain nvidia/cuda runtime image, the way its README installs it
# (git clone + uv sync): seed §4 and §5. Fail fast, verify every step, and print
# SETUP_COMPLETE only after the API answers its health check.
set -euo pipefail

APP_DIR=/workspace/ACE-Step-1.5
CKPT_DIR="$APP_DIR/checkpoints"
LOG_DIR=/workspace/logs
PORT="${ACESTEP_API_PORT:-8001}"
MIN_MODEL_MB=9000   # turbo DiT + 0.6B LM + VAE and text encoder, well above a partial download

echo "=== Phase 1: Dependencies ==="
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends git curl ca-certificates
curl -LsSf https://astral.sh/uv/install.sh | sh
export PATH="$HOME/.local/bin:$PATH"
uv --version
nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader

echo "=== Phase 2: Application ==="
if [ ! -d "$APP_DIR/.git" ]; then
    git clone --depth 1 https://github.com/ace-step/ACE-Step-1.5.git "$APP_DIR"
fi
cd "$APP_DIR"
uv sync
uv run python -c "import torch; assert torch.cuda.is_available(), 'CUDA not available'; print('torch', torch.__version__, torch.cuda.get_device_name(0))"

echo "=== Phase 3: Model Download ==="
uv run huggingface-cli download ACE-Step/Ace-Step1.5 --local-dir "$CKPT_DIR"
if [ ! -d "$CKPT_DIR" ]; then
    echo "FATAL: model directory missing: $CKPT_DIR" >&2
    exit 1
fi
MODEL_MB=$(du -sm "$CKPT_DIR" | cut -f1)
if [ "$MODEL_MB" -lt "$MIN_MODEL_MB" ]; then
    echo "FATAL: model incomplete (${MODEL_MB} MB, expected at least ${MIN_MODEL_MB} MB)" >&2
    exit 1
fi
echo "model: ${MODEL_MB} MB in $CKPT_DIR"

echo "=== Phase 4: Service Start ==="
mkdir -p "$LOG_DIR"
export ACESTEP_CHECKPOINTS_DIR="$CKPT_DIR"
nohup uv run acestep-api >"$LOG_DIR/acestep-api.log" 2>&1 &
API_PID=$!

# Bounded health wait: 10 minutes, and give up at once if the server died.
for i in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; then
        echo "SETUP_COMPLETE"
        exit 0
    fi
    if ! kill -0 "$API_PID" 2>/dev/null; then
        echo "FATAL: acestep-api exited during start-up; last lines of its log:" >&2
        tail -n 40 "$LOG_DIR/acestep-api.log" >&2
        exit 1
    fi
    sleep 5
done
echo "FATAL: acestep-api not healthy within 10 minutes (attempt $i); last lines of its log:" >&2
tail -n 40 "$LOG_DIR/acestep-api.log" >&2
exit 1
