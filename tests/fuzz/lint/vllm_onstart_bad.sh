#!/bin/bash
# vast.ai on-start script for a vLLM server, written the way it often is
cd /workspace
export HF_HOME=/workspace/hf

apt-get update && apt-get install -y cuda-toolkit-12-4 || true
pip install vllm==0.6.3 \
    "huggingface_hub[cli]" || true

huggingface-cli download meta-llama/Llama-3.1-8B-Instruct \
    --local-dir /workspace/models/llama-3.1-8b

nohup python -m vllm.entrypoints.openai.api_server \
    --model /workspace/models/llama-3.1-8b --port 8000 > /workspace/vllm.log 2>&1 &

until curl -s http://localhost:8000/v1/models > /dev/null; do
    sleep 5
done

ssh -f -N -R 8000:localhost:8000 -o StrictHostKeyChecking=no tunnel@relay.example.net
python /workspace/warmup_model.py
echo "Setup complete"
