"""The fleet commands in Japanese: `gpuwarden stop`, `destroy`, `instances`, `audit` and `cases`
under LANG=ja_JP.UTF-8 against the fake vast.ai server, English staying the default.

Run from the repository root:
    python3 -m unittest tests.integration.test_ja_fleet -v

What is checked: the refusals of stop/destroy (no or a wrong --confirm) read in Japanese on
stderr, exit 2 and send nothing; an HTTP error (the fake answering 500, a refused port) reads in
Japanese with the same exit code as in English, and credentials in its URL are still redacted;
the tables keep their English column headers, marks and states, and their columns line up in
display width with a Japanese label in them; under C.UTF-8 every one of those sentences is the
English one. The expected Japanese is po/ja.po's msgstr, formatted. Only 127.0.0.1 is contacted.
Skipped when the ja_JP.UTF-8 locale is not installed (scripts/deps.sh test generates it).
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

if __package__:
    from .jatext import EN, JA, ja_locale_available, width
    from .fakevast import FakeVast, find_binary, make_temp_home, destructive_requests, free_port, read_audit
else:   # run as a script, or discovered without -t
    from jatext import EN, JA, ja_locale_available, width
    from fakevast import FakeVast, find_binary, make_temp_home, destructive_requests, free_port, read_audit

FAKE_KEY = "test-key-ja-fleet-5b1e"
RUN_TIMEOUT = 60
LABEL_JA = "学習ジョブ"          # a label an operator might give: wide characters in the tables
NOW = time.time()

INSTANCES = [
    {"id": 7200001, "label": "gpuwarden:ace-step-1.5", "actual_status": "running",
     "intended_status": "running", "gpu_name": "RTX 4090", "num_gpus": 1, "dph_total": 0.4,
     "start_date": NOW - 7200},
    {"id": 7200002, "label": LABEL_JA, "actual_status": "running", "intended_status": "running",
     "gpu_name": "A100 SXM4", "num_gpus": 2, "dph_total": 1.1, "start_date": NOW - 600},
    {"id": 7200003, "label": None, "actual_status": "stopped", "intended_status": "stopped",
     "gpu_name": "RTX 3060", "num_gpus": 1, "dph_total": 0.2, "start_date": NOW - 86400},
]



def columns(header):
    """{column name: display column where it starts} of a table's header row (names are
    separated by two spaces or more)."""
    return {m.group(0): width(header[:m.start()])
            for m in re.finditer(r"\S+(?: \S+)*", header)}


def start_of(line, text):
    """Display column at which `text` starts in line."""
    i = line.index(text)
    return width(line[:i])


class JaFleetCase(unittest.TestCase):
    fake = None

    @classmethod
    def setUpClass(cls):
        if not ja_locale_available():
            raise unittest.SkipTest("the ja_JP.UTF-8 locale is not installed")
        cls.bin = find_binary()
        cls.workdir = tempfile.mkdtemp(prefix="gw-ja-fleet-")
        cls.fake = FakeVast()
        cls.fake.start(cls.workdir, [])

    @classmethod
    def tearDownClass(cls):
        if cls.fake is not None:
            cls.fake.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        self.fake.reset()
        self.fake.add_instances(INSTANCES)
        self.tmp, self.home, self.xdg = make_temp_home("gw-ja-fleet-")
        self.audit_file = os.path.join(self.xdg["XDG_STATE_HOME"], "gpuwarden", "audit.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_gw(self, locale, *args, url=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "LANG": locale, "LC_ALL": locale, "VAST_API_KEY": FAKE_KEY,
               "GPUWARDEN_HTTP_BACKOFF_MS": "1",
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1")}
        env.update(self.xdg)
        return subprocess.run([self.bin] + list(args) + ["--api-url", url or self.fake.url],
                              env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)

    def destructive(self):
        return destructive_requests(self.fake)

    def audit(self):
        return read_audit(self.audit_file)


class TestRefusals(JaFleetCase):
    """No or a wrong --confirm: the refusal in the operator's language, exit 2, nothing sent."""

    def test_no_confirm(self):
        for action in ("stop", "destroy"):
            with self.subTest(action=action):
                r = self.run_gw(JA, action, "7200001")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr,
                                 "gpuwarden: 何も送信していません: gpuwarden %s には --confirm "
                                 "7200001 (インスタンス ID をもう一度入力) が必要です。--yes は"
                                 "ありません\n" % action)
                self.assertEqual(r.stdout, "")
                r = self.run_gw(EN, action, "7200001")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr,
                                 "gpuwarden: nothing was sent: %s needs --confirm 7200001 (the "
                                 "instance id typed again); there is no --yes\n" % action)
        self.assertEqual(self.destructive(), [])

    def test_wrong_confirm(self):
        for action, ja in (("stop", "停止"), ("destroy", "削除")):
            with self.subTest(action=action):
                r = self.run_gw(JA, action, "7200001", "--confirm", "720000")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr,
                                 "gpuwarden: 何も送信していません: --confirm 720000 がインスタンス "
                                 "7200001 と一致しません。--confirm には%sするインスタンスの ID を"
                                 "もう一度指定してください\n" % ja)
                self.assertEqual(r.stdout, "")
                r = self.run_gw(EN, action, "7200001", "--confirm", "720000")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr,
                                 "gpuwarden: nothing was sent: --confirm 720000 does not match "
                                 "instance 7200001; --confirm must repeat the id of the instance "
                                 "to %s\n" % action)
        self.assertEqual(self.destructive(), [])
        self.assertEqual([i["id"] for i in self.fake.instances()], [7200001, 7200002, 7200003])
        # the audit log keeps its English keys and outcomes; the reason is the refusal as shown
        lines = self.audit()
        self.assertEqual([(ln["action"], ln["outcome"], ln["via"]) for ln in lines],
                         [("stop", "cancelled", "command line"),
                          ("stop", "cancelled", "command line"),
                          ("destroy", "cancelled", "command line"),
                          ("destroy", "cancelled", "command line")])
        self.assertIn("一致しません", lines[0]["reason"])
        self.assertIn("does not match", lines[1]["reason"])


class TestHttpErrors(JaFleetCase):
    """A provider or network error reads in Japanese, with the exit code of the English one."""

    def test_500_on_the_list(self):
        self.fake.set_mode("500", count=-1, endpoint="list")
        url = self.fake.url + "/api/v1/instances/?limit=25"
        r = self.run_gw(JA, "instances")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: %s が HTTP 500 を返しました (再試行後): "
                                   "Internal error\n" % url)
        self.assertEqual(r.stdout, "")
        r = self.run_gw(EN, "instances")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: %s answered HTTP 500 after retries: "
                                   "Internal error\n" % url)

    def test_500_on_destroy(self):
        self.fake.set_mode("500", count=-1, endpoint="destroy")
        url = self.fake.url + "/api/v0/instances/7200002/"
        r = self.run_gw(JA, "destroy", "7200002", "--confirm", "7200002")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stdout, "インスタンス 7200002 を削除します: 2x A100 SXM4、running、"
                                   "$1.100/h、ラベル %s\n" % LABEL_JA)
        self.assertEqual(r.stderr, "gpuwarden: インスタンス 7200002 の削除に失敗しました: %s が "
                                   "HTTP 500 を返しました (再試行後): Internal error\n" % url)
        r = self.run_gw(EN, "destroy", "7200002", "--confirm", "7200002")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stdout, "destroying instance 7200002: 2x A100 SXM4, running, "
                                   "$1.100/h, label %s\n" % LABEL_JA)
        self.assertEqual(r.stderr, "gpuwarden: destroy instance 7200002 failed: %s answered "
                                   "HTTP 500 after retries: Internal error\n" % url)
        self.assertEqual([ln["outcome"] for ln in self.audit()],
                         ["sent", "failed", "sent", "failed"])
        self.assertIn(7200002, [i["id"] for i in self.fake.instances()])

    def test_refused_port(self):
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        r = self.run_gw(JA, "instances", url=url)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: %s/api/v1/instances/?limit=25 に接続できません: "
                                   "接続を拒否されました (再試行後)\n" % url)
        r = self.run_gw(EN, "instances", url=url)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: cannot connect to %s/api/v1/instances/?limit=25: "
                                   "connection refused (after retries)\n" % url)

    def test_credentials_in_the_url_are_redacted(self):
        # error_redact runs on the translated sentence: the URL still ends at the space
        port = free_port()
        url = "http://ops:hunter2@127.0.0.1:%d/?api_key=s3cr3t-value" % port
        r = self.run_gw(JA, "instances", url=url)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertNotIn("hunter2", r.stderr)
        self.assertNotIn("s3cr3t", r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: http://REDACTED@127.0.0.1:%d/?api_key=REDACTED "
                                   "に接続できません: 接続を拒否されました (再試行後)\n" % port)

    def test_plain_http_refused(self):
        # the flag is checked before anything is sent (cli.c adds which flag it was)
        r = self.run_gw(JA, "instances", url="http://example.invalid")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("gpuwarden: http://example.invalid を拒否しました: 暗号化なしの http:// は"
                      "ループバックアドレス (テスト) 専用です。https:// を使ってください", r.stderr)
        r = self.run_gw(EN, "instances", url="http://example.invalid")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("gpuwarden: refused http://example.invalid: plain http:// is only for "
                      "loopback addresses (tests); use https://", r.stderr)
        self.assertEqual(self.fake.log(), [])


class TestTables(JaFleetCase):
    """Headers, marks and states stay English; columns line up in display width."""

    def test_instances_table(self):
        self.fake.set_instances(page_size=2)
        ja = self.run_gw(JA, "instances")
        en = self.run_gw(EN, "instances")
        self.assertEqual(ja.returncode, 0, ja.stderr)
        self.assertEqual(en.returncode, 0, en.stderr)
        ja_lines, en_lines = ja.stdout.splitlines(), en.stdout.splitlines()
        self.assertEqual(len(ja_lines), 4, ja.stdout)
        # nothing in the table is translated: the same text but for the clock's digits
        digits = re.compile(r"\d")
        self.assertEqual([digits.sub("9", ln) for ln in ja_lines],
                         [digits.sub("9", ln) for ln in en_lines])
        header = ja_lines[0]
        self.assertTrue(header.startswith("ID  "), header)
        cols = columns(header)
        rows = {ln.split()[0]: ln for ln in ja_lines[1:]}
        self.assertIn("unknown to gpuwarden", rows["7200002"])
        self.assertIn("gpuwarden", rows["7200001"])
        for iid, ln in rows.items():
            with self.subTest(row=iid):
                self.assertEqual(start_of(ln, "running" if iid != "7200003" else "stopped"),
                                 cols["STATE"], ln)
                label = {"7200001": "gpuwarden:ace-step-1.5", "7200002": LABEL_JA,
                         "7200003": "-"}[iid]
                self.assertTrue(ln.endswith(label), ln)
                self.assertEqual(width(ln) - width(label), cols["LABEL"], ln)

    def test_no_instances(self):
        self.fake.reset()
        r = self.run_gw(JA, "instances")
        self.assertEqual((r.returncode, r.stdout), (0, "このアカウントにインスタンスはありません (vast)\n"))
        r = self.run_gw(EN, "instances")
        self.assertEqual((r.returncode, r.stdout), (0, "no instances in this account (vast)\n"))

    def test_stop_then_audit(self):
        r = self.run_gw(JA, "stop", "7200002", "--confirm", "7200002")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "インスタンス 7200002 を停止します: 2x A100 SXM4、running、"
                                   "$1.100/h、ラベル %s\nインスタンス 7200002 を停止しました\n"
                                   % LABEL_JA)
        self.assertEqual(self.destructive(), [("PUT", "/api/v0/instances/7200002/")])
        r = self.run_gw(EN, "destroy", "7555555", "--confirm", "7555555")
        self.assertEqual((r.returncode, r.stdout),
                         (0, "instance 7555555 is already gone: nothing to destroy\n"))
        r = self.run_gw(JA, "stop", "7555555", "--confirm", "7555555")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, "gpuwarden: インスタンス 7555555 は既にありません: "
                                   "停止の対象がありません\n")
        # English keys, actions, outcomes and the fixed reason "already gone" in the file
        self.assertEqual([(ln["action"], ln["outcome"], ln.get("reason")) for ln in self.audit()],
                         [("stop", "sent", None), ("stop", "succeeded", None),
                          ("destroy", "sent", None), ("destroy", "failed", "already gone"),
                          ("stop", "sent", None), ("stop", "failed", "already gone")])
        for locale in (JA, EN):
            with self.subTest(locale=locale):
                r = self.run_gw(locale, "audit")
                self.assertEqual(r.returncode, 0, r.stderr)
                lines = r.stdout.splitlines()
                self.assertEqual(len(lines), 7, r.stdout)
                self.assertEqual(lines[0].split(), ["TIME", "(UTC)", "ACTION", "INSTANCE",
                                                    "OUTCOME", "LABEL", "VIA", "/", "REASON"])
                cols = columns(lines[0])
                for ln in lines[1:]:
                    self.assertEqual(start_of(ln, "command line"), cols["VIA / REASON"], ln)
                    iid = re.search(r"\b7\d{6}\b", ln).group(0)
                    self.assertEqual(start_of(ln, iid), cols["INSTANCE"], ln)
                self.assertEqual(start_of(lines[1], LABEL_JA), cols["LABEL"], lines[1])

    def test_audit_prose(self):
        r = self.run_gw(JA, "audit")
        self.assertEqual((r.returncode, r.stdout),
                         (0, "監査ログの記録はまだありません (%s)\n" % self.audit_file))
        os.makedirs(os.path.dirname(self.audit_file))
        with open(self.audit_file, "w", encoding="utf-8") as f:
            f.write('not json\n{"time": "2025-01-01T00:00:00Z", "action": "destroy", '
                    '"instance_id": 5, "label": "", "outcome": "sent", "via": "command line", '
                    '"pid": 1}\n')
        r = self.run_gw(JA, "audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[1], "%s の 1 行目は JSON オブジェクトではありません: 読み飛ばしました"
                         % self.audit_file)
        self.assertTrue(lines[2].endswith(
            "command line (結果の記録なし: リクエスト中にプログラムが終了しました。インスタンスを"
            "確認してください)"), lines[2])
        r = self.run_gw(EN, "audit")
        self.assertTrue(r.stdout.splitlines()[2].endswith(
            "command line (no outcome recorded: the program ended during the request; check the "
            "instance)"), r.stdout)

    def test_cases_out_of_range(self):
        r = self.run_gw(JA, "cases", "99")
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"^gpuwarden: 事例 '99' はありません \(事例の番号は 1-\d+ です\)\n$")
        r = self.run_gw(EN, "cases", "99")
        self.assertRegex(r.stderr, r"^gpuwarden: no case '99' \(cases are numbered 1-\d+\)\n$")


if __name__ == "__main__":
    unittest.main()
