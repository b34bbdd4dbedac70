"""The config file ($XDG_CONFIG_HOME/gpuwarden/config) and `gpuwarden config` (issue 9): every
key, the precedence flag > environment > config file > default, and errors that name the line.

Run from the repository root:
    python3 -m unittest tests.integration.test_config_cli -v

Temporary HOME and XDG folders, no API key; nothing is contacted (the demo provider and
`gpuwarden config` only).
"""

import json
import os
import re
import shutil
import subprocess
import unittest

if __package__:
    from .fakevast import find_binary, make_temp_home
    from .figures import bad_input
else:   # run as a script, or discovered without -t
    from fakevast import find_binary, make_temp_home
    from figures import bad_input

KEYS = ["provider", "api_url", "recipe", "min_vram", "max_dph", "min_reliability",
        "block_regions", "prefer_regions", "min_inet", "min_cuda", "min_disk", "refresh",
        "ssh_key", "ssh_user", "theme", "mouse", "hub_url", "github_url", "hf_url"]

# one value per key, each different from its default
EVERY_KEY = {
    "provider": "demo", "api_url": "https://vast.example.com", "recipe": "pytorch-smoke",
    "min_vram": "16", "max_dph": "0.5", "min_reliability": "0.95", "block_regions": "CN,RU",
    "prefer_regions": "DE,NL", "min_inet": "250", "min_cuda": "12.4", "min_disk": "80",
    "refresh": "120", "ssh_key": "/keys/id_test", "ssh_user": "ubuntu", "theme": "mono",
    "mouse": "yes", "hub_url": "https://hub.example.com", "github_url": "https://gh.example.com",
    "hf_url": "https://hf.example.com",
}


class ConfigCli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()

    def setUp(self):
        self.tmp, self.home, self.xdg = make_temp_home("gw-config-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.file = os.path.join(self.xdg["XDG_CONFIG_HOME"], "gpuwarden", "config")
        os.makedirs(os.path.dirname(self.file))

    def write(self, text):
        with open(self.file, "w", encoding="utf-8") as f:
            f.write(text)

    def run_gw(self, *args, env=None):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
             "LANG": "C.UTF-8"}
        e.update(self.xdg)
        e.update(env or {})
        return subprocess.run([self.bin] + list(args), env=e, capture_output=True, text=True,
                              timeout=30)

    def settings(self, *args, env=None):
        """`gpuwarden config` as {key: (value, origin)}."""
        r = self.run_gw("config", *args, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^(\w+)\s+= (.*?)\s+# .*; from (.*?) \((?:env|flag)", line)
            if m:
                out[m.group(1)] = (m.group(2), m.group(3))
        return out, r.stdout

    def test_defaults_and_every_key_listed(self):
        got, text = self.settings()
        self.assertEqual(list(got), KEYS)
        self.assertTrue(all(origin == "default" for _, origin in got.values()), got)
        self.assertIn("(not present)", text)
        self.assertIn("API key: none found", text)
        self.assertEqual(got["min_reliability"][0], "0.99")
        self.assertEqual(got["block_regions"][0], "CN")

    def test_every_key_from_the_file(self):
        lines = ["# my settings", ""] + ["%s = %s" % kv for kv in EVERY_KEY.items()]
        self.write("\n".join(lines) + "\n")
        got, text = self.settings()
        self.assertIn("(read)", text)
        for n, key in enumerate(EVERY_KEY, start=3):
            self.assertEqual(got[key], (EVERY_KEY[key], "config file, line %d" % n), key)

    def test_precedence_flag_over_env_over_file(self):
        self.write("api_url = https://file.example.com\nssh_user = fromfile\ntheme = default\n"
                   "max_dph = 0.5\nmouse = yes\n")
        env = {"VAST_URL": "https://env.example.com", "GPUWARDEN_SSH_USER": "fromenv",
               "NO_COLOR": "1"}
        got, _ = self.settings(env=env)
        self.assertEqual(got["api_url"], ("https://env.example.com", "environment, VAST_URL"))
        self.assertEqual(got["ssh_user"], ("fromenv", "environment, GPUWARDEN_SSH_USER"))
        self.assertEqual(got["theme"], ("mono", "environment, NO_COLOR"))
        self.assertEqual(got["max_dph"], ("0.5", "config file, line 4"))
        got, _ = self.settings("--api-url", "https://flag.example.com", "--ssh-user", "fromflag",
                               "--theme", "default", "--max-dph", "0.25", "--no-mouse", env=env)
        self.assertEqual(got["api_url"], ("https://flag.example.com", "flag"))
        self.assertEqual(got["ssh_user"], ("fromflag", "flag"))
        self.assertEqual(got["theme"], ("default", "flag"))
        self.assertEqual(got["max_dph"], ("0.25", "flag"))
        self.assertEqual(got["mouse"], ("no", "flag"))

    def test_file_settings_change_what_commands_do(self):
        # block DE from the file: the demo market's German offers turn BLOCK
        self.write("provider = demo\nblock_regions = DE\n")
        r = self.run_gw("offers", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["provider"], "demo")
        self.assertEqual(doc["requirements"]["block_regions"], ["DE"])
        german = [o for o in doc["offers"] if o["country"] == "DE"]
        self.assertTrue(german)
        self.assertTrue(all(o["verdict"] == "block" for o in german))

    @bad_input(7)
    def test_errors_name_the_line(self):
        cases = [
            ("max_dph = lots\n", r":1: max_dph: .*needs a number, got 'lots'"),
            ("# ok\ncolour = red\n", r":2: unknown key 'colour'"),
            ("just words\n", r":1: expected `key = value`"),
            ("refresh = 10\nrefresh = 20\n", r":2: 'refresh' is already set on line 1"),
            ("mouse = maybe\n", r":1: mouse: needs yes or no, got 'maybe'"),
            ("theme = neon\n", r":1: theme: .*'default' or 'mono'"),
            ("api_url = http://example.com\n", r":1: api_url: .*only for loopback"),
        ]
        for text, want in cases:
            with self.subTest(text=text):
                self.write(text)
                r = self.run_gw("offers", "--provider", "demo")
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stdout, "")
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertIn(self.file, r.stderr)
                self.assertRegex(r.stderr, want)

    def test_help_works_with_a_broken_file(self):
        self.write("this is not a setting\n")
        r = self.run_gw("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: gpuwarden", r.stdout)


if __name__ == "__main__":
    unittest.main()
