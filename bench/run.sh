#!/bin/sh
# `make bench`: the machine, then one line per figure of DESIGN §5 / issue 8 (name, value, unit,
# target, ok or over). Every program's detail lines go to build/release/bench/details.txt. Never
# fails the build: a figure that cannot be taken says so.
set -u
cd "$(dirname "$0")/.." || exit 0
B=build/release/bench
details=$B/details.txt
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
start=$(date +%s)
echo "machine: ${cpu:-unknown CPU}, $(nproc) cores ($(uname -m)), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
speed=$($B/bench_machine)
echo "$speed"
{
    echo "make bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: ${cpu:-unknown CPU}, $(nproc) cores ($(uname -m))"
    echo "$speed"
} >"$details"

# Runs one benchmark, its whole output to the details file and its figure lines here.
step() {
    echo >>"$details"
    echo "## $*" >>"$details"
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out" >>"$details"
    printf '%s\n' "$out" | sed -n 's/^FIGURE //p'
    if [ $rc -ne 0 ]; then
        echo "($* exited with status $rc: see $details)"
    fi
    echo "   load average $(cut -d' ' -f1-3 /proc/loadavg) after it" >>"$details"
}

step $B/bench_offers
step python3 bench/procbench.py offers
step $B/bench_events
step $B/bench_frame
step python3 bench/procbench.py coldstart idle
step python3 bench/procbench.py memory flood
speed=$($B/bench_machine)
echo "$speed" | sed 's/^speed check/at the end, speed check/' | tee -a "$details"
echo "(details: $details; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(($(date +%s) - start)) s in all)"
exit 0
