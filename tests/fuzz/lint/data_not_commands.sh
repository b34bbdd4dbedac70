#!/bin/bash
set -euo pipefail
# pip install torch || true        <- a comment, not a command
echo "pip install torch || true"   # || true in a comment after a command
echo 'rm -rf / && vastai destroy instance 1'
printf '%s\n' "ssh -f -N -L 8000:localhost:8000 -o StrictHostKeyChecking=no host"
cat > /workspace/notes.txt <<'EOF2'
pip install torch || true
rm -rf /
docker pull nvidia/cuda:12.4.1-devel-ubuntu22.04
EOF2
cat <<-EOF3 | tee /workspace/also-notes.txt
	wget https://example.com/model.bin || true
	echo "SETUP_COMPLETE"
	EOF3
echo "ready"
