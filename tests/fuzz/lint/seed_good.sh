#!/bin/bash
set -euo pipefail

echo "=== Phase 1: Dependencies ==="
pip install torch --index-url https://download.pytorch.org/whl/cu126
python -c "import torch; assert torch.cuda.is_available(), 'CUDA not available'"

echo "=== Phase 2: Application ==="
git clone --depth 1 https://github.com/example-org/inference-server.git /app
cd /app && pip install -e .

echo "=== Phase 3: Model Download ==="
python -c "
from huggingface_hub import snapshot_download
snapshot_download('Qwen/Qwen2.5-7B-Instruct', local_dir='/models/qwen2.5-7b')
"

# 検証: モデルの存在とサイズ
if [ ! -d "/models/qwen2.5-7b" ]; then
  echo "FATAL: Model directory missing" >&2; exit 1
fi
MODEL_SIZE=$(du -sm /models/qwen2.5-7b | cut -f1)
if [ "$MODEL_SIZE" -lt 14000 ]; then
  echo "FATAL: Model incomplete (${MODEL_SIZE}MB)" >&2; exit 1
fi

echo "=== Phase 4: Service Start ==="
python server.py --port 8000 &

# ヘルスチェック待機
for i in $(seq 1 60); do
  if curl -sf http://localhost:8000/health > /dev/null 2>&1; then
    echo "SETUP_COMPLETE"; exit 0
  fi
  sleep 5
done
echo "FATAL: Service failed to start within 5 minutes" >&2; exit 1
