/* Tests the setup-script lint of SPEC §5 (src/lint.c, src/shcmd.c, src/shlex.c): every rule with
 * the constructs that make shell text data rather than commands, the seed's §5 scripts, and
 * garbage input. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint.h"
#include "shlex.h"

/* SPEC §5's fixed levels, written out here so the test does not read them from the code. */
static enum level want_level(enum lint_rule rule)
{
    return rule <= LINT_UNVERIFIED_SUCCESS ? LEVEL_BLOCK : LEVEL_WARN;
}

struct want {
    enum lint_rule rule;
    int line;
};

static void dump(const struct lint_report *r)
{
    for (size_t i = 0; i < r->count; i++)
        print_error("  got %d %s: %s\n", r->findings[i].line, lint_rule_name(r->findings[i].rule),
                    r->findings[i].message);
}

/* The report holds exactly these findings, in this order, each with its rule's level. */
static void expect(const struct lint_report *r, const struct want *w, size_t n)
{
    bool ok = r->count == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = r->findings[i].rule == w[i].rule && r->findings[i].line == w[i].line;
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            print_error("  want %d %s\n", w[i].line, lint_rule_name(w[i].rule));
        dump(r);
    }
    assert_int_equal(r->count, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r->findings[i].rule, w[i].rule);
        assert_int_equal(r->findings[i].line, w[i].line);
        assert_int_equal(r->findings[i].level, want_level(w[i].rule));
        assert_true(r->findings[i].message[0] != '\0');
        assert_true(r->findings[i].hint[0] != '\0');
    }
}

static struct lint_report lint_str(const char *script)
{
    struct lint_report r;
    lint_text(script, strlen(script), &r);
    return r;
}

static void check(const char *script, const struct want *w, size_t n)
{
    struct lint_report r = lint_str(script);
    if (r.count != n)
        print_error("script:\n%s\n", script);
    expect(&r, w, n);
    lint_report_free(&r);
}

#define CHECK(script, ...)                                                                         \
    do {                                                                                           \
        const struct want w_[] = {__VA_ARGS__};                                                    \
        check(script, w_, sizeof w_ / sizeof w_[0]);                                               \
    } while (0)
#define CHECK_NONE(script) check(script, NULL, 0)

/* How many findings of `rule` the script has, and on which line the first one is. */
static size_t count_rule(const char *script, enum lint_rule rule, int *line)
{
    struct lint_report r = lint_str(script);
    size_t n = lint_count(&r, rule);
    *line = 0;
    for (size_t i = 0; i < r.count && !*line; i++)
        if (r.findings[i].rule == rule)
            *line = r.findings[i].line;
    if (n != 1 && n != 0)
        dump(&r);
    lint_report_free(&r);
    return n;
}

/* Each command, on line 2 after `set -e`, gives exactly one finding of `rule` (or none). */
static void table(const char *const *cmds, size_t n, const char *suffix, enum lint_rule rule,
                  bool want)
{
    for (size_t i = 0; i < n; i++) {
        char script[1024];
        snprintf(script, sizeof script, "set -euo pipefail\n%s%s\n", cmds[i], suffix);
        int line;
        size_t got = count_rule(script, rule, &line);
        if (got != (want ? 1u : 0u))
            print_error("%s: %zu %s findings for:\n%s", want ? "want one" : "want none", got,
                        lint_rule_name(rule), script);
        assert_int_equal(got, want ? 1 : 0);
        if (want)
            assert_int_equal(line, 2);
    }
}

#define TABLE(cmds, suffix, rule, want)                                                            \
    table(cmds, sizeof cmds / sizeof cmds[0], suffix, rule, want)

static void lint_fixture(const char *name, struct lint_report *r)
{
    char path[256];
    struct gw_error err = {0};
    snprintf(path, sizeof path, "tests/fixtures/lint/%s", name);
    if (lint_file(path, r, &err) != 0)
        print_error("%s (tests run from the repository root)\n", err.msg);
    assert_int_equal(err.kind, 0);
}

/* --- no-errexit --- */

static void test_errexit_missing(void **state)
{
    (void)state;
    CHECK("#!/bin/bash\n\npip install torch\n", {LINT_NO_ERREXIT, 3});
    struct lint_report r = lint_str("pip install torch\n");
    assert_non_null(strstr(r.findings[0].message, "`pip install torch`"));
    assert_non_null(strstr(r.findings[0].hint, "set -euo pipefail"));
    assert_int_equal(r.findings[0].case_id, 3);
    lint_report_free(&r);
}

static void test_errexit_variants(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "set -e",
        "set -euo pipefail",
        "set -o errexit",
        "set -eu",
        "set -Eeuo pipefail",
        "set -xe",
        "set -o pipefail\nset -e",
        "set -o nounset -o errexit",
        "set -u; set -e",
        "trap 'echo failed' ERR\nset -e",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "#!/bin/bash\n%s\npip install torch\n", ok[i]);
        int line;
        if (count_rule(script, LINT_NO_ERREXIT, &line) != 0)
            print_error("flagged: %s\n", ok[i]);
        assert_int_equal(count_rule(script, LINT_NO_ERREXIT, &line), 0);
    }
    /* these do not turn errexit on */
    static const char *const bad[] = {"set -u", "set -o pipefail", "set +e", "set -- -e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "#!/bin/bash\n%s\npip install torch\n", bad[i]);
        int line;
        assert_int_equal(count_rule(script, LINT_NO_ERREXIT, &line), 1);
        assert_int_equal(line, 3);
    }
}

static void test_errexit_shebang(void **state)
{
    (void)state;
    CHECK_NONE("#!/bin/bash -e\npip install torch\n");
    CHECK_NONE("#!/bin/bash -eu\npip install torch\n");
    CHECK_NONE("#!/usr/bin/env -S bash -euo pipefail\npip install torch\n");
    CHECK("#!/bin/bash -x\npip install torch\n", {LINT_NO_ERREXIT, 2});
    /* -e on a line that is not the shebang is just a comment */
    CHECK("# run with bash -e\npip install torch\n", {LINT_NO_ERREXIT, 2});
}

static void test_errexit_after_first_command(void **state)
{
    (void)state;
    struct lint_report r =
        lint_str("#!/bin/bash\ncd /workspace\nset -euo pipefail\npip install x\n");
    const struct want w[] = {{LINT_NO_ERREXIT, 2}};
    expect(&r, w, 1);
    assert_non_null(strstr(r.findings[0].message, "line 3"));
    assert_non_null(strstr(r.findings[0].message, "`cd /workspace`"));
    lint_report_free(&r);
    /* a later `set +e` does not undo an early `set -e` as far as this rule goes */
    CHECK("set -e\nset +e\npip install x || true\n", {LINT_SWALLOWED_ERROR, 3});
}

static void test_errexit_empty_and_comments(void **state)
{
    (void)state;
    CHECK_NONE("");
    CHECK_NONE("#!/bin/bash\n");
    CHECK_NONE("#!/bin/bash\n# nothing to run\n\n   \n# yet\n");
}

/* Decision: a trap on ERR does not replace set -e (the script carries on after the handler), so
 * a trap alone is still no-errexit; a trap before set -e is allowed, like `set -o pipefail`. */
static void test_errexit_trap_alone(void **state)
{
    (void)state;
    CHECK("#!/bin/bash\ntrap 'echo \"failed at $LINENO\" >&2' ERR\npip install torch\n",
          {LINT_NO_ERREXIT, 3});
}

static void test_errexit_conditional_or_function(void **state)
{
    (void)state;
    /* a set -e that may not run does not count; the test runs first */
    CHECK("if [ -n \"$STRICT\" ]; then set -e; fi\npip install x\n", {LINT_NO_ERREXIT, 1});
    /* set -e in a subshell does not reach the script */
    CHECK("(set -e)\npip install x\n", {LINT_NO_ERREXIT, 2});
    /* main() { set -e; ... }; main "$@" */
    CHECK_NONE("main() {\n  set -euo pipefail\n  pip install x\n}\nmain \"$@\"\n");
    CHECK("main() {\n  pip install x\n}\nmain \"$@\"\n", {LINT_NO_ERREXIT, 4});
    /* a function definition runs nothing */
    CHECK_NONE("log() { echo \"$*\"; }\nset -e\nlog start\n");
}

static void test_errexit_continuation(void **state)
{
    (void)state;
    CHECK("echo \\\n  start\nset -e\n", {LINT_NO_ERREXIT, 1});
}

/* --- swallowed-error --- */

static void test_swallowed_seed_message(void **state)
{
    (void)state;
    struct lint_report r = lint_str("set -e\npip install torch || true\n");
    const struct want w[] = {{LINT_SWALLOWED_ERROR, 2}};
    expect(&r, w, 1);
    assert_string_equal(r.findings[0].message,
                        "`pip install torch` failure is swallowed by `|| true`");
    assert_non_null(strstr(r.findings[0].hint, "remove `|| true`"));
    assert_non_null(strstr(r.findings[0].hint, "set -euo pipefail"));
    assert_int_equal(r.findings[0].case_id, 3);
    lint_report_free(&r);
}

static void test_swallowed_steps(void **state)
{
    (void)state;
    static const char *const steps[] = {
        "pip install torch",
        "pip3 install -r requirements.txt",
        "python -m pip install vllm",
        "uv pip install torch",
        "uv sync",
        "conda install -y pytorch",
        "sudo apt-get install -y git",
        "DEBIAN_FRONTEND=noninteractive apt install -y git",
        "yum install -y git",
        "npm install",
        "curl -fsSL https://ollama.com/install.sh | sh",
        "wget https://example.com/model.bin",
        "aria2c -x 16 https://example.com/model.bin",
        "git clone https://github.com/example/app /app",
        "git lfs pull",
        "huggingface-cli download Qwen/Qwen2.5-7B",
        "hf download Qwen/Qwen2.5-7B",
        "python -c \"from huggingface_hub import snapshot_download; snapshot_download('a/b')\"",
        "python download_model.py",
        "python3 scripts/fetch_weights.py --all",
        "bash ./download_models.sh",
        "./download_models.sh",
        "uv run python prepare_model.py",
        "cd /app && pip install -e .",
        "timeout 600 pip install flash-attn",
    };
    TABLE(steps, " || true", LINT_SWALLOWED_ERROR, true);
    TABLE(steps, " || :", LINT_SWALLOWED_ERROR, true);
    TABLE(steps, " || /bin/true", LINT_SWALLOWED_ERROR, true);
    TABLE(steps, " || exit 0", LINT_SWALLOWED_ERROR, true);
    /* a handler that fails is not swallowing: `exit` alone keeps the failed status */
    TABLE(steps, " || exit 1", LINT_SWALLOWED_ERROR, false);
    TABLE(steps, " || exit", LINT_SWALLOWED_ERROR, false);
}

static void test_swallowed_harmless(void **state)
{
    (void)state;
    static const char *const harmless[] = {
        "rm -f /tmp/lock || true",   "pkill -f server.py || true", "kill %1 || :",
        "docker rm -f old || true",  "grep -q x file || true",     "mkdir /data || true",
        "pip install torch && true", "pip install torch; true",
    };
    TABLE(harmless, "", LINT_SWALLOWED_ERROR, false);
}

static void test_swallowed_data_not_commands(void **state)
{
    (void)state;
    CHECK_NONE("set -e\n"
               "# pip install torch || true\n"
               "echo \"pip install torch || true\"\n"
               "echo 'wget https://x/m.bin || true'\n"
               "echo pip install torch \\|\\| true\n"
               "printf '%s\\n' \"$(echo pip install x '||' true)\"\n"
               "cat <<EOF\n"
               "pip install torch || true\n"
               "EOF\n"
               "cat <<-'EOF'\n"
               "\tgit clone https://x || true\n"
               "\tEOF\n"
               "echo \"done with notes\" >&2\n");
}

static void test_swallowed_one_per_command(void **state)
{
    (void)state;
    CHECK("set -e\npip install torch || true || true\n", {LINT_SWALLOWED_ERROR, 2});
    /* every step of the list is swallowed */
    CHECK("set -e\npip install a || pip install b || true\n", {LINT_SWALLOWED_ERROR, 2},
          {LINT_SWALLOWED_ERROR, 2});
    CHECK("set -e\n{ pip install a; pip install b; } || true\n", {LINT_SWALLOWED_ERROR, 2},
          {LINT_SWALLOWED_ERROR, 2});
    /* the condition of an if is already checked */
    CHECK_NONE("set -e\nif pip install a; then echo ok; fi || true\n");
}

static void test_swallowed_continuation_reports_first_line(void **state)
{
    (void)state;
    CHECK("set -e\necho start\npip install \\\n    torch \\\n    numpy || true\n",
          {LINT_SWALLOWED_ERROR, 3});
    CHECK("set -e\npip install torch ||\n    true\n", {LINT_SWALLOWED_ERROR, 2});
}

static void test_swallowed_in_substitution(void **state)
{
    (void)state;
    CHECK("set -e\nLOG=$(pip install torch 2>&1 || true)\n", {LINT_SWALLOWED_ERROR, 2});
    CHECK("set -e\necho \"$(pip install torch || true)\"\n", {LINT_SWALLOWED_ERROR, 2});
    CHECK("set -e\nV=`pip install torch || true`\n", {LINT_SWALLOWED_ERROR, 2});
}

static void test_swallowed_function(void **state)
{
    (void)state;
    struct lint_report r = lint_str("set -e\ninstall_deps() {\n  pip install -r requirements.txt\n"
                                    "}\ninstall_deps || true\n");
    const struct want w[] = {{LINT_SWALLOWED_ERROR, 5}};
    expect(&r, w, 1);
    assert_non_null(strstr(r.findings[0].message, "`install_deps`"));
    assert_non_null(strstr(r.findings[0].message, "install"));
    lint_report_free(&r);
    CHECK_NONE("set -e\nlog() { echo \"$*\"; }\nlog hi || true\n");
}

/* --- unverified-success --- */

static void test_unverified_basic(void **state)
{
    (void)state;
    struct lint_report r = lint_str("set -e\npip install torch\necho \"SETUP_COMPLETE\"\n");
    const struct want w[] = {{LINT_UNVERIFIED_SUCCESS, 3}};
    expect(&r, w, 1);
    assert_non_null(strstr(r.findings[0].message, "`echo SETUP_COMPLETE`"));
    assert_non_null(strstr(r.findings[0].message, "install at line 2"));
    lint_report_free(&r);
    /* nothing risky ran: nothing to verify */
    CHECK_NONE("set -e\necho done\n");
    /* `&&` is not a check: pip's exit status says nothing about what it installed */
    CHECK("set -e\npip install torch && echo \"install complete\"\n", {LINT_UNVERIFIED_SUCCESS, 2});
}

static void test_unverified_checks(void **state)
{
    (void)state;
    static const char *const checks[] = {
        "test -d /models/m",
        "[ -f /models/m/config.json ]",
        "[[ -s /models/m/model.safetensors ]]",
        "du -sm /models/m",
        "stat /models/m/model.bin",
        "ls /models/m",
        "wc -c /models/m/model.bin",
        "sha256sum -c model.sha256",
        "grep -q model_type /models/m/config.json",
        "curl -sf http://localhost:8000/health",
        "curl --fail http://localhost:8000/health",
        "nvidia-smi",
        "python -c \"import torch; assert torch.cuda.is_available()\"",
        "if ! python -c 'import vllm'; then exit 1; fi",
        "SIZE=$(du -sm /models/m | cut -f1)",
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        char script[512];
        snprintf(script, sizeof script,
                 "set -e\nhuggingface-cli download a/b --local-dir /models/m\n%s\necho "
                 "SETUP_COMPLETE\n",
                 checks[i]);
        int line;
        if (count_rule(script, LINT_UNVERIFIED_SUCCESS, &line) != 0)
            print_error("not a check: %s\n", checks[i]);
        assert_int_equal(count_rule(script, LINT_UNVERIFIED_SUCCESS, &line), 0);
    }
    /* a check before the last risky step does not cover it */
    CHECK("set -e\nnvidia-smi\npip install torch\necho ready\n", {LINT_UNVERIFIED_SUCCESS, 4});
}

static void test_unverified_markers(void **state)
{
    (void)state;
    static const char *const markers[] = {
        "echo SETUP_COMPLETE",
        "echo \"Done.\"",
        "echo 'Success!'",
        "echo ready",
        "echo \"Setup completed\"",
        "printf 'setup complete\\n'",
        "touch /workspace/.setup.done",
        "touch /tmp/READY",
        "echo -e \"\\nAll done\"",
        "echo \"Installed successfully\"",
    };
    static const char *const not_markers[] = {
        "echo 'Downloading model...'",
        "echo \"not done yet\"",
        "echo \"Waiting for the server to be ready\"",
        "echo done >&2",
        "echo \"FATAL: setup incomplete\"",
        "echo \"ERROR: download failed, not complete\"",
        "touch /tmp/started",
        "# echo SETUP_COMPLETE",
    };
    TABLE(markers, "", LINT_UNVERIFIED_SUCCESS, false); /* nothing risky before */
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "set -e\npip install torch\n%s\n", markers[i]);
        int line;
        if (count_rule(script, LINT_UNVERIFIED_SUCCESS, &line) != 1)
            print_error("not a marker: %s\n", markers[i]);
        assert_int_equal(count_rule(script, LINT_UNVERIFIED_SUCCESS, &line), 1);
        assert_int_equal(line, 3);
    }
    for (size_t i = 0; i < sizeof not_markers / sizeof not_markers[0]; i++) {
        char script[256];
        snprintf(script, sizeof script, "set -e\npip install torch\n%s\n", not_markers[i]);
        int line;
        if (count_rule(script, LINT_UNVERIFIED_SUCCESS, &line) != 0)
            print_error("taken for a marker: %s\n", not_markers[i]);
        assert_int_equal(count_rule(script, LINT_UNVERIFIED_SUCCESS, &line), 0);
    }
}

static void test_unverified_loop_done_is_not_a_marker(void **state)
{
    (void)state;
    CHECK_NONE("set -e\nfor p in torch numpy; do\n  pip install \"$p\"\ndone\n");
    CHECK_NONE("set -e\nwhile read -r p; do pip install \"$p\"; done < reqs.txt\n");
}

static void test_unverified_then_branch_of_check(void **state)
{
    (void)state;
    /* the seed's good ending: the marker is inside `if curl -sf ...; then` */
    CHECK_NONE("set -e\npython server.py --port 8000 &\nfor i in $(seq 1 60); do\n"
               "  if curl -sf http://localhost:8000/health > /dev/null 2>&1; then\n"
               "    echo \"SETUP_COMPLETE\"; exit 0\n  fi\n  sleep 5\ndone\n"
               "echo \"FATAL: Service failed to start within 5 minutes\" >&2; exit 1\n");
    /* an install in an if condition is checked by the if */
    CHECK_NONE("set -e\nif pip install torch; then echo done; else exit 1; fi\n");
    /* a then-branch that installs is not checked by the condition before it */
    CHECK("set -e\nif [ -d /app ]; then\n  pip install -e /app\n  echo done\nfi\n",
          {LINT_UNVERIFIED_SUCCESS, 4});
}

static void test_unverified_functions(void **state)
{
    (void)state;
    CHECK("set -e\nfinish() { echo SETUP_COMPLETE; }\npip install torch\nfinish\n",
          {LINT_UNVERIFIED_SUCCESS, 4});
    CHECK_NONE(
        "set -e\nverify() { nvidia-smi; }\npip install torch\nverify\necho SETUP_COMPLETE\n");
    CHECK("set -e\nsetup() {\n  pip install torch\n  echo \"setup done\"\n}\nsetup\n",
          {LINT_UNVERIFIED_SUCCESS, 4});
    /* a function that installs and verifies leaves nothing open */
    CHECK_NONE("set -e\nsetup() {\n  pip install torch\n  python -c 'import torch'\n"
               "  nvidia-smi\n}\nsetup\necho SETUP_COMPLETE\n");
}

static void test_unverified_one_per_stretch(void **state)
{
    (void)state;
    CHECK("set -e\npip install x\necho done\necho SETUP_COMPLETE\n", {LINT_UNVERIFIED_SUCCESS, 3});
    CHECK("set -e\npip install x\necho done\nnvidia-smi\ngit clone https://x /app\necho ready\n",
          {LINT_UNVERIFIED_SUCCESS, 3}, {LINT_UNVERIFIED_SUCCESS, 6});
}

/* --- unchecked-download --- */

static void test_unchecked_download_basic(void **state)
{
    (void)state;
    CHECK("set -e\nwget -O /models/m.bin https://example.com/m.bin\n",
          {LINT_UNCHECKED_DOWNLOAD, 2});
    CHECK_NONE("set -e\nwget -O /models/m.bin https://example.com/m.bin\ntest -s /models/m.bin\n");
    CHECK_NONE("set -e\ncurl -L -o m.bin https://x/m\n[ -f m.bin ] || exit 1\n");
    CHECK_NONE("set -e\ncurl -L -o m.bin https://x/m\nSIZE=$(du -sm m.bin | cut -f1)\n");
    CHECK_NONE("set -e\nhf download a/b --local-dir /m\n"
               "python -c \"import os; assert os.path.exists('/m/config.json')\"\n");
    /* the check has to come after the download */
    CHECK("set -e\nls /models\nwget https://example.com/m.bin\n", {LINT_UNCHECKED_DOWNLOAD, 3});
}

static void test_unchecked_download_kinds(void **state)
{
    (void)state;
    static const char *const downloads[] = {
        "wget https://example.com/model.bin",
        "wget -q -P /models https://example.com/model.bin",
        "curl -L -o model.bin https://example.com/m",
        "curl -LO https://example.com/model.gguf",
        "curl -fsSLo model.bin https://example.com/m",
        "curl -L https://example.com/m > model.bin",
        "curl --output model.bin https://example.com/m",
        "aria2c -x 16 https://example.com/model.bin",
        "huggingface-cli download Qwen/Qwen2.5-7B --local-dir /models/q",
        "hf download Qwen/Qwen2.5-7B",
        "git lfs pull",
        "python -c \"from huggingface_hub import hf_hub_download; hf_hub_download('a', 'b')\"",
        "python download_model.py",
        "python -m huggingface_hub.commands.huggingface_cli download a/b",
        "MODEL=$(huggingface-cli download a/b)",
    };
    static const char *const not_downloads[] = {
        "curl -fsSL https://get.docker.com | sh",
        "wget -qO- https://example.com/install.sh | bash",
        "curl -s https://api.example.com/version",
        "curl -sf -o /dev/null https://example.com",
        "wget --spider https://example.com/model.bin",
        "curl -sf http://localhost:8000/health -o health.json",
        "git clone https://github.com/example/app",
        "pip download torch -d wheels",
        "curl -X POST -H \"Content-Type: application/json\" https://api.example.com",
    };
    TABLE(downloads, "", LINT_UNCHECKED_DOWNLOAD, true);
    TABLE(not_downloads, "", LINT_UNCHECKED_DOWNLOAD, false);
}

static void test_unchecked_download_in_function(void **state)
{
    (void)state;
    /* a download inside a function, checked after the call */
    CHECK_NONE("set -e\nfetch() {\n  wget -O /m/x.bin https://x\n}\nfetch\ndu -sh /m\n");
    /* the checking function is defined first but called after the download */
    CHECK_NONE("set -e\nmain() { dl; check; }\ncheck() { ls -la /m; }\n"
               "dl() { wget -O /m/x https://x; }\nmain\n");
    /* a checking function that is never called checks nothing */
    CHECK("set -e\ncheck() { ls -la /m; }\ndl() { wget -O /m/x https://x; }\ndl\n",
          {LINT_UNCHECKED_DOWNLOAD, 3});
}

static void test_unchecked_download_python_heredoc(void **state)
{
    (void)state;
    /* the heredoc is python's program: data to the shell, a download all the same */
    CHECK("set -e\npython3 - <<'EOF'\nfrom huggingface_hub import snapshot_download\n"
          "snapshot_download('a/b', local_dir='/m')\nEOF\n",
          {LINT_UNCHECKED_DOWNLOAD, 2});
    CHECK_NONE("set -e\npython3 - <<'EOF'\nfrom huggingface_hub import snapshot_download\n"
               "snapshot_download('a/b', local_dir='/m')\nEOF\ntest -d /m\n");
}

/* --- no-health-wait --- */

static void test_health_wait_missing(void **state)
{
    (void)state;
    struct lint_report r = lint_str("set -e\nnohup python server.py > server.log 2>&1 &\n");
    const struct want w[] = {{LINT_NO_HEALTH_WAIT, 2}};
    expect(&r, w, 1);
    assert_non_null(strstr(r.findings[0].message, "python server.py"));
    assert_non_null(strstr(r.findings[0].hint, "seq 1 60"));
    assert_int_equal(r.findings[0].case_id, 8);
    lint_report_free(&r);
    CHECK("set -e\ndocker run -d --gpus all -p 8000:8000 vllm/vllm-openai\n",
          {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\n( cd /app && python serve.py ) &\n", {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\ncd /app && uvicorn app:app --port 8000 &\n", {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\nsetsid -f python server.py\n", {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\nsetsid gunicorn app:app > log 2>&1 < /dev/null &\n", {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\ntmux new -d -s srv 'python server.py'\n", {LINT_NO_HEALTH_WAIT, 2});
    /* one finding for one job, however many commands it has */
    CHECK("set -e\npython serve.py 2>&1 | tee serve.log &\n", {LINT_NO_HEALTH_WAIT, 2});
}

static void test_health_wait_unbounded(void **state)
{
    (void)state;
    struct lint_report r = lint_str(
        "set -e\npython server.py &\nuntil curl -sf localhost:8000/health; do sleep 1; done\n");
    const struct want w[] = {{LINT_NO_HEALTH_WAIT, 2}};
    expect(&r, w, 1);
    assert_non_null(strstr(r.findings[0].message, "unbounded"));
    assert_non_null(strstr(r.findings[0].message, "line 3"));
    lint_report_free(&r);
    CHECK("set -e\npython server.py &\nwhile true; do curl -sf localhost:8000 && break; sleep 1; "
          "done\n",
          {LINT_NO_HEALTH_WAIT, 2});
    CHECK("set -e\npython server.py &\nfor ((;;)); do curl -sf localhost:8000 && break; done\n",
          {LINT_NO_HEALTH_WAIT, 2});
}

static void test_health_wait_bounded(void **state)
{
    (void)state;
    static const char *const waits[] = {
        "for i in $(seq 1 60); do curl -sf localhost:8000/health && break; sleep 5; done",
        "for i in {1..60}; do if curl -sf localhost:8000; then break; fi; sleep 1; done",
        "for ((i = 0; i < 60; i++)); do curl -sf localhost:8000 && break; sleep 1; done",
        ("i=0\nuntil curl -sf localhost:8000; do\n  i=$((i+1))\n  [ \"$i\" -ge 60 ] && exit 1\n"
         "  sleep 1\ndone"),
        "n=0\nwhile [ $n -lt 30 ]; do wget -q --spider localhost:8000 && break; n=$((n+1)); done",
        "until nc -z localhost 8000 || (( ++tries > 60 )); do sleep 1; done",
        "timeout 300 bash -c 'until curl -sf localhost:8000; do sleep 1; done'",
        "curl --retry 30 --retry-connrefused -sf http://localhost:8000/health",
    };
    for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++) {
        char script[512];
        snprintf(script, sizeof script, "set -e\npython server.py &\n%s\n", waits[i]);
        int line;
        if (count_rule(script, LINT_NO_HEALTH_WAIT, &line) != 0)
            print_error("not taken for a bounded wait:\n%s\n", waits[i]);
        assert_int_equal(count_rule(script, LINT_NO_HEALTH_WAIT, &line), 0);
    }
    /* a wait before the service does not count */
    CHECK("set -e\nfor i in $(seq 1 5); do curl -sf localhost:8000 && break; done\n"
          "python server.py &\n",
          {LINT_NO_HEALTH_WAIT, 3});
}

static void test_health_wait_function(void **state)
{
    (void)state;
    CHECK_NONE("set -e\nwait_up() {\n  for i in $(seq 1 30); do\n"
               "    curl -sf localhost:8000 && return 0\n    sleep 2\n  done\n  return 1\n}\n"
               "uvicorn app:app --port 8000 &\nwait_up\n");
}

static void test_health_wait_not_services(void **state)
{
    (void)state;
    CHECK_NONE("set -e\nsleep 30 &\ntail -f /var/log/syslog &\nwait\n");
    /* parallel installs are jobs, not services */
    CHECK_NONE("set -e\npip install a & pip install b &\nwait\n");
    /* an ssh tunnel is plain-ssh-tunnel's business */
    CHECK("set -e\nssh -N -L 8000:localhost:8000 host &\n", {LINT_PLAIN_SSH_TUNNEL, 2});
}

/* --- devel-image --- */

static void test_devel_image(void **state)
{
    (void)state;
    static const char *const devel[] = {
        "docker pull nvidia/cuda:12.1.0-devel-ubuntu22.04",
        "docker run --gpus all nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 nvidia-smi",
        "vastai create instance 123 --image pytorch/pytorch:2.3.0-cuda12.1-cudnn8-devel",
        "echo \"FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\" > Dockerfile",
        "apt-get install -y cuda-toolkit-12-4",
        "sudo apt install -y nvidia-cuda-toolkit",
        "conda install -y -c nvidia cuda-nvcc",
        "conda install cudatoolkit-dev",
    };
    static const char *const fine[] = {
        "docker pull nvidia/cuda:12.1.0-runtime-ubuntu22.04",
        "docker pull vllm/vllm-openai:latest",
        "apt-get install -y libcudnn8 python3-dev",
        "pip install nvidia-cudnn-cu12",
        "conda install -y cudatoolkit=11.8",
        "apt-get install -y libfoo-devel",
        "# docker pull nvidia/cuda:12.1.0-devel-ubuntu22.04",
        "cat > Dockerfile <<EOF\nFROM nvidia/cuda:12.1.0-devel-ubuntu22.04\nEOF",
    };
    TABLE(devel, "", LINT_DEVEL_IMAGE, true);
    TABLE(fine, "", LINT_DEVEL_IMAGE, false);
    struct lint_report r = lint_str("set -e\ndocker pull nvidia/cuda:12.1.0-devel-ubuntu22.04\n");
    assert_non_null(strstr(r.findings[0].message, "`nvidia/cuda:12.1.0-devel-ubuntu22.04`"));
    assert_non_null(strstr(r.findings[0].hint, "runtime"));
    assert_int_equal(r.findings[0].case_id, 5);
    lint_report_free(&r);
}

/* --- insecure-ssh and plain-ssh-tunnel --- */

static void test_insecure_ssh(void **state)
{
    (void)state;
    static const char *const insecure[] = {
        "ssh -o StrictHostKeyChecking=no root@203.0.113.5 nvidia-smi",
        "ssh -oStrictHostKeyChecking=no -p 2222 root@host",
        "scp -o UserKnownHostsFile=/dev/null model.bin root@host:/m/",
        "ssh -o \"StrictHostKeyChecking no\" host",
        "sftp -o StrictHostKeyChecking=no host",
        "rsync -av -e \"ssh -o StrictHostKeyChecking=no\" ./m host:/m",
        "autossh -M 0 -o StrictHostKeyChecking=no host",
        "sudo ssh -o stricthostkeychecking=NO host",
        "export GIT_SSH_COMMAND=\"ssh -o StrictHostKeyChecking=no\"",
        "GIT_SSH_COMMAND=\"ssh -o UserKnownHostsFile=/dev/null\" git clone git@host:a/b",
        "echo \"StrictHostKeyChecking no\" >> ~/.ssh/config",
    };
    static const char *const fine[] = {
        "ssh -o StrictHostKeyChecking=accept-new host",
        "ssh -o StrictHostKeyChecking=yes host",
        "echo \"StrictHostKeyChecking=no\"",
        "echo 'use ssh -o StrictHostKeyChecking=no at your own risk'",
        "# ssh -o StrictHostKeyChecking=no host",
    };
    TABLE(insecure, "", LINT_INSECURE_SSH, true);
    TABLE(fine, "", LINT_INSECURE_SSH, false);
}

static void test_plain_ssh_tunnel(void **state)
{
    (void)state;
    static const char *const plain[] = {
        "ssh -f -N -L 8000:localhost:8000 root@host",
        "ssh -fNL 8000:localhost:8000 root@host",
        "ssh -p 2222 -i ~/.ssh/id_ed25519 -fNL 8000:localhost:8000 root@host",
        "ssh -fN -R 9000:localhost:9000 relay",
        "ssh -N -L 8000:localhost:8000 host &",
        "ssh -fN -o ExitOnForwardFailure=yes -L 8000:localhost:8000 host",
    };
    static const char *const fine[] = {
        "ssh -fN -o ServerAliveInterval=30 -L 8000:localhost:8000 host",
        "ssh -fNL 8000:localhost:8000 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 host",
        "autossh -M 0 -fN -L 8000:localhost:8000 host",
        "ssh -L 8000:localhost:8000 host",
        "ssh -f host 'nohup ./run.sh'",
        "echo ssh -f -N -L 8000:localhost:8000 host",
    };
    TABLE(plain, "", LINT_PLAIN_SSH_TUNNEL, true);
    TABLE(fine, "", LINT_PLAIN_SSH_TUNNEL, false);
}

/* --- destructive-command --- */

static void test_destructive(void **state)
{
    (void)state;
    static const char *const destructive[] = {
        "vastai destroy instance 12345",
        "vastai destroy instances 1 2 3",
        "runpodctl remove pod abc123",
        "runpodctl terminate pod abc123",
        "docker system prune -af",
        "rm -rf /",
        "rm -rf /*",
        "sudo rm -rf --no-preserve-root /",
        "rm -rf ~",
        "rm -rf ~/",
        "rm -rf \"$HOME\"",
        "rm -rf \"$BUILD_DIR/\"",
        "rm -rf \"$BUILD_DIR\"/",
        "rm -rf $CACHE/*",
        "rm -r -f -- \"${DIR}\"/",
        "rm -fr \"${DIR}/\"",
    };
    static const char *const fine[] = {
        "rm -rf /tmp/build",
        "rm -rf \"$BUILD_DIR/cache\"",
        "rm -rf \"${BUILD_DIR:?}/\"",
        "rm -rf \"$BUILD_DIR\"",
        "rm -f /",
        "echo \"vastai destroy instance 1\"",
        "docker image prune -f",
        "vastai show instances",
        "cat <<EOF\nrm -rf /\nEOF",
    };
    TABLE(destructive, "", LINT_DESTRUCTIVE_COMMAND, true);
    TABLE(fine, "", LINT_DESTRUCTIVE_COMMAND, false);
    struct lint_report r = lint_str("set -e\nrm -rf \"$MODEL_DIR/\"\n");
    assert_non_null(strstr(r.findings[0].message, "$MODEL_DIR"));
    assert_non_null(strstr(r.findings[0].hint, "${MODEL_DIR:?}"));
    assert_int_equal(r.findings[0].case_id, 6);
    lint_report_free(&r);
}

/* --- the seed's scripts and real-world ones --- */

static void test_seed_bad_script(void **state)
{
    (void)state;
    struct lint_report r;
    lint_fixture("seed_bad.sh", &r);
    const struct want w[] = {
        {LINT_NO_ERREXIT, 2},         {LINT_SWALLOWED_ERROR, 2},    {LINT_SWALLOWED_ERROR, 3},
        {LINT_UNCHECKED_DOWNLOAD, 3}, {LINT_UNVERIFIED_SUCCESS, 4},
    };
    expect(&r, w, sizeof w / sizeof w[0]);
    assert_true(lint_has_block(&r));
    assert_int_equal(lint_count(&r, LINT_SWALLOWED_ERROR), 2);
    assert_int_equal(lint_count(&r, LINT_UNVERIFIED_SUCCESS), 1);
    assert_non_null(strstr(r.findings[2].message, "`python download_model.py`"));
    lint_report_free(&r);
}

static void test_seed_good_script(void **state)
{
    (void)state;
    struct lint_report r;
    lint_fixture("seed_good.sh", &r);
    expect(&r, NULL, 0);
    assert_false(lint_has_block(&r));
    lint_report_free(&r);
}

static void test_vllm_onstart_script(void **state)
{
    (void)state;
    struct lint_report r;
    lint_fixture("vllm_onstart_bad.sh", &r);
    const struct want w[] = {
        {LINT_NO_ERREXIT, 3},      {LINT_SWALLOWED_ERROR, 6},     {LINT_DEVEL_IMAGE, 6},
        {LINT_SWALLOWED_ERROR, 7}, {LINT_UNCHECKED_DOWNLOAD, 10}, {LINT_NO_HEALTH_WAIT, 13},
        {LINT_INSECURE_SSH, 20},   {LINT_PLAIN_SSH_TUNNEL, 20},   {LINT_UNVERIFIED_SUCCESS, 22},
    };
    expect(&r, w, sizeof w / sizeof w[0]);
    assert_non_null(strstr(r.findings[5].message, "unbounded"));
    lint_report_free(&r);
}

static void test_clean_real_world_scripts(void **state)
{
    (void)state;
    static const char *const clean[] = {"llama_server_good.sh", "data_not_commands.sh"};
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        struct lint_report r;
        lint_fixture(clean[i], &r);
        if (r.count)
            print_error("%s\n", clean[i]);
        expect(&r, NULL, 0);
        lint_report_free(&r);
    }
}

static void test_findings_sorted(void **state)
{
    (void)state;
    struct lint_report r =
        lint_str("echo SETUP_COMPLETE\nssh -fNL 1:l:1 h\nvastai destroy instance 1\n"
                 "pip install x || true\necho done\n"
                 "rm -rf / || true\n");
    for (size_t i = 1; i < r.count; i++) {
        const struct lint_finding *a = &r.findings[i - 1], *b = &r.findings[i];
        assert_true(a->line < b->line || (a->line == b->line && a->rule <= b->rule));
    }
    assert_true(r.count >= 5);
    lint_report_free(&r);
}

/* --- the tokeniser --- */

static void test_shlex_structure(void **state)
{
    (void)state;
    const char *text = "a 'b c' \"d $(e f) g\" \\\n  h # comment\n"
                       "if x; then y || z; fi &\n"
                       "f() { for i in 1 2; do w; done; }\n";
    struct shlex_script s;
    shlex_parse(text, strlen(text), &s);
    /* e (in the substitution), a, x, y, z, w */
    assert_int_equal(s.ncmds, 6);
    assert_string_equal(s.cmds[0].words[0], "e");
    assert_true(s.cmds[0].flags & SHLEX_INSUBST);
    assert_int_equal(s.cmds[1].nwords, 4);
    assert_string_equal(s.cmds[1].words[1], "b c");
    assert_string_equal(s.cmds[1].words[2], "d $(e f) g");
    assert_string_equal(s.cmds[1].words[3], "h");
    assert_int_equal(s.cmds[1].line, 1);
    assert_true(s.cmds[2].flags & SHLEX_COND);
    assert_true(s.cmds[2].flags & SHLEX_BG);
    assert_int_equal(s.cmds[3].op, SHLEX_OP_OR);
    assert_int_equal(s.cmds[4].prev_op, SHLEX_OP_OR);
    assert_int_equal(s.cmds[4].line, 3);
    assert_false(s.cmds[4].flags & SHLEX_COND);
    assert_true(s.cmds[5].flags & SHLEX_INFUNC);
    assert_true(s.cmds[5].flags & SHLEX_LOOP);
    assert_int_equal(s.cmds[5].line, 4);
    assert_true(s.cmds[5].func >= 0);
    assert_string_equal(s.blocks[s.cmds[5].func].name, "f");
    shlex_free(&s);
}

static void test_shlex_heredocs(void **state)
{
    (void)state;
    /* two heredocs on one line, a quoted delimiter and <<- with tabs */
    const char *text = "cat <<A <<-'B'\nrm -rf /\nA\n\tpip install x || true\n\tB\nafter\n";
    struct shlex_script s;
    shlex_parse(text, strlen(text), &s);
    assert_int_equal(s.ncmds, 2);
    assert_string_equal(s.cmds[0].words[0], "cat");
    assert_int_equal(s.cmds[0].nredirs, 2);
    assert_string_equal(s.cmds[0].heredoc, "rm -rf /\n");
    assert_string_equal(s.cmds[1].words[0], "after");
    assert_int_equal(s.cmds[1].line, 6);
    shlex_free(&s);
}

static void test_shlex_case_and_dbracket(void **state)
{
    (void)state;
    const char *text = "case \"$1\" in\n  a|b) one ;;\n  (c) two;;\n  *) ;;\nesac\n"
                       "[[ -f x && ( -d y || -s z ) ]] || three\n";
    struct shlex_script s;
    shlex_parse(text, strlen(text), &s);
    assert_int_equal(s.ncmds, 4);
    assert_string_equal(s.cmds[0].words[0], "one");
    assert_string_equal(s.cmds[1].words[0], "two");
    assert_string_equal(s.cmds[2].words[0], "[[");
    assert_string_equal(s.cmds[2].words[s.cmds[2].nwords - 1], "]]");
    assert_int_equal(s.cmds[2].op, SHLEX_OP_OR);
    assert_string_equal(s.cmds[3].words[0], "three");
    assert_int_equal(s.cmds[3].line, 6);
    shlex_free(&s);
}

/* --- robustness --- */

static void test_unterminated_constructs(void **state)
{
    (void)state;
    static const char *const broken[] = {
        "echo \"abc",
        "echo 'abc",
        "cat <<EOF\nbody",
        "echo $(pip install x",
        "if true; then",
        "case x in a)",
        "echo `date",
        "f() {",
        "for i in",
        "while",
        "$((1 +",
        "${x",
        "))))))",
        ";;;&&||",
        "( ( (",
        "}}} fi done esac then",
        "[[ -f x",
        "x=(a b",
        "<<",
        "cat <<",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        struct lint_report r = lint_str(broken[i]);
        lint_report_free(&r);
    }
    /* what comes before the broken part is still linted */
    CHECK("set -e\npip install x || true\necho \"unterminated\n", {LINT_SWALLOWED_ERROR, 2});
    CHECK("set -e\npip install x || true\ncat <<EOF\nrm -rf /\n", {LINT_SWALLOWED_ERROR, 2});
    CHECK("set -e\npip install x || true\nif true; then\n  echo $(\n", {LINT_SWALLOWED_ERROR, 2});
}

static void test_nul_bytes(void **state)
{
    (void)state;
    static const char text[] = "set -e\npip install x\0|| true\n\0\0\0echo \"a\0b\"\n";
    struct lint_report r;
    lint_text(text, sizeof text - 1, &r);
    const struct want w[] = {{LINT_SWALLOWED_ERROR, 2}};
    expect(&r, w, 1);
    lint_report_free(&r);
    char *zeros = calloc(1 << 16, 1);
    assert_non_null(zeros);
    lint_text(zeros, 1 << 16, &r);
    assert_int_equal(r.count, 0);
    lint_report_free(&r);
    free(zeros);
    lint_text(NULL, 0, &r);
    assert_int_equal(r.count, 0);
    lint_report_free(&r);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    static const char *const open[] = {"(", "$(", "{ ", "if true; then ", "\"$(", "`", "f() { "};
    for (size_t k = 0; k < sizeof open / sizeof open[0]; k++) {
        size_t depth = 5000, len = strlen(open[k]);
        char *text = malloc(depth * len + 64);
        assert_non_null(text);
        size_t n = 0;
        for (size_t i = 0; i < depth; i++) {
            memcpy(text + n, open[k], len);
            n += len;
        }
        memcpy(text + n, "pip install x || true\n", 22);
        n += 22;
        struct lint_report r;
        lint_text(text, n, &r);
        lint_report_free(&r);
        free(text);
    }
    /* past the depth cap the parser keeps going */
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "( ");
    n += (size_t)snprintf(text + n, sizeof text - n, "true");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " )");
    snprintf(text + n, sizeof text - n, "\nset -e\npip install y || true\n");
    int line;
    assert_int_equal(count_rule(text, LINT_SWALLOWED_ERROR, &line), 1);
    assert_int_equal(line, 3);
}

static void test_garbage(void **state)
{
    (void)state;
    static const char pieces[][16] = {
        "if ",         "then ",   "fi",          "for ",     "do ", "done",     "case ",
        "esac",        ";;",      "(",           ")",        "{ ",  "}",        "$(",
        "`",           "\"",      "'",           "\\",       "\n",  "<<EOF",    "EOF\n",
        "||",          "&&",      "|",           "&",        ";",   "#",        " ",
        "pip install", "|| true", "curl -o f u", "set -e",   "f()", "[[",       "]]",
        "((",          "${",      "$'",          "<(",       ">",   "2>&1",     "rm -rf /",
        "echo done",   "=(",      "x=",          "ssh -fNL", "\t",  "python -",
    };
    uint32_t seed = 12345;
    char text[4096];
    for (int round = 0; round < 2000; round++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t count = (seed >> 16) % 120;
        for (size_t i = 0; i < count; i++) {
            seed = seed * 1103515245u + 12345u;
            if (round % 4 == 0) {
                text[n++] = (char)(seed >> 16); /* raw bytes */
                continue;
            }
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t len = strlen(p);
            if (n + len + 1 >= sizeof text)
                break;
            memcpy(text + n, p, len);
            n += len;
        }
        struct lint_report r;
        lint_text(text, n, &r);
        for (size_t i = 1; i < r.count; i++)
            assert_true(r.findings[i - 1].line <= r.findings[i].line);
        for (size_t i = 0; i < r.count; i++) {
            assert_true(r.findings[i].line >= 1);
            assert_int_equal(r.findings[i].level, want_level(r.findings[i].rule));
        }
        lint_report_free(&r);
    }
}

static void test_one_megabyte_line(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *text = malloc(n + 32);
    assert_non_null(text);
    memcpy(text, "set -e\necho ", 12);
    memset(text + 12, 'a', n);
    memcpy(text + 12 + n, "\nwget https://x/m\n", 18);
    struct lint_report r;
    lint_text(text, n + 30, &r);
    const struct want w[] = {{LINT_UNCHECKED_DOWNLOAD, 3}};
    expect(&r, w, 1);
    lint_report_free(&r);
    free(text);
}

/* --- files and names --- */

static void test_lint_file_errors(void **state)
{
    (void)state;
    struct lint_report r;
    struct gw_error err = {0};
    assert_int_equal(lint_file("tests/fixtures/lint/no-such-file.sh", &r, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_non_null(strstr(err.msg, "cannot read tests/fixtures/lint/no-such-file.sh"));
    memset(&err, 0, sizeof err);
    assert_int_equal(lint_file("tests/fixtures/lint", &r, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_non_null(strstr(err.msg, "cannot read"));

    char path[] = "/tmp/gpuwarden-lint-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    static char chunk[1 << 16];
    memset(chunk, '#', sizeof chunk);
    for (int i = 0; i < 65; i++) /* 4 MiB + 64 KiB */
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, f), sizeof chunk);
    fclose(f);
    memset(&err, 0, sizeof err);
    assert_int_equal(lint_file(path, &r, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_non_null(strstr(err.msg, "4 MiB"));
    unlink(path);
}

static void test_names_levels_cases(void **state)
{
    (void)state;
    static const char *const names[LINT_RULE_COUNT] = {
        "no-errexit",         "swallowed-error",  "unverified-success",
        "unchecked-download", "no-health-wait",   "devel-image",
        "insecure-ssh",       "plain-ssh-tunnel", "destructive-command",
    };
    for (int i = 0; i < LINT_RULE_COUNT; i++)
        assert_string_equal(lint_rule_name((enum lint_rule)i), names[i]);
    assert_string_equal(lint_rule_name(LINT_RULE_COUNT), "?");
    struct lint_report r;
    lint_fixture("vllm_onstart_bad.sh", &r);
    static const int cases[LINT_RULE_COUNT] = {3, 3, 3, 3, 8, 5, 4, 4, 6};
    for (size_t i = 0; i < r.count; i++)
        assert_int_equal(r.findings[i].case_id, cases[r.findings[i].rule]);
    lint_report_free(&r);
    struct lint_report warn_only = lint_str("set -e\nwget https://x/m\n");
    assert_false(lint_has_block(&warn_only));
    assert_int_equal(lint_count(&warn_only, LINT_UNCHECKED_DOWNLOAD), 1);
    lint_report_free(&warn_only);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errexit_missing),
        cmocka_unit_test(test_errexit_variants),
        cmocka_unit_test(test_errexit_shebang),
        cmocka_unit_test(test_errexit_after_first_command),
        cmocka_unit_test(test_errexit_empty_and_comments),
        cmocka_unit_test(test_errexit_trap_alone),
        cmocka_unit_test(test_errexit_conditional_or_function),
        cmocka_unit_test(test_errexit_continuation),
        cmocka_unit_test(test_swallowed_seed_message),
        cmocka_unit_test(test_swallowed_steps),
        cmocka_unit_test(test_swallowed_harmless),
        cmocka_unit_test(test_swallowed_data_not_commands),
        cmocka_unit_test(test_swallowed_one_per_command),
        cmocka_unit_test(test_swallowed_continuation_reports_first_line),
        cmocka_unit_test(test_swallowed_in_substitution),
        cmocka_unit_test(test_swallowed_function),
        cmocka_unit_test(test_unverified_basic),
        cmocka_unit_test(test_unverified_checks),
        cmocka_unit_test(test_unverified_markers),
        cmocka_unit_test(test_unverified_loop_done_is_not_a_marker),
        cmocka_unit_test(test_unverified_then_branch_of_check),
        cmocka_unit_test(test_unverified_functions),
        cmocka_unit_test(test_unverified_one_per_stretch),
        cmocka_unit_test(test_unchecked_download_basic),
        cmocka_unit_test(test_unchecked_download_kinds),
        cmocka_unit_test(test_unchecked_download_in_function),
        cmocka_unit_test(test_unchecked_download_python_heredoc),
        cmocka_unit_test(test_health_wait_missing),
        cmocka_unit_test(test_health_wait_unbounded),
        cmocka_unit_test(test_health_wait_bounded),
        cmocka_unit_test(test_health_wait_function),
        cmocka_unit_test(test_health_wait_not_services),
        cmocka_unit_test(test_devel_image),
        cmocka_unit_test(test_insecure_ssh),
        cmocka_unit_test(test_plain_ssh_tunnel),
        cmocka_unit_test(test_destructive),
        cmocka_unit_test(test_seed_bad_script),
        cmocka_unit_test(test_seed_good_script),
        cmocka_unit_test(test_vllm_onstart_script),
        cmocka_unit_test(test_clean_real_world_scripts),
        cmocka_unit_test(test_findings_sorted),
        cmocka_unit_test(test_shlex_structure),
        cmocka_unit_test(test_shlex_heredocs),
        cmocka_unit_test(test_shlex_case_and_dbracket),
        cmocka_unit_test(test_unterminated_constructs),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_one_megabyte_line),
        cmocka_unit_test(test_lint_file_errors),
        cmocka_unit_test(test_names_levels_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
