"""Shared plumbing of the fake API servers (tests/fake_vast.py, tests/fake_hub.py); Python 3
standard library only. The scripts import it by putting their own folder on sys.path.

    server = Server(("127.0.0.1", 0), Handler, name="fake_vast")
    write_port_file(path, server.server_address[1])
"""

import json
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """Base of the fakes' handlers: no per-request stderr lines, and request bodies read as
    JSON (or the raw text when it is not JSON, None when empty)."""

    def log_message(self, *args):
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length > 0 else ""
        if raw == "":
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw



class Server(ThreadingHTTPServer):
    """A threading HTTP server whose handler threads never hold up shutdown, and which stays
    quiet when a client goes away mid-reply (expected in fault tests). Other errors go to
    stderr as "NAME: error serving ADDR: EXC"; NAME is the constructor's `name`, else the
    class attribute."""

    daemon_threads = True
    block_on_close = False          # never wait for "hang" threads at shutdown
    name = "fakeserver"

    def __init__(self, server_address, handler_class, name=None, bind_and_activate=True):
        if name is not None:
            self.name = name
        super().__init__(server_address, handler_class, bind_and_activate)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout)):
            return                  # client went away mid-reply: expected in fault tests
        sys.stderr.write("%s: error serving %s: %r\n" % (self.name, client_address, exc))


def write_port_file(path, port):
    """Writes the port number to `path` atomically (via path.tmp), so a reader polling for
    the file never sees it half written."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def serve_until_signalled(server, state, port_file=None, announce=False):
    """Serves on a thread until SIGTERM or SIGINT, then stops cleanly: `state.stopping` is set
    first so slow and hanging replies end, then the server shuts down. The port goes to
    `port_file` (atomically) and, with `announce`, to stdout. Returns 0 for sys.exit."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    port = server.server_address[1]
    if port_file:
        write_port_file(port_file, port)
    if announce:
        sys.stdout.write("%d\n" % port)
        sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.5)
    state.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join()
    return 0
