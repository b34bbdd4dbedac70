"""End-to-end tests of `gpuwarden lint FILE [--json]` (SPEC §5).

Run from the repository root:
    python3 -m unittest tests.integration.test_lint_cli -v

The binary is $GPUWARDEN_BIN, else build/asan/gpuwarden (see fakevast.find_binary). The scripts
are written by the tests into a temporary folder (the seed's two §5 examples are read from
tests/fixtures/lint/seed_bad.sh and seed_good.sh), except the bundled recipe scripts, which are
linted where they ship (assets/recipes/*.sh) so a shipped recipe can never carry a block finding.
"""

import glob
import json
import os
import random
import shutil
import subprocess
import time
import unittest

if __package__:
    from .fakevast import REPO, find_binary, make_temp_home
    from .figures import bad_input
else:   # run as a script, or discovered without -t
    from fakevast import REPO, find_binary, make_temp_home
    from figures import bad_input

RUN_TIMEOUT = 30
RULES = {"no-errexit": "block", "swallowed-error": "block", "unverified-success": "block",
         "unchecked-download": "warn", "no-health-wait": "warn", "devel-image": "warn",
         "insecure-ssh": "warn", "plain-ssh-tunnel": "warn", "destructive-command": "warn"}
FINDING_KEYS = {"rule", "level", "line", "message", "hint"}

# The seed's two §5 examples (seed/guardrails-ja.md), kept as fixtures: seed_bad.sh is
# "避けるべきパターン" verbatim; seed_good.sh is "正しいパターン: フェイルファスト + 検証" with
# its <placeholders> filled in (same lines).
LINT_FIXTURES = os.path.join(REPO, "tests", "fixtures", "lint")


def fixture(name):
    with open(os.path.join(LINT_FIXTURES, name), encoding="utf-8") as f:
        return f.read()


SEED_BAD = fixture("seed_bad.sh")
SEED_GOOD = fixture("seed_good.sh")

# Only warn-level patterns: an insecure ssh option, a plain tunnel and a prune.
WARN_ONLY = """\
#!/bin/bash
set -euo pipefail
ssh -o StrictHostKeyChecking=no -p 2222 root@127.0.0.1 true
ssh -f -N -L 8001:localhost:8001 -p 2222 root@127.0.0.1
docker system prune -af
"""

# The patterns only as data: in comments, quoted strings and a heredoc body.
DATA_ONLY = """\
#!/bin/bash
set -euo pipefail
# pip install torch || true
echo 'pip install torch || true'
echo "python download_model.py || true; echo SETUP_COMPLETE"
cat > /tmp/notes.txt <<'EOF'
pip install torch || true
ssh -o StrictHostKeyChecking=no root@host
docker system prune -af
EOF
test -s /tmp/notes.txt
"""


def lines(text):
    return [ln for ln in text.splitlines() if ln.strip()]


class LintCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()

    def setUp(self):
        self.tmp, self.home, self.xdg = make_temp_home("gw-lint-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def env(self):
        env = {k: v for k, v in os.environ.items() if k not in ("VAST_API_KEY",)}
        env["HOME"] = self.home
        env.update(self.xdg)
        env["NO_COLOR"] = "1"
        return env

    def gw(self, *args, timeout=RUN_TIMEOUT):
        return subprocess.run([self.bin] + list(args), cwd=REPO, env=self.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def script(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def lint_json(self, path, code):
        r = self.gw("lint", path, "--json")
        out = r.stdout.decode("utf-8", "replace")
        self.assertEqual(r.returncode, code, "stdout=%r stderr=%r" % (out[-2000:], r.stderr))
        try:
            doc = json.loads(out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s): %r" % (e, out[:500]))
        self.assertEqual(doc["file"], path)
        self.assert_findings_shape(doc["findings"])
        return doc["findings"]

    def assert_findings_shape(self, findings):
        for f in findings:
            self.assertLessEqual(FINDING_KEYS, set(f), f)
            self.assertIn(f["rule"], RULES, f)
            self.assertEqual(f["level"], RULES[f["rule"]], "level of %s is fixed by SPEC §5"
                             % f["rule"])
            self.assertIsInstance(f["line"], int)
            self.assertGreaterEqual(f["line"], 1)
            for k in ("message", "hint"):
                self.assertIsInstance(f[k], str)
                self.assertTrue(f[k].strip(), "empty %s: %r" % (k, f))
        got = [f["line"] for f in findings]
        self.assertEqual(got, sorted(got), "findings not in line order")

    def assert_usage_error(self, r, *needles):
        err = r.stderr.decode("utf-8", "replace")
        self.assertEqual(r.returncode, 2, "stdout=%r stderr=%r" % (r.stdout, err))
        self.assertEqual(r.stdout, b"")
        self.assertEqual(len(lines(err)), 1, "want one stderr line: %r" % err)
        for n in needles:
            self.assertIn(n, err)


class TestLintSeed(LintCase):

    def test_seed_bad_json(self):
        path = self.script("bad.sh", SEED_BAD)
        findings = self.lint_json(path, 1)
        pairs = [(f["rule"], f["line"]) for f in findings]
        swallowed = [ln for rule, ln in pairs if rule == "swallowed-error"]
        self.assertEqual(swallowed, [2, 3], pairs)
        self.assertEqual([ln for rule, ln in pairs if rule == "unverified-success"], [4], pairs)
        self.assertEqual([ln for rule, ln in pairs if rule == "no-errexit"], [2], pairs)
        for f in findings:
            if f["rule"] in ("swallowed-error", "unverified-success", "no-errexit"):
                self.assertEqual(f["level"], "block")
        # nothing outside lines 2-4 (line 1 is a comment)
        self.assertTrue(all(2 <= ln <= 4 for _, ln in pairs), pairs)

    def test_seed_bad_text(self):
        path = self.script("bad.sh", SEED_BAD)
        r = self.gw("lint", path)
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 1, out)
        self.assertIn("%s:2: BLOCK swallowed-error:" % path, out)
        self.assertIn("%s:3: BLOCK swallowed-error:" % path, out)
        self.assertIn("%s:4: BLOCK unverified-success:" % path, out)
        self.assertIn("fix: ", out)
        n_block = out.count(": BLOCK ")
        self.assertRegex(out, r"\n\d+ findings?, %d blocking\n$" % n_block)

    def test_seed_good(self):
        path = self.script("good.sh", SEED_GOOD)
        findings = self.lint_json(path, 0)
        self.assertEqual([f for f in findings if f["level"] == "block"], [])
        r = self.gw("lint", path)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertNotIn(b"BLOCK", r.stdout)

    def test_seed_bad_without_comment_header(self):
        # with set -e the same script still fails on the swallowed errors and the marker
        path = self.script("bad2.sh", "#!/bin/bash\nset -euo pipefail\n" + SEED_BAD)
        findings = self.lint_json(path, 1)
        rules = sorted({f["rule"] for f in findings if f["level"] == "block"})
        self.assertEqual(rules, ["swallowed-error", "unverified-success"])
        self.assertEqual([f["line"] for f in findings if f["rule"] == "swallowed-error"], [4, 5])


class TestLintCli(LintCase):

    def test_warn_only_exits_0(self):
        path = self.script("warn.sh", WARN_ONLY)
        findings = self.lint_json(path, 0)
        got = {(f["rule"], f["line"]) for f in findings}
        self.assertEqual(got, {("insecure-ssh", 3), ("plain-ssh-tunnel", 4),
                               ("destructive-command", 5)})
        self.assertTrue(all(f["level"] == "warn" for f in findings))
        r = self.gw("lint", path)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"3 findings, 0 blocking", r.stdout)

    def test_clean_script(self):
        path = self.script("clean.sh", "#!/bin/sh\nset -eu\necho hello\n")
        self.assertEqual(self.lint_json(path, 0), [])
        r = self.gw("lint", path)
        self.assertEqual((r.returncode, r.stdout.decode()), (0, "%s: no findings\n" % path))

    def test_data_is_not_a_command(self):
        path = self.script("data.sh", DATA_ONLY)
        findings = self.lint_json(path, 0)
        self.assertEqual(findings, [], "comments, strings and heredoc bodies are data")

    def test_no_errexit_alone(self):
        path = self.script("noe.sh", "#!/bin/bash\necho start\npip install torch\n")
        findings = self.lint_json(path, 1)
        self.assertEqual([(f["rule"], f["line"]) for f in findings if f["level"] == "block"],
                         [("no-errexit", 2)])

    @bad_input()
    def test_missing_file(self):
        path = os.path.join(self.tmp, "no-such-script.sh")
        r = self.gw("lint", path)
        self.assert_usage_error(r, path)
        r = self.gw("lint", path, "--json")
        self.assert_usage_error(r, path)

    @bad_input()
    def test_directory(self):
        r = self.gw("lint", self.tmp)
        self.assert_usage_error(r, self.tmp)

    @bad_input()
    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("root reads mode 000 files")
        path = self.script("secret.sh", "set -e\n")
        os.chmod(path, 0)
        self.assert_usage_error(self.gw("lint", path), path)

    @bad_input()
    def test_no_file_argument(self):
        self.assert_usage_error(self.gw("lint"), "lint needs a FILE")
        self.assert_usage_error(self.gw("lint", "--json"), "lint needs a FILE")

    @bad_input()
    def test_two_files_is_usage_error(self):
        a = self.script("a.sh", "set -e\n")
        r = self.gw("lint", a, a)
        self.assert_usage_error(r)

    @bad_input()
    def test_binary_garbage(self):
        rnd = random.Random(20261128)
        data = bytes(rnd.getrandbits(8) for _ in range(256 * 1024))
        path = self.script("garbage.bin", data)
        r = self.gw("lint", path, "--json")
        self.assertIn(r.returncode, (0, 1), r.stderr.decode("utf-8", "replace")[-2000:])
        doc = json.loads(r.stdout.decode("utf-8", "replace"))
        self.assert_findings_shape(doc["findings"])
        # NUL bytes and invalid UTF-8 in the middle of a real script do not hide a finding
        # (the garbage line keeps no shell syntax: no quote, comment, escape or operator)
        junk = bytes(b for b in data[:8192] if b not in b"'\"`\\#$()<>|&;{}\n\r")
        text = (b"#!/bin/bash\nset -euo pipefail\necho \xff\xfe\x00\x01 junk\n" + junk +
                b"\npip install torch || true\n")
        path = self.script("mixed.sh", text)
        r = self.gw("lint", path, "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = json.loads(r.stdout.decode("utf-8", "replace"))
        self.assertEqual([f["line"] for f in doc["findings"] if f["rule"] == "swallowed-error"],
                         [5])

    def test_large_script_is_fast(self):
        body = ["#!/bin/bash", "set -euo pipefail"]
        size, i = 0, 0
        while size < 2 * 1024 * 1024:
            i += 1
            body.append('echo "step %d: $(date +%%s)" >> /tmp/setup.log  # note %d' % (i, i))
            size += len(body[-1]) + 1
        body.append("pip install torch || true")
        path = self.script("big.sh", "\n".join(body) + "\n")
        self.assertGreater(os.path.getsize(path), 2 * 1024 * 1024)
        t0 = time.monotonic()
        findings = self.lint_json(path, 1)
        self.assertLess(time.monotonic() - t0, 10, "a 2 MB script takes too long")
        self.assertEqual([(f["rule"], f["line"]) for f in findings],
                         [("swallowed-error", len(body))])

    @bad_input()
    def test_too_large_file_is_refused(self):
        path = self.script("huge.sh", "set -e\n" + "#" * (5 * 1024 * 1024) + "\n")
        self.assert_usage_error(self.gw("lint", path), path)


class TestBundledRecipeScripts(LintCase):
    """The shipped recipes' setup scripts must pass the lint (exit 0, no block finding)."""

    def test_bundled_scripts_have_no_block_finding(self):
        scripts = sorted(glob.glob(os.path.join(REPO, "assets", "recipes", "*.sh")))
        self.assertGreaterEqual(len(scripts), 2, scripts)
        for path in scripts:
            with self.subTest(script=os.path.basename(path)):
                findings = self.lint_json(path, 0)
                self.assertEqual([f for f in findings if f["level"] == "block"], [])


if __name__ == "__main__":
    unittest.main()
