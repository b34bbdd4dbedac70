"""The real-sshd harness itself (tests/sshd.py through realsshd.py), checked with the OpenSSH
client: the fixture nvidia-smi is what the PATH finds, set_smi changes what it prints, rekey
changes the host key but not the port, kill_children drops a connection. Only 127.0.0.1 is
contacted. Skipped when sshd, ssh-keygen or the ssh client is missing.

    python3 -m unittest tests.integration.test_sshd_harness -v
"""

import os
import shutil
import subprocess
import sys
import time
import unittest

if __package__:
    from .realsshd import Sshd, available
else:   # run as a script, or discovered without -t
    from realsshd import Sshd, available

QUERY = "nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits"


@unittest.skipUnless(available() and shutil.which("ssh"), "needs sshd, ssh-keygen and ssh")
class SshdHarnessTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sshd = Sshd().start()

    @classmethod
    def tearDownClass(cls):
        d = cls.sshd.dir
        cls.sshd.stop()
        assert not os.path.exists(d)

    def ssh(self, command, timeout=20):
        return subprocess.run(self.sshd.ssh_argv(command), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def test_fixture_nvidia_smi_first_on_path(self):
        r = self.ssh("command -v nvidia-smi; " + QUERY)
        self.assertEqual(r.returncode, 0, r.stderr)
        where, line = r.stdout.splitlines()
        self.assertEqual(where, os.path.join(self.sshd.dir, "bin", "nvidia-smi"))
        self.assertEqual(line, "NVIDIA GeForce RTX 3060, 12288, 8.6")

    def test_set_smi(self):
        self.sshd.set_smi("NVIDIA GeForce RTX 3060, 8192, 8.6\n",
                          old="NVIDIA GeForce RTX 3060, 8192\n", rc=0)
        try:
            self.assertEqual(self.ssh(QUERY).stdout, "NVIDIA GeForce RTX 3060, 8192, 8.6\n")
            old = QUERY.replace(",compute_cap", "")
            self.assertEqual(self.ssh(old).stdout, "NVIDIA GeForce RTX 3060, 8192\n")
            self.sshd.set_smi("Field \"compute_cap\" is not a valid field to query.\n", rc=2)
            r = self.ssh(QUERY)
            self.assertEqual(r.returncode, 2)
            self.assertIn("compute_cap", r.stdout)
        finally:
            self.sshd.set_smi(None)
        self.assertEqual(self.ssh(QUERY).stdout, "NVIDIA GeForce RTX 3060, 12288, 8.6\n")

    def test_kill_children_drops_the_connection(self):
        # the loop dies of SIGPIPE once its connection is gone: nothing lingers
        proc = subprocess.Popen(self.sshd.ssh_argv("echo up; while sleep 0.1; do echo .; done"),
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, text=True)
        try:
            self.assertEqual(proc.stdout.readline(), "up\n")
            self.assertGreaterEqual(len(self.sshd.children()), 1)
            self.assertTrue(self.sshd.kill_children())
            self.assertEqual(proc.wait(10), 255)    # the client's "connection lost"
            deadline = time.monotonic() + 5
            while self.sshd.children() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(self.sshd.children(), [])
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()

    def test_rekey_same_port_new_key(self):
        port, before = self.sshd.port, self.sshd.fingerprint()
        self.sshd.rekey()
        self.assertEqual(self.sshd.port, port)
        self.assertNotEqual(self.sshd.fingerprint(), before)
        r = self.ssh("echo hi")
        self.assertEqual((r.returncode, r.stdout), (0, "hi\n"), r.stderr)

    def test_cli_matches_the_class(self):
        script = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "sshd.py")
        d = os.path.join(self.sshd.dir, "cli")
        os.makedirs(d)
        r = subprocess.run([sys.executable, script, "start", d], capture_output=True, text=True,
                           timeout=30)
        try:
            self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
            with open(os.path.join(d, "port")) as f:
                port = int(f.read())
            other = Sshd(d)     # picks up port and pid from the files
            self.assertEqual(other.port, port)
            self.assertEqual(other.children(), [])
        finally:
            subprocess.run([sys.executable, script, "stop", d], timeout=30)
        self.assertFalse(os.path.exists(os.path.join(d, "pid")))


if __name__ == "__main__":
    unittest.main()
