"""`make install` / `make uninstall` into a temporary prefix, and the documentation that cannot
drift (issue 9): the man page, `--help` and the shell completions against the option table
(src/cli.c), the key binding table (ui/keys.c) and the config keys.

Run from the repository root:
    python3 -m unittest tests.integration.test_install_docs -v
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

if __package__:
    from .fakevast import REPO, make_temp_home
else:   # run as a script, or discovered without -t
    from fakevast import REPO, make_temp_home


def read(rel):
    with open(os.path.join(REPO, rel), encoding="utf-8") as f:
        return f.read()


def long_options():
    """Every --option of the command line, from src/cli.c's getopt table."""
    table = read("src/cli.c").split("long_options[] = {", 1)[1].split("};", 1)[0]
    return re.findall(r'\{"([a-z-]+)", (?:no|required)_argument', table)


def commands():
    table = read("src/cli.c").split("command_names[] = {", 1)[1].split("};", 1)[0]
    return [c for c in re.findall(r'\] = "([a-z]*)"', table) if c]


def config_keys():
    table = read("src/cli.c").split("} settings[] = {", 1)[1].split("};", 1)[0]
    return re.findall(r'\{"([a-z_]+)", OPT_', table)


def key_names():
    """The names the help overlay shows for each binding of ui/keys.c."""
    table = read("ui/keys.c").split("keys_table[] = {", 1)[1].split("};", 1)[0]
    return sorted(set(re.findall(r'\{[^,]+, "([^"]+)", ACT_', table)))


def man_text():
    """The man page as groff source with the escapes that matter undone."""
    return read("gpuwarden.1").replace("\\-", "-").replace("\\fP", "").replace("\\fR", "") \
        .replace("\\fI", "").replace("\\fB", "")


class TestDocsAgree(unittest.TestCase):

    def test_every_option_is_in_the_man_page_and_a_help(self):
        binary = os.path.join(REPO, "gpuwarden")
        if not os.path.exists(binary):
            self.skipTest("./gpuwarden is not built")
        helps = ""
        for cmd in [""] + commands():
            argv = [binary] + ([cmd] if cmd else []) + ["--help"]
            helps += subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
        man = man_text()
        opts = long_options()
        self.assertGreater(len(opts), 30)
        for opt in opts:
            self.assertIn("--" + opt, man, "--%s is missing from gpuwarden.1" % opt)
            self.assertIn("--" + opt, helps, "--%s is in no --help" % opt)

    def test_every_command_is_in_the_man_page_and_the_completions(self):
        man = man_text()
        bash = read("completions/gpuwarden.bash")
        zsh = read("completions/_gpuwarden")
        for cmd in commands():
            self.assertRegex(man, r"\.B gpuwarden %s\b" % cmd, cmd)
            self.assertRegex(bash, r"\b%s\b" % cmd, cmd)
            self.assertIn("'%s:" % cmd, zsh, cmd)

    def test_every_option_is_completed(self):
        bash = read("completions/gpuwarden.bash")
        zsh = read("completions/_gpuwarden")
        for opt in long_options():
            self.assertRegex(bash, r"--%s\b" % re.escape(opt), opt)
            self.assertIn("'--%s[" % opt, zsh, opt)

    def test_every_key_is_in_the_man_page(self):
        keys = man_text().split(".SH KEYS", 1)[1].split(".SH ENVIRONMENT", 1)[0]
        names = key_names()
        self.assertIn("S", names)
        for name in names:
            self.assertRegex(keys, r"(?m)(^|[ \"])%s([ \"]|$)" % re.escape(name),
                             "key %r is missing from the KEYS section" % name)

    def test_every_config_key_is_in_the_man_page(self):
        files = man_text().split(".SH FILES", 1)[1]
        for key in config_keys():
            self.assertRegex(files, r"\b%s\b" % key, key)

    def test_the_man_page_renders_without_warnings(self):
        if shutil.which("man") is None:
            self.skipTest("man is not installed")
        r = subprocess.run(["man", "--warnings", "-l", os.path.join(REPO, "gpuwarden.1")],
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "")
        self.assertIn("EXIT STATUS", r.stdout)


class TestInstall(unittest.TestCase):

    def test_install_run_elsewhere_uninstall(self):
        if shutil.which("make") is None or not os.path.exists(os.path.join(REPO, "gpuwarden")):
            self.skipTest("needs make and a built ./gpuwarden")
        prefix = tempfile.mkdtemp(prefix="gw-prefix-")
        self.addCleanup(shutil.rmtree, prefix, True)
        tmp, home, xdg = make_temp_home("gw-install-")
        self.addCleanup(shutil.rmtree, tmp, True)
        r = subprocess.run(["make", "-s", "install", "PREFIX=" + prefix], cwd=REPO,
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        installed = sorted(os.path.relpath(os.path.join(d, f), prefix)
                           for d, _, fs in os.walk(prefix) for f in fs)
        self.assertEqual(installed, ["bin/gpuwarden", "share/bash-completion/completions/gpuwarden",
                                     "share/locale/ja/LC_MESSAGES/gpuwarden.mo",
                                     "share/man/man1/gpuwarden.1",
                                     "share/zsh/site-functions/_gpuwarden"])
        # from a folder far from the source tree: the assets travel inside the binary
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"}
        env.update(xdg)
        exe = os.path.join(prefix, "bin", "gpuwarden")
        for argv, needle in ((["cases", "7"], "RTX 3060 8GB/12GB"),
                             (["recipes"], "pytorch-smoke"),
                             (["offers", "--provider", "demo", "--limit", "3"], "VERDICT")):
            r = subprocess.run([exe] + argv, cwd=tmp, env=env, capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 0, (argv, r.stderr))
            self.assertIn(needle, r.stdout, argv)
        # the installed catalogue, found from the binary's own prefix (<prefix>/share/locale)
        locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
        if "ja_jp.utf8" in locales.replace("-", ""):
            ja = dict(env, LANG="ja_JP.UTF-8", LC_ALL="ja_JP.UTF-8")
            r = subprocess.run([exe, "cases", "7"], cwd=tmp, env=ja, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("事例7: RTX 3060 8GB/12GBバリアント不一致", r.stdout)
        if shutil.which("bash"):
            comp = os.path.join(prefix, "share/bash-completion/completions/gpuwarden")
            r = subprocess.run(["bash", "-n", comp], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(["make", "-s", "uninstall", "PREFIX=" + prefix], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        left = [f for _, _, fs in os.walk(prefix) for f in fs]
        self.assertEqual(left, [])


if __name__ == "__main__":
    unittest.main()
