#!/bin/bash
# PyTorch smoke test on the official pytorch/pytorch runtime image: prove CUDA works, then serve
# one matmul behind /health and /run so the launch pipeline can check a real result.
set -euo pipefail

PORT="${SMOKE_PORT:-8000}"
WORK=/workspace/smoke
mkdir -p "$WORK/files"

echo "=== Phase 1: CUDA check ==="
if ! command -v curl >/dev/null; then
    apt-get update
    apt-get install -y --no-install-recommends curl
fi
nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader
python -c "import torch; assert torch.cuda.is_available(), 'CUDA not available'; print('torch', torch.__version__, torch.cuda.get_device_name(0), torch.cuda.get_device_capability(0))"

echo "=== Phase 2: Matmul ==="
python -c "
import torch
a = torch.randn(1024, 1024, device='cuda')
c = a @ a
torch.cuda.synchronize()
assert torch.isfinite(c).all(), 'matmul produced non-finite values'
print('matmul ok, checksum', float(c.sum()))
"

echo "=== Phase 3: Service Start ==="
cat >"$WORK/server.py" <<'PY'
# Tiny test endpoint: GET /health, POST /run {"n": N} -> {"id"}, GET /result/ID, GET /files/ID.txt
import json, threading, time, torch
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os, sys

RESULTS = {}
FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")

def run(task_id, n):
    try:
        a = torch.randn(n, n, device="cuda")
        torch.cuda.synchronize()
        t = time.time()
        c = a @ a
        torch.cuda.synchronize()
        dt = time.time() - t
        path = os.path.join(FILES, task_id + ".txt")
        with open(path, "w") as f:
            f.write("n=%d seconds=%.6f gflops=%.1f checksum=%r device=%s\n"
                    % (n, dt, 2 * n**3 / dt / 1e9, float(c.sum()), torch.cuda.get_device_name(0)))
        RESULTS[task_id] = {"status": "done", "file": "/files/" + task_id + ".txt"}
    except Exception as e:
        RESULTS[task_id] = {"status": "failed", "error": str(e)}

class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, {"ok": torch.cuda.is_available()})
        if self.path.startswith("/result/"):
            r = RESULTS.get(self.path[len("/result/"):])
            return self.reply(200 if r else 404, r or {"status": "unknown"})
        if self.path.startswith("/files/"):
            name = os.path.basename(self.path)
            try:
                with open(os.path.join(FILES, name), "rb") as f:
                    return self.reply(200, f.read(), "text/plain")
            except OSError:
                return self.reply(404, {"error": "no such file"})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/run":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        n = int(json.loads(self.rfile.read(length) or b"{}").get("n", 1024))
        task_id = str(len(RESULTS) + 1)
        RESULTS[task_id] = {"status": "running"}
        threading.Thread(target=run, args=(task_id, min(max(n, 64), 8192))).start()
        self.reply(200, {"id": task_id})

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
nohup python "$WORK/server.py" "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for i in $(seq 1 24); do
    if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; then
        echo "SETUP_COMPLETE"
        exit 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "FATAL: test server exited; its log:" >&2
        tail -n 40 "$WORK/server.log" >&2
        exit 1
    fi
    sleep 5
done
echo "FATAL: test server not healthy within 2 minutes (attempt $i)" >&2
tail -n 40 "$WORK/server.log" >&2
exit 1
