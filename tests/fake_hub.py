#!/usr/bin/env python3
"""Fake Docker Hub + GitHub + Hugging Face metadata APIs for gpuwarden's tests (Python 3
standard library only). One loopback server answers all three, so the three base URLs
(GPUWARDEN_HUB_URL, GPUWARDEN_GITHUB_URL, GPUWARDEN_HF_URL) can all point at it.

  python3 tests/fake_hub.py [PORT] [--port-file PATH] [--log PATH]

Binds 127.0.0.1 on PORT (default 0: the kernel picks one), prints the port number alone on
the first line of stdout (flushed) and, with --port-file, writes it there too (atomically,
via PATH.tmp), once listening. Serves until SIGTERM/SIGINT, then exits 0.

API (response shapes follow the shared reference trust-vram-ssh.md §1-§3):
  GET /v2/namespaces/{ns}/repositories/{repo}              Docker Hub repository_info
  GET /v2/namespaces/{ns}/repositories/{repo}/tags         tag list {count, results: [tag]}
  GET /v2/namespaces/{ns}/repositories/{repo}/tags/{tag}   one tag (images[] per platform)
  GET /v2/repositories/{ns}/{repo}/                        legacy repository info
  GET /api/search/v4?query=Q                               search results with `badge`
  GET /repos/{owner}/{repo}                                GitHub repository
  GET /api/models/{org}/{name}  (or /api/models/{name})    Hugging Face model info
Unknown Docker Hub / GitHub ids answer 404; unknown models answer 401 {"error": "Repository
not found"}, as Hugging Face does for anonymous requests.

Control endpoints (tests only; never logged; POST bodies are JSON):
  POST /_control/image  {"ns", "repo", "pulls", "stars", "badge" (null, "official",
                        "verified_publisher", "open_source", ...), "last_updated" (ISO-8601),
                        "tags": {TAG: {"amd64_size", "arm64_size", "full_size"}}}
                        adds or replaces ns/repo (sizes in bytes; a null or missing amd64_size
                        leaves the linux/amd64 entry out of images[]).
  POST /_control/repo   {"owner", "name", "stars", "archived", "pushed_at" (ISO-8601)}
  POST /_control/model  {"id", "downloads", "likes"}
  POST /_control/mode   {"mode": M, "count": N, "retry_after": S, "path": P}: the next N API
                        requests (default 1; -1 = until mode "ok") whose path starts with P
                        (default: any) get fault M, one of FAULT_MODES:
                          ok (alias normal)  no fault
                          429 / 503          that status; "Retry-After: S" when S is given
                          500                a JSON error body
                          malformed          200 with a cut JSON body
                          html               200 with an HTML page
                          hang               no answer until the client leaves (60 s cap)
  POST /_control/reset  back to the seeded registry, mode ok, log cleared.
  GET  /_control/log    the request log, a JSON array.

Every API request is logged as {"method", "path" (with the query string), "headers"
(lower-cased names), "user_agent", "authorization" (true when an Authorization header came),
"status" (null for hang)}; the entry is recorded before the response is sent.
"""

import argparse
import copy
import datetime
import json
import os
import re
import select
import socket
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeserver import QuietHandler, Server, serve_until_signalled  # noqa: E402  (tests/fakeserver.py)

FAULT_MODES = ("ok", "normal", "429", "500", "503", "malformed", "html", "hang")
HANG_LIMIT_S = 60.0
GB = 1000 ** 3


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def iso_days_ago(days):
    return iso(time.time() - days * 86400)


def tag(amd64, full=None, arm64=None):
    return {"amd64_size": amd64, "arm64_size": arm64,
            "full_size": full if full is not None else amd64}


def seeds():
    """The registry every server starts with (and returns to on reset)."""
    images = [
        # verified publisher; the runtime tag lists arm64 first and a full_size that is
        # neither platform, so a client must pick linux/amd64 out of images[]
        {"ns": "nvidia", "repo": "cuda", "pulls": 152000000, "stars": 3900,
         "badge": "verified_publisher", "last_updated": iso_days_ago(3),
         "tags": {"12.8.1-runtime-ubuntu22.04": tag(3100000000, 3333333333, 2950000000),
                  "12.8.1-devel-ubuntu22.04": tag(9500000000, 9500000000, 9100000000)}},
        {"ns": "library", "repo": "ubuntu", "pulls": 1200000000, "stars": 17000,
         "badge": "official", "last_updated": iso_days_ago(10),
         "tags": {"latest": tag(29700000, arm64=28400000), "22.04": tag(29500000),
                  "24.04": tag(29700000)}},
        # the seed's case 10: a third-party image with 404 pulls, no stars and 173 GB
        {"ns": "valyriantech", "repo": "ace-step-1.5", "pulls": 404, "stars": 0,
         "badge": None, "last_updated": iso_days_ago(40),
         "tags": {"latest": tag(173 * GB)}},
        # many pulls, zero stars (the miner pattern): UNVERIFIED
        {"ns": "someuser", "repo": "ubuntu-gpu", "pulls": 117656, "stars": 0,
         "badge": None, "last_updated": iso_days_ago(900),
         "tags": {"latest": tag(8988370)}},
        # popular but over 100 GB
        {"ns": "bigmodels", "repo": "all-in-one", "pulls": 52000, "stars": 3,
         "badge": None, "last_updated": iso_days_ago(20),
         "tags": {"latest": tag(120 * GB)}},
        {"ns": "pytorch", "repo": "pytorch", "pulls": 18000000, "stars": 1400,
         "badge": "open_source", "last_updated": iso_days_ago(5),
         "tags": {"2.7.1-cuda12.8-cudnn9-runtime": tag(3300000000),
                  "2.7.1-cuda12.8-cudnn9-devel": tag(11200000000),
                  "latest": tag(3300000000)}},
    ]
    repos = [
        {"owner": "ace-step", "name": "ACE-Step-1.5", "stars": 4200, "archived": False,
         "pushed_at": iso_days_ago(2)},
        {"owner": "someuser", "name": "empty-repo", "stars": 0, "archived": False,
         "pushed_at": iso_days_ago(30)},
        {"owner": "oldorg", "name": "abandoned", "stars": 57, "archived": True,
         "pushed_at": iso_days_ago(800)},
        {"owner": "pytorch", "name": "pytorch", "stars": 92000, "archived": False,
         "pushed_at": iso_days_ago(1)},
    ]
    models = [
        {"id": "ACE-Step/Ace-Step1.5", "downloads": 48213, "likes": 812},
        {"id": "someuser/tiny-model", "downloads": 12, "likes": 0},
        {"id": "gpt2", "downloads": 9000000, "likes": 2800},
    ]
    return ({"%s/%s" % (i["ns"], i["repo"]): i for i in images},
            {("%s/%s" % (r["owner"], r["name"])).lower(): r for r in repos},
            {m["id"]: m for m in models})


# ---------------------------------------------------------------- response bodies

def repository_info(img):
    return {
        "user": img["ns"], "name": img["repo"], "namespace": img["ns"],
        "repository_type": "image", "status": 1, "status_description": "active",
        "description": "Fake repository served by tests/fake_hub.py",
        "is_private": False, "is_automated": False,
        "star_count": img["stars"], "pull_count": img["pulls"],
        "last_updated": img["last_updated"], "last_modified": img["last_updated"],
        "date_registered": "2021-05-19T21:09:34.187706Z", "collaborator_count": 0,
        "affiliation": None, "hub_user": img["ns"], "has_starred": False,
        "full_description": "# %s\nFake README." % img["repo"],
        "permissions": {"read": True, "write": False, "admin": False},
        "media_types": ["application/vnd.oci.image.index.v1+json"],
        "content_types": ["image"], "categories": [],
        "immutable_tags_settings": {"enabled": False, "rules": []},
        "storage_size": None, "source": None,
    }


def platform(arch, size, digest_char, when):
    return {"architecture": arch, "features": "", "variant": "v8" if arch == "arm64" else None,
            "digest": "sha256:" + digest_char * 64, "os": "linux", "os_features": "",
            "os_version": None, "size": size, "status": "active",
            "last_pulled": when, "last_pushed": when}


def tag_body(img, name, number):
    t = img["tags"][name]
    when = img["last_updated"]
    images = []
    if t.get("arm64_size") is not None:
        images.append(platform("arm64", t["arm64_size"], "2", when))
    if t.get("amd64_size") is not None:
        images.append(platform("amd64", t["amd64_size"], "1", when))
    return {
        "creator": 12987695, "id": 150467810 + number, "images": images,
        "last_updated": when, "last_updater": 12987695, "last_updater_username": img["ns"],
        "name": name, "repository": 13731312, "full_size": t.get("full_size"), "v2": True,
        "tag_status": "active", "tag_last_pulled": when, "tag_last_pushed": when,
        "media_type": "application/vnd.oci.image.index.v1+json", "content_type": "image",
        "digest": "sha256:" + "3" * 64,
    }


def humanize(n):
    """Search v4 sends pull_count as a string such as "1B+" or "1.2K"."""
    for size, suffix in ((10 ** 9, "B"), (10 ** 6, "M"), (10 ** 3, "K")):
        if n >= size:
            return "%s%s+" % (("%.1f" % (n / size)).rstrip("0").rstrip("."), suffix)
    return str(n)


def search_result(img):
    official = img["ns"] == "library"
    return {
        "id": "%s/%s" % (img["ns"], img["repo"]),
        "name": img["repo"] if official else "%s/%s" % (img["ns"], img["repo"]),
        "slug": img["repo"] if official else "%s/%s" % (img["ns"], img["repo"]),
        "type": "image",
        "publisher": {"id": "docker" if official else img["ns"],
                      "name": "Docker Official Images" if official else img["ns"]},
        "created_at": "2020-01-01T00:00:00Z", "updated_at": img["last_updated"],
        "short_description": "Fake search entry", "badge": img.get("badge"),
        "star_count": img["stars"], "pull_count": humanize(img["pulls"]),
        "operating_systems": [{"name": "linux", "label": "Linux"}],
        "architectures": [{"name": "amd64", "label": "x86-64"}],
        "logo_url": None, "extension_reviewed": False, "categories": [], "archived": False,
    }


def github_body(r):
    full = "%s/%s" % (r["owner"], r["name"])
    return {
        "id": 123456789, "node_id": "R_kgDOFake", "name": r["name"], "full_name": full,
        "private": False,
        "owner": {"login": r["owner"], "id": 1000001, "node_id": "U_kgDOFake",
                  "type": "Organization", "site_admin": False,
                  "html_url": "https://github.com/" + r["owner"]},
        "html_url": "https://github.com/" + full, "description": "Fake repository",
        "fork": False, "url": "https://api.github.com/repos/" + full,
        "created_at": "2021-01-26T19:01:12Z", "updated_at": r["pushed_at"],
        "pushed_at": r["pushed_at"], "homepage": "", "size": 108,
        "stargazers_count": r["stars"], "watchers_count": r["stars"], "language": "Python",
        "has_issues": True, "has_projects": True, "has_downloads": True, "has_wiki": True,
        "has_pages": False, "has_discussions": False, "forks_count": 9, "mirror_url": None,
        "archived": r["archived"], "disabled": False, "open_issues_count": 3,
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT",
                    "url": "https://api.github.com/licenses/mit", "node_id": "MDc6TGljZW5zZW1pdA=="},
        "allow_forking": True, "is_template": False, "topics": [], "visibility": "public",
        "forks": 9, "open_issues": 3, "watchers": r["stars"], "default_branch": "main",
        "network_count": 9, "subscribers_count": 4,
    }


def hf_body(m):
    org = m["id"].split("/")[0] if "/" in m["id"] else None
    return {
        "_id": "0" * 24, "id": m["id"], "modelId": m["id"], "author": org,
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "lastModified": "2025-06-20T10:44:45.000Z", "createdAt": "2024-07-18T08:56:00.000Z",
        "private": False, "gated": False, "disabled": False,
        "downloads": m["downloads"], "likes": m["likes"], "library_name": "transformers",
        "pipeline_tag": "text-generation", "tags": ["transformers", "safetensors"],
        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        "cardData": {"license": "apache-2.0"},
        "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "config.json"},
                     {"rfilename": "model.safetensors"}],
    }


# ---------------------------------------------------------------- shared state

class State:
    """Registry, fault mode and request log; every access holds the lock."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.stopping = threading.Event()
        self.reset()

    def reset(self):
        with self.lock:
            self.images, self.repos, self.models = seeds()
            self.log = []
            self.mode, self.count, self.retry_after, self.fault_path = "ok", 0, None, ""

    def set_mode(self, mode, count, retry_after, path):
        with self.lock:
            self.mode, self.count = mode, count
            self.retry_after, self.fault_path = retry_after, path

    def take_fault(self, path):
        """(mode, retry_after) for this API request, consuming one count when it applies."""
        with self.lock:
            mode = self.mode
            if mode == "ok" or not path.startswith(self.fault_path):
                return "ok", None
            if self.count > 0:
                self.count -= 1
                if self.count == 0:
                    self.mode = "ok"
            return mode, self.retry_after

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------- HTTP handler

DOCKER_REPO = re.compile(r"^/v2/namespaces/([^/]+)/repositories/([^/]+)/?$")
DOCKER_TAGS = re.compile(r"^/v2/namespaces/([^/]+)/repositories/([^/]+)/tags/?$")
DOCKER_TAG = re.compile(r"^/v2/namespaces/([^/]+)/repositories/([^/]+)/tags/([^/]+)/?$")
DOCKER_LEGACY = re.compile(r"^/v2/repositories/([^/]+)/([^/]+)/?$")
GITHUB_REPO = re.compile(r"^/repos/([^/]+)/([^/]+)/?$")
HF_MODEL = re.compile(r"^/api/models/([^/]+(?:/[^/]+)?)/?$")


class Handler(QuietHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-hub/1"
    state = None                    # set in main()



    def log_entry(self, status):
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.state.record({
            "method": self.command, "path": self.path, "headers": headers,
            "user_agent": headers.get("user-agent"),
            "authorization": "authorization" in headers, "status": status,
        })

    def send(self, status, ctype, data, extra=None):
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status, obj, extra=None):
        self.send(status, "application/json", json.dumps(obj).encode("utf-8"), extra)

    def reply(self, status, obj, extra=None):
        """An API answer: logged, then sent."""
        self.log_entry(status)
        self.send_json(status, obj, extra)

    def dispatch(self):
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path.startswith("/_control/"):
            return self.control(path, body)
        mode, retry_after = self.state.take_fault(path)
        if mode != "ok":
            return self.fault(mode, retry_after)
        if self.command != "GET":
            return self.reply(405, {"message": "method not allowed"})
        query = urllib.parse.parse_qs(url.query)
        for pattern, handler in ((DOCKER_TAG, self.docker_tag), (DOCKER_TAGS, self.docker_tags),
                                 (DOCKER_REPO, self.docker_repo),
                                 (DOCKER_LEGACY, self.docker_repo),
                                 (GITHUB_REPO, self.github_repo), (HF_MODEL, self.hf_model)):
            m = pattern.match(path)
            if m:
                return handler(*[urllib.parse.unquote(g) for g in m.groups()])
        if path.rstrip("/") == "/api/search/v4":
            return self.docker_search(query.get("query", [""])[0])
        return self.reply(404, {"message": "no such endpoint: %s %s" % (self.command, path)})

    # -- faults

    def fault(self, mode, retry_after):
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        if mode == "hang":
            self.log_entry(None)
            return self.hang()
        if mode == "429":
            return self.reply(429, {"detail": "Rate limit exceeded", "error": False}, extra)
        if mode == "503":
            self.log_entry(503)
            return self.send(503, "text/html",
                             b"<html><body><h1>503 Service Unavailable</h1></body></html>\n",
                             extra)
        if mode == "500":
            return self.reply(500, {"message": "internal server error"})
        self.log_entry(200)
        if mode == "malformed":
            return self.send(200, "application/json", b'{"pull_count": 12, "star_count":')
        return self.send(200, "text/html",
                         b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>\n")

    def hang(self):
        """Say nothing until the client goes away, 60 s pass, or the server stops."""
        deadline = time.monotonic() + HANG_LIMIT_S
        sock = self.connection
        while time.monotonic() < deadline and not self.state.stopping.is_set():
            ready, _, _ = select.select([sock], [], [], 0.2)
            if ready:
                try:
                    if not sock.recv(1, socket.MSG_PEEK):
                        return
                except OSError:
                    return
                time.sleep(0.2)

    # -- Docker Hub

    def image(self, ns, repo):
        with self.state.lock:
            img = self.state.images.get("%s/%s" % (ns, repo))
            return copy.deepcopy(img) if img else None

    def docker_missing(self, what):
        return self.reply(404, {"message": "httperror 404: %s not found" % what,
                                "errinfo": {}})

    def docker_repo(self, ns, repo):
        img = self.image(ns, repo)
        if img is None:
            return self.docker_missing("repository %s/%s" % (ns, repo))
        return self.reply(200, repository_info(img))

    def docker_tags(self, ns, repo):
        img = self.image(ns, repo)
        if img is None:
            return self.docker_missing("repository %s/%s" % (ns, repo))
        results = [tag_body(img, name, i) for i, name in enumerate(img["tags"])]
        return self.reply(200, {"count": len(results), "next": None, "previous": None,
                                "results": results})

    def docker_tag(self, ns, repo, name):
        img = self.image(ns, repo)
        if img is None:
            return self.docker_missing("repository %s/%s" % (ns, repo))
        if name not in img["tags"]:
            return self.docker_missing("tag %s" % name)
        return self.reply(200, tag_body(img, name, list(img["tags"]).index(name)))

    def docker_search(self, q):
        with self.state.lock:
            images = copy.deepcopy(list(self.state.images.values()))
        q = q.lower()
        hits = [search_result(i) for i in images if q and q in i["repo"].lower()]
        hits.sort(key=lambda r: -int(r["star_count"]))
        return self.reply(200, {"total": len(hits), "results": hits})

    # -- GitHub and Hugging Face

    def github_repo(self, owner, name):
        with self.state.lock:
            r = copy.deepcopy(self.state.repos.get(("%s/%s" % (owner, name)).lower()))
        if r is None:
            return self.reply(404, {"message": "Not Found",
                                    "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
                                    "status": "404"})
        return self.reply(200, github_body(r))

    def hf_model(self, mid):
        with self.state.lock:
            m = copy.deepcopy(self.state.models.get(mid))
        if m is None:
            return self.reply(401, {"error": "Repository not found"},
                              {"X-Error-Code": "RepoNotFound"})
        return self.reply(200, hf_body(m))

    # -- control endpoints

    def control(self, path, body):
        name = path[len("/_control/"):].strip("/")
        if self.command == "GET" and name == "log":
            with self.state.lock:
                return self.send_json(200, list(self.state.log))
        if self.command != "POST":
            return self.send_json(404, {"error": "unknown control " + name})
        if name == "reset":
            self.state.reset()
            return self.send_json(200, {"ok": True})
        if name == "mode":
            return self.control_mode(body)
        if not isinstance(body, dict):
            return self.send_json(400, {"error": "body must be a JSON object"})
        try:
            if name == "image":
                key, table, entry = self.image_entry(body)
            elif name == "repo":
                entry = {"owner": str(body["owner"]), "name": str(body["name"]),
                         "stars": int(body.get("stars", 0)),
                         "archived": bool(body.get("archived", False)),
                         "pushed_at": body.get("pushed_at") or iso_days_ago(1)}
                key, table = ("%s/%s" % (entry["owner"], entry["name"])).lower(), "repos"
            elif name == "model":
                entry = {"id": str(body["id"]), "downloads": int(body.get("downloads", 0)),
                         "likes": int(body.get("likes", 0))}
                key, table = entry["id"], "models"
            else:
                return self.send_json(404, {"error": "unknown control " + name})
        except (KeyError, TypeError, ValueError) as e:
            return self.send_json(400, {"error": "bad %s: %r" % (name, e)})
        with self.state.lock:
            getattr(self.state, table)[key] = entry
        return self.send_json(200, {"ok": True, "id": key})

    @staticmethod
    def image_entry(body):
        tags = {}
        for name, t in (body.get("tags") or {"latest": {"amd64_size": 1000000000}}).items():
            t = t or {}
            amd64 = None if t.get("amd64_size") is None else int(t["amd64_size"])
            tags[str(name)] = {
                "amd64_size": amd64,
                "arm64_size": None if t.get("arm64_size") is None else int(t["arm64_size"]),
                "full_size": int(t["full_size"]) if t.get("full_size") is not None else amd64,
            }
        entry = {"ns": str(body["ns"]), "repo": str(body["repo"]),
                 "pulls": int(body.get("pulls", 0)), "stars": int(body.get("stars", 0)),
                 "badge": body.get("badge"),
                 "last_updated": body.get("last_updated") or iso_days_ago(1), "tags": tags}
        return "%s/%s" % (entry["ns"], entry["repo"]), "images", entry

    def control_mode(self, body):
        if not isinstance(body, dict) or body.get("mode") not in FAULT_MODES:
            return self.send_json(400, {"error": "body must be {\"mode\": one of %s}"
                                        % ", ".join(FAULT_MODES)})
        mode = "ok" if body["mode"] in ("ok", "normal") else body["mode"]
        count = body.get("count", 1)
        retry_after = body.get("retry_after")
        path = body.get("path") or ""
        if not isinstance(count, int) or not isinstance(path, str) or \
                (retry_after is not None and not isinstance(retry_after, (int, float, str))):
            return self.send_json(400, {"error": "bad count, retry_after or path"})
        count = 0 if mode == "ok" else count
        self.state.set_mode(mode, count, retry_after, path)
        return self.send_json(200, {"ok": True, "mode": mode, "count": count})


Handler.do_GET = Handler.do_POST = Handler.do_PUT = Handler.do_DELETE = Handler.do_HEAD = \
    Handler.dispatch


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Docker Hub / GitHub / Hugging Face APIs.")
    ap.add_argument("port", nargs="?", type=int, default=0, help="port (0: pick one)")
    ap.add_argument("--port-file", help="also write the port number here")
    ap.add_argument("--log", help="append one JSON line per request here")
    args = ap.parse_args(argv)

    Handler.state = State(args.log)
    server = Server(("127.0.0.1", args.port), Handler, name="fake_hub")
    return serve_until_signalled(server, Handler.state, args.port_file, announce=True)

if __name__ == "__main__":
    sys.exit(main())
