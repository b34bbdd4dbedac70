#!/usr/bin/env python3
"""A throwaway OpenSSH server on 127.0.0.1 for the tests of the real libssh2 path (DESIGN §4):
its own ed25519 host key, an authorized user key, and a fixture `nvidia-smi` first on the PATH
of every command it runs. Python 3 standard library only; nothing outside DIR is touched (but
/run/sshd, which sshd needs when started as root).

As a module (from the repository root: `from tests.sshd import Sshd`; from tests/integration:
`from realsshd import Sshd`, see tests/integration/realsshd.py):

    with Sshd() as sshd:               # or: sshd = Sshd(dir); sshd.start(); ...; sshd.stop()
        sshd.port, sshd.key_path       # loopback port; private key the server accepts
        sshd.user                      # the login: the current user (root in CI)
        sshd.dir                       # the files below
        sshd.fingerprint()             # "SHA256:..." of the host key, as ssh-keygen prints it
        sshd.set_smi("NVIDIA GeForce RTX 3060, 8192, 8.6\\n")   # what nvidia-smi prints
        sshd.children()                # pids of the per-connection sshd processes
        sshd.kill_children()           # drop every connection (SIGKILL)
        sshd.signal_children(signal.SIGSTOP)   # freeze every connection (SIGCONT to resume)
        sshd.rekey()                   # new host key, same port: what a MITM looks like
        sshd.ssh_argv("nvidia-smi")    # an OpenSSH client command line for this server

As a command (for the C tests; prints nothing unless asked, exits non-zero with a reason on
stderr):

    python3 tests/sshd.py start DIR      returns once sshd listens; writes DIR/port, DIR/pid
    python3 tests/sshd.py stop DIR       stops sshd and its connections
    python3 tests/sshd.py children DIR   per-connection sshd pids, one per line
    python3 tests/sshd.py signal DIR SIG signals every per-connection sshd process (STOP, CONT,
                                         KILL, ...): SIGSTOP freezes a connection so keepalives
                                         go unanswered
    python3 tests/sshd.py rekey DIR      new host key, sshd restarted on the same port
    python3 tests/sshd.py smi DIR TEXT   nvidia-smi prints TEXT from now on

Files in DIR: host_key(.pub), id_ed25519(.pub), authorized_keys, bin/nvidia-smi (a copy of
tests/fixtures/smi/nvidia-smi; it prints DIR/smi.txt when present), sshd_config, sshd.log
(sshd's own log, appended across restarts), sshd.pid, pid (the listener), port.

PATH: sshd (9.2) builds each session's environment itself and ends with the admin's `SetEnv`
lines, so `SetEnv PATH=DIR/bin:...` replaces its default PATH for every command (checked by
running `nvidia-smi` over the harness with the OpenSSH client; see tests/unit/test_ssh.c).
The login shell may still change PATH in its startup files (Debian's bash reads ~/.bashrc for
commands run over ssh); DIR/bin stays first unless such a file overwrites PATH entirely.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SSHD = "/usr/sbin/sshd"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMI_FIXTURE = os.path.join(REPO, "tests", "fixtures", "smi", "nvidia-smi")
START_TIMEOUT = 10.0    # seconds for sshd to log that it listens
STOP_TIMEOUT = 5.0      # seconds for a SIGTERM'd sshd to go, before SIGKILL
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def available():
    """True when sshd and ssh-keygen are installed (tests skip otherwise)."""
    return os.access(SSHD, os.X_OK) and shutil.which("ssh-keygen") is not None


def _write_atomic(path, text, mode=0o644):
    tmp = "%s.tmp%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _free_port():
    """A port nothing listens on right now (bound to 0 and released; sshd may still lose the
    race, start() then retries with another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_table():
    """{pid: (ppid, comm, state)} of every process readable in /proc."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = _read("/proc/%s/stat" % name)
        # comm is in parentheses and may contain spaces: split after the last ')'
        lp, rp = stat.find("("), stat.rfind(")")
        if lp < 0 or rp < 0:
            continue
        rest = stat[rp + 2:].split()
        if len(rest) < 2:
            continue
        table[int(name)] = (int(rest[1]), stat[lp + 1:rp], rest[0])
    return table


def _alive(pid):
    """Running and not a zombie (an orphaned sshd may linger as one under a lazy init)."""
    if pid <= 0:
        return False
    stat = _read("/proc/%d/stat" % pid)
    if not stat:
        return False
    rest = stat[stat.rfind(")") + 2:].split()
    return bool(rest) and rest[0] not in ("Z", "X")


def _keygen(path, comment):
    for p in (path, path + ".pub"):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class Sshd:
    """One sshd on 127.0.0.1 with its files in `dir` (a temporary folder, removed by stop(),
    when none is given)."""

    def __init__(self, dir=None):
        self.own_dir = dir is None
        self.dir = os.path.abspath(dir) if dir else tempfile.mkdtemp(prefix="gw-sshd-")
        self.port = None
        self.pid = None
        self.proc = None        # the Popen when this object started sshd
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.key_path = os.path.join(self.dir, "id_ed25519")
        self.host_key = os.path.join(self.dir, "host_key")
        self.config = os.path.join(self.dir, "sshd_config")
        self.log_path = os.path.join(self.dir, "sshd.log")
        self._load()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # ------------------------------------------------------------------ state files

    def _load(self):
        """Picks up port and pid from a harness started by another process (the CLI)."""
        port = _read(os.path.join(self.dir, "port")).strip()
        pid = _read(os.path.join(self.dir, "pid")).strip()
        self.port = int(port) if port.isdigit() else None
        self.pid = int(pid) if pid.isdigit() else None

    def _prepare(self):
        os.makedirs(self.dir, exist_ok=True)
        os.makedirs(os.path.join(self.dir, "bin"), exist_ok=True)
        if not os.path.exists(self.host_key):
            _keygen(self.host_key, "gpuwarden-test-host")
        if not os.path.exists(self.key_path):
            _keygen(self.key_path, "gpuwarden-test-user")
        shutil.copyfile(self.key_path + ".pub", os.path.join(self.dir, "authorized_keys"))
        smi = os.path.join(self.dir, "bin", "nvidia-smi")
        shutil.copyfile(SMI_FIXTURE, smi)
        os.chmod(smi, 0o755)
        if os.geteuid() == 0:
            # sshd refuses to start as root without its privilege separation folder
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)

    def _write_config(self, port):
        d = self.dir
        lines = [
            "ListenAddress 127.0.0.1",
            "Port %d" % port,
            "HostKey %s" % self.host_key,
            "AuthorizedKeysFile %s" % os.path.join(d, "authorized_keys"),
            "PidFile %s" % os.path.join(d, "sshd.pid"),
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "AllowTcpForwarding yes",
            "AllowAgentForwarding no",
            "X11Forwarding no",
            "PermitUserEnvironment no",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "MaxStartups 100",
            "MaxSessions 100",
            "LoginGraceTime 30",
            "Subsystem sftp internal-sftp",
            # replaces sshd's default PATH for every session (see the module docstring)
            "SetEnv PATH=%s:%s GPUWARDEN_TEST_SSHD=1" % (os.path.join(d, "bin"), SYSTEM_PATH),
        ]
        _write_atomic(self.config, "\n".join(lines) + "\n", 0o600)

    # ------------------------------------------------------------------ life cycle

    def start(self, port=None):
        """Starts sshd (on `port`, else a free one) and returns once it listens. RuntimeError
        with sshd's log when it cannot."""
        self._prepare()
        tries = 1 if port else 5
        why = ""
        for _ in range(tries):
            p = port or _free_port()
            ok, why = self._spawn(p)
            if ok:
                return self
            if "Address already in use" not in why:
                break
        raise RuntimeError("sshd did not start: %s" % why)

    def _spawn(self, port):
        self._write_config(port)
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "a")
        try:
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", self.config],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        finally:
            log.close()
        want = "Server listening on 127.0.0.1 port %d" % port
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                f.seek(offset)
                text = f.read()
            if want in text:
                break
            rc = self.proc.poll()
            if rc is not None or time.monotonic() > deadline:
                if rc is None:
                    self.proc.kill()
                    self.proc.wait()
                self.proc = None
                return False, ("exited with status %s" % rc if rc is not None
                               else "not listening after %g s" % START_TIMEOUT) + \
                    (": " + text.strip() if text.strip() else "")
            time.sleep(0.01)
        self.port, self.pid = port, self.proc.pid
        _write_atomic(os.path.join(self.dir, "port"), "%d\n" % port)
        _write_atomic(os.path.join(self.dir, "pid"), "%d\n" % self.pid)
        return True, ""

    def _stop_listener(self):
        pid = self.pid
        if pid and _alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT
            while _alive(pid) and time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    break
                time.sleep(0.01)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        for name in ("pid", "sshd.pid"):
            try:
                os.unlink(os.path.join(self.dir, name))
            except FileNotFoundError:
                pass
        self.pid = None

    def stop(self):
        """Stops sshd and every connection it serves; removes the folder if start() made it.
        Safe to call twice."""
        if self.pid is None:
            self._load()
        self.kill_children()
        self._stop_listener()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.own_dir = False

    def rekey(self):
        """A new host key on the same port (every connection is dropped): the next client
        sees what a man in the middle would show it."""
        if self.pid is None:
            self._load()
        port = self.port
        if port is None:
            raise RuntimeError("rekey: sshd is not running in %s" % self.dir)
        self.kill_children()
        self._stop_listener()
        _keygen(self.host_key, "gpuwarden-test-host-rekeyed")
        # sshd binds with SO_REUSEADDR, so the port is free again at once
        self.start(port)
        return self

    # ------------------------------------------------------------------ connections

    def children(self):
        """Pids of the per-connection sshd processes (the listener's children), sorted."""
        if self.pid is None:
            self._load()
        if not self.pid:
            return []
        return sorted(pid for pid, (ppid, _, state) in _proc_table().items()
                      if ppid == self.pid and state not in ("Z", "X"))

    def _connection_processes(self):
        """Every sshd process serving a connection (monitor, network child, session), not
        the commands they run."""
        if not self.pid:
            return []
        table = _proc_table()
        kids = {}
        for pid, (ppid, _, _) in table.items():
            kids.setdefault(ppid, []).append(pid)
        found, todo = [], list(kids.get(self.pid, []))
        while todo:
            pid = todo.pop()
            if table[pid][1] == "sshd" and table[pid][2] not in ("Z", "X"):
                found.append(pid)
            todo.extend(kids.get(pid, []))
        return sorted(found)

    def signal_children(self, sig):
        """Sends `sig` to every per-connection sshd process; returns their pids."""
        if self.pid is None:
            self._load()
        pids = self._connection_processes()
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return pids

    def kill_children(self):
        """Drops every connection at once (SIGKILL: no goodbye on the wire). A stopped
        process dies of SIGKILL too."""
        return self.signal_children(signal.SIGKILL)

    # ------------------------------------------------------------------ helpers

    def set_smi(self, text, old=None, rc=0):
        """What the fixture nvidia-smi prints from now on (None restores its default): `text`
        for every query, `old` instead for the query without compute_cap, exit status rc."""
        for name, value in (("smi.txt", text), ("smi_old.txt", old),
                            ("smi.rc", "%d\n" % rc if rc else None)):
            path = os.path.join(self.dir, name)
            if value is None:
                if os.path.exists(path):
                    os.unlink(path)
            else:
                _write_atomic(path, value)

    def fingerprint(self):
        """The host key's "SHA256:..." as `ssh-keygen -lf` prints it."""
        out = subprocess.run(["ssh-keygen", "-lf", self.host_key + ".pub"], check=True,
                             capture_output=True, text=True).stdout
        return out.split()[1]

    def ssh_argv(self, command):
        """An OpenSSH client command line running `command` on this server. It trusts any
        host key (also after rekey()) and never reads or writes the user's files."""
        return ["ssh", "-F", "/dev/null", "-i", self.key_path, "-p", str(self.port),
                "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                "%s@127.0.0.1" % self.user, command]


def main(argv):
    usage = ("usage: sshd.py start|stop|children|rekey DIR | signal DIR SIG | "
             "smi DIR TEXT")
    if len(argv) < 3:
        print(usage, file=sys.stderr)
        return 2
    cmd, d = argv[1], argv[2]
    try:
        if cmd == "start":
            if not available():
                print("sshd.py: %s or ssh-keygen is missing" % SSHD, file=sys.stderr)
                return 1
            Sshd(d).start()
        elif cmd == "stop":
            Sshd(d).stop()
        elif cmd == "children":
            for pid in Sshd(d).children():
                print(pid)
        elif cmd == "signal" and len(argv) == 4:
            name = argv[3].upper()
            sig = getattr(signal, name if name.startswith("SIG") else "SIG" + name)
            Sshd(d).signal_children(sig)
        elif cmd == "rekey":
            Sshd(d).rekey()
        elif cmd == "smi" and len(argv) == 4:
            Sshd(d).set_smi(argv[3])
        else:
            print(usage, file=sys.stderr)
            return 2
    except (RuntimeError, OSError, subprocess.CalledProcessError, AttributeError) as e:
        print("sshd.py %s: %s" % (cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
