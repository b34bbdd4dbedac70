#!/bin/sh
# Runs every test: cmocka unit tests (ASan+UBSan+LSan; the threaded ones again under TSan), then
# the integration tests that drive the ASan build of the real binary against loopback fakes and
# in tmux, then the fuzz targets briefly (FUZZ_SECONDS each) and their saved crashers. Prints the
# reliability figures and "N passed, N failed" last.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export TSAN_OPTIONS="halt_on_error=1:${TSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# English messages whatever the developer's locale (the Japanese tests ask for ja_JP themselves)
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES LANGUAGE
export GPUWARDEN_BIN="${GPUWARDEN_BIN:-build/asan/gpuwarden}"

passed=0
failed=0
failed_names=""
log=$(mktemp)
# tests marked as fault scenarios or bad inputs append here when they pass (figures.py)
GPUWARDEN_FIGURES=$(mktemp)
export GPUWARDEN_FIGURES
trap 'rm -f "$log" "$GPUWARDEN_FIGURES"' EXIT

for t in build/asan/tests/test_* build/tsan/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $t"
    "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    passed=$((passed + ${p:-0}))
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        f=1 # crashed or a sanitizer stopped it before cmocka could count
    fi
    failed=$((failed + ${f:-0}))
    [ "$rc" -ne 0 ] && failed_names="$failed_names $t"
done

echo "== integration (python3 unittest, binary: $GPUWARDEN_BIN)"
python3 -m unittest discover -s tests/integration -t . -v >"$log" 2>&1
rc=$?
cat "$log"
ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
bad=$(grep -cE '^(FAIL|ERROR): ' "$log")
skipped=$(grep -cE ' \.\.\. skipped' "$log")
passed=$((passed + ${ran:-0} - bad - skipped))
failed=$((failed + bad))
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
    failed=$((failed + 1))
fi
[ "$rc" -ne 0 ] && failed_names="$failed_names integration"

# the fuzz targets (make test's short run) and the saved crashers
fuzz=""
if ls build/fuzz/bin/fuzz_* >/dev/null 2>&1; then
    echo "== fuzz (${FUZZ_SECONDS:-60} s per target)"
    for mode in regress fuzz; do
        sh tests/fuzz/run.sh "$mode" >"$log" 2>&1
        rc=$?
        cat "$log"
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failed_names="$failed_names fuzz-$mode"
        fi
    done
    fuzz=$(sed -n 's/^fuzz: \([0-9]*\) executions in .*no crash.*/\1/p' "$log" | tail -n 1)
else
    echo "== fuzz: no targets built (make FLAVOUR=fuzz fuzz-bins): skipped"
fi

# the reliability figures (issue 7): what was thrown at the program and survived
faults=$(awk -F '\t' '$1 == "fault" { n += $2 } END { print n + 0 }' "$GPUWARDEN_FIGURES")
inputs=$(awk -F '\t' '$1 == "bad input" { n += $2 } END { print n + 0 }' "$GPUWARDEN_FIGURES")
echo
echo "reliability: $faults fault scenarios and $inputs bad inputs survived${fuzz:+, $fuzz fuzz executions without a crash}; each test checks that nothing was lost (state, audit, logs, the terminal)"
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
