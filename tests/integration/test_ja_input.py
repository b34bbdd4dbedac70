"""The input side in Japanese (issue 9): flag, config-file, query and recipe errors, lint
findings, `--help`, `gpuwarden config` and `gpuwarden recipes` under LANG=ja_JP.UTF-8, and the
same commands under C.UTF-8 still in English with the same exit status.

Run from the repository root:
    python3 -m unittest tests.integration.test_ja_input -v

The expected Japanese is read from po/ja.po (the msgstr of each message, formatted as the binary
formats it), so a message the binary leaves in English, or a catalogue that lacks it, fails.
The catalogue is build/locale (built by `make`); the binary finds it next to itself. Nothing is
contacted: the demo provider, local files and `gpuwarden config` only. Skipped when the
ja_JP.UTF-8 locale is not installed (scripts/deps.sh test generates it).
"""

import json
import os
import re
import shutil
import subprocess
import unittest

if __package__:
    from .fakevast import REPO, find_binary, make_temp_home
    from .jatext import EN, JA, c_format, ja_locale_available, read_po, width
else:   # run as a script, or discovered without -t
    from fakevast import REPO, find_binary, make_temp_home
    from jatext import EN, JA, c_format, ja_locale_available, read_po, width

RUN_TIMEOUT = 30




class JapaneseInput(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not ja_locale_available():
            raise unittest.SkipTest("the ja_JP.UTF-8 locale is not installed")
        cls.bin = find_binary()
        cls.po = read_po(os.path.join(REPO, "po", "ja.po"))

    def setUp(self):
        self.tmp, self.home, self.xdg = make_temp_home("gw-ja-input-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # --- helpers --------------------------------------------------------------------------

    def ja(self, msgid, ctx=None):
        """The msgstr po/ja.po gives msgid; it must be Japanese, not a copy of the English."""
        self.assertIn((ctx, msgid), self.po, "po/ja.po has no translation of %r" % msgid)
        text = self.po[(ctx, msgid)]
        self.assertRegex(text, r"[\u3040-\u30ff\u4e00-\u9fff]", "not Japanese: %r" % text)
        return text

    def run_gw(self, lang, *args, env=None):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
             "LANG": lang, "LC_ALL": lang}
        e.update(self.xdg)
        e.update(env or {})
        return subprocess.run([self.bin] + list(args), env=e, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)

    def both(self, *args, env=None):
        """(Japanese run, English run) of the same command; same exit status in both."""
        j, e = self.run_gw(JA, *args, env=env), self.run_gw(EN, *args, env=env)
        self.assertEqual(j.returncode, e.returncode, "exit status differs by language: %s\n%s"
                         % (j.stderr, e.stderr))
        return j, e

    def write_config(self, text):
        path = os.path.join(self.xdg["XDG_CONFIG_HOME"], "gpuwarden", "config")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def assert_error(self, args, msgid, fmt_args, english, env=None, rc=2):
        """The one-line error: Japanese msgstr under ja, the exact English under C.UTF-8."""
        j, e = self.both(*args, env=env)
        self.assertEqual(e.returncode, rc, e.stderr)
        self.assertEqual(e.stderr, "gpuwarden: %s\n" % english)
        self.assertEqual(c_format(msgid, *fmt_args), english, "the msgid is not the English text")
        self.assertEqual(j.stderr, "gpuwarden: %s\n" % c_format(self.ja(msgid), *fmt_args))
        self.assertEqual(j.stdout, "")

    # --- errors -----------------------------------------------------------------------------

    def test_json_runs_say_their_errors_in_english(self):
        """--json makes the whole run English, the parse included: a flag error, a config-file
        error and a query warning read the same under ja as under C.UTF-8."""
        self.write_config("max_dph = cheap\n")
        j, e = self.both("offers", "--provider", "demo", "--json")
        self.assertEqual(e.returncode, 2)
        self.assertEqual(j.stderr, e.stderr)
        self.assertIn("max_dph", e.stderr)
        os.remove(self.write_config(""))
        for args in (["--min-vram", "abc"], ["--query", "foo=1"]):
            j, e = self.both("offers", "--provider", "demo", "--json", *args)
            self.assertEqual(j.stderr, e.stderr, args)
            self.assertTrue(e.stderr.startswith("gpuwarden: "), e.stderr)
            # without --json the same command speaks Japanese: the test can tell them apart
            ja = self.run_gw(JA, "offers", "--provider", "demo", *args)
            self.assertNotEqual(ja.stderr, e.stderr, args)

    def test_bad_flag_values(self):
        cases = [
            (["offers", "--limit", "abc"], "--%s needs a number, got '%s'", ("limit", "abc")),
            (["offers", "--min-reliability", "2"], "--%s must be between %g and %g, got '%s'",
             ("min-reliability", 0, 1, "2")),
            (["offers", "--provider", "aws"], "--provider must be 'vast' or 'demo', got '%s'",
             ("aws",)),
            (["offers", "--bogus"], "unknown option '%s' (try: gpuwarden %s%s--help)",
             ("--bogus", "offers", " ")),
            (["frobnicate"], "unknown command '%s' (try: gpuwarden --help)", ("frobnicate",)),
            (["stop", "abc"], "%s needs an instance id, got '%s' (usage: gpuwarden %s ID "
             "--confirm ID); nothing was sent", ("stop", "abc", "stop")),
            (["launch", "--offer", "4242307", "--recipe", "pytorch-smoke", "--confirm", "1"],
             "--confirm %lld does not match --offer %lld: --confirm must repeat the offer id you "
             "mean to rent; nothing was rented", (1, 4242307)),
        ]
        english = {
            "--limit": "--limit needs a number, got 'abc'",
            "--min-reliability": "--min-reliability must be between 0 and 1, got '2'",
            "--provider": "--provider must be 'vast' or 'demo', got 'aws'",
            "--bogus": "unknown option '--bogus' (try: gpuwarden offers --help)",
            "frobnicate": "unknown command 'frobnicate' (try: gpuwarden --help)",
            "abc": "stop needs an instance id, got 'abc' (usage: gpuwarden stop ID --confirm ID); "
                   "nothing was sent",
            "--offer": "--confirm 1 does not match --offer 4242307: --confirm must repeat the "
                       "offer id you mean to rent; nothing was rented",
        }
        for args, msgid, fmt_args in cases:
            key = args[1] if args[0] != "frobnicate" else "frobnicate"
            with self.subTest(args=args):
                self.assert_error(args, msgid, fmt_args, english[key])

    def test_config_file_errors_name_the_file_and_line(self):
        path = self.write_config("provider = demo\ncolour = red\n")
        self.assert_error(["offers", "--limit", "1"],
                          "%s:%d: unknown key '%s' (see gpuwarden config)", (path, 2, "colour"),
                          "%s:2: unknown key 'colour' (see gpuwarden config)" % path)
        self.write_config("# mine\nmin_vram = 8\nmin_vram = 12\n")
        self.assert_error(["offers"], "%s:%d: '%s' is already set on line %d",
                          (path, 3, "min_vram", 2),
                          "%s:3: 'min_vram' is already set on line 2" % path)
        # a bad value: the file's line, the key, then the flag's own message
        self.write_config("min_reliability = 2\n")
        j, e = self.both("offers")
        self.assertEqual(e.returncode, 2)
        self.assertEqual(e.stderr, "gpuwarden: %s:1: min_reliability: --min-reliability must be "
                         "between 0 and 1, got '2'\n" % path)
        inner = c_format(self.ja("--%s must be between %g and %g, got '%s'"),
                     "min-reliability", 0, 1, "2")
        self.assertEqual(j.stderr, "gpuwarden: %s:1: min_reliability: %s\n" % (path, inner))

    def test_bad_query(self):
        j, e = self.both("offers", "--provider", "demo", "--query", "gpu_ram ~ 5")
        self.assertEqual(e.returncode, 2)
        self.assertEqual(e.stderr, "gpuwarden: --query: unknown operator '~' after 'gpu_ram'\n")
        msg = self.ja("unknown operator '%.*s' after '%s'").replace("%.*s", "%s")  # by hand
        self.assertEqual(j.stderr, "gpuwarden: --query: %s\n" % (msg % ("~", "gpu_ram")))
        j, e = self.both("offers", "--provider", "demo", "--query", "order = dph")
        self.assertEqual(e.stderr, "gpuwarden: --query: 'order' is not a filter (use --sort "
                         "FIELD[-])\n")
        self.assertEqual(j.stderr, "gpuwarden: --query: %s\n"
                         % c_format(self.ja("'%s' is not a filter (use %s)"), "order",
                                "--sort FIELD[-]"))
        self.assertEqual(j.returncode, 2)
        # a warning, not an error: the offers still come
        j, e = self.both("offers", "--provider", "demo", "--query", "foo_bar = 3", "--limit", "1")
        self.assertEqual(e.returncode, 0, e.stderr)
        self.assertIn("unrecognized field 'foo_bar' (sent anyway)", e.stderr)
        self.assertIn(c_format(self.ja("unrecognized field '%s' (sent anyway)"), "foo_bar"), j.stderr)

    def test_bad_recipe_file(self):
        with open(os.path.join(REPO, "assets", "recipes", "pytorch-smoke.json"),
                  encoding="utf-8") as f:
            recipe = json.load(f)
        recipe["ports"] = [70000]
        path = os.path.join(self.tmp, "bad.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(recipe, f)
        j, e = self.both("offers", "--provider", "demo", "--recipe", path)
        self.assertEqual(e.returncode, 2)
        self.assertEqual(e.stderr, "gpuwarden: recipe %s: field 'ports' must be a list of port "
                         "numbers from 1 to 65535, got 70000\n" % path)
        self.assertEqual(j.stderr, "gpuwarden: %s\n" % c_format(
            self.ja("recipe %s: field '%s' must be %s, got %s"), path, "ports",
            self.ja("a list of port numbers from 1 to 65535"), "70000"))

    # --- lint -------------------------------------------------------------------------------

    def test_lint_findings(self):
        script = os.path.join(REPO, "tests", "fixtures", "lint", "seed_bad.sh")
        j, e = self.both("lint", script)
        self.assertEqual(e.returncode, 1, e.stderr)
        first_en = ("%s:2: BLOCK no-errexit: no `set -e` before the first command `pip install "
                    "torch`: a failed step does not stop the script\n    fix: add `set -euo "
                    "pipefail` on the line after the shebang (case 3)\n" % script)
        self.assertTrue(e.stdout.startswith(first_en), e.stdout)
        self.assertTrue(e.stdout.endswith("5 findings, 4 blocking\n"), e.stdout)
        finding = c_format(self.ja("%s:%d: %s %s: %s\n    fix: %s (case %d)\n"), script, 2, "BLOCK",
                       "no-errexit",
                       c_format(self.ja("no `set -e` before the first command `%s`: a failed step "
                                    "does not stop the script"), "pip install torch"),
                       self.ja("add `set -euo pipefail` on the line after the shebang"), 3)
        self.assertTrue(j.stdout.startswith(finding), j.stdout)
        # the kind of step is translated inside the sentence (msgctxt "kind of setup step")
        hint = c_format(self.ja("remove `|| %s`; with `set -euo pipefail` a failed %s stops the "
                            "script"), "true", self.ja("model download", "kind of setup step"))
        swallowed = c_format(self.ja("%s:%d: %s %s: %s\n    fix: %s (case %d)\n"), script, 3,
                         "BLOCK", "swallowed-error",
                         c_format(self.ja("`%s` failure is swallowed by `|| %s`"),
                              "python download_model.py", "true"), hint, 3)
        self.assertIn(swallowed, j.stdout)
        self.assertTrue(j.stdout.endswith(c_format(self.ja("%zu findings, %zu blocking\n"), 5, 4)))
        # one finding per line pair in both languages; the rule names and levels stay English
        self.assertEqual(re.findall(r"^\S+:(\d+): (BLOCK|WARN) ([a-z-]+): ", j.stdout, re.M),
                         re.findall(r"^\S+:(\d+): (BLOCK|WARN) ([a-z-]+): ", e.stdout, re.M))
        # --json stays English whatever the locale
        j, e = self.both("lint", "--json", script)
        self.assertEqual(j.stdout, e.stdout)

    def test_lint_clean_script(self):
        path = os.path.join(self.tmp, "clean.sh")
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/bin/bash\nset -euo pipefail\necho hello\n")
        j, e = self.both("lint", path)
        self.assertEqual(e.returncode, 0)
        self.assertEqual(e.stdout, "%s: no findings\n" % path)
        self.assertEqual(j.stdout, c_format(self.ja("%s: no findings\n"), path))

    # --- --help -----------------------------------------------------------------------------

    def block(self, start):
        """The one msgid (a usage block) of po/ja.po that starts with `start`."""
        found = [k[1] for k in self.po if k[0] is None and k[1].startswith(start)]
        self.assertEqual(len(found), 1, "usage blocks starting with %r: %d" % (start, len(found)))
        return found[0]

    def test_help_in_japanese_and_unchanged_in_english(self):
        options, ssh = self.block("options:\n"), self.block("  --ssh-key PATH, --ssh-user USER")
        exit_line = "\nexit status: 0 ok, 2 usage or input error, 3 provider or network error\n"
        offers = [self.block("usage: gpuwarden offers "), options, ssh, exit_line]
        layout = {
            "": [self.block("usage: gpuwarden [COMMAND]"), options, self.block("dashboard:\n"),
                 ssh, exit_line],
            "offers": offers,
            "config": offers,
            "check": [self.block("usage: gpuwarden check "), options, ssh],
            "launch": [self.block("usage: gpuwarden launch ")],
            "instances": [self.block("usage: gpuwarden instances ")],
            "stop": [self.block("usage: gpuwarden stop ")],
            "destroy": [self.block("usage: gpuwarden stop ")],
            "audit": [self.block("usage: gpuwarden audit")],
            "lint": [self.block("usage: gpuwarden lint ")],
            "recipes": [self.block("usage: gpuwarden recipes ")],
            "cases": [self.block("usage: gpuwarden cases ")],
        }
        for cmd, blocks in layout.items():
            args = ([cmd] if cmd else []) + ["--help"]
            with self.subTest(command=cmd or "(dashboard)"):
                j, e = self.both(*args)
                self.assertEqual(e.returncode, 0, e.stderr)
                self.assertEqual(e.stdout, "".join(blocks))
                self.assertEqual(j.stdout, "".join(self.ja(b) for b in blocks))
                self.assertTrue(j.stdout.startswith("使い方: gpuwarden"), j.stdout[:80])
                # option names, metavariables, variables and config keys stay as they are
                tokens = r"--[a-z][a-z-]*|\b[A-Z][A-Z_]{2,}\b|\b[a-z]+_[a-z_]+\b"
                missing = set(re.findall(tokens, e.stdout)) - set(re.findall(tokens, j.stdout))
                self.assertEqual(missing, set(), "lost in the Japanese --help")

    # --- tables -----------------------------------------------------------------------------

    def test_recipes_table_aligns(self):
        # a user recipe with a price cap (the "max price" line) in a folder with a Japanese name
        self.xdg["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "設定")
        recipes = os.path.join(self.xdg["XDG_CONFIG_HOME"], "gpuwarden", "recipes")
        os.makedirs(recipes)
        with open(os.path.join(REPO, "assets", "recipes", "pytorch-smoke.json"),
                  encoding="utf-8") as f:
            recipe = json.load(f)
        recipe.update(name="ja-smoke", max_dph=0.5)
        with open(os.path.join(recipes, "ja-smoke.json"), "w", encoding="utf-8") as f:
            json.dump(recipe, f)
        shutil.copy(os.path.join(REPO, "assets", "recipes", recipe["setup_script"]), recipes)
        j, e = self.both("recipes")
        self.assertEqual(e.returncode, 0, e.stderr)
        self.assertIn("    max price: $0.500/h\n", e.stdout)
        self.assertIn(c_format(self.ja("    max price: $%.3f/h\n"), 0.5), j.stdout)
        rows = [ln for ln in j.stdout.splitlines() if ln and not ln.startswith(" ")]
        self.assertEqual(rows, [ln for ln in e.stdout.splitlines()
                                if ln and not ln.startswith(" ")])
        header = rows[0]
        self.assertTrue(header.startswith("NAME "), header)
        starts = [width(header[:m.start()]) for m in re.finditer(r"\S+", header)]
        self.assertEqual(len(starts), 7, header)
        self.assertGreaterEqual(len(rows), 3, rows)   # the two bundled recipes and ja-smoke
        for row in rows[1:]:
            cols = [width(row[:m.start()]) for m in re.finditer(r"\S+", row)]
            self.assertEqual(cols[:6], starts[:6], "misaligned row:\n%s\n%s" % (header, row))
            self.assertEqual(cols[6], starts[6], "misaligned origin:\n%s\n%s" % (header, row))

    def test_config_descriptions_translated_and_aligned(self):
        path = self.write_config("provider = demo\nssh_key = /鍵/id_テスト\n")
        j, e = self.both("config")
        self.assertEqual(e.returncode, 0, e.stderr)
        self.assertEqual(j.stdout.splitlines()[0],
                         c_format(self.ja("# config file: %s (read)\n"), path).rstrip("\n"))
        pat = re.compile(r"^(\w+)\s+= (.*?)\s+# (.*); from (.*?) (\((?:env|flag).*)$")
        ja_rows = [pat.match(ln) for ln in j.stdout.splitlines() if pat.match(ln)]
        en_rows = [pat.match(ln) for ln in e.stdout.splitlines() if pat.match(ln)]
        self.assertEqual(len(ja_rows), 19)
        for jm, em in zip(ja_rows, en_rows):
            # key, value, origin and the env/flag note stay as they are; the description is
            # translated (names and units, e.g. "GitHub API" and "GB", are the same)
            self.assertEqual([jm.group(k) for k in (1, 2, 4, 5)],
                             [em.group(k) for k in (1, 2, 4, 5)])
        descr = {m.group(1): m.group(3) for m in ja_rows}
        self.assertEqual(descr["provider"], self.ja("vast or demo"))
        self.assertEqual(descr["ssh_key"], self.ja("private key for launches"))
        self.assertEqual(descr["github_url"], "GitHub API")
        # the description starts at the same display column on every row, a wide value included
        for out in (j.stdout, e.stdout):
            rows = [ln for ln in out.splitlines() if pat.match(ln)]
            self.assertEqual({width(ln[:ln.index(" # ")]) for ln in rows}, {16 + 3 + 34}, out)


if __name__ == "__main__":
    unittest.main()
