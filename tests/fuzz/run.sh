#!/bin/sh
# Runs the libFuzzer targets built in build/fuzz/bin (`make fuzz`, `make fuzz-regress`).
#   run.sh fuzz     each target for FUZZ_SECONDS (default 60) on a temp copy of its seeds in
#                   tests/fuzz/<target>/ (the committed corpus never grows)
#   run.sh regress  every file in tests/fuzz/regressions/<target>/ once through its target
# Fails on any crash, hang, leak or sanitizer report; prints executions per target and in total.
set -u
cd "$(dirname "$0")/../.."

mode=${1:-fuzz}
secs=${FUZZ_SECONDS:-60}
bin=build/fuzz/bin
crashes=build/fuzz/crashes

case $secs in
'' | *[!0-9]* | 0) echo "fuzz: FUZZ_SECONDS must be a positive whole number, got '$secs'" >&2; exit 2 ;;
esac

export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fuzz_recipe makes its setup-script folder under TMPDIR: it goes away with $work
export TMPDIR="$work"

targets=""
for b in "$bin"/fuzz_*; do
    [ -x "$b" ] && targets="$targets ${b#"$bin"/fuzz_}"
done
if [ -z "$targets" ]; then
    echo "fuzz: no targets in $bin (run: make FLAVOUR=fuzz fuzz-bins)" >&2
    exit 2
fi

# JSON bodies up to 64 KiB; a query is one command-line argument; nvidia-smi prints a few lines.
max_len() {
    case $1 in
    query) echo 4096 ;;
    smi) echo 16384 ;;
    *) echo 65536 ;;
    esac
}
dict() {
    case $1 in
    offer | recipe | instance) echo tests/fuzz/json.dict ;;
    *) echo "tests/fuzz/$1.dict" ;;
    esac
}

# Seeds kept elsewhere in the tree (fixtures, bundled recipes), not copied into tests/fuzz/.
extra_seeds() {
    case $1 in
    lint) ls tests/fixtures/lint/*.sh assets/recipes/*.sh assets/demo/*.sh 2>/dev/null ;;
    recipe) ls tests/fixtures/recipes/*.json assets/recipes/*.json 2>/dev/null ;;
    esac
}

failed=""
total=0

report_failure() { # target log
    failed="$failed $1"
    echo "fuzz: $1 FAILED; the report:" >&2
    grep -v '^#[0-9]' "$2" | tail -n 60 >&2
}

if [ "$mode" = regress ]; then
    for t in $targets; do
        dir=tests/fuzz/regressions/$t
        [ -d "$dir" ] || continue
        files=$(find "$dir" -type f | sort)
        [ -n "$files" ] || continue
        n=$(printf '%s\n' "$files" | wc -l)
        log=$work/$t.log
        # shellcheck disable=SC2086 # one argument per saved input (names without blanks)
        if "$bin/fuzz_$t" -timeout=10 $files >"$log" 2>&1; then
            echo "fuzz-regress: $t: $n input(s) passed"
            total=$((total + n))
        else
            report_failure "$t" "$log"
        fi
    done
    for d in tests/fuzz/regressions/*/; do
        [ -d "$d" ] || continue
        t=$(basename "$d")
        [ -x "$bin/fuzz_$t" ] || { echo "fuzz-regress: no target for $d" >&2; failed="$failed $t"; }
    done
    if [ -n "$failed" ]; then
        echo "fuzz-regress: failed:$failed"
        exit 1
    fi
    echo "fuzz-regress: $total saved input(s) ran, no crash"
    exit 0
fi

[ "$mode" = fuzz ] || { echo "usage: run.sh fuzz|regress" >&2; exit 2; }

mkdir -p "$crashes"
start_all=$(date +%s)
for t in $targets; do
    corpus=$work/corpus-$t
    mkdir -p "$corpus"
    [ -d "tests/fuzz/$t" ] && cp "tests/fuzz/$t"/* "$corpus"/ 2>/dev/null
    # the project's own scripts and recipes seed lint and recipe too, read where they live
    for f in $(extra_seeds "$t"); do
        cp "$f" "$corpus/$(echo "$f" | tr / _)"
    done
    log=$work/$t.log
    opts="-max_total_time=$secs -max_len=$(max_len "$t") -timeout=10 -print_final_stats=1"
    opts="$opts -artifact_prefix=$crashes/$t-"
    [ -f "$(dict "$t")" ] && opts="$opts -dict=$(dict "$t")"
    start=$(date +%s)
    # shellcheck disable=SC2086 # the options are separate words
    "$bin/fuzz_$t" $opts "$corpus" >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    runs=${runs:-0}
    cov=$(sed -n 's/^#[0-9]*.*DONE .*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    total=$((total + runs))
    if [ "$rc" -ne 0 ]; then
        report_failure "$t" "$log"
        saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        [ -n "$saved" ] && echo "fuzz: input saved as $saved; once fixed, keep it in" \
            "tests/fuzz/regressions/$t/" >&2
    else
        echo "fuzz: $t: $runs executions in $took s, coverage ${cov:-?} edges"
    fi
done
took_all=$(($(date +%s) - start_all))

if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed ($total executions in $took_all s)"
    exit 1
fi
echo "fuzz: $total executions in $took_all s over$targets: no crash, no sanitizer report"
