#!/usr/bin/env python3
"""Fake vast.ai API server for gpuwarden's tests (Python 3 standard library only).

  python3 tests/fake_vast.py --port-file PATH [--offers FILE] [--log PATH]

Binds 127.0.0.1 on an ephemeral port, writes the number to PATH (atomically, via PATH.tmp)
once listening, and serves a scripted offer market until SIGTERM/SIGINT, then exits 0.

API (a subset of vast.ai's, see shared reference vast-api.md §2 and §5):
  POST /api/v0/bundles/     search: the body is the vast query object; filters with
                            eq/neq/gt/gte/lt/lte/in/notin, then "order", then "limit".
  GET  /api/v0/users/current/   200 with a fake user if "Authorization: Bearer ..." is sent,
                            else 404 auth_error.
  anything else             404 not_found.

Control endpoints (tests only; never logged):
  POST /_control/offers     body: [offers] or {"offers": [...]}: replace the market.
  POST /_control/mode       body: {"mode": M, "count": N, "delay": S}: the next N searches
                            (N = -1: until mode "normal") get fault M, one of FAULT_MODES.
  GET  /_control/log        the request log, as a JSON array.
  POST /_control/reset      mode normal, log cleared (offers are kept).

Every non-control request is logged (in memory and, with --log, as JSON lines) as
{"method", "path", "headers" (lower-cased names), "body", "status"}; the entry is written
before the response is sent, so a test may read it as soon as its request returns.
"""

import argparse
import json
import os
import select
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeserver import QuietHandler, Server, write_port_file  # noqa: E402  (tests/fakeserver.py)

FAULT_MODES = ("normal", "429", "500", "502", "503", "auth_error", "malformed", "html",
               "slow", "truncated", "ignore_filters", "hang")
OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "notin")
NOT_FILTERS = ("order", "limit", "type", "allocated_storage",
               "external", "rentable", "rented", "disable_bundling")
ALIASES = {"reliability2": "reliability", "dphtotal": "dph_total",
           "gpu_totalram": "gpu_total_ram", "ubuntu_version": "os_version"}
HANG_LIMIT_S = 60.0

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
    """Offers, fault mode and request log; every access holds the lock."""

    def __init__(self, offers, log_path):
        self.lock = threading.Lock()
        self.offers = offers
        self.log_path = log_path
        self.log = []
        self.stopping = threading.Event()
        self.set_mode("normal", 0, 5.0)

    def set_mode(self, mode, count, delay):
        with self.lock:
            self.mode, self.count, self.delay = mode, count, delay

    def take_fault(self):
        """The fault for this search request (consuming one count), and the slow delay."""
        with self.lock:
            mode, delay = self.mode, self.delay
            if mode != "normal" and self.count > 0:
                self.count -= 1
                if self.count == 0:
                    self.mode = "normal"
            return mode, delay

    def snapshot(self):
        with self.lock:
            return list(self.offers)

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")


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
        reply = error_body("not_found", "no such endpoint: %s %s" % (self.command, path))
        self.log_request_entry(body, 404)
        self.send_json(404, reply)

    # -- API endpoints

    def current_user(self, body):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip():
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
        else:
            status, ctype, text = FAULT_REPLIES[mode]
            self.send_text(status, ctype, text)

    # -- fault helpers

    def send_slowly(self, payload, delay):
        self.send_head(200, "application/json", len(payload))
        self.wfile.flush()
        chunks = 10
        step = max(1, -(-len(payload) // chunks))
        for i in range(0, len(payload), step):
            if self.state.stopping.wait(delay / chunks):
                return
            self.wfile.write(payload[i:i + step])
            self.wfile.flush()

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
        if self.command != "POST":
            return self.send_json(404, error_body("not_found", "unknown control " + name))
        if name == "reset":
            self.state.set_mode("normal", 0, 5.0)
            with self.state.lock:
                self.state.log.clear()
            return self.send_json(200, {"ok": True})
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
        if not is_number(count) or not is_number(delay) or delay < 0:
            return self.send_json(400, error_body("invalid_args", "bad count or delay"))
        mode, count = body["mode"], 0 if body["mode"] == "normal" else int(count)
        self.state.set_mode(mode, count, float(delay))
        return self.send_json(200, {"ok": True, "mode": mode, "count": count})


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
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    write_port_file(args.port_file, server.server_address[1])
    while not stop.is_set():
        stop.wait(0.5)
    Handler.state.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
