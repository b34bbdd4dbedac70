"""The fake Docker Hub / GitHub / Hugging Face server (tests/fake_hub.py) as one object, for
integration tests. Only 127.0.0.1 is ever contacted, and never through a proxy.

    with FakeHub() as hub:                  # or: hub = FakeHub(); hub.start(); ...; hub.stop()
        env = dict(os.environ, **hub.env()) # GPUWARDEN_HUB_URL / _GITHUB_URL / _HF_URL -> hub.url
        hub.url, hub.port                   # "http://127.0.0.1:PORT"
        hub.set_image("acme", "tool", pulls=20000, stars=3, badge=None,
                      tags={"1.0": {"amd64_size": 4e9}})        # sizes in bytes
        hub.set_repo("acme", "tool", stars=0, archived=False, pushed_at="2020-01-01T00:00:00Z")
        hub.set_model("acme/model", downloads=500, likes=1)
        hub.set_mode("429", count=-1, retry_after=1, path="/v2/")  # faults; see fake_hub.py
        hub.set_mode("ok")
        hub.log()                           # API requests since the last reset (list of dicts:
                                            # method, path, headers, user_agent, authorization,
                                            # status)
        hub.requests("/repos/")             # the log entries whose path starts with a prefix
        hub.reset()                         # seeded registry, mode ok, empty log

Seeded entries (restored by reset()):
  images  nvidia/cuda (verified_publisher; tags 12.8.1-runtime-ubuntu22.04 3.1 GB amd64,
          12.8.1-devel-ubuntu22.04 9.5 GB), library/ubuntu (official; latest, 22.04, 24.04),
          valyriantech/ace-step-1.5 (404 pulls, 0 stars, latest 173 GB: seed case 10),
          someuser/ubuntu-gpu (117,656 pulls, 0 stars), bigmodels/all-in-one (52,000 pulls,
          3 stars, latest 120 GB), pytorch/pytorch (open_source; 2.7.1-cuda12.8-cudnn9-runtime
          3.3 GB, ...-devel 11.2 GB, latest)
  GitHub  ace-step/ACE-Step-1.5 (4,200 stars, pushed 2 days ago), someuser/empty-repo (0 stars),
          oldorg/abandoned (57 stars, archived, pushed 800 days ago), pytorch/pytorch
  HF      ACE-Step/Ace-Step1.5 (48,213 downloads), someuser/tiny-model (12), gpt2 (9,000,000)
"""

import json
import os
import shutil
import tempfile
import urllib.request

if __package__:
    from .spawn import START_TIMEOUT, spawn_server, stop_process
else:   # imported as a top-level module (run as a script, or discovered without -t)
    from spawn import START_TIMEOUT, spawn_server, stop_process

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_HUB = os.path.join(REPO, "tests", "fake_hub.py")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never via a proxy


class FakeHub:
    """One tests/fake_hub.py process on 127.0.0.1. Its files (hub.port, hub.log: requests as
    JSON lines, hub.err: its stderr) live in the workdir given to start(), else in a temporary
    folder that stop() removes."""

    def __init__(self):
        self.proc = None
        self.err = None
        self.url = None
        self.port = None
        self.workdir = None
        self.own_workdir = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self, workdir=None):
        """Starts the server and waits for its port; RuntimeError if it fails."""
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="gw-fakehub-")
        port_file = os.path.join(self.workdir, "hub.port")
        err_file = os.path.join(self.workdir, "hub.err")
        if os.path.exists(port_file):
            os.unlink(port_file)
        try:
            self.proc, self.err, self.port = spawn_server(
                FAKE_HUB, ["0", "--port-file", port_file,
                           "--log", os.path.join(self.workdir, "hub.log")],
                port_file, err_file, START_TIMEOUT)
        except RuntimeError:
            self.stop()             # removes the workdir if start() made it
            raise
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; closes the stderr file and removes the workdir
        if start() made it. Safe to call twice."""
        stop_process(self.proc)
        if self.err is not None:
            self.err.close()
            self.err = None
        if self.own_workdir and self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.own_workdir = False

    def env(self):
        """The environment that points gpuwarden's three metadata base URLs at this server."""
        return {"GPUWARDEN_HUB_URL": self.url, "GPUWARDEN_GITHUB_URL": self.url,
                "GPUWARDEN_HF_URL": self.url}

    def control(self, name, body=None):
        """/_control/<name>: POST body as JSON, or GET without one; the JSON answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(
            "%s/_control/%s" % (self.url, name), data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"})
        with DIRECT.open(req, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))

    def set_image(self, ns, repo, pulls=0, stars=0, badge=None, last_updated=None, tags=None):
        """Adds or replaces ns/repo. tags: {TAG: {"amd64_size", "arm64_size", "full_size"}}
        in bytes (default {"latest": 1 GB amd64})."""
        return self.control("image", {"ns": ns, "repo": repo, "pulls": pulls, "stars": stars,
                                      "badge": badge, "last_updated": last_updated,
                                      "tags": tags})

    def set_repo(self, owner, name, stars=0, archived=False, pushed_at=None):
        """Adds or replaces a GitHub repository (pushed_at ISO-8601, default a day ago)."""
        return self.control("repo", {"owner": owner, "name": name, "stars": stars,
                                     "archived": archived, "pushed_at": pushed_at})

    def set_model(self, model_id, downloads=0, likes=0):
        """Adds or replaces a Hugging Face model ("org/name", or a bare legacy "name")."""
        return self.control("model", {"id": model_id, "downloads": downloads, "likes": likes})

    def set_mode(self, mode, count=1, retry_after=None, path=None):
        """The next `count` API requests (-1: until set_mode("ok")) whose path starts with
        `path` (None: any) get fault `mode`: ok, 429, 500, 503, malformed, html, hang.
        retry_after (seconds) adds a Retry-After header to 429 and 503 answers."""
        body = {"mode": mode, "count": count}
        if retry_after is not None:
            body["retry_after"] = retry_after
        if path:
            body["path"] = path
        return self.control("mode", body)

    def reset(self):
        return self.control("reset", {})

    def log(self):
        """Every API request since the last reset, as a list of dicts."""
        return self.control("log")

    def requests(self, prefix=""):
        """The logged requests whose path starts with `prefix`."""
        return [e for e in self.log() if e["path"].startswith(prefix)]
