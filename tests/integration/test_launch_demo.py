"""End-to-end tests of `gpuwarden launch` on the demo provider (SPEC §7 "Demo provider", §10):
the whole pipeline runs against the simulated instance, whose bundled setup script runs locally
through the same detached-run and log-following code as a real launch.

Run from the repository root:
    python3 -m unittest tests.integration.test_launch_demo -v

Every test gets its own temporary HOME and XDG folders; the demo boots in a fraction of a second
(GPUWARDEN_DEMO_BOOT_S), polls fast (GPUWARDEN_BOOT_POLL_S) and its script runs at a tenth of
its pace (GPUWARDEN_DEMO_PACE). Metadata requests are off (--offline): nothing but loopback.
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
else:
    from fakevast import find_binary, make_temp_home
    from figures import bad_input

RUN_TIMEOUT = 90
GOOD = 4242307   # RTX 3060 12 GB, verifies as advertised
CASE7 = 20224334  # RTX 3060 advertised 12 GB, reports 8 GB at verify (case 7)
STEPS = ["create", "boot", "connect", "verify", "setup", "health", "test"]
STEP_LINE = re.compile(r"^\[(\w+)\] ")


class LaunchDemo(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()

    def setUp(self):
        self.tmp, home, xdg = make_temp_home("gw-launch-demo-")
        self.state = os.path.join(xdg["XDG_STATE_HOME"], "gpuwarden")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VAST_", "GPUWARDEN_", "XDG_", "SSH_AUTH"))}
        self.env.update(xdg)
        self.env.update({"HOME": home, "GPUWARDEN_DEMO_BOOT_S": "0.3",
                         "GPUWARDEN_BOOT_POLL_S": "0.1", "GPUWARDEN_DEMO_PACE": "0.05",
                         "LC_ALL": "C.UTF-8"})

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def launch(self, *args):
        return subprocess.run([self.bin, "launch", "--provider", "demo", "--offline"] + list(args),
                              env=self.env, capture_output=True, text=True, timeout=RUN_TIMEOUT)

    def steps_seen(self, stdout):
        seen = []
        for line in stdout.splitlines():
            m = STEP_LINE.match(line)
            if m and m.group(1) in STEPS and (not seen or seen[-1] != m.group(1)):
                seen.append(m.group(1))
        return seen

    def test_demo_reaches_ready_with_every_step_in_order(self):
        r = self.launch("--offer", str(GOOD), "--recipe", "pytorch-smoke",
                        "--confirm", str(GOOD), "--follow")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertEqual(self.steps_seen(r.stdout), STEPS)
        self.assertRegex(r.stdout, r"\[test\] READY: instance \d+ runs pytorch-smoke")
        # the setup's own lines, streamed in order with their phases
        phases = re.findall(r"^\[setup\] === Phase (\d+): ", r.stdout, re.M)
        self.assertEqual(phases, ["1", "2", "3", "4", "5"])
        self.assertIn("[setup] SETUP_COMPLETE", r.stdout)
        self.assertIn("[verify] GPU 0: RTX 3060, 12288 MiB, sm_86", r.stdout)
        self.assertIn("[setup] setup finished with status 0", r.stdout)
        # the job is in the state file, whole, 0600
        path = os.path.join(self.state, "jobs.json")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, encoding="utf-8") as f:
            jobs = json.load(f)["jobs"]
        self.assertEqual(len(jobs), 1)
        self.assertEqual((jobs[0]["state"], jobs[0]["step"], jobs[0]["offer_id"]),
                         ("ready", "test", GOOD))
        self.assertEqual(jobs[0]["label"], "gpuwarden:pytorch-smoke")

    def test_without_follow_prints_steps_but_not_the_setup_output(self):
        r = self.launch("--offer", str(GOOD), "--recipe", "pytorch-smoke", "--confirm", str(GOOD))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("SETUP_COMPLETE", r.stdout)
        self.assertIn("[setup] phase 5: Start server", r.stdout)

    def test_case7_rtx3060_reports_8gb_at_verify(self):
        r = self.launch("--offer", str(CASE7), "--recipe", "ace-step-1.5",
                        "--confirm", str(CASE7))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(self.steps_seen(r.stdout)[-1], "verify")
        self.assertIn("[verify] GPU 0: RTX 3060, 8192 MiB", r.stdout)
        self.assertRegex(r.stderr, r"launch failed at verify: .*\(case 7\)")
        self.assertIn("destroying it is advised", r.stderr)
        self.assertRegex(r.stderr, r"instance \d+ is left as it is")
        self.assertNotIn("[setup]", r.stdout)

    @bad_input()
    def test_confirm_must_repeat_the_offer(self):
        for args in (["--offer", str(GOOD), "--recipe", "pytorch-smoke"],
                     ["--offer", str(GOOD), "--recipe", "pytorch-smoke", "--confirm", "1"],
                     ["--recipe", "pytorch-smoke", "--confirm", str(GOOD)],
                     ["--offer", str(GOOD), "--confirm", str(GOOD)],
                     ["--offer", str(GOOD), "--recipe", "pytorch-smoke", "--confirm", "x"]):
            with self.subTest(args=args):
                r = self.launch(*args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertFalse(os.path.exists(os.path.join(self.state, "jobs.json")))

    @bad_input()
    def test_unknown_offer_rents_nothing(self):
        r = self.launch("--offer", "1", "--recipe", "pytorch-smoke", "--confirm", "1")
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("nothing was rented", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.state, "jobs.json")))

    def test_preflight_fail_refuses(self):
        # 8 GB card for ACE-Step's 11.4 GB: row 4 FAILs, so nothing is created
        r = self.launch("--offer", "29564868", "--recipe", "ace-step-1.5",
                        "--confirm", "29564868")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("launch refused", r.stderr)
        self.assertIn("FAIL row 4", r.stderr)
        self.assertNotIn("[create]", r.stdout)


if __name__ == "__main__":
    unittest.main()
