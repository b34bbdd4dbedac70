#!/usr/bin/env bash
# Provisioning for a llama.cpp server on a rented GPU: fail fast, verify every step.
set -Eeuo pipefail
trap 'echo "FATAL: line $LINENO: $BASH_COMMAND" >&2' ERR

MODEL_DIR=/workspace/models
MODEL_FILE="$MODEL_DIR/qwen2.5-7b-instruct-q4_k_m.gguf"
PORT="${PORT:-8080}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

need_gpu() {
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    python3 - <<'PY'
import torch
assert torch.cuda.is_available(), "CUDA not available"
print(torch.cuda.get_device_name(0))
PY
}

fetch_model() {
    mkdir -p "$MODEL_DIR"
    if [ ! -s "$MODEL_FILE" ]; then
        curl -fL --retry 5 -o "$MODEL_FILE.part" \
            "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct-GGUF/resolve/main/qwen2.5-7b-instruct-q4_k_m.gguf"
        mv "$MODEL_FILE.part" "$MODEL_FILE"
    fi
    local size_mb
    size_mb=$(du -m "$MODEL_FILE" | cut -f1)
    if [ "$size_mb" -lt 4000 ]; then
        log "model is only ${size_mb} MB" >&2
        exit 1
    fi
}

wait_healthy() {
    local i
    for i in $(seq 1 120); do
        if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; then
            return 0
        fi
        sleep 2
    done
    log "server did not become healthy" >&2
    return 1
}

case "${1:-serve}" in
    serve|start) ;;
    *) echo "usage: $0 [serve]" >&2; exit 2 ;;
esac

log "installing dependencies"
apt-get update
apt-get install -y --no-install-recommends git build-essential
pip install --no-cache-dir "huggingface_hub>=0.24" torch
need_gpu

fetch_model

log "starting llama-server on port $PORT"
nohup /opt/llama.cpp/build/bin/llama-server -m "$MODEL_FILE" --port "$PORT" -ngl 99 \
    > /workspace/llama-server.log 2>&1 &

wait_healthy
echo "SETUP_COMPLETE"
