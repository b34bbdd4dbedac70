#!/bin/sh
# `make bench`: prints each figure of DESIGN §5 that exists so far, with its target and machine.
set -eu
cd "$(dirname "$0")/.."
B=build/release
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
$B/bench/bench_offers
echo
$B/bench/bench_events
echo
$B/bench/bench_frame

# The whole headless command against a loopback fake vast.ai answering 1,396 offers (the size of
# a market-wide dump); the official Python CLI takes about a second for the same search.
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
$B/bench/bench_offers --emit 1396 >"$tmp/offers.json"
python3 tests/fake_vast.py --port-file "$tmp/port" --offers "$tmp/offers.json" &
srv=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url="http://127.0.0.1:$(cat "$tmp/port")"
runs=""
for _ in 1 2 3 4 5 6 7 8 9 10 11; do
    ms=$(python3 -c '
import subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print("%.1f" % ((time.perf_counter() - t) * 1000))' \
        env -u VAST_API_KEY ./gpuwarden offers --provider vast --api-url "$url" --json)
    runs="$runs $ms"
done
median=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 6p)
echo
echo "gpuwarden offers --json, 1,396 offers from loopback (whole process, median of 11): ${median} ms"
echo "  (includes the fake server's own Python time to filter and serialise; target: tens of ms)"

# Idle CPU of the dashboard: demo provider, refresh timer on (60 s), nobody typing, 30 s.
sock="$tmp/tmux.sock"
tmux -S "$sock" new-session -d -x 160 -y 45 "env -u VAST_API_KEY ./gpuwarden --provider demo"
i=0
while ! tmux -S "$sock" capture-pane -p | grep -q "offers:" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pid=$(tmux -S "$sock" display -p '#{pane_pid}')
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
a=$(ticks); sleep 30; b=$(ticks)
tmux -S "$sock" kill-server
echo
echo "dashboard idle CPU over 30 s (target <= 0.1 %): $(echo "$a $b $hz" | awk '{printf "%.3f %%", ($2 - $1) / $3 / 30 * 100}') ($((b - a)) ticks of 1/$hz s)"
