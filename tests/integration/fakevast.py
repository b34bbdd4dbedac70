"""Shared plumbing of the integration tests: the gpuwarden binary, temporary HOME / XDG_*
folders, and the fake vast.ai server (tests/fake_vast.py) as one object per test class.

    fake = FakeVast()
    fake.start(workdir, offers)        # fake.url, fake.port
    fake.control("mode", {...})        # POST /_control/mode; no body: GET
    fake.log()                         # the request log, a list of dicts
    fake.stop()

Only 127.0.0.1 is ever contacted, and never through a proxy.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_VAST = os.path.join(REPO, "tests", "fake_vast.py")
START_TIMEOUT = 15.0     # seconds for the server to write its port file
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never via a proxy


def find_binary():
    """$GPUWARDEN_BIN (relative to the repository root), else build/asan/gpuwarden, else
    ./gpuwarden, else build/asan/gpuwarden made with `make FLAVOUR=asan asan-binary`."""
    env = os.environ.get("GPUWARDEN_BIN")
    if env:
        return env if os.path.isabs(env) else os.path.join(REPO, env)
    for cand in (os.path.join(REPO, "build", "asan", "gpuwarden"), os.path.join(REPO, "gpuwarden")):
        if os.path.exists(cand):
            return cand
    subprocess.run(["make", "FLAVOUR=asan", "asan-binary"], cwd=REPO, check=True, timeout=900,
                   stdout=subprocess.DEVNULL)
    return os.path.join(REPO, "build", "asan", "gpuwarden")


def make_temp_home(prefix):
    """A new temporary folder with home/, config/, state/ and cache/ in it:
    (folder, HOME, {"XDG_CONFIG_HOME": ..., "XDG_STATE_HOME": ..., "XDG_CACHE_HOME": ...})."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    home = os.path.join(tmp, "home")
    xdg = {name: os.path.join(tmp, sub) for name, sub in (
        ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"))}
    for d in [home] + list(xdg.values()):
        os.makedirs(d)
    return tmp, home, xdg


class FakeVast:
    """One tests/fake_vast.py process on 127.0.0.1; its files live in the workdir given to
    start(): offers.json, port, server.log (requests as JSON lines), server.err (its stderr)."""

    def __init__(self):
        self.proc = None
        self.err = None
        self.url = None
        self.port = None

    def start(self, workdir, offers):
        """Starts the server on `offers` and waits for its port; RuntimeError if it fails."""
        offers_file = os.path.join(workdir, "offers.json")
        with open(offers_file, "w", encoding="utf-8") as f:
            json.dump(offers, f)
        port_file = os.path.join(workdir, "port")
        err_file = os.path.join(workdir, "server.err")
        self.err = open(err_file, "w+")
        self.proc = subprocess.Popen(
            [sys.executable, FAKE_VAST, "--port-file", port_file, "--offers", offers_file,
             "--log", os.path.join(workdir, "server.log")],
            stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + START_TIMEOUT
        # the server writes the port file once it listens
        while not os.path.exists(port_file):
            rc = self.proc.poll()
            if rc is not None or time.monotonic() > deadline:
                why = ("exited with status %d" % rc if rc is not None else
                       "did not write its port file within %g s" % START_TIMEOUT)
                self.stop()
                with open(err_file, encoding="utf-8", errors="replace") as f:
                    err = f.read().strip()
                raise RuntimeError("fake_vast.py %s%s" % (why, "; stderr:\n" + err if err else ""))
            time.sleep(0.02)
        with open(port_file, encoding="ascii") as f:
            self.port = int(f.read().strip())
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; closes the stderr file. Safe to call twice."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.err is not None:
            self.err.close()

    def control(self, name, body=None):
        """/_control/<name>: POST body as JSON, or GET without one; the JSON answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(
            "%s/_control/%s" % (self.url, name), data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"})
        with DIRECT.open(req, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))

    def log(self):
        """Every non-control request since the last reset, as a list of dicts."""
        return self.control("log")
