"""End-to-end tests of `gpuwarden instances`, `stop`, `destroy` and `audit` (SPEC §8, §10)
against the fake vast.ai server (tests/fake_vast.py) and its request log.

Run from the repository root:
    python3 -m unittest tests.integration.test_instances_cli -v

Every run gets temporary HOME / XDG_* folders and a fake key; only 127.0.0.1 is contacted.
The promise under test: nothing is stopped or destroyed unless --confirm repeats the id, every
attempt is in the audit log, and the log stays valid JSON lines whatever kills the process.
"""

import json
import os
import shutil
import signal
import subprocess
import time
import unittest

if __package__:
    from .fakevast import FakeVast, find_binary, make_temp_home, destructive_requests, read_audit
    from .figures import bad_input, fault
else:   # run as a script, or discovered without -t
    from fakevast import FakeVast, find_binary, make_temp_home, destructive_requests, read_audit
    from figures import bad_input, fault

FAKE_KEY = "test-key-instances-7f3a"
RUN_TIMEOUT = 60
NOW = time.time()

INSTANCES = [
    {"id": 7100001, "label": "gpuwarden:ace-step-1.5", "actual_status": "running",
     "intended_status": "running", "gpu_name": "RTX 4090", "num_gpus": 1, "dph_total": 0.4,
     "start_date": NOW - 7200},
    {"id": 7100002, "label": None, "actual_status": "running", "intended_status": "running",
     "gpu_name": "RTX 3060", "num_gpus": 2, "dph_total": 0.2, "start_date": NOW - 600},
    {"id": 7100003, "label": "my notebook", "actual_status": "stopped",
     "intended_status": "stopped", "gpu_name": "A100 SXM4", "num_gpus": 1, "dph_total": 1.1,
     "start_date": NOW - 86400},
]


def state_job(iid, setup_s=None, created=None):
    """One jobs.json entry (src/state.c's format) of the vast provider."""
    return {"instance_id": iid, "offer_id": 1, "provider": "vast", "recipe": "ace-step-1.5",
            "label": "gpuwarden:ace-step-1.5", "gpu_name": "RTX 3060", "num_gpus": 1,
            "gpu_ram_mib": 12288, "dph_total": 0.2,
            "created_at": created if created is not None else NOW - 1000,
            "step": "ready", "state": "ready", "message": "READY", "case": 0,
            "setup_s": setup_s, "ssh": "", "instance_state": ""}


class InstancesCliCase(unittest.TestCase):
    fake = None

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()
        cls.workdir = __import__("tempfile").mkdtemp(prefix="gw-inst-fake-")
        cls.fake = FakeVast()
        cls.fake.start(cls.workdir, [])

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        self.fake.reset()
        self.fake.set_instances(page_size=2)     # three instances: two pages
        self.fake.add_instances(INSTANCES)
        self.tmp, self.home, self.xdg = make_temp_home("gw-inst-")
        self.state_dir = os.path.join(self.xdg["XDG_STATE_HOME"], "gpuwarden")
        self.audit_file = os.path.join(self.state_dir, "audit.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, key=True):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "LANG": "C.UTF-8", "GPUWARDEN_HTTP_BACKOFF_MS": "1",
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1")}
        env.update(self.xdg)
        if key:
            env["VAST_API_KEY"] = FAKE_KEY
        return env

    def run_gw(self, *args, key=True):
        return subprocess.run([self.bin] + list(args) + ["--api-url", self.fake.url],
                              env=self.env(key), capture_output=True, text=True,
                              timeout=RUN_TIMEOUT)

    def destructive(self):
        return destructive_requests(self.fake)

    def audit(self):
        return read_audit(self.audit_file)

    def write_state(self, jobs):
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        with open(os.path.join(self.state_dir, "jobs.json"), "w", encoding="utf-8") as f:
            json.dump({"version": 1, "jobs": jobs}, f)


class TestInstances(InstancesCliCase):

    def test_table_marks_and_paging(self):
        self.write_state([state_job(7100002, setup_s=1380), state_job(7999999)])
        r = self.run_gw("instances")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {ln.split()[0]: ln for ln in r.stdout.splitlines()[1:]}
        self.assertIn("gpuwarden", rows["7100001"])             # labelled gpuwarden:
        self.assertIn("gpuwarden", rows["7100002"])             # in the state file
        self.assertIn("23 min", rows["7100002"])                # its setup time
        self.assertIn("unknown to gpuwarden", rows["7100003"])
        self.assertIn("missing", rows["7999999"])
        self.assertIn("~$0.80", rows["7100001"])                # 2 h at $0.40/h
        lists = [e for e in self.fake.log() if e["path"].startswith("/api/v1/instances/")]
        self.assertEqual(len(lists), 2, "both pages of the v1 list")
        self.assertFalse(any(e["path"].rstrip("/") == "/api/v0/instances" for e in self.fake.log()))

    def test_json(self):
        self.write_state([state_job(7100002, setup_s=1380), state_job(7999999)])
        r = self.run_gw("instances", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["provider"], "vast")
        by_id = {i["id"]: i for i in doc["instances"]}
        self.assertEqual(set(by_id), {7100001, 7100002, 7100003, 7999999})
        self.assertEqual(by_id[7100001]["mark"], "gpuwarden")
        self.assertIsNone(by_id[7100001]["job_state"])
        self.assertEqual(by_id[7100002]["setup_s"], 1380)
        self.assertEqual(by_id[7100002]["job_state"], "ready")
        self.assertEqual(by_id[7100003]["mark"], "unknown to gpuwarden")
        self.assertFalse(by_id[7100003]["launched_by_gpuwarden"])
        self.assertEqual(by_id[7100003]["state"], "stopped")
        self.assertEqual(by_id[7999999]["mark"], "missing")
        self.assertIsNone(by_id[7999999]["state"])
        self.assertAlmostEqual(by_id[7100001]["cost_usd"], 0.8, delta=0.05)

    @bad_input()
    def test_no_key_is_a_usage_error(self):
        r = self.run_gw("instances", key=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("needs a vast.ai API key", r.stderr)
        self.assertEqual(self.fake.log(), [])

    @fault
    def test_provider_error_exits_3(self):
        self.fake.set_mode("500", count=-1, endpoint="list")
        r = self.run_gw("instances")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("HTTP 500", r.stderr)


class TestStopDestroy(InstancesCliCase):

    @bad_input(10)
    def test_without_or_with_a_wrong_confirm_nothing_is_sent(self):
        for action in ("stop", "destroy"):
            for extra in ([], ["--confirm", "7100002"], ["--confirm", "710000"]):
                with self.subTest(action=action, extra=extra):
                    r = self.run_gw(action, "7100001", *extra)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertIn("nothing was sent", r.stderr)
                    self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                    self.assertEqual(r.stdout, "")
        for bad in (["--yes"], ["--confirm"], ["--confirm", "abc"], []):
            r = self.run_gw("destroy", *bad) if bad != [] else self.run_gw("destroy")
            self.assertEqual(r.returncode, 2, (bad, r.stderr))
        self.assertEqual(self.destructive(), [])
        self.assertEqual([i["id"] for i in self.fake.instances()],
                         [7100001, 7100002, 7100003])
        lines = self.audit()
        self.assertEqual(len(lines), 6, "one cancelled line per refused attempt")
        self.assertTrue(all(ln["outcome"] == "cancelled" and ln["instance_id"] == 7100001
                            and ln["via"] == "command line" for ln in lines))
        self.assertIn("does not match", lines[1]["reason"])

    def test_destroy_with_the_right_confirm(self):
        r = self.run_gw("destroy", "7100001", "--confirm", "7100001")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("destroying instance 7100001", r.stdout)
        self.assertIn("instance 7100001 destroyed", r.stdout)
        self.assertEqual(self.destructive(), [("DELETE", "/api/v0/instances/7100001/")])
        self.assertEqual([i["id"] for i in self.fake.instances()], [7100002, 7100003])
        lines = self.audit()
        self.assertEqual([ln["outcome"] for ln in lines], ["sent", "succeeded"])
        self.assertEqual({ln["label"] for ln in lines}, {"gpuwarden:ace-step-1.5"})
        self.assertTrue(all(ln["action"] == "destroy" and ln["instance_id"] == 7100001
                            for ln in lines))
        with open(self.audit_file, encoding="utf-8") as f:
            self.assertNotIn(FAKE_KEY, f.read())
        self.assertEqual(os.stat(self.audit_file).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(self.state_dir).st_mode & 0o777, 0o700)

    def test_stop_with_the_right_confirm(self):
        r = self.run_gw("stop", "7100002", "--confirm", "7100002")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("instance 7100002 stopped", r.stdout)
        puts = [e for e in self.fake.log() if e["method"] == "PUT"]
        self.assertEqual(len(puts), 1)
        self.assertEqual(puts[0]["path"], "/api/v0/instances/7100002/")
        self.assertEqual(puts[0]["body"], {"state": "stopped"})
        self.assertEqual(self.destructive(), [("PUT", "/api/v0/instances/7100002/")])
        stopped = {i["id"]: i for i in self.fake.instances()}[7100002]
        self.assertEqual(stopped["actual_status"], "stopped")
        self.assertEqual([ln["outcome"] for ln in self.audit()], ["sent", "succeeded"])

    @fault
    def test_already_gone(self):
        r = self.run_gw("destroy", "7555555", "--confirm", "7555555")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already gone", r.stdout)
        r = self.run_gw("stop", "7555555", "--confirm", "7555555")
        self.assertEqual(r.returncode, 1)
        self.assertIn("already gone", r.stderr)
        outcomes = [(ln["action"], ln["outcome"], ln.get("reason")) for ln in self.audit()]
        self.assertEqual(outcomes, [("destroy", "sent", None),
                                    ("destroy", "failed", "already gone"),
                                    ("stop", "sent", None), ("stop", "failed", "already gone")])

    @fault
    def test_429_is_retried_then_succeeds(self):
        self.fake.set_mode("429", count=2, endpoint="destroy")
        r = self.run_gw("destroy", "7100003", "--confirm", "7100003")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.destructive(), [("DELETE", "/api/v0/instances/7100003/")] * 3)
        self.assertEqual([ln["outcome"] for ln in self.audit()], ["sent", "succeeded"])

    @fault
    def test_provider_failure_is_audited(self):
        self.fake.set_mode("500", count=-1, endpoint="destroy")
        r = self.run_gw("destroy", "7100003", "--confirm", "7100003")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("HTTP 500", r.stderr)
        lines = self.audit()
        self.assertEqual([ln["outcome"] for ln in lines], ["sent", "failed"])
        self.assertIn("HTTP 500", lines[1]["reason"])
        self.assertIn(7100003, [i["id"] for i in self.fake.instances()])

    @fault
    def test_kill_9_mid_request_leaves_valid_jsonl(self):
        # two finished attempts first, then one that never gets an answer
        self.run_gw("destroy", "7100001")
        self.run_gw("stop", "7100002", "--confirm", "7100002")
        self.fake.set_mode("hang", count=1, endpoint="destroy")
        proc = subprocess.Popen(
            [self.bin, "destroy", "7100003", "--confirm", "7100003", "--api-url", self.fake.url],
            env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any(
                    e["method"] == "DELETE" for e in self.fake.log()):
                time.sleep(0.05)
            self.assertTrue(any(e["method"] == "DELETE" for e in self.fake.log()),
                            "the DELETE never arrived")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        lines = self.audit()                       # every line parses
        self.assertEqual([ln["outcome"] for ln in lines],
                         ["cancelled", "sent", "succeeded", "sent"])
        with open(self.audit_file, "rb") as f:
            self.assertTrue(f.read().endswith(b"\n"))
        r = self.run_gw("audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no outcome recorded", r.stdout)
        self.assertEqual(r.stdout.count("no outcome recorded"), 1)
        # the next attempt appends cleanly after the crash
        r = self.run_gw("destroy", "7100003", "--confirm", "7100003")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.audit()), 6)

    def test_audit_command(self):
        r = self.run_gw("audit")
        self.assertEqual(r.returncode, 0)
        self.assertIn("no audit entries yet", r.stdout)
        self.run_gw("destroy", "7100001", "--confirm", "7100002")
        self.run_gw("stop", "7100002", "--confirm", "7100002")
        r = self.run_gw("audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        self.assertIn("TIME (UTC)", out[0])
        self.assertRegex(out[1], r"destroy\s+7100001\s+cancelled\s+gpuwarden:ace-step-1\.5|"
                                 r"destroy\s+7100001\s+cancelled\s+-")
        self.assertRegex(out[2], r"stop\s+7100002\s+sent")
        self.assertRegex(out[3], r"stop\s+7100002\s+succeeded")
        self.assertNotIn(FAKE_KEY, r.stdout)

    def test_destroyed_instance_is_not_missing_afterwards(self):
        self.write_state([state_job(7100002)])
        r = self.run_gw("destroy", "7100002", "--confirm", "7100002")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(self.run_gw("instances", "--json").stdout)
        self.assertNotIn(7100002, [i["id"] for i in doc["instances"]])
        with open(os.path.join(self.state_dir, "jobs.json"), encoding="utf-8") as f:
            jobs = json.load(f)["jobs"]
        self.assertEqual(jobs[0]["instance_state"], "destroyed")


if __name__ == "__main__":
    unittest.main()
