"""End-to-end tests of `gpuwarden launch --provider vast` (SPEC §7): the fake vast.ai server
(tests/fake_vast.py) rents instances whose SSH address is a real OpenSSH server on loopback
(tests/sshd.py), so create, boot, connect, verify, setup, health and test all run for real:
libssh2, the TOFU known_hosts, the detached setup followed by byte offset, HTTP through a
direct-tcpip tunnel.

Run from the repository root:
    python3 -m unittest tests.integration.test_launch_ssh -v

The host is this machine: the job's folder goes to a temporary GPUWARDEN_REMOTE_DIR, and the
recipe (tests/fixtures/launch/recipe.json, written per test with its own free port and knobs,
beside a copy of setup.sh) starts tests/fixtures/launch/service.py there. tearDown stops every
process left in that folder (the setup's process group from setup.pid, the service from
service.pid, then anything else whose working folder is inside it). Every test gets its own
temporary HOME and XDG folders and its own sshd; nothing but 127.0.0.1 is contacted (--offline).
"""

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

if __package__:
    from . import realsshd
    from .fakevast import REPO, FakeVast, find_binary, make_temp_home, free_port
    from .figures import fault
else:   # run as a script, or discovered without -t
    import realsshd
    from fakevast import REPO, FakeVast, find_binary, make_temp_home, free_port
    from figures import fault

RUN_TIMEOUT = 60
FIXTURES = os.path.join(REPO, "tests", "fixtures", "launch")
OFFERS = os.path.join(REPO, "assets", "demo-offers.json")
GOOD = 4242307      # RTX 3060 12 GB, Texas US, CUDA 12.8: the checklist passes (row 4 warns)
OTHER = 11991987    # RTX 3090 24 GB, Noord-Holland NL, CUDA 12.8: passes too
RECIPE = "launch-itest"
STEPS = ["create", "boot", "connect", "verify", "setup", "health", "test"]
STEP_LINE = re.compile(r"^\[(\w+)\] ")
SMI_12GB = "NVIDIA GeForce RTX 3060, 12288, 8.6\n"
SMI_8GB = "NVIDIA GeForce RTX 3060, 8192, 8.6\n"
# gpuwarden's own messages during the setup step, told apart from the script's streamed lines
OWN_SETUP_LINE = re.compile(r"^(uploading \S+ and starting it detached |re-attaching to the setup"
                            r"|phase \d+: |setup finished with status |warning: |connected to )")
FINGERPRINT = re.compile(r"host key ssh-ed25519 (SHA256:[A-Za-z0-9+/]+) ")



def steps_seen(stdout):
    """The steps in the order their lines appear, each once per run of lines."""
    seen = []
    for line in stdout.splitlines():
        m = STEP_LINE.match(line)
        if m and m.group(1) in STEPS and (not seen or seen[-1] != m.group(1)):
            seen.append(m.group(1))
    return seen


def streamed_setup_lines(stdout):
    """The setup script's own lines as `launch --follow` printed them."""
    out = []
    for line in stdout.split("\n"):
        if line.startswith("[setup] "):
            text = line[len("[setup] "):]
            if not OWN_SETUP_LINE.match(text):
                out.append(text)
    return out


def _cwd(pid):
    try:
        return os.readlink("/proc/%d/cwd" % pid)
    except OSError:
        return ""


def _read_pid(path):
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
        return int(text) if text.isdigit() else 0
    except OSError:
        return 0


def kill_leftovers(folder):
    """Stops every process this test left on the 'host': the setup's process group (setsid
    makes its pid the group id), the service, then anything else working inside `folder`.
    Only processes whose working folder is inside `folder` are touched."""
    if not os.path.isdir(folder):
        return
    inside = os.path.realpath(folder) + os.sep
    jobs = [os.path.join(folder, d) for d in os.listdir(folder)]
    for job in jobs:
        pid = _read_pid(os.path.join(job, "setup.pid"))
        if pid > 1 and _cwd(pid).startswith(inside):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        pid = _read_pid(os.path.join(job, "service.pid"))
        if pid > 1 and _cwd(pid).startswith(inside):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid() and \
                (_cwd(int(name)) + os.sep).startswith(inside):
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass


@unittest.skipUnless(realsshd.available() and all(shutil.which(p) for p in
                                                 ("python3", "bash", "curl", "setsid", "tail")),
                     "needs OpenSSH's sshd and ssh-keygen, python3, bash, curl, setsid and tail")
class LaunchSsh(unittest.TestCase):
    """One fake vast.ai server for the class (reset before every test); per test a temporary
    HOME, a real sshd and a remote folder."""

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()
        with open(OFFERS, encoding="utf-8") as f:
            offers = json.load(f)
        cls.fake_dir = tempfile.mkdtemp(prefix="gw-launch-ssh-vast-")
        cls.fake = FakeVast()
        try:
            cls.fake.start(cls.fake_dir, offers)
        except Exception:
            cls.fake.stop()
            shutil.rmtree(cls.fake_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.fake_dir, ignore_errors=True)

    def setUp(self):
        self.fake.reset()
        self.tmp, home, xdg = make_temp_home("gw-launch-ssh-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.state = os.path.join(xdg["XDG_STATE_HOME"], "gpuwarden")
        self.known_hosts = os.path.join(self.state, "known_hosts")
        self.remote = os.path.join(self.tmp, "remote")
        self.addCleanup(kill_leftovers, self.remote)
        self.sshd = realsshd.Sshd(os.path.join(self.tmp, "sshd"))
        self.sshd.start()
        self.addCleanup(self.sshd.stop)
        self.sshd.set_smi(SMI_12GB)
        self.fake.set_instances(ssh_host="127.0.0.1", ssh_port=self.sshd.port, direct=True,
                                loading_polls=2, final_status="running")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("VAST_", "GPUWARDEN_", "XDG_", "SSH_AUTH"))}
        self.env.update(xdg)
        self.env.update({
            "HOME": home, "LC_ALL": "C.UTF-8",
            "VAST_API_KEY": "vast-fake-key-0123456789", "VAST_URL": self.fake.url,
            "GPUWARDEN_SSH_KEY": self.sshd.key_path, "GPUWARDEN_SSH_USER": self.sshd.user,
            "GPUWARDEN_REMOTE_DIR": self.remote,
            "GPUWARDEN_BOOT_POLL_S": "0.1", "GPUWARDEN_CONNECT_RETRY_S": "0.2",
            "GPUWARDEN_SSH_TIMEOUT_S": "5", "GPUWARDEN_SSH_KEEPALIVE_S": "2"})

    # ------------------------------------------------------------------ helpers

    def recipe(self, env=None, health_timeout=None, test_timeout=None):
        """Writes the test recipe with its own free port (and `env` added to its env) beside a
        copy of setup.sh; returns (path, port)."""
        with open(os.path.join(FIXTURES, "recipe.json"), encoding="utf-8") as f:
            r = json.load(f)
        port = free_port()
        r["env"] = {"SVC_PORT": str(port), "SVC_PY": os.path.join(FIXTURES, "service.py")}
        r["env"].update(env or {})
        r["ports"] = [port]
        r["health"]["port"] = port
        if health_timeout:
            r["health"]["timeout_s"] = health_timeout
        if test_timeout:
            r["test"]["poll"]["timeout_s"] = test_timeout
        folder = os.path.join(self.tmp, "recipe")
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(FIXTURES, "setup.sh"), folder)
        path = os.path.join(folder, RECIPE + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=2)
        return path, port

    def argv(self, recipe, offer=GOOD, follow=True):
        return [self.bin, "launch", "--provider", "vast", "--offline", "--offer", str(offer),
                "--recipe", recipe, "--confirm", str(offer)] + (["--follow"] if follow else [])

    def launch(self, recipe, offer=GOOD, follow=True):
        return subprocess.run(self.argv(recipe, offer, follow), env=self.env, capture_output=True,
                              text=True, encoding="utf-8", timeout=RUN_TIMEOUT)

    def launch_while(self, recipe, when, action):
        """Runs the launch in the background; once `when(numbered lines in the host's
        setup.log)` holds, calls action() (and keeps the log's line count then in
        self.lines_at_action). Returns (stdout, stderr, exit status)."""
        out_path, err_path = os.path.join(self.tmp, "stdout"), os.path.join(self.tmp, "stderr")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            proc = self.proc = subprocess.Popen(self.argv(recipe), env=self.env, stdout=out,
                                                stderr=err)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            while True:
                logs = glob.glob(os.path.join(self.remote, "*", "setup.log"))
                data = b""
                if logs:
                    with open(logs[0], "rb") as f:
                        data = f.read()
                if when(data.count(b"\nline ")):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.fail("the setup never got that far (launch exit %s)" % proc.poll())
                time.sleep(0.02)
            action()
            self.lines_at_action = data.count(b"\n")
            rc = proc.wait(RUN_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(out_path, encoding="utf-8") as f:
            stdout = f.read()
        with open(err_path, encoding="utf-8") as f:
            stderr = f.read()
        return stdout, stderr, rc

    def job_dir(self, instance_id):
        return os.path.join(self.remote, str(instance_id))

    def setup_log_lines(self, instance_id):
        with open(os.path.join(self.job_dir(instance_id), "setup.log"), "rb") as f:
            data = f.read()
        self.assertTrue(data.endswith(b"\n"), data[-80:])
        return data.decode("utf-8").split("\n")[:-1]

    def instance_id(self, stdout):
        m = re.search(r"^\[create\] instance (\d+) created", stdout, re.M)
        self.assertIsNotNone(m, stdout)
        return int(m.group(1))

    def jobs(self):
        with open(os.path.join(self.state, "jobs.json"), encoding="utf-8") as f:
            return json.load(f)["jobs"]

    def requests(self, method, pattern):
        return [e for e in self.fake.log()
                if e["method"] == method and re.match(pattern, e["path"])]

    def host_key_blob(self):
        with open(self.sshd.host_key + ".pub", encoding="ascii") as f:
            return f.read().split()[1]

    def assert_failed_at(self, r, step, case=None):
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        m = re.search(r"^gpuwarden: launch failed at (\w+): (.*)$", r.stderr, re.M)
        self.assertIsNotNone(m, r.stderr)
        self.assertEqual(m.group(1), step, r.stderr)
        if case is not None:
            self.assertTrue(m.group(2).endswith("(case %d)" % case), r.stderr)
        self.assertLessEqual(m.group(2).count("(case "), 1, r.stderr)   # said once
        self.assertEqual(steps_seen(r.stdout)[-1], step, r.stdout)
        self.assertNotIn("READY", r.stdout)
        return m.group(2)

    # ------------------------------------------------------------------ the whole way

    def test_follow_reaches_ready_with_every_step_in_order(self):
        recipe, port = self.recipe()
        r = self.launch(recipe)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(steps_seen(r.stdout), STEPS)
        iid = self.instance_id(r.stdout)
        self.assertRegex(r.stdout, r"\[test\] READY: instance %d runs %s" % (iid, RECIPE))
        self.assertEqual(r.stderr, "")

        # create: one PUT with env as an object and the gpuwarden label
        puts = self.requests("PUT", r"^/api/v0/asks/")
        self.assertEqual([p["path"] for p in puts], ["/api/v0/asks/%d/" % GOOD])
        body = puts[0]["body"]
        self.assertIsInstance(body["env"], dict)
        self.assertEqual(body["env"]["SVC_PORT"], str(port))
        self.assertEqual(body["env"]["SVC_PY"], os.path.join(FIXTURES, "service.py"))
        self.assertEqual(body["label"], "gpuwarden:" + RECIPE)
        self.assertEqual(body["image"], "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime")
        # boot: show polled through loading (2 polls, config loading_polls) to running, then
        # no more
        shows = self.requests("GET", r"^/api/v0/instances/%d/?$" % iid)
        self.assertEqual(len(shows), 3, shows)
        boot = [ln for ln in r.stdout.splitlines() if ln.startswith("[boot] ")]
        self.assertEqual(sum(1 for ln in boot if ln.startswith("[boot] loading: ")), 2, boot)
        self.assertRegex(boot[-1], r"^\[boot\] running after \d+ s")
        self.assertEqual(self.fake.instances()[0]["actual_status"], "running")

        # connect: TOFU, the fingerprint shown is the server's, the key stored 0600
        m = FINGERPRINT.search(r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertEqual(m.group(1), self.sshd.fingerprint())
        self.assertIn("first use: stored in gpuwarden's known_hosts", r.stdout)
        self.assertEqual(os.stat(self.known_hosts).st_mode & 0o777, 0o600)
        with open(self.known_hosts, encoding="ascii") as f:
            entries = [ln.split()[:3] for ln in f if ln.strip() and not ln.startswith("#")]
        self.assertEqual(entries, [["[127.0.0.1]:%d" % self.sshd.port, "ssh-ed25519",
                                    self.host_key_blob()]])

        # verify, setup: the streamed lines are the host's setup.log, byte for byte
        self.assertIn("[verify] GPU 0: NVIDIA GeForce RTX 3060, 12288 MiB, sm_86", r.stdout)
        log = self.setup_log_lines(iid)
        self.assertEqual(streamed_setup_lines(r.stdout), log)
        self.assertIn("tab\there, utf-8 \u00e9, trailing space ", log)
        self.assertIn("to stderr", log)
        self.assertIn("service up on 127.0.0.1:%d" % port, log)
        self.assertIn("[setup] phase 2: Serve", r.stdout)
        self.assertIn("[setup] setup finished with status 0", r.stdout)
        with open(os.path.join(self.job_dir(iid), "setup.exit"), encoding="ascii") as f:
            self.assertEqual(f.read().strip(), "0")

        # health, test; the job is recorded ready
        self.assertRegex(r.stdout, r"\[health\] healthy after \d+ s \(HTTP 200\)")
        self.assertIn("[test] test passed: /files/out.bin is 4096 bytes", r.stdout)
        jobs = self.jobs()
        self.assertEqual(len(jobs), 1)
        self.assertEqual((jobs[0]["instance_id"], jobs[0]["offer_id"], jobs[0]["state"],
                          jobs[0]["step"], jobs[0]["label"], jobs[0]["ssh"]),
                         (iid, GOOD, "ready", "test", "gpuwarden:" + RECIPE,
                          "%s@127.0.0.1:%d" % (self.sshd.user, self.sshd.port)))
        self.assertEqual(os.stat(os.path.join(self.state, "jobs.json")).st_mode & 0o777, 0o600)

    def test_the_api_key_stays_in_its_header(self):
        """A full launch, then instances, stop, destroy and audit: the key appears in nothing
        printed, in no file written (state, audit, known_hosts, the host's job folder), in no
        process on the host, and in no request but the Authorization header (issue 7)."""
        key = self.env["VAST_API_KEY"].encode()
        recipe, _ = self.recipe()
        r = self.launch(recipe)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        iid = str(self.instance_id(r.stdout))
        outputs = [r.stdout, r.stderr]
        # the service the setup started is still running on the "host": its argv and environment
        inside = os.path.realpath(self.remote) + os.sep
        procs = [int(p) for p in os.listdir("/proc")
                 if p.isdigit() and (_cwd(int(p)) + os.sep).startswith(inside)]
        self.assertTrue(procs, "the service should still be running")
        for pid in procs:
            for what in ("environ", "cmdline"):
                try:
                    with open("/proc/%d/%s" % (pid, what), "rb") as f:
                        self.assertNotIn(key, f.read(), "%s of pid %d" % (what, pid))
                except OSError:
                    pass
        for argv in (["instances"], ["instances", "--json"], ["stop", iid],
                     ["stop", iid, "--confirm", iid], ["destroy", iid, "--confirm", iid],
                     ["audit"]):
            c = subprocess.run([self.bin] + argv, env=self.env, capture_output=True, text=True,
                               timeout=RUN_TIMEOUT)
            self.assertIn(c.returncode, (0, 2), (argv, c.stderr))
            outputs += [c.stdout, c.stderr]
        for text in outputs:
            self.assertNotIn(key.decode(), text)
        written = 0
        for folder, _, names in os.walk(self.tmp):
            for name in names:
                path = os.path.join(folder, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as f:
                        self.assertNotIn(key, f.read(), path)
                    written += 1
        self.assertGreater(written, 5)
        self.assertTrue(os.path.exists(os.path.join(self.state, "audit.jsonl")))
        # and everything gpuwarden created for itself is private: files 0600 in 0700 folders
        made = 0
        for root in (os.path.dirname(self.state), self.env["XDG_CACHE_HOME"]):
            for folder, dirs, names in os.walk(root):
                if folder != root:
                    self.assertEqual(os.stat(folder).st_mode & 0o777, 0o700, folder)
                for name in names:
                    path = os.path.join(folder, name)
                    self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)
                    made += 1
        self.assertGreaterEqual(made, 3)      # jobs.json, known_hosts, audit.jsonl at least
        for e in self.fake.log():
            headers = dict(e["headers"])
            auth = headers.pop("authorization", "")
            self.assertIn(auth, ("", "Bearer " + key.decode()))
            self.assertNotIn(key.decode(), json.dumps([e["path"], e["body"], headers]))
        methods = {(e["method"], e["path"].split("?")[0]) for e in self.fake.log()}
        self.assertIn(("DELETE", "/api/v0/instances/%s/" % iid), methods)

    @fault
    def test_connection_drop_mid_setup_loses_and_doubles_no_line(self):
        recipe, _ = self.recipe(env={"SETUP_LINES": "60", "SETUP_DELAY": "0.1"})
        killed = []
        stdout, stderr, rc = self.launch_while(
            recipe, lambda n: n >= 15, lambda: killed.extend(self.sshd.kill_children()))
        self.assertTrue(killed, "no SSH connection to drop")
        self.assertEqual(rc, 0, stdout + stderr)
        self.assertEqual(steps_seen(stdout), STEPS)
        iid = self.instance_id(stdout)
        # the drop was noticed during the setup, and the job reconnected and went on
        m = re.search(r"^\[setup\] warning: connection lost \((.*)\); reconnecting$", stdout, re.M)
        self.assertIsNotNone(m, stdout)
        self.assertIn("the setup keeps running on the host", m.group(1))
        after = stdout[m.end():]
        self.assertRegex(after,
                         r"(?m)^\[setup\] connected to .*\(matches gpuwarden's known_hosts\)$")
        # nothing lost, nothing doubled: the streamed lines are setup.log exactly
        log = self.setup_log_lines(iid)
        self.assertGreater(len(log), self.lines_at_action)
        self.assertEqual(streamed_setup_lines(stdout), log)
        numbered = [ln for ln in log if ln.startswith("line ")]
        self.assertEqual(numbered, ["line %03d of 60" % i for i in range(1, 61)])
        self.assertIn("[setup] setup finished with status 0", stdout)
        self.assertEqual(self.jobs()[0]["state"], "ready")

    @fault
    def test_frozen_connection_is_dropped_after_missed_keepalives(self):
        # the host stops answering without closing anything (SIGSTOP): only the keepalives
        # can tell; 3 missed at 1 s -> reconnect, and the setup is followed to its end
        self.env["GPUWARDEN_SSH_KEEPALIVE_S"] = "1"
        recipe, _ = self.recipe(env={"SETUP_LINES": "60", "SETUP_DELAY": "0.1"})
        frozen = []

        def thaw():
            for pid in frozen:
                try:
                    os.kill(pid, signal.SIGCONT)
                except OSError:
                    pass
        self.addCleanup(thaw)
        stdout, stderr, rc = self.launch_while(
            recipe, lambda n: n >= 10,
            lambda: frozen.extend(self.sshd.signal_children(signal.SIGSTOP)))
        self.assertTrue(frozen, "no SSH connection to freeze")
        self.assertEqual(rc, 0, stdout + stderr)
        m = re.search(r"^\[setup\] warning: connection lost \((.*)\); reconnecting$", stdout, re.M)
        self.assertIsNotNone(m, stdout)
        self.assertRegex(m.group(1), r"keepalive|answer|respon")
        iid = self.instance_id(stdout)
        self.assertEqual(streamed_setup_lines(stdout), self.setup_log_lines(iid))
        self.assertEqual(self.jobs()[0]["state"], "ready")

    @fault
    def test_interrupt_leaves_the_setup_running_on_the_host(self):
        recipe, _ = self.recipe(env={"SETUP_LINES": "30", "SETUP_DELAY": "0.1", "SVC": "0"})
        sent = []

        def interrupt():
            sent.append(time.monotonic())
            self.proc.send_signal(signal.SIGINT)
        stdout, stderr, rc = self.launch_while(recipe, lambda n: n >= 5, interrupt)
        self.assertLess(time.monotonic() - sent[0], 5)   # it stops promptly
        self.assertEqual(rc, 1, stdout + stderr)
        self.assertIn("interrupted: stopping the job; the instance and any setup running on it "
                      "are left as they are", stderr)
        self.assertRegex(stderr, r"launch cancelled at setup: stopped following during setup; "
                                 r"instance \d+ is left as it is")
        iid = self.instance_id(stdout)
        # the setup goes on without gpuwarden and ends on its own
        done = os.path.join(self.job_dir(iid), "setup.exit")
        deadline = time.monotonic() + 20
        while not os.path.exists(done) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(done, encoding="ascii") as f:
            self.assertEqual(f.read().strip(), "0")
        self.assertIn("line 030 of 30", self.setup_log_lines(iid))
        # the state file still says where the job was, for a later re-attach
        job = self.jobs()[0]
        self.assertEqual((job["instance_id"], job["state"], job["step"]), (iid, "running", "setup"))

    # ------------------------------------------------------------------ connect

    @fault
    def test_refused_key_abandons_the_host_after_three_attempts(self):
        recipe, _ = self.recipe()
        stranger = os.path.join(self.tmp, "stranger_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger],
                       check=True, timeout=30)
        self.env["GPUWARDEN_SSH_KEY"] = stranger
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "connect", 4)
        self.assertIn("authentication refused for %s@127.0.0.1:%d" % (self.sshd.user,
                                                                       self.sshd.port), why)
        self.assertIn(stranger, why)
        self.assertEqual(r.stdout.count("connection attempt"), 3, r.stdout)  # each attempt said
        iid = self.instance_id(r.stdout)
        self.assertFalse(os.path.exists(self.job_dir(iid)))    # nothing ran on the host
        self.assertRegex(r.stderr, r"instance %d is left as it is" % iid)

    @fault
    def test_changed_host_key_is_a_hard_stop(self):
        recipe, _ = self.recipe()
        # a first launch stores the key (and stops at verify, quickly: an 8 GB card)
        self.sshd.set_smi(SMI_8GB)
        first = self.launch(recipe, GOOD)
        self.assert_failed_at(first, "verify", 7)
        self.assertIn("first use: stored in gpuwarden's known_hosts", first.stdout)
        with open(self.known_hosts, "rb") as f:
            before = f.read()
        self.assertIn(self.host_key_blob().encode(), before)
        # the same host:port answers with another key for the next instance
        old = self.sshd.fingerprint()
        self.sshd.rekey()
        self.assertNotEqual(self.sshd.fingerprint(), old)
        self.sshd.set_smi(SMI_12GB)
        r = self.launch(recipe, OTHER)
        why = self.assert_failed_at(r, "connect", 4)
        self.assertIn("possible MITM", why)
        self.assertIn("never accepted automatically", why)
        with open(self.known_hosts, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(os.stat(self.known_hosts).st_mode & 0o777, 0o600)
        self.assertNotIn("connection attempt", r.stdout)   # no retry on a changed key
        ids = sorted(i["id"] for i in self.fake.instances())
        self.assertEqual(len(ids), 2)
        self.assertFalse(os.path.exists(self.job_dir(ids[1])))
        self.assertRegex(r.stderr, r"instance %d is left as it is" % ids[1])

    @fault
    def test_nothing_listening_abandons_the_host_after_three_attempts(self):
        closed = free_port()
        self.fake.set_instances(ssh_port=closed)
        recipe, _ = self.recipe()
        start = time.monotonic()
        r = self.launch(recipe)
        took = time.monotonic() - start
        why = self.assert_failed_at(r, "connect", 4)
        self.assertIn("host abandoned after 3 failed connection attempts", why)
        self.assertIn("pick another offer", why)
        attempts = re.findall(r"^\[connect\] warning: connection attempt (\d) of 3 failed: .*%d"
                              % closed, r.stdout, re.M)
        self.assertEqual(attempts, ["1", "2", "3"], r.stdout)
        self.assertLess(took, 10)
        self.assertFalse(os.path.exists(self.known_hosts))
        self.assertEqual(self.jobs()[0]["state"], "failed")

    @fault
    def test_silent_host_times_out_each_attempt(self):
        # a port that accepts TCP but never says a word: each attempt ends at the SSH timeout
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            self.fake.set_instances(ssh_port=silent.getsockname()[1])
            self.env["GPUWARDEN_SSH_TIMEOUT_S"] = "1"
            recipe, _ = self.recipe()
            start = time.monotonic()
            r = self.launch(recipe)
            took = time.monotonic() - start
        why = self.assert_failed_at(r, "connect", 4)
        self.assertIn("host abandoned after 3 failed connection attempts", why)
        self.assertEqual(len(re.findall(r"connection attempt \d of 3 failed", r.stdout)), 3)
        self.assertGreaterEqual(took, 3)
        self.assertLess(took, 15)

    # ------------------------------------------------------------------ verify

    def test_8gb_card_fails_verify_with_case_7(self):
        self.sshd.set_smi(SMI_8GB)
        recipe, _ = self.recipe()
        r = self.launch(recipe)
        self.assert_failed_at(r, "verify", 7)
        self.assertIn("[verify] GPU 0: NVIDIA GeForce RTX 3060, 8192 MiB, sm_86", r.stdout)
        iid = self.instance_id(r.stdout)
        self.assertIn("instance %d is left as it is" % iid, r.stderr)
        self.assertIn("destroying it is advised", r.stderr)
        self.assertNotIn("[setup]", r.stdout)
        self.assertFalse(os.path.exists(self.job_dir(iid)))   # no setup started on the host
        self.assertEqual(self.requests("DELETE", r"^/api/v0/instances/"), [])   # not destroyed
        job = self.jobs()[0]
        self.assertEqual((job["state"], job["step"], job["case"]), ("failed", "verify", 7))

    # ------------------------------------------------------------------ setup

    def test_setup_exit_1_fails_with_its_last_lines(self):
        recipe, _ = self.recipe(env={"SETUP_LINES": "8", "SETUP_EXIT": "1"})
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "setup")
        self.assertIn("the setup script exited with status 1", why)
        self.assertIn("(last line: giving up with status 1)", why)
        iid = self.instance_id(r.stdout)
        log = self.setup_log_lines(iid)
        self.assertEqual(streamed_setup_lines(r.stdout), log)
        shown = re.findall(r"^  \| (.*)$", r.stderr, re.M)
        self.assertEqual(shown, log[-len(shown):])
        self.assertGreaterEqual(len(shown), 3)
        self.assertEqual(shown[-1], "giving up with status 1")
        self.assertIn("instance %d is left as it is" % iid, r.stderr)
        with open(os.path.join(self.job_dir(iid), "setup.exit"), encoding="ascii") as f:
            self.assertEqual(f.read().strip(), "1")
        self.assertNotIn("[health]", r.stdout)

    # ------------------------------------------------------------------ health, test

    @fault
    def test_health_503_times_out_with_case_8(self):
        recipe, _ = self.recipe(env={"SVC_HEALTH": "503"}, health_timeout=3)
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "health", 8)
        self.assertIn("/health did not answer 200 within 3 s (last: HTTP 503)", why)
        self.assertNotIn("[test]", r.stdout)

    @fault
    def test_health_without_a_service_times_out_with_case_8(self):
        recipe, port = self.recipe(env={"SVC": "0"}, health_timeout=3)
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "health", 8)
        self.assertIn("/health did not answer 200 within 3 s", why)
        self.assertIn("no service started", self.setup_log_lines(self.instance_id(r.stdout)))
        self.assertNotIn("connection lost", r.stdout)   # a closed port is not a dropped host

    @fault
    def test_result_never_done_is_not_ready(self):
        recipe, _ = self.recipe(env={"SVC_RESULT": "running"}, test_timeout=3)
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "test", 8)
        self.assertIn("no test result within 3 s (last: running)", why)
        self.assertRegex(r.stdout, r"\[health\] healthy after")
        self.assertIn("[test] test status: running", r.stdout)
        job = self.jobs()[0]
        self.assertEqual((job["state"], job["step"]), ("failed", "test"))

    # ------------------------------------------------------------------ boot

    @fault
    def test_instance_that_exits_fails_boot_at_once(self):
        self.fake.set_instances(loading_polls=0, final_status="exited")
        recipe, _ = self.recipe()
        start = time.monotonic()
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "boot")
        self.assertLess(time.monotonic() - start, 10)
        self.assertIn("is 'exited': it will never reach running", why)
        iid = self.instance_id(r.stdout)
        self.assertEqual(len(self.requests("GET", r"^/api/v0/instances/%d/?$" % iid)), 1)
        self.assertFalse(os.path.exists(self.known_hosts))

    @fault
    def test_boot_stuck_loading_times_out_with_case_5(self):
        self.fake.set_instances(loading_polls=1000000)
        self.env.update({"GPUWARDEN_BOOT_TIMEOUT_S": "1.5", "GPUWARDEN_BOOT_WARN_S": "0.5"})
        recipe, _ = self.recipe()
        start = time.monotonic()
        r = self.launch(recipe)
        took = time.monotonic() - start
        why = self.assert_failed_at(r, "boot", 5)
        self.assertRegex(why, r"is still not running after \d s \(image pull too slow\?\)")
        self.assertRegex(r.stdout, r"\[boot\] warning: image pull slow: \d s and not running yet "
                                   r"\(case 5\)")
        self.assertGreaterEqual(took, 1.5)
        self.assertLess(took, 10)
        iid = self.instance_id(r.stdout)
        self.assertGreaterEqual(len(self.requests("GET", r"^/api/v0/instances/%d/?$" % iid)), 5)
        self.assertEqual(self.fake.instances()[0]["actual_status"], "loading")

    # ------------------------------------------------------------------ create

    def test_gone_offer_rents_nothing(self):
        recipe, _ = self.recipe()
        r = self.launch(recipe, offer=1)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertRegex(r.stderr, r"^gpuwarden: offer 1 not found in .*; nothing was rented\n$")
        self.assertNotIn("[create]", r.stdout)
        self.assertEqual(self.requests("PUT", r"^/api/v0/asks/"), [])
        self.assertEqual(self.fake.instances(), [])
        self.assertFalse(os.path.exists(os.path.join(self.state, "jobs.json")))

    @fault
    def test_offer_taken_between_check_and_create(self):
        # the checklist finds the offer, the PUT answers 404 no_such_ask (rented meanwhile)
        self.fake.set_mode("no_such_ask", count=1, endpoint="create")
        recipe, _ = self.recipe()
        r = self.launch(recipe)
        why = self.assert_failed_at(r, "create")
        self.assertIn("offer %d is no longer available" % GOOD, why)
        self.assertIn("pick another offer", why)
        self.assertEqual(len(self.requests("PUT", r"^/api/v0/asks/")), 1)
        self.assertNotIn("is left as it is", r.stderr)   # there is no instance
        self.assertEqual(self.fake.instances(), [])


if __name__ == "__main__":
    unittest.main()
