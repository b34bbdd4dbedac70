"""The dashboard killed with SIGKILL in the middle of a setup, then started again (issue 7): the
state file is whole, the new dashboard lists the same job and re-attaches to the setup still
running on the host, which was neither restarted nor lost, and the job reaches READY.

Run from the repository root:
    python3 -m unittest tests.integration.test_tui_reattach -v

Real parts on loopback: the fake vast.ai server, a real OpenSSH sshd whose "host" is this
machine (tests/integration/realsshd.py), the real binary in tmux (test_tui's harness).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

if __package__:
    from . import realsshd, test_launch_ssh as ssh_tests, test_tui as tui
    from .fakevast import FakeVast
    from .figures import fault
else:   # run as a script, or discovered without -t
    import realsshd
    import test_launch_ssh as ssh_tests
    import test_tui as tui
    from fakevast import FakeVast
    from figures import fault

GOOD = ssh_tests.GOOD


@unittest.skipUnless(tui.TMUX and realsshd.available() and
                     all(shutil.which(p) for p in ("python3", "bash", "curl", "setsid", "tail")),
                     "needs tmux, OpenSSH's sshd, python3, bash, curl, setsid and tail")
class TestKillAndReattach(tui.TuiCase):
    COLS, ROWS = 140, 40

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(ssh_tests.OFFERS, encoding="utf-8") as f:
            offers = json.load(f)
        cls.fake = FakeVast()
        try:
            cls.fake.start(cls.tmp, offers)
        except Exception:
            cls.fake.stop()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.work = tempfile.mkdtemp(prefix="gw-reattach-")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.remote = os.path.join(self.work, "remote")
        self.addCleanup(ssh_tests.kill_leftovers, self.remote)
        self.sshd = realsshd.Sshd(os.path.join(self.work, "sshd"))
        self.sshd.start()
        self.addCleanup(self.sshd.stop)
        self.sshd.set_smi(ssh_tests.SMI_12GB)
        self.fake.set_instances(ssh_host="127.0.0.1", ssh_port=self.sshd.port, direct=True,
                                loading_polls=1, final_status="running")
        self.state = os.path.join(self.xdg["XDG_STATE_HOME"], "gpuwarden")
        shutil.rmtree(self.state, ignore_errors=True)

    def recipe(self):
        with open(os.path.join(ssh_tests.FIXTURES, "recipe.json"), encoding="utf-8") as f:
            r = json.load(f)
        port = ssh_tests.free_port()
        r["env"] = {"SVC_PORT": str(port), "SVC_PY": os.path.join(ssh_tests.FIXTURES, "service.py"),
                    "SETUP_LINES": "80", "SETUP_DELAY": "0.1"}
        r["ports"] = [port]
        r["health"]["port"] = port
        folder = os.path.join(self.work, "recipe")
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(ssh_tests.FIXTURES, "setup.sh"), folder)
        path = os.path.join(folder, ssh_tests.RECIPE + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=2)
        return path

    def dashboard(self, recipe):
        env = {"VAST_API_KEY": "vast-fake-key-reattach", "GPUWARDEN_SSH_KEY": self.sshd.key_path,
               "GPUWARDEN_SSH_USER": self.sshd.user, "GPUWARDEN_REMOTE_DIR": self.remote,
               "GPUWARDEN_BOOT_POLL_S": "0.1", "GPUWARDEN_CONNECT_RETRY_S": "0.2",
               "GPUWARDEN_SSH_TIMEOUT_S": "5", "GPUWARDEN_SSH_KEEPALIVE_S": "2"}
        d = self.start("--provider", "vast", "--api-url", self.fake.url, "--refresh", "0",
                       "--offline", "--recipe", recipe, cols=self.COLS, rows=self.ROWS,
                       extra_env=env)
        self.wait_rows(d)
        return d

    def setup_log(self):
        logs = [os.path.join(self.remote, d, "setup.log") for d in os.listdir(self.remote)] \
            if os.path.isdir(self.remote) else []
        if not logs or not os.path.exists(logs[0]):
            return b""
        with open(logs[0], "rb") as f:
            return f.read()

    @fault
    def test_sigkill_mid_setup_then_restart_reattaches(self):
        recipe = self.recipe()
        d = self.dashboard(recipe)
        tui.TestRecipeChecklist.filter_to(self, d, GOOD)
        d.type("L")
        d.wait(lambda s: "launch: this rents a machine" in s.text, "the launch dialog")
        d.keys("Tab")
        d.wait(lambda s: "[ Launch ]" in s.text, "focus on Launch")
        d.keys("Enter")
        d.wait(lambda s: "line 010 of 80" in s.text, "the setup streaming in view 3", timeout=30)
        pid = int(d.pane("#{pane_pid}"))
        os.kill(pid, signal.SIGKILL)
        d.wait_exit()
        self.assertNotIn(b"line 080 of 80", self.setup_log(), "the setup should still be running")
        # the state file is whole and names the job where it was
        with open(os.path.join(self.state, "jobs.json"), encoding="utf-8") as f:
            jobs = json.load(f)["jobs"]
        self.assertEqual(len(jobs), 1)
        self.assertEqual((jobs[0]["state"], jobs[0]["step"]), ("running", "setup"))
        iid = jobs[0]["instance_id"]

        d2 = self.dashboard(recipe)
        d2.type("3")
        s = d2.wait(lambda s: re.search(r"READY", s.text) is not None,
                    "the re-attached job READY", timeout=40)
        self.assertIn(str(iid), s.text)
        with open(os.path.join(self.state, "jobs.json"), encoding="utf-8") as f:
            jobs = json.load(f)["jobs"]
        self.assertEqual([(j["instance_id"], j["state"]) for j in jobs], [(iid, "ready")])
        # one setup ran, whole: started once, every line once, finished
        log = self.setup_log().decode("utf-8")
        for n in range(1, 81):
            self.assertEqual(log.count("line %03d of 80\n" % n), 1, "line %d" % n)
        self.assertEqual(len(self.fake.instances()), 1, "nothing was rented twice")
        creates = [e for e in self.fake.log() if e["method"] == "PUT" and
                   e["path"].startswith("/api/v0/asks/")]
        self.assertEqual(len(creates), 1)
        d2.type("q")      # the quit dialog: an instance runs
        d2.wait(lambda s: "quit: what keeps running" in s.text, "the quit dialog")
        d2.keys("Tab")
        d2.keys("Enter")
        self.assertEqual(d2.wait_exit(), 0)
        self.assertEqual([e for e in self.fake.log() if e["method"] == "DELETE"], [])


if __name__ == "__main__":
    unittest.main()
