"""The launch pipeline's messages in Japanese (issue 9): a headless `gpuwarden launch` on the demo
provider under ja_JP.UTF-8 tells its steps and its failures in Japanese, while the step tags
([create], [boot], ...), the job's state and step names in jobs.json and the setup script's own
output stay as they are; under C.UTF-8 the same runs stay English.

Run from the repository root:
    python3 -m unittest tests.integration.test_ja_launch -v

The expected lines are po/ja.po's msgstr (and the English msgid) formatted: each C format below
becomes a pattern whose directives match a value, and the values that are known (offer, GPU,
recipe) are checked too. The catalogue is build/locale (built by `make`), found next to the
binary. Skipped when the ja_JP.UTF-8 locale is not installed (scripts/deps.sh test generates it).
Nothing but the demo provider and loopback: --offline, temporary HOME and XDG folders.
"""

import json
import os
import re
import shutil
import subprocess
import unittest

if __package__:
    from .fakevast import find_binary, make_temp_home
    from .jatext import c_format as fill, ja_locale_available
else:   # run as a script, or discovered without -t
    from fakevast import find_binary, make_temp_home
    from jatext import c_format as fill, ja_locale_available

JA, C = "ja_JP.UTF-8", "C.UTF-8"
RUN_TIMEOUT = 90
GOOD = 4242307       # RTX 3060 12 GB, verifies as advertised
CASE7 = 20224334     # RTX 3060 advertised 12 GB, reports 8 GB at verify (case 7)
SMALL = 29564868     # 8 GB card: ACE-Step's row 4 FAILs, nothing is created
STEPS = ["create", "boot", "connect", "verify", "setup", "health", "test"]
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# (English msgid, Japanese msgstr) of the lines checked, as po/ja.po has them
CREATED = ("instance %lld created: storage is billed from now, the GPU once it runs",
           "インスタンス %lld を作成しました: ストレージは今から、GPU は起動後から課金されます")
RENTING = ("renting offer %lld (%s, $%.3f/h) with %s, %.0f GB disk, label %s",
           "オファー %lld (%s、$%.3f/h) を借ります: イメージ %s、ディスク %.0f GB、ラベル %s")
WAITING = ("waiting for instance %lld to run (checked every %g s)",
           "インスタンス %lld の稼働を待っています (%g 秒ごとに確認)")
SLOW = ("image pull slow: %s and not running yet (case 5)",
        "イメージの取得が遅れています: %s経ってもまだ稼働していません (事例5)")
SECONDS = ("%.0f s", "%.0f 秒")
WARNING = ("warning: ", "警告: ")
RUNNING = ("running after %.0f s: the GPU is billed from now",
           "%.0f 秒で稼働しました: GPU は今から課金されます")
CONNECTED = ("connected to %s", "%s に接続しました")
SANDBOX = ("the demo sandbox %s", "デモのサンドボックス %s")
CHECKING = ("checking the GPU with nvidia-smi", "nvidia-smi で GPU を確認しています")
VERIFIED = ("%zu x %s, %.1f GB each (offer said %.1f GB), %s",
            "%zu x %s、各 %.1f GB (オファーの表示は %.1f GB)、%s")
UPLOADING = ("uploading %s and starting it detached in %s on the host",
             "%s をアップロードし、ホスト上の %s で切り離して起動します")
PHASE = ("phase %d: %s", "フェーズ %d: %s")
SETUP_DONE = ("setup finished with status 0 in %.0f s",
              "セットアップがステータス 0 で終了しました (%.0f 秒)")
POLLING = ("polling http://127.0.0.1:%d%s on the host (through SSH) for up to %d s",
           "ホスト上の http://127.0.0.1:%d%s を (SSH 経由で) 最大 %d 秒間ポーリングします")
HEALTHY = ("healthy after %.0f s (HTTP 200); not ready until the test passes (case 8)",
           "%.0f 秒で正常になりました (HTTP 200)。テストに合格するまで準備完了ではありません (事例8)")
SUBMITTING = ("submitting the test: %s %s", "テストを送信します: %s %s")
PASSED = ("test passed: %s is %zu bytes, after %.0f s",
          "テスト合格: %s は %zu バイト (%.0f 秒後)")
READY = ("READY: instance %lld runs %s and its test passed",
         "READY: インスタンス %lld で %s が動作し、テストに合格しました")
LAUNCH_ENDED = ("gpuwarden: launch %s at %s: %s", "gpuwarden: 起動 %s (ステップ %s): %s")
CASE = (" (case %d)", " (事例%d)")
TOO_SMALL = ("GPU %zu (%s) has %.1f GB, the recipe needs %.1f GB (offer said %.1f GB)",
             "GPU %zu (%s) は %.1f GB ですが、レシピには %.1f GB 必要です (オファーの表示は %.1f GB)")
LEFT = ("gpuwarden: instance %lld is left as it is%s; keep it, or `gpuwarden stop %lld --confirm "
        "%lld` / `gpuwarden destroy %lld --confirm %lld`",
        "gpuwarden: インスタンス %lld はそのまま残ります%s。残すか、`gpuwarden stop %lld --confirm "
        "%lld` / `gpuwarden destroy %lld --confirm %lld` を実行してください")
ADVISED = (" (its GPU is not what was advertised: destroying it is advised)",
           " (GPU がオファーの表示と違います: 削除を勧めます)")
STILL_NOT = ("instance %lld is still not running after %s (image pull too slow?); it bills "
             "storage meanwhile",
             "インスタンス %lld は %s経っても稼働していません (イメージの取得が遅すぎる?)。"
             "その間もストレージは課金されます")
REFUSED = ("gpuwarden: launch refused: the preflight checklist has a FAIL row; nothing was rented",
           "gpuwarden: 起動を拒否しました: プリフライトチェックリストに FAIL の項目があります。"
           "何も借りていません")
PREFLIGHT_ROW = ("[preflight] %s row %d (%s): %s", "[preflight] %s 項目%d (%s): %s")
NOTHING_RENTED = ("gpuwarden: %s; nothing was rented", "gpuwarden: %s。何も借りていません")

DIRECTIVE = re.compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?(?:ll|l|z)?[dufgs])")


def pattern(fmt):
    """A regex for what printf makes of `fmt`: each directive a group."""
    out, pos = [], 0
    for m in DIRECTIVE.finditer(fmt):
        out.append(re.escape(fmt[pos:m.start()]))
        d = m.group(0)
        out.append("%" if d == "%%" else r"(\d+)" if d[-1] in "du" else
                   r"([0-9.]+)" if d[-1] in "fg" else r"(.*?)")
        pos = m.end()
    out.append(re.escape(fmt[pos:]))
    return "^" + "".join(out) + "$"



@unittest.skipUnless(ja_locale_available(), "the ja_JP.UTF-8 locale is not installed")
class JapaneseLaunch(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()

    def setUp(self):
        self.tmp, home, xdg = make_temp_home("gw-ja-launch-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.state = os.path.join(xdg["XDG_STATE_HOME"], "gpuwarden")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VAST_", "GPUWARDEN_", "XDG_", "SSH_AUTH", "LC_", "LANG"))}
        self.env.update(xdg)
        self.env.update({"HOME": home, "GPUWARDEN_DEMO_BOOT_S": "0.3",
                         "GPUWARDEN_BOOT_POLL_S": "0.1", "GPUWARDEN_DEMO_PACE": "0.05"})

    def launch(self, locale, *args, **env):
        e = dict(self.env, LANG=locale, LC_ALL=locale, **env)
        return subprocess.run([self.bin, "launch", "--provider", "demo", "--offline"] + list(args),
                              env=e, capture_output=True, text=True, timeout=RUN_TIMEOUT)

    def step_lines(self, stdout, step):
        """The message parts of the lines tagged [step], in order."""
        tag = "[%s] " % step
        return [ln[len(tag):] for ln in stdout.splitlines() if ln.startswith(tag)]

    def find(self, lines, fmt, what):
        """The groups of the first line that fmt formats; fails naming what was looked for."""
        for ln in lines:
            m = re.match(pattern(fmt), ln)
            if m:
                return m.groups()
        self.fail("no line like %r (%s) in:\n%s" % (fmt, what, "\n".join(lines)))

    def jobs(self):
        with open(os.path.join(self.state, "jobs.json"), encoding="utf-8") as f:
            return json.load(f)["jobs"]

    # ------------------------------------------------------------------ a launch that is READY

    def ready_run(self, locale):
        # GPUWARDEN_BOOT_WARN_S=0: the first boot poll warns that the image pull is slow
        r = self.launch(locale, "--offer", str(GOOD), "--recipe", "pytorch-smoke",
                        "--confirm", str(GOOD), "--follow", GPUWARDEN_BOOT_WARN_S="0")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        return r

    def check_ready(self, r, lang):
        k = 0 if lang == "en" else 1
        out = r.stdout
        # the step tags stay the English identifiers, in order
        seen = []
        for ln in out.splitlines():
            m = re.match(r"^\[(\w+)\] ", ln)
            if m and m.group(1) in STEPS and (not seen or seen[-1] != m.group(1)):
                seen.append(m.group(1))
        self.assertEqual(seen, STEPS, out)

        create = self.step_lines(out, "create")
        offer, gpu, price, image, disk, label = self.find(create, RENTING[k], "renting")
        self.assertEqual((offer, gpu, label), (str(GOOD), "RTX 3060", "gpuwarden:pytorch-smoke"))
        self.assertEqual(create[0], fill(RENTING[k], GOOD, gpu, float(price), image, float(disk),
                                         label))
        (iid,) = self.find(create, CREATED[k], "created")
        self.assertIn(fill(CREATED[k], int(iid)), create)

        boot = self.step_lines(out, "boot")
        self.assertIn(fill(WAITING[k], int(iid), 0.1), boot)
        # the duration inside the warning is translated too ("0 s" / "0 秒")
        slow = fill(WARNING[k] + SLOW[k], fill(SECONDS[k], 0))
        self.assertIn(slow, boot)
        self.find(boot, RUNNING[k], "running")

        connect = self.step_lines(out, "connect")
        sandbox = os.path.join(self.state, "demo", iid)
        self.assertEqual(connect, [fill(CONNECTED[k], fill(SANDBOX[k], sandbox))])

        verify = self.step_lines(out, "verify")
        self.assertEqual(verify[0], CHECKING[k])
        # the GPU's own line is data: the same in every language
        self.assertIn("GPU 0: RTX 3060, 12288 MiB, sm_86", verify)
        self.assertEqual(verify[-1], fill(VERIFIED[k], 1, "RTX 3060", 12.0, 12.0, "sm_86"))

        setup = self.step_lines(out, "setup")
        script, folder = self.find(setup, UPLOADING[k], "uploading")
        self.assertEqual(script, "pytorch-smoke.sh")
        self.assertIn(fill(PHASE[k], 5, "Start server"), setup)
        # the script's own output is streamed as it is, never translated
        self.assertEqual(re.findall(r"^=== Phase (\d+): ", "\n".join(setup), re.M),
                         ["1", "2", "3", "4", "5"])
        self.assertIn("SETUP_COMPLETE", setup)
        self.find(setup, SETUP_DONE[k], "setup finished")

        health = self.step_lines(out, "health")
        self.assertEqual(self.find(health, POLLING[k], "polling")[1], "/health")
        self.find(health, HEALTHY[k], "healthy")

        test = self.step_lines(out, "test")
        self.assertIn(fill(SUBMITTING[k], "POST", "/run"), test)
        self.find(test, PASSED[k], "test passed")
        self.assertEqual(test[-1], fill(READY[k], int(iid), "pytorch-smoke"))

        # jobs.json: state and step stay identifiers; the message is the sentence shown
        jobs = self.jobs()
        self.assertEqual((jobs[0]["state"], jobs[0]["step"]), ("ready", "test"))
        self.assertEqual(jobs[0]["message"], test[-1])

    def test_ready_launch_speaks_japanese(self):
        r = self.ready_run(JA)
        self.check_ready(r, "ja")
        for english in ("created: storage is billed", "READY: instance", "checking the GPU",
                        "warning: ", "phase 5:"):
            self.assertNotIn(english, r.stdout)

    def test_ready_launch_stays_english_under_c(self):
        r = self.ready_run(C)
        self.check_ready(r, "en")
        self.assertIsNone(KANA_KANJI.search(r.stdout + r.stderr), r.stdout + r.stderr)

    # ------------------------------------------------------------------ failures

    def case7_run(self, locale, lang):
        k = 0 if lang == "en" else 1
        r = self.launch(locale, "--offer", str(CASE7), "--recipe", "ace-step-1.5",
                        "--confirm", str(CASE7))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        err = r.stderr.splitlines()
        why = fill(TOO_SMALL[k], 0, "RTX 3060", 8.0, 11.4, 12.0)
        # state and step names stay English inside the translated sentence
        self.assertIn(fill(LAUNCH_ENDED[k], "failed", "verify", why) + fill(CASE[k], 7), err)
        ids = self.find(err, LEFT[k].replace("%s", ADVISED[k]), "left as it is")
        self.assertEqual(len(set(ids)), 1, ids)
        n = int(ids[0])
        self.assertIn(fill(LEFT[k], n, ADVISED[k], n, n, n, n), err)
        jobs = self.jobs()
        self.assertEqual((jobs[0]["state"], jobs[0]["step"], jobs[0]["case"]),
                         ("failed", "verify", 7))
        self.assertEqual(jobs[0]["message"], why)
        return r

    def test_verify_failure_in_japanese(self):
        r = self.case7_run(JA, "ja")
        self.assertNotIn("is left as it is", r.stderr)
        self.assertNotIn("launch failed at", r.stderr)

    def test_verify_failure_stays_english_under_c(self):
        r = self.case7_run(C, "en")
        self.assertIsNone(KANA_KANJI.search(r.stdout + r.stderr), r.stdout + r.stderr)

    def test_boot_timeout_in_japanese(self):
        # the boot limit is 0 s: the first poll of a demo instance still loading fails with case 5
        for locale, k in ((JA, 1), (C, 0)):
            with self.subTest(locale=locale):
                r = self.launch(locale, "--offer", str(GOOD), "--recipe", "pytorch-smoke",
                                "--confirm", str(GOOD), GPUWARDEN_BOOT_TIMEOUT_S="0")
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                (iid,) = self.find(self.step_lines(r.stdout, "create"), CREATED[k], "created")
                why = fill(STILL_NOT[k], int(iid), fill(SECONDS[k], 0))
                self.assertIn(fill(LAUNCH_ENDED[k], "failed", "boot", why) + fill(CASE[k], 5),
                              r.stderr.splitlines())
                self.assertEqual(self.jobs()[0]["step"], "boot")
                os.remove(os.path.join(self.state, "jobs.json"))

    def test_refusals_in_japanese(self):
        for locale, k in ((JA, 1), (C, 0)):
            with self.subTest(locale=locale, what="preflight FAIL"):
                r = self.launch(locale, "--offer", str(SMALL), "--recipe", "ace-step-1.5",
                                "--confirm", str(SMALL))
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                err = r.stderr.splitlines()
                self.assertEqual(err[-1], REFUSED[k])
                rows = [m.groups()[:2] for m in map(re.compile(pattern(PREFLIGHT_ROW[k])).match,
                                                    err) if m]
                self.assertIn(("FAIL", "4"), rows, r.stderr)
                # the summary is status names and counts: the same in every language
                self.assertRegex(r.stdout, r"(?m)^\[preflight\] \d+ PASS, \d+ WARN, [12] FAIL, "
                                 r"\d+ PENDING, \d+ UNKNOWN$")
                self.assertNotIn("[create]", r.stdout)
            with self.subTest(locale=locale, what="unknown offer"):
                r = self.launch(locale, "--offer", "1", "--recipe", "pytorch-smoke",
                                "--confirm", "1")
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.find(r.stderr.splitlines(), NOTHING_RENTED[k], "nothing was rented")
                self.assertFalse(os.path.exists(os.path.join(self.state, "jobs.json")))


class Formats(unittest.TestCase):
    """The helpers above can fail: a pattern does not match another sentence."""

    def test_pattern_and_fill(self):
        self.assertEqual(fill(READY[1], 7, "x"), "READY: インスタンス 7 で x が動作し、テストに合格しました")
        self.assertEqual(fill(VERIFIED[0], 1, "A", 12.0, 12.0, "sm_86"),
                         "1 x A, 12.0 GB each (offer said 12.0 GB), sm_86")
        self.assertRegex(fill(CREATED[1], 5), pattern(CREATED[1]))
        self.assertNotRegex(fill(CREATED[0], 5), pattern(CREATED[1]))


if __name__ == "__main__":
    unittest.main()
