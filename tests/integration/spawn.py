"""Starting a fake API server script (tests/fake_vast.py, tests/fake_hub.py) for the
integration tests, shared by fakevast.FakeVast and fakehub.FakeHub.

    proc, err, port = spawn_server(script, args, port_file, err_file)
"""

import os
import signal
import subprocess
import sys
import time

START_TIMEOUT = 15.0     # seconds for the server to write its port file


def stop_process(proc):
    """SIGTERM, then SIGKILL after 10 s; nothing if it has already exited."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def spawn_server(script, args, port_file, err_file, timeout=START_TIMEOUT):
    """Runs `python3 script args...` (stdout to /dev/null, stderr to err_file) and waits for
    it to write its port number to port_file. Returns (proc, err, port), err being the open
    stderr file, which the caller closes once the process is stopped. If the process exits or
    writes no port file within `timeout` seconds, it is stopped, err is closed and
    RuntimeError names the script, the exit status or the timeout, and its stderr."""
    err = open(err_file, "w+")
    proc = subprocess.Popen([sys.executable, script] + list(args),
                            stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + timeout
    # the server writes the port file (atomically) once it listens
    while not os.path.exists(port_file):
        rc = proc.poll()
        if rc is not None or time.monotonic() > deadline:
            why = ("exited with status %d" % rc if rc is not None else
                   "did not write its port file within %g s" % timeout)
            stop_process(proc)
            err.close()
            with open(err_file, encoding="utf-8", errors="replace") as f:
                text = f.read().strip()
            raise RuntimeError("%s %s%s" % (os.path.basename(script), why,
                                            "; stderr:\n" + text if text else ""))
        time.sleep(0.02)
    with open(port_file, encoding="ascii") as f:
        port = int(f.read().strip())
    return proc, err, port
