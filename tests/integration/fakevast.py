"""Shared plumbing of the integration tests: the gpuwarden binary, temporary HOME / XDG_*
folders, and the fake vast.ai server (tests/fake_vast.py) as one object per test class.

    fake = FakeVast()
    fake.start(workdir, offers)        # fake.url, fake.port
    fake.control("mode", {...})        # POST /_control/mode; no body: GET
    fake.set_mode("500", count=-1, endpoint="show")
    fake.set_instances(direct=True, ssh_port=2222, loading_polls=0)
    fake.add_instances([{...}])        # seed instances; fake.instances() lists them
    fake.log()                         # the request log, a list of dicts
    fake.stop()

Only 127.0.0.1 is ever contacted, and never through a proxy.
"""

import json
import os
import socket
import subprocess
import tempfile
import urllib.request

if __package__:
    from .spawn import START_TIMEOUT, spawn_server, stop_process
else:   # imported as a top-level module (run as a script, or discovered without -t)
    from spawn import START_TIMEOUT, spawn_server, stop_process

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_VAST = os.path.join(REPO, "tests", "fake_vast.py")
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


def free_port():
    """A loopback port nothing listens on: bind to port 0, read the port, close."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_audit(path):
    """The audit log's entries, parsed: each line must be a JSON object and the file must end
    with a newline (no torn last line). [] when there is no log."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    if raw and not raw.endswith("\n"):
        raise AssertionError("a torn last line in %s: %r" % (path, raw[-80:]))
    entries = [json.loads(ln) for ln in raw.splitlines() if ln]
    for e in entries:
        if not isinstance(e, dict):
            raise AssertionError("an audit line that is not an object: %r" % (e,))
    return entries


def destructive_requests(fake):
    """The requests a FakeVast got that stop or destroy: a PUT or DELETE on
    /api/v0/instances/ID/, as (method, path)."""
    return [(e["method"], e["path"]) for e in fake.log()
            if e["method"] in ("PUT", "DELETE") and e["path"].startswith("/api/v0/instances/")]


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
        self.proc, self.err, self.port = spawn_server(
            FAKE_VAST, ["--port-file", port_file, "--offers", offers_file,
                        "--log", os.path.join(workdir, "server.log")],
            port_file, os.path.join(workdir, "server.err"), START_TIMEOUT)
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; closes the stderr file. Safe to call twice."""
        stop_process(self.proc)
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

    def reset(self):
        """Mode normal, log cleared, no instances, nothing rented, default instance config."""
        return self.control("reset", {})

    def set_mode(self, mode, count=1, delay=None, endpoint=None):
        """The next `count` requests (-1: until "normal") to `endpoint` ("search" when None;
        "create", "show", "list", "stop", "destroy", "any") get fault `mode`."""
        body = {"mode": mode, "count": count}
        if delay is not None:
            body["delay"] = delay
        if endpoint is not None:
            body["endpoint"] = endpoint
        return self.control("mode", body)

    def set_instances(self, **config):
        """Updates the instance config: ssh_host, ssh_port, direct, loading_polls,
        final_status, page_size. Returns the whole config."""
        return self.control("instances", config)["config"]

    def instances(self):
        """Every instance the fake holds, by id, as a list of dicts."""
        return self.control("instances")["instances"]

    def add_instances(self, instances):
        """Seeds instance objects as given (without an id, one is assigned); their ids."""
        return self.control("instances/add", list(instances))["ids"]
