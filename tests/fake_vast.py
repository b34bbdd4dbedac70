#!/usr/bin/env python3
"""Fake vast.ai API server for gpuwarden's tests (Python 3 standard library only).

  python3 tests/fake_vast.py --port-file PATH [--offers FILE] [--log PATH]

Binds 127.0.0.1 on an ephemeral port, writes the number to PATH (atomically, via PATH.tmp)
once listening, and serves a scripted offer market and the instances rented from it until
SIGTERM/SIGINT, then exits 0.

API (a subset of vast.ai's, see shared reference vast-api.md §2, §4 and §5):
  POST /api/v0/bundles/     search: the body is the vast query object; filters with
                            eq/neq/gt/gte/lt/lte/in/notin, then "order", then "limit".
                            Rented offers are not found.
  GET  /api/v0/users/current/   200 with a fake user if "Authorization: Bearer ..." is sent,
                            else 404 auth_error.
  The instance endpoints below need the Bearer header too (else 404 auth_error):
  PUT  /api/v0/asks/{id}/   create: rents offer id (ids from 7000001) -> {"success": true,
                            "new_contract": N}; an unknown or rented offer: 404 no_such_ask;
                            "env" not an object: 400 invalid_args "env must be a dict". The
                            instance starts "loading" with image-pull progress in status_msg.
  GET  /api/v0/instances/{id}/  show: {"instances": {...}}, or {"instances": null}. The first
                            `loading_polls` shows of a loading instance answer "loading", later
                            ones `final_status`; a running one has ssh_host/ssh_port from the
                            config and, when `direct`, public_ipaddr = ssh_host and
                            ports {"22/tcp": [{"HostIp": "0.0.0.0", "HostPort": "<ssh_port>"}]}.
  PUT  /api/v0/instances/{id}/  {"state": "stopped"|"running"} and/or {"label": L}
                            -> {"success": true}; unknown id: 404 no_such_instance.
  DELETE /api/v0/instances/{id}/  destroy -> {"success": true}; the offer is free again.
  GET  /api/v1/instances/?limit=L&after_token=T   one page, oldest id first: L and T are JSON,
                            URL-quoted (the page holds min(L, page_size, 25); L <= 0 means 5):
                            {"success", "instances_found" (this page), "total_instances",
                            "next_token" (null on the last page), "instances"}; a bad token:
                            400 invalid_token.
  GET  /api/v0/instances/   410 deprecated_endpoint "Use /api/v1/instances/ instead".
  anything else             404 not_found.

Control endpoints (tests only; never logged):
  POST /_control/offers     body: [offers] or {"offers": [...]}: replace the market.
  POST /_control/mode       body: {"mode": M, "count": N, "delay": S, "endpoint": E}: the next N
                            requests to endpoint E (N = -1: until mode "normal") get fault M,
                            one of FAULT_MODES. E is one of ENDPOINTS: "search" (the default),
                            "create", "show", "list", "stop" (PUT instances/{id}), "destroy",
                            or "any". A fault answers before the request changes anything;
                            "no_such_ask" is create's 404 for an offer rented meanwhile;
                            "huge" (search only) is a well-formed answer padded to 50 MB.
  POST /_control/instances  body: {"ssh_host": H, "ssh_port": P, "direct": bool,
                            "loading_polls": N, "final_status": S, "page_size": N}, any subset:
                            updates the instance config (DEFAULT_INSTANCE_CONFIG); answers
                            {"ok": true, "config": {...}}.
  GET  /_control/instances  {"instances": [every instance, by id], "config": {...},
                            "rented": [offer ids]}.
  POST /_control/instances/add  body: [instance objects]: stored as given (an object without
                            an integer "id" gets the next one); {"ok": true, "ids": [...]}.
  GET  /_control/log        the request log, as a JSON array.
  POST /_control/reset      mode normal, log cleared, no instances, nothing rented, instance
                            config back to defaults (offers are kept).

Every non-control request is logged (in memory and, with --log, as JSON lines) as
{"method", "path", "headers" (lower-cased names), "body", "status"}; the entry is written
before the response is sent, so a test may read it as soon as its request returns.
"""

import argparse
import base64
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

FAULT_MODES = ("normal", "429", "500", "502", "503", "auth_error", "malformed", "html",
               "slow", "truncated", "ignore_filters", "hang", "no_such_ask", "huge")
OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "notin")
NOT_FILTERS = ("order", "limit", "type", "allocated_storage",
               "external", "rentable", "rented", "disable_bundling")
ALIASES = {"reliability2": "reliability", "dphtotal": "dph_total",
           "gpu_totalram": "gpu_total_ram", "ubuntu_version": "os_version"}
HANG_LIMIT_S = 60.0
HUGE_BYTES = 50 * 1024 * 1024   # "huge": a well-formed 200 answer this long
ENDPOINTS = ("search", "create", "show", "list", "stop", "destroy", "any")
FIRST_INSTANCE_ID = 7000001
DEFAULT_INSTANCE_CONFIG = {"ssh_host": "127.0.0.1", "ssh_port": 22, "direct": False,
                           "loading_polls": 2, "final_status": "running", "page_size": 25}
FINAL_STATUSES = ("running", "exited", "unknown", "offline", "stopped", "created")
PULL_LAYERS = 9

RATE_LIMIT_TEXT = "API requests too frequent endpoint threshold=1.0"
MALFORMED_JSON = '{"offers": [ {"id": 1,'
HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Vast.ai</title></head>"
             "<body><h1>Maintenance</h1><p>Back soon.</p></body></html>\n")


def error_body(error, msg):
    return {"success": False, "error": error, "msg": msg}


def gateway_page(status, reason):
    return "<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n" % (
        status, reason, status, reason)


FAULT_REPLIES = {
    "429": (429, "text/plain", RATE_LIMIT_TEXT),
    "500": (500, "application/json", json.dumps(error_body("server_error", "Internal error"))),
    "502": (502, "text/html", gateway_page(502, "Bad Gateway")),
    "503": (503, "text/html", gateway_page(503, "Service Unavailable")),
    "auth_error": (404, "application/json",
                   json.dumps(error_body("auth_error", "Invalid user key"))),
    "malformed": (200, "application/json", MALFORMED_JSON),
    # what a create gets when someone else rented the offer since it was found
    "no_such_ask": (404, "application/json", json.dumps(error_body(
        "no_such_ask", "error 404/3603: no_such_ask Instance type by id 0 is not available."))),
    "html": (200, "text/html", HTML_PAGE),
}


# ---------------------------------------------------------------- search logic

def offer_value(offer, field):
    """Value of a (possibly virtual) query column for one offer; None when unknown."""
    field = ALIASES.get(field, field)
    if field == "geolocation":
        geo = offer.get("geolocation")
        if not isinstance(geo, str):
            return None
        code = geo.split(",")[-1].strip().upper()
        return code or None
    if field == "datacenter":
        kind = offer.get("hosting_type")
        return None if kind is None else kind == 1
    if field == "verified":
        ver = offer.get("verification")
        return None if ver is None else ver == "verified"
    if field == "reliability":
        rel = offer.get("reliability2")
        return rel if rel is not None else offer.get("reliability")
    if field == "driver_version":
        return offer.get("driver_vers")
    return offer.get(field)


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def as_number(x):
    """x as a float if it is a number or a numeric string (the CLI sends "0.99"), else None."""
    try:
        return float(x) if is_number(x) or isinstance(x, str) else None
    except ValueError:
        return None


def equal(have, want):
    if isinstance(have, bool) or isinstance(want, bool):
        return have is want
    if is_number(have) and as_number(want) is not None:
        return float(have) == as_number(want)
    return have == want


def test(have, op, want):
    """One operator test; `have` is never None here."""
    if op == "eq":
        return equal(have, want)
    if op == "neq":
        return not equal(have, want)
    if op in ("in", "notin"):
        items = want if isinstance(want, list) else [want]
        found = any(equal(have, item) for item in items)
        return found if op == "in" else not found
    a, b = (float(have) if is_number(have) else None), as_number(want)
    if a is None or b is None:
        return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def upper_codes(want):
    """Country codes compare case-insensitively ("cn" means CN)."""
    if isinstance(want, list):
        return [w.upper() if isinstance(w, str) else w for w in want]
    return want.upper() if isinstance(want, str) else want


def matches(offer, query):
    for field, cond in query.items():
        if field in NOT_FILTERS:
            continue
        if not isinstance(cond, dict):
            cond = {"eq": cond}
        have = offer_value(offer, field)
        if have is None:
            return False
        for op, want in cond.items():
            if field == "geolocation":
                want = upper_codes(want)
            if not test(have, op, want):
                return False
    return True


def apply_order(offers, order):
    """Stable multi-key sort; offers lacking a key go last in either direction."""
    if not isinstance(order, list):
        return offers
    for item in reversed(order):
        if not isinstance(item, (list, tuple)) or not item:
            continue
        field = item[0]
        desc = len(item) > 1 and str(item[1]).lower() == "desc"
        known = [o for o in offers if offer_value(o, field) is not None]
        unknown = [o for o in offers if offer_value(o, field) is None]
        known.sort(key=lambda o: sort_key(offer_value(o, field)), reverse=desc)
        offers = known + unknown
    return offers


def sort_key(value):
    return (0, float(value), "") if is_number(value) else (1, 0.0, str(value))


def check_query(query):
    for field, cond in query.items():
        if field not in NOT_FILTERS and isinstance(cond, dict):
            for op in cond:
                if op not in OPERATORS:
                    raise ValueError("unknown operator %r for field %r" % (op, field))


def search(offers, query):
    check_query(query)
    found = [o for o in offers if matches(o, query)]
    found = apply_order(found, query.get("order"))
    limit = query.get("limit")
    if is_number(limit) and limit >= 0:
        found = found[:int(limit)]
    return found


# ---------------------------------------------------------------- shared state

class State:
    """Offers, instances, fault mode and request log; every access holds the lock."""

    def __init__(self, offers, log_path):
        self.lock = threading.Lock()
        self.offers = offers
        self.log_path = log_path
        self.log = []
        self.stopping = threading.Event()
        self.set_mode("normal", 0, 5.0)
        self.reset_instances()

    def set_mode(self, mode, count, delay, endpoint="search"):
        with self.lock:
            self.mode, self.count, self.delay = mode, count, delay
            self.endpoint = endpoint

    def reset_instances(self):
        with self.lock:
            self.instances = {}         # id -> the instance object show returns
            self.shows = {}             # id -> shows answered while it was loading
            self.rented = set()         # offer ids
            self.offer_of = {}          # instance id -> the offer id it rented
            self.next_id = FIRST_INSTANCE_ID
            self.config = dict(DEFAULT_INSTANCE_CONFIG)

    def take_fault(self, endpoint="search"):
        """The fault for this request to `endpoint` (consuming one count), and the slow delay."""
        with self.lock:
            mode, delay = self.mode, self.delay
            if mode == "normal" or self.endpoint not in (endpoint, "any"):
                return "normal", delay
            if self.count > 0:
                self.count -= 1
                if self.count == 0:
                    self.mode = "normal"
            return mode, delay

    def snapshot(self):
        """The offers a search can find: the market less what is rented."""
        with self.lock:
            return [o for o in self.offers if offer_id(o) not in self.rented]

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")


def offer_id(offer):
    return offer.get("id", offer.get("ask_contract_id")) if isinstance(offer, dict) else None


def pull_progress(step):
    """A docker-pull status_msg for the step-th look at a loading instance."""
    layer = min(PULL_LAYERS, 1 + step)
    mb = min(1229, 137 * layer)
    return "Pulling fs layer %d/%d: %d MB / 1.2 GB" % (layer, PULL_LAYERS, mb)


def page_token(last_id):
    """An opaque next_token like vast's (base64 with '=' and maybe '+' or '/': it must be
    URL-quoted to survive)."""
    return base64.b64encode(json.dumps({"after_id": last_id}).encode("utf-8")).decode("ascii")


def token_after(token):
    """The id a token continues after; ValueError when it is not one of ours."""
    try:
        data = json.loads(base64.b64decode(str(token), validate=True).decode("utf-8"))
        return int(data["after_id"])
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError("invalid token") from e


def query_value(query, name):
    """A v1 query parameter: JSON-decoded, or the raw text when it is not JSON; None if absent."""
    values = query.get(name)
    if not values:
        return None
    try:
        return json.loads(values[0])
    except ValueError:
        return values[0]


def make_running(inst, config):
    """The transition out of loading into config["final_status"]."""
    status = config["final_status"]
    inst["actual_status"] = status
    inst["ssh_host"] = config["ssh_host"]
    inst["ssh_port"] = config["ssh_port"]
    if status == "running":
        inst["status_msg"] = "success, running %s/ssh" % inst.get("image_uuid")
        inst["uptime_mins"] = 0.0
        if config["direct"]:
            inst["public_ipaddr"] = config["ssh_host"]
            inst["ports"] = {"22/tcp": [{"HostIp": "0.0.0.0",
                                         "HostPort": str(config["ssh_port"])}]}
            inst["direct_port_start"] = inst["direct_port_end"] = config["ssh_port"]
    else:
        inst["status_msg"] = "Error response from daemon: container exited (code 1)\n"


def offers_from(data):
    """The offer list from a parsed [offers] or {"offers": [...]} document."""
    if isinstance(data, dict):
        data = data.get("offers")
    if not isinstance(data, list):
        raise ValueError("offers must be a JSON array or {\"offers\": [...]}")
    return data


# ---------------------------------------------------------------- HTTP handler

class Handler(QuietHandler):
    protocol_version = "HTTP/1.1"   # so "Expect: 100-continue" is answered; we still close
    server_version = "fake-vast/1"
    state = None                    # set in main()


    # -- request plumbing


    def log_request_entry(self, body, status):
        self.state.record({
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "status": status,
        })

    def send_head(self, status, ctype, length):
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()

    def send_text(self, status, ctype, text):
        data = text.encode("utf-8")
        self.send_head(status, ctype, len(data))
        self.wfile.write(data)

    def send_json(self, status, obj):
        self.send_text(status, "application/json", json.dumps(obj))

    def dispatch(self):
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        if path.startswith("/_control/"):
            return self.control(path, body)
        if self.command == "POST" and path.rstrip("/") == "/api/v0/bundles":
            return self.bundles(body)
        if self.command == "GET" and path.rstrip("/") == "/api/v0/users/current":
            return self.current_user(body)
        route = self.route(path)
        if route is not None:
            endpoint, handler, arg = route
            return self.api(endpoint, body, lambda: handler(body, arg))
        if self.command == "GET" and path.rstrip("/") == "/api/v0/instances":
            self.log_request_entry(body, 410)
            return self.send_json(410, error_body("deprecated_endpoint",
                                                  "Use /api/v1/instances/ instead"))
        reply = error_body("not_found", "no such endpoint: %s %s" % (self.command, path))
        self.log_request_entry(body, 404)
        self.send_json(404, reply)

    ROUTES = (("PUT", re.compile(r"^/api/v0/asks/(\d+)/?$"), "create", "create"),
              ("GET", re.compile(r"^/api/v0/instances/(\d+)/?$"), "show", "show"),
              ("PUT", re.compile(r"^/api/v0/instances/(\d+)/?$"), "stop", "manage"),
              ("DELETE", re.compile(r"^/api/v0/instances/(\d+)/?$"), "destroy", "destroy"),
              ("GET", re.compile(r"^/api/v1/instances/?$"), "list", "list_page"))

    def route(self, path):
        """(endpoint, handler, id or None) of an instance API request, else None."""
        for method, pattern, endpoint, name in self.ROUTES:
            m = pattern.match(path) if self.command == method else None
            if m:
                return endpoint, getattr(self, name), int(m.group(1)) if m.groups() else None
        return None

    def api(self, endpoint, body, handle):
        """Answers one instance API request: the fault armed for `endpoint`, else 404
        auth_error without a Bearer key, else handle() -> (status, reply)."""
        mode, delay = self.state.take_fault(endpoint)
        if mode in FAULT_REPLIES:
            status, ctype, text = FAULT_REPLIES[mode]
            self.log_request_entry(body, status)
            return self.send_text(status, ctype, text)
        if mode == "hang":
            self.log_request_entry(body, None)
            return self.hang()
        if not self.has_key():
            status, reply = 404, error_body("auth_error", "Invalid user key")
        else:
            status, reply = handle()
        payload = json.dumps(reply).encode("utf-8")
        self.log_request_entry(body, status)
        if mode == "slow":
            self.send_slowly(payload, delay, status)
        elif mode == "truncated":
            self.send_head(status, "application/json", len(payload) + 4096)
            self.wfile.write(payload[:len(payload) // 2])
            self.wfile.flush()
        else:
            self.send_head(status, "application/json", len(payload))
            self.wfile.write(payload)

    def has_key(self):
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and bool(auth[7:].strip())

    # -- API endpoints

    def create(self, body, ask_id):
        if not isinstance(body, dict):
            return 400, error_body("invalid_request", "Invalid json body")
        env = body.get("env", {})
        if not isinstance(env, dict):
            return 400, error_body("invalid_args", "invalid env type: env must be a dict")
        image = body.get("image")
        if not isinstance(image, str) or not image:
            return 400, error_body("invalid_args", "error 400/3467: Invalid args: image is required")
        st = self.state
        with st.lock:
            offer = next((o for o in st.offers if offer_id(o) == ask_id), None)
            if offer is None or ask_id in st.rented:
                return 404, error_body(
                    "no_such_ask",
                    "error 404/3603: no_such_ask Instance type by id %d is not available." % ask_id)
            iid = st.next_id
            st.next_id += 1
            st.rented.add(ask_id)
            n = offer.get("num_gpus") or 1
            disk = body.get("disk")
            offer_disk = offer.get("disk_space")
            if is_number(disk) and is_number(offer_disk):
                disk = min(disk, offer_disk)     # vast caps the disk silently (reference §4.1)
            st.instances[iid] = {
                "id": iid, "machine_id": offer.get("machine_id"),
                "host_id": offer.get("host_id"), "bundle_id": offer.get("bundle_id"),
                "label": body.get("label"), "image_uuid": image,
                "image_runtype": body.get("runtype", "ssh"), "onstart": body.get("onstart"),
                "extra_env": [[k, v] for k, v in env.items()],
                "actual_status": "loading", "intended_status": "running",
                "cur_state": "running", "next_state": "running",
                "status_msg": pull_progress(0),
                "gpu_name": offer.get("gpu_name"), "num_gpus": offer.get("num_gpus"),
                "gpu_ram": offer.get("gpu_ram"),
                "gpu_totalram": offer.get("gpu_total_ram") or (offer.get("gpu_ram") or 0) * n,
                "dph_total": offer.get("dph_total"), "geolocation": offer.get("geolocation"),
                "disk_space": disk if is_number(disk) else offer_disk,
                "public_ipaddr": offer.get("public_ipaddr"),
                "ssh_host": st.config["ssh_host"], "ssh_port": st.config["ssh_port"],
                "start_date": time.time(), "uptime_mins": None,
                "direct_port_start": -1, "direct_port_end": -1,
            }
            st.shows[iid] = 0
            st.offer_of[iid] = ask_id
        return 200, {"success": True, "new_contract": iid,
                     "instance_api_key": "fake-instance-api-key"}

    def show(self, body, iid):
        st = self.state
        with st.lock:
            inst = st.instances.get(iid)
            if inst is None:
                return 200, {"instances": None}
            if inst.get("actual_status") == "loading":
                st.shows[iid] = st.shows.get(iid, 0) + 1
                if st.shows[iid] > st.config["loading_polls"]:
                    make_running(inst, st.config)
                else:
                    inst["status_msg"] = pull_progress(st.shows[iid])
            return 200, {"instances": dict(inst)}

    def missing(self, iid):
        return 404, error_body("no_such_instance", "Instance %d not found." % iid)

    def manage(self, body, iid):
        if not isinstance(body, dict):
            return 400, error_body("invalid_request", "Invalid json body")
        state = body.get("state")
        if state is not None and state not in ("stopped", "running"):
            return 400, error_body("invalid_args", "state must be 'stopped' or 'running'")
        st = self.state
        with st.lock:
            inst = st.instances.get(iid)
            if inst is None:
                return self.missing(iid)
            if "label" in body:
                inst["label"] = body["label"]
            if state == "stopped":
                inst.update(actual_status="stopped", intended_status="stopped",
                            cur_state="stopped", next_state="stopped",
                            status_msg="Stopped.", direct_port_start=-1, direct_port_end=-1)
                inst.pop("ports", None)
            elif state == "running":
                inst.update(intended_status="running", cur_state="running", next_state="running")
                config = dict(st.config, final_status="running")
                make_running(inst, config)
        return 200, {"success": True}

    def destroy(self, body, iid):
        st = self.state
        with st.lock:
            inst = st.instances.pop(iid, None)
            if inst is None:
                return self.missing(iid)
            st.shows.pop(iid, None)
            st.rented.discard(st.offer_of.pop(iid, None))
        return 200, {"success": True}

    def list_page(self, body, _):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        limit = query_value(query, "limit")
        limit = 25 if limit is None else limit
        if not is_number(limit):
            return 400, error_body("invalid_args", "limit must be a number")
        token = query_value(query, "after_token")
        after = 0
        if token not in (None, ""):
            try:
                after = token_after(token)
            except ValueError:
                return 400, error_body("invalid_token", "Invalid after_token")
        st = self.state
        with st.lock:
            size = min(int(limit) if limit > 0 else 5, st.config["page_size"], 25)
            ids = sorted(i for i in st.instances if i > after)
            page = [dict(st.instances[i]) for i in ids[:size]]
            total = len(st.instances)
        more = len(ids) > size
        return 200, {"success": True, "instances_found": len(page), "total_instances": total,
                     "next_token": page_token(page[-1]["id"]) if more else None,
                     "instances": page}

    def current_user(self, body):
        if self.has_key():
            self.log_request_entry(body, 200)
            self.send_json(200, {"id": 1, "email": "test@example.invalid", "credit": 10.0})
        else:
            self.log_request_entry(body, 404)
            self.send_json(404, error_body("auth_error", "Invalid user key"))

    def search_reply(self, body):
        """(status, JSON reply) of a normal search."""
        query = {} if body is None else body
        if not isinstance(query, dict):
            return 400, error_body("invalid_request", "Invalid json body")
        try:
            return 200, {"offers": search(self.state.snapshot(), query)}
        except ValueError as e:
            return 400, error_body("invalid_args", str(e))

    def bundles(self, body):
        mode, delay = self.state.take_fault()
        if mode in ("normal", "slow", "truncated"):
            status, reply = self.search_reply(body)
            if status != 200:
                self.log_request_entry(body, status)
                return self.send_json(status, reply)
            payload = json.dumps(reply).encode("utf-8")
        status = None if mode == "hang" else FAULT_REPLIES.get(mode, (200,))[0]
        self.log_request_entry(body, status)
        if mode == "normal":
            self.send_head(200, "application/json", len(payload))
            self.wfile.write(payload)
        elif mode == "slow":
            self.send_slowly(payload, delay)
        elif mode == "truncated":
            self.send_head(200, "application/json", len(payload) + 4096)
            self.wfile.write(payload[:len(payload) // 2])
            self.wfile.flush()
        elif mode == "ignore_filters":
            self.send_json(200, {"offers": self.state.snapshot()})
        elif mode == "hang":
            self.hang()
        elif mode == "huge":
            self.send_huge()
        else:
            status, ctype, text = FAULT_REPLIES[mode]
            self.send_text(status, ctype, text)

    # -- fault helpers

    def send_slowly(self, payload, delay, status=200):
        self.send_head(status, "application/json", len(payload))
        self.wfile.flush()
        chunks = 10
        step = max(1, -(-len(payload) // chunks))
        for i in range(0, len(payload), step):
            if self.state.stopping.wait(delay / chunks):
                return
            self.wfile.write(payload[i:i + step])
            self.wfile.flush()

    def send_huge(self):
        """A 200 JSON answer of HUGE_BYTES: the market padded with blanks, streamed in 1 MB
        pieces until the client has it all or hangs up."""
        head = b'{"offers": ' + json.dumps(self.state.snapshot()).encode("utf-8")
        self.send_head(200, "application/json", HUGE_BYTES)
        piece = b" " * (1 << 20)
        try:
            self.wfile.write(head)
            left = HUGE_BYTES - len(head) - 1
            while left > 0:
                self.wfile.write(piece[:min(left, len(piece))])
                left -= len(piece)
            self.wfile.write(b"}")
        except OSError:
            pass                        # the client refused the rest

    def hang(self):
        """Say nothing until the client goes away, 60 s pass, or the server stops."""
        deadline = time.monotonic() + HANG_LIMIT_S
        sock = self.connection
        while time.monotonic() < deadline and not self.state.stopping.is_set():
            ready, _, _ = select.select([sock], [], [], 0.2)
            if ready:
                try:
                    if not sock.recv(1, socket.MSG_PEEK):
                        return          # client closed the connection
                except OSError:
                    return
                time.sleep(0.2)         # client sent more bytes: keep ignoring them

    # -- control endpoints

    def control(self, path, body):
        name = path[len("/_control/"):].strip("/")
        if self.command == "GET" and name == "log":
            with self.state.lock:
                return self.send_json(200, list(self.state.log))
        if self.command == "GET" and name == "instances":
            with self.state.lock:
                st = self.state
                return self.send_json(200, {
                    "instances": [st.instances[i] for i in sorted(st.instances)],
                    "config": dict(st.config), "rented": sorted(st.rented)})
        if self.command != "POST":
            return self.send_json(404, error_body("not_found", "unknown control " + name))
        if name == "reset":
            self.state.set_mode("normal", 0, 5.0)
            self.state.reset_instances()
            with self.state.lock:
                self.state.log.clear()
            return self.send_json(200, {"ok": True})
        if name == "instances":
            return self.control_instances(body)
        if name == "instances/add":
            return self.control_add_instances(body)
        if name == "offers":
            try:
                offers = offers_from(body)
            except ValueError as e:
                return self.send_json(400, error_body("invalid_args", str(e)))
            with self.state.lock:
                self.state.offers = offers
            return self.send_json(200, {"ok": True, "count": len(offers)})
        if name == "mode":
            return self.control_mode(body)
        return self.send_json(404, error_body("not_found", "unknown control " + name))

    def control_mode(self, body):
        if not isinstance(body, dict) or body.get("mode") not in FAULT_MODES:
            msg = "body must be {\"mode\": one of %s}" % ", ".join(FAULT_MODES)
            return self.send_json(400, error_body("invalid_args", msg))
        count = body.get("count", 1)
        delay = body.get("delay", 5.0)
        endpoint = body.get("endpoint", "search")
        if not is_number(count) or not is_number(delay) or delay < 0:
            return self.send_json(400, error_body("invalid_args", "bad count or delay"))
        if endpoint not in ENDPOINTS:
            msg = "endpoint must be one of %s" % ", ".join(ENDPOINTS)
            return self.send_json(400, error_body("invalid_args", msg))
        mode, count = body["mode"], 0 if body["mode"] == "normal" else int(count)
        self.state.set_mode(mode, count, float(delay), endpoint)
        return self.send_json(200, {"ok": True, "mode": mode, "count": count,
                                    "endpoint": endpoint})

    CONFIG_CHECKS = {
        "ssh_host": lambda v: isinstance(v, str) and v != "",
        "ssh_port": lambda v: is_number(v) and v == int(v) and 1 <= v <= 65535,
        "direct": lambda v: isinstance(v, bool),
        "loading_polls": lambda v: is_number(v) and v == int(v) and v >= 0,
        "final_status": lambda v: v in FINAL_STATUSES,
        "page_size": lambda v: is_number(v) and v == int(v) and v >= 1,
    }

    def control_instances(self, body):
        if not isinstance(body, dict):
            return self.send_json(400, error_body("invalid_args", "body must be an object"))
        for key, value in body.items():
            check = self.CONFIG_CHECKS.get(key)
            if check is None or not check(value):
                msg = "bad instance config %s=%r (keys: %s)" % (
                    key, value, ", ".join(self.CONFIG_CHECKS))
                return self.send_json(400, error_body("invalid_args", msg))
        with self.state.lock:
            for key, value in body.items():
                self.state.config[key] = int(value) if key in (
                    "ssh_port", "loading_polls", "page_size") else value
            config = dict(self.state.config)
        return self.send_json(200, {"ok": True, "config": config})

    def control_add_instances(self, body):
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            return self.send_json(400, error_body("invalid_args",
                                                  "body must be [instance objects]"))
        ids = []
        with self.state.lock:
            st = self.state
            for inst in body:
                inst = dict(inst)
                iid = inst.get("id")
                if not is_number(iid) or iid != int(iid):
                    iid = inst["id"] = st.next_id
                iid = int(iid)
                st.next_id = max(st.next_id, iid + 1)
                st.instances[iid] = inst
                st.shows[iid] = 0
                ids.append(iid)
        return self.send_json(200, {"ok": True, "ids": ids})


Handler.do_GET = Handler.do_POST = Handler.do_PUT = Handler.do_DELETE = Handler.dispatch


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake vast.ai API server for tests.")
    ap.add_argument("--port-file", required=True, help="where to write the port number")
    ap.add_argument("--offers", help="JSON array of offers, or {\"offers\": [...]}")
    ap.add_argument("--log", help="append one JSON line per request here")
    args = ap.parse_args(argv)

    offers = []
    if args.offers:
        with open(args.offers, encoding="utf-8") as f:
            offers = offers_from(json.load(f))
    Handler.state = State(offers, args.log)

    server = Server(("127.0.0.1", 0), Handler, name="fake_vast")
    return serve_until_signalled(server, Handler.state, args.port_file)

if __name__ == "__main__":
    sys.exit(main())
