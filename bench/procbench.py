#!/usr/bin/env python3
"""make bench's figures taken on the real gpuwarden process (bench/run.sh runs it).

    python3 bench/procbench.py offers|idle|coldstart|memory|flood ...

Each figure prints detail lines, then one `FIGURE` line in bench/figure.h's format. Everything
runs on loopback with temporary HOME / XDG folders: the dashboard on a pseudo-terminal this
script reads (no terminal emulator in between, so the timings are the process's own), the fake
vast.ai server (tests/fake_vast.py) serving the synthetic market of bench/market_gen.h, and for
jobs a real OpenSSH sshd on 127.0.0.1 (tests/sshd.py) whose "host" is this machine, running
bench/fixtures/chatter.sh as the recipe's setup. Never pass/fail: a figure that cannot be taken
prints why and `FIGURE ... n/a`.
"""

import fcntl
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from fakevast import FakeVast, make_temp_home  # noqa: E402
import realsshd  # noqa: E402
from test_launch_ssh import kill_leftovers  # noqa: E402

BIN = os.path.join(REPO, "gpuwarden")
BENCH_BIN = os.path.join(REPO, "build", "release", "bench")
FIXTURES = os.path.join(REPO, "bench", "fixtures")
COLS, ROWS = 200, 60
SMI_4090 = "NVIDIA GeForce RTX 4090, 24564, 8.9\n"


# Each step's figures: name, decimals, unit, comparison, target.
FIGURES = {
    "offers": [("offers --json 1,396 offers, wall", 1, "ms", "<=", 60),
               ("offers --json 1,396 offers, peak RSS", 1, "MiB", "<=", 16)],
    "coldstart": [("cold start to first frame (demo)", 1, "ms", "<=", 50)],
    "idle": [("dashboard idle CPU, 30 s", 3, "%", "<=", 0.1)],
    "memory": [("RSS, 10,000 offers + 8 jobs x 10,000 lines", 1, "MB", "<=", 64)],
    "flood": [("log flood: frames per second", 1, "fps", "<=", 30),
              ("log flood: slowest key answer", 1, "ms", "<=", 50),
              ("log flood: RSS growth over the flood", 1, "MB", "<=", 4)],
}


def figures(step, *values):
    """The FIGURE lines of `step`, values in FIGURES' order (None: n/a)."""
    for (name, precision, unit, op, target), v in zip(FIGURES[step], values):
        figure(name, v, precision, unit, op, target)


def figure(name, value, precision, unit, op, target):
    """One FIGURE line, the format of bench/figure.h's bench_figure(); value None: n/a."""
    t = "%s %s %s" % (op, ("%.10g" % target), unit)
    if value is None:
        print("FIGURE %-44s %12s %-8s target %-24s %s" % (name, "n/a", unit, t, "n/a"))
        return
    ok = value <= target if op == "<=" else value >= target
    print("FIGURE %-44s %12s %-8s target %-24s %s" % (name, "%.*f" % (precision, value), unit, t,
                                                       "ok" if ok else "over"))


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def bench_env(tmp_prefix):
    """A clean environment with its own HOME and XDG folders: (folder, env)."""
    tmp, home, xdg = make_temp_home(tmp_prefix)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VAST_", "GPUWARDEN_", "XDG_", "SSH_AUTH", "LC_", "NO_COLOR"))}
    env.update(xdg)
    env.update({"HOME": home, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    return tmp, env


def market(n):
    """The synthetic market of bench/market_gen.h, n offers, as a list."""
    out = subprocess.run([os.path.join(BENCH_BIN, "bench_offers"), "--emit", str(n)],
                         check=True, capture_output=True).stdout
    return json.loads(out)["offers"]


# ------------------------------------------------------------------ the process

def cpu_ns(pid):
    """CPU time of every live thread of pid, in ns (schedstat), and utime+stime in ticks."""
    ns = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                ns += int(f.read().split()[0])
        except OSError:
            pass
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return ns, int(rest[11]) + int(rest[12])


def status_kb(pid, *fields):
    """Fields of /proc/PID/status in kB, e.g. VmRSS, VmHWM."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in fields:
                out[k] = int(v.split()[0])
    return [out.get(k, 0) for k in fields]


class Term:
    """The real binary on a pseudo-terminal of COLS x ROWS; every read is kept with its time."""

    def __init__(self, argv, env, cwd):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=cwd, start_new_session=True)
        os.close(slave)
        self.pid = self.proc.pid
        self.data = bytearray()
        self.chunks = []    # (time, end offset in data)

    def pump(self, seconds):
        """Reads whatever comes for `seconds`."""
        end = time.perf_counter() + seconds
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return
            if select.select([self.master], [], [], left)[0]:
                self._read()

    def _read(self):
        try:
            d = os.read(self.master, 1 << 16)
        except OSError:
            d = b""
        if not d:
            raise RuntimeError("the dashboard closed its terminal (exit %s): %r"
                               % (self.proc.poll(), bytes(self.data[-300:])))
        self.data += d
        self.chunks.append((time.perf_counter(), len(self.data)))

    def wait_for(self, needle, since=0, timeout=10.0):
        """Reads until `needle` (bytes or a compiled bytes regex) shows after offset `since`;
        returns the time of the read that completed it."""
        deadline = time.perf_counter() + timeout
        while True:
            found = (needle.search(self.data, since) if hasattr(needle, "search")
                     else self.data.find(needle, since) >= 0)
            if found:
                end = (found.end() if hasattr(found, "end")
                       else self.data.find(needle, since) + len(needle))
                for t, off in self.chunks:
                    if off >= end:
                        return t
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no %r on the screen within %g s" % (needle, timeout))
            if select.select([self.master], [], [], min(left, 0.5))[0]:
                self._read()

    def send(self, keys):
        """Writes keys; returns (time, output offset) just before."""
        mark = (time.perf_counter(), len(self.data))
        os.write(self.master, keys)
        return mark

    def redraw(self):
        """Ctrl-L: the whole screen is sent again; returns the offset it starts after."""
        _, off = self.send(b"\x0c")
        self.pump(0.3)
        return off

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            deadline = time.perf_counter() + 15
            while self.proc.poll() is None and time.perf_counter() < deadline:
                try:
                    self.pump(0.05)
                except RuntimeError:
                    break
            if self.proc.poll() is None:
                self.proc.kill()
        self.proc.wait()
        os.close(self.master)


# ------------------------------------------------------------------ figure 2

def bench_offers():
    """`gpuwarden offers --json` against the fake serving 1,396 offers: wall and peak RSS."""
    tmp, env = bench_env("gw-bench-offers-")
    fake = FakeVast()
    try:
        fake.start(tmp, market(1396))
        argv = [BIN, "offers", "--provider", "vast", "--api-url", fake.url, "--json"]
        # bench_exec forks each run from a small C process: wait4's ru_maxrss is then the
        # command's own peak (a vfork from this Python process would report Python's)
        out = subprocess.run([os.path.join(BENCH_BIN, "bench_exec"), "12"] + argv, env=env,
                             check=True, capture_output=True, text=True).stdout.split("\n")
        runs = [line.split() for line in out if line.strip()]
        if len(runs) != 12 or any(r[2] != "0" for r in runs):
            raise RuntimeError("gpuwarden offers failed: %s" % out)
        walls = [float(r[0]) for r in runs[1:]]     # one warm-up, then 11
        rss = [int(r[1]) / 1024.0 for r in runs[1:]]
        # the fake's own share: the same request from this process, no gpuwarden
        req = [e for e in fake.log() if e["method"] == "POST"][-1]
        import http.client
        server = []
        for i in range(12):
            c = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
            t = time.perf_counter()
            c.request("POST", req["path"], body=req["body"] if isinstance(req["body"], str)
                      else json.dumps(req["body"]), headers={"Content-Type": "application/json"})
            body = c.getresponse().read()
            if i:
                server.append((time.perf_counter() - t) * 1000)
            c.close()
        n = len(json.loads(body)["offers"])
        print("  gpuwarden offers --json, %d offers (%.0f KB) from loopback, median of 11 after a "
              "warm-up: %.1f ms (min %.1f, max %.1f); peak RSS %.1f MiB (max of 11, wait4 "
              "ru_maxrss)" % (n, len(body) / 1024, median(walls), min(walls), max(walls),
                              max(rss)))
        print("  the fake server alone answering the same search: median %.1f ms (Python: filter "
              "and serialise), included in the figure" % median(server))
        vastai = shutil.which("vastai")
        if vastai:
            cli, rc = [], 0
            for i in range(4):
                t = time.perf_counter()
                rc = rc or subprocess.run([vastai, "--url", fake.url, "--api-key", "bench",
                                           "search", "offers", "--raw"], env=env,
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL).returncode
                if i:
                    cli.append((time.perf_counter() - t) * 1000)
            if rc:
                print("  official CLI: vastai search offers --raw failed against the fake "
                      "(exit %d); no ratio" % rc)
            else:
                print("  official CLI, vastai search offers --raw, same server: median %.0f ms "
                      "(x%.1f gpuwarden's)" % (median(cli), median(cli) / median(walls)))
        else:
            print("  official CLI: vastai is not installed here (no PyPI); BENCHMARKS.md has the "
                  "command for the ratio")
        figures("offers", median(walls), max(rss))
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ figures 5 and 7

FIRST_FRAME = b"^R:refresh"     # the end of the hint bar, the last line of a frame
DEMO_DATA = b"updated "         # the status bar once the market is in


def bench_coldstart():
    """exec -> first complete frame (status bar to hint bar) of the demo on a pty."""
    tmp, env = bench_env("gw-bench-cold-")
    first, data = [], []
    try:
        for i in range(10):     # one warm-up, then 9
            term = Term([BIN, "--provider", "demo", "--offline"], env, tmp)
            try:
                t1 = term.wait_for(FIRST_FRAME)
                t2 = term.wait_for(DEMO_DATA)
            finally:
                term.close()
            if i:
                first.append((t1 - term.t0) * 1000)
                data.append((t2 - term.t0) * 1000)
        print("  exec to the first complete frame (status bar .. hint bar) on a pty, demo, median "
              "of 9 after a warm-up: %.1f ms (min %.1f, max %.1f)"
              % (median(first), min(first), max(first)))
        print("  exec to the first frame holding the demo market ('updated' in the status bar): "
              "median %.1f ms (min %.1f, max %.1f)" % (median(data), min(data), max(data)))
        figures("coldstart", median(first))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_idle(seconds=30.0):
    """CPU of the idle dashboard (demo, refresh timer on, nobody typing) over `seconds`."""
    tmp, env = bench_env("gw-bench-idle-")
    term = Term([BIN, "--provider", "demo", "--offline"], env, tmp)
    try:
        term.wait_for(DEMO_DATA)
        term.pump(1.0)
        ns0, ticks0 = cpu_ns(term.pid)
        t0 = time.perf_counter()
        term.pump(seconds)
        ns1, ticks1 = cpu_ns(term.pid)
        wall = time.perf_counter() - t0
        pct = (ns1 - ns0) / 1e9 / wall * 100
        hz = os.sysconf("SC_CLK_TCK")
        print("  demo dashboard, refresh every 60 s, %d x %d pty, %.0f s: %.2f ms of CPU (all "
              "threads, schedstat; %d ticks of 1/%d s in /proc/PID/stat), %d bytes drawn"
              % (COLS, ROWS, wall, (ns1 - ns0) / 1e6, ticks1 - ticks0, hz,
                 len(term.data) - term.chunks[0][1] if term.chunks else 0))
        figures("idle", pct)
    finally:
        term.close()
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ figures 6 and 8

class Rig:
    """The fake vast.ai server on a 10,000-offer synthetic market, a real sshd standing in for
    every rented machine, and the dashboard launching bench/fixtures/chatter.sh on them."""

    def __init__(self, prefix):
        self.tmp, self.env = bench_env(prefix)
        self.market = market(10000)
        self.fake = FakeVast()
        self.fake.start(self.tmp, self.market)
        self.sshd = realsshd.Sshd(os.path.join(self.tmp, "sshd"))
        self.sshd.start()
        self.sshd.set_smi(SMI_4090)
        # offers whose checklist has no FAIL for the recipe and whose GPU the fixture reports
        self.ids = [o["id"] for o in self.market
                    if o["gpu_name"] == "RTX 4090" and o["num_gpus"] == 1 and
                    o["cuda_max_good"] >= 12.1 and o["verification"] != "deverified" and
                    not o["geolocation"].endswith("CN") and o["inet_down"] >= 100 and
                    o["disk_space"] >= 40]
        self.remote = None
        self.term = None

    def recipe(self, **env):
        """The chatter recipe with `env`, in a fresh folder; its path."""
        with open(os.path.join(FIXTURES, "chatter.json"), encoding="utf-8") as f:
            r = json.load(f)
        r["env"].update({k: str(v) for k, v in env.items()})
        r["env"]["CHATTER_PY"] = os.path.join(FIXTURES, "chatter.py")
        folder = tempfile.mkdtemp(prefix="recipe-", dir=self.tmp)
        shutil.copy(os.path.join(FIXTURES, "chatter.sh"), folder)
        path = os.path.join(folder, "bench-chatter.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(r, f)
        return path

    def dashboard(self, recipe):
        """Starts the dashboard with `recipe` and waits for the market."""
        self.fake.reset()
        self.fake.set_instances(ssh_host="127.0.0.1", ssh_port=self.sshd.port, direct=True,
                                loading_polls=1, final_status="running")
        self.remote = tempfile.mkdtemp(prefix="remote-", dir=self.tmp)
        env = dict(self.env)
        env.update({"VAST_API_KEY": "vast-fake-key-bench", "GPUWARDEN_SSH_KEY": self.sshd.key_path,
                    "GPUWARDEN_SSH_USER": self.sshd.user, "GPUWARDEN_REMOTE_DIR": self.remote,
                    "GPUWARDEN_BOOT_POLL_S": "0.1", "GPUWARDEN_CONNECT_RETRY_S": "0.2",
                    "GPUWARDEN_SSH_TIMEOUT_S": "10"})
        state = os.path.join(env["XDG_STATE_HOME"], "gpuwarden")
        shutil.rmtree(state, ignore_errors=True)
        self.term = Term([BIN, "--provider", "vast", "--api-url", self.fake.url, "--offline",
                          "--recipe", recipe, "--min-reliability", "0.9"], env, self.tmp)
        self.term.wait_for(DEMO_DATA, timeout=30)
        self.term.pump(0.5)
        return self.term

    def launch(self, oid, nth):
        """Filters the table to offer oid, L, Launch; waits until the fake rented it."""
        t = self.term
        t.send(b"1")
        t.send(b"/")
        t.pump(0.05)
        t.send(b"\x1b")         # Esc clears the filter; past ESCDELAY before the next key
        t.pump(0.1)
        t.send(b"/%d\r" % oid)
        t.pump(0.1)
        _, off = t.send(b"L")
        t.wait_for(re.compile(rb"rents|launch refused"), since=off, timeout=10)
        if b"launch refused" in t.data[off:]:
            raise RuntimeError("the checklist refused offer %d" % oid)
        t.send(b"\t")
        t.pump(0.05)
        t.send(b"\r")
        deadline = time.perf_counter() + 30
        while len(self.fake.instances()) < nth:
            if time.perf_counter() > deadline:
                raise TimeoutError("offer %d was not rented within 30 s" % oid)
            t.pump(0.05)

    def setup_logs(self):
        logs = []
        for d in sorted(os.listdir(self.remote)):
            p = os.path.join(self.remote, d, "setup.log")
            if os.path.exists(p):
                logs.append(p)
        return logs

    def quiet(self, limit_pct=3.0, window=0.5, timeout=60):
        """Waits until the dashboard uses under limit_pct of a CPU over a window."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            a, _ = cpu_ns(self.term.pid)
            self.term.pump(window)
            b, _ = cpu_ns(self.term.pid)
            if (b - a) / 1e9 / window * 100 < limit_pct:
                return True
        return False

    def dropped(self):
        """The selected job's "N older lines dropped", read from a whole-screen redraw."""
        off = self.term.redraw()
        m = None
        for m in re.finditer(rb"(\d+) older lines dropped", self.term.data[off:]):
            pass
        return int(m.group(1)) if m else 0

    def close_dashboard(self):
        if self.term:
            self.term.close()
            self.term = None
        if self.remote:
            kill_leftovers(self.remote)

    def close(self):
        try:
            self.close_dashboard()
        finally:
            self.sshd.stop()
            self.fake.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_files(paths, needle, timeout):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(os.path.exists(p) and needle in open(p, "rb").read() for p in paths):
            return True
        time.sleep(0.2)
    return False


def bench_memory(rig):
    """RSS of the dashboard holding 10,000 offers and 8 jobs x 10,000 log lines."""
    jobs, lines = 8, 12000
    term = rig.dashboard(rig.recipe(CHATTER_LINES=lines, CHATTER_RATE=0, CHATTER_WAIT=0))
    rig.quiet()
    rss_offers, _ = status_kb(term.pid, "VmRSS", "VmHWM")
    count = re.findall(rb"(\d+) offers:", term.data[term.redraw():])
    for i in range(jobs):
        rig.launch(rig.ids[i], i + 1)
    deadline = time.perf_counter() + 120
    while len(rig.setup_logs()) < jobs and time.perf_counter() < deadline:
        term.pump(0.2)
    if not wait_files(rig.setup_logs(), b"CHATTER-DONE", 120):
        raise TimeoutError("the 8 setups did not finish printing")
    rig.quiet()
    dropped = rig.dropped()
    rss, hwm, anon, files = status_kb(term.pid, "VmRSS", "VmHWM", "RssAnon", "RssFile")
    threads = len(os.listdir("/proc/%d/task" % term.pid))
    print("  dashboard on the fake vast.ai (%s offers in its table), then %d jobs launched from it "
          "over a real sshd, each setup printing %d lines of ~83 bytes"
          % (count[-1].decode() if count else "?", jobs, lines))
    print("  VmRSS with the market alone %.1f MB; with the 8 jobs %.1f MB (VmHWM, the peak: %.1f "
          "MB; %.1f MB anonymous, %.1f MB mapped files); %d threads; the last job's pane: %d "
          "older lines dropped (its ring is full)"
          % (rss_offers * 1024 / 1e6, rss * 1024 / 1e6, hwm * 1024 / 1e6, anon * 1024 / 1e6,
             files * 1024 / 1e6, threads, dropped))
    figures("memory", rss * 1024 / 1e6)
    rig.close_dashboard()


def bench_flood(rig, rate=100000, seconds=10, calm=4):
    """One job printing `rate` lines/s for `seconds`: frames/s over the first `calm` s (view 3,
    nobody typing), then keys 1 and 3 every 0.4 s, each timed until its view is on the screen;
    RSS before the flood (the ring nearly empty), every second, and after."""
    total = rate * seconds
    term = rig.dashboard(rig.recipe(CHATTER_LINES=total, CHATTER_RATE=rate, CHATTER_WAIT=4))
    rig.launch(rig.ids[0], 1)
    term.send(b"1/")            # the whole table again for view 1, then back to the log
    term.pump(0.05)
    term.send(b"\x1b")
    term.pump(0.1)
    term.send(b"3")
    deadline = time.perf_counter() + 30
    while not rig.setup_logs() and time.perf_counter() < deadline:
        term.pump(0.05)
    log = rig.setup_logs()[0]
    term.pump(0.5)              # the setup's first lines are in; its flood starts 4 s after it
    if os.path.getsize(log) > 4096:
        raise RuntimeError("the flood began before the baseline was taken")
    rss0 = status_kb(term.pid, "VmRSS")[0]
    while os.path.getsize(log) < 4096:
        if time.perf_counter() > deadline:
            raise TimeoutError("the flood did not begin")
        term.pump(0.002)
    start, off0 = time.perf_counter(), len(term.data)
    cpu0, _ = cpu_ns(term.pid)
    lat, rss, views = [], [], [b"VERDICT", b"INSTANCE"]
    key, next_key, next_rss = 0, start + calm, start + 1
    while True:
        now = time.perf_counter()
        if now >= next_rss:
            rss.append(status_kb(term.pid, "VmRSS")[0])
            next_rss += 1
        if next_key <= now < start + seconds - 0.2:
            t, off = term.send(b"13"[key % 2:key % 2 + 1])
            done = term.wait_for(views[key % 2], since=off, timeout=5)
            lat.append((done - t) * 1000)
            key += 1
            next_key = max(next_key + 0.4, time.perf_counter() + 0.1)
            continue
        if now >= start + seconds and b"CHATTER-DONE" in open(log, "rb").read():
            break
        if now >= start + seconds + 30:
            raise TimeoutError("the flood did not end")
        term.pump(0.01)
    end, off1 = time.perf_counter(), len(term.data)
    cpu1, _ = cpu_ns(term.pid)
    if key % 2:                 # back in view 3 for the last lines
        term.send(b"3")
    last = b"%d/%d" % (total, total)
    caught = term.wait_for(last, since=off0, timeout=60)
    rig.quiet()
    rss_end, hwm = status_kb(term.pid, "VmRSS", "VmHWM")
    dropped = rig.dropped()
    # frames that reached the terminal: bursts of output at least 4 ms apart
    frames, prev = [], None
    for t, off in term.chunks:
        if off <= off0 or t > end:
            continue
        if prev is None or t - prev > 0.004:
            frames.append(t)
        prev = t
    per_s = [sum(1 for f in frames if a <= f - start < a + 1) for a in range(calm)]
    calm_frames = [f for f in frames if f - start < calm]
    fps = (len(calm_frames) - 1) / (calm_frames[-1] - calm_frames[0])
    dur = end - start
    print("  one job over a real sshd printing %d lines/s (~83 bytes) for %d s (the producer took "
          "%.1f s); the dashboard used %.0f %% of a CPU meanwhile; the pane showed the last line "
          "%.0f ms after the flood loop ended" % (rate, seconds, dur,
                                                  (cpu1 - cpu0) / 1e9 / dur * 100,
                                                  max(0.0, (caught - end) * 1000)))
    print("  lines the pane received: %d (%d dropped by the ring + %d held; the setup printed %d, "
          "gpuwarden's own step lines come on top)" % (dropped + 10000, dropped, 10000, total))
    print("  frames that reached the terminal over the first %d s (view 3, nobody typing): %.1f/s "
          "(%s in each second; %.0f bytes/s)" % (calm, fps, " ".join(str(n) for n in per_s),
                                                (off1 - off0) / dur))
    print("  keys 1 and 3 (switching views) during the last %d s, each until its view was on the "
          "screen: median %.1f ms, max %.1f ms over %d keys"
          % (seconds - calm, median(lat), max(lat), len(lat)))
    print("  VmRSS before the flood %.1f MB, each second of it %s MB, after %.1f MB (VmHWM %.1f MB)"
          % (rss0 * 1024 / 1e6, " ".join("%.1f" % (r * 1024 / 1e6) for r in rss),
             rss_end * 1024 / 1e6, hwm * 1024 / 1e6))
    figures("flood", fps, max(lat), (max(rss + [rss_end]) - rss0) * 1024 / 1e6)
    rig.close_dashboard()


def main(argv):
    steps = argv[1:] or list(FIGURES)
    for w in steps:
        if w not in FIGURES:
            print("procbench: unknown figure %r (one of %s)" % (w, ", ".join(FIGURES)),
                  file=sys.stderr)
            return 2
    rig = None
    try:
        for w in steps:
            try:
                if w == "offers":
                    bench_offers()
                elif w == "coldstart":
                    bench_coldstart()
                elif w == "idle":
                    bench_idle()
                elif not realsshd.available():
                    print("  %s: needs OpenSSH's sshd and ssh-keygen" % w)
                    figures(w, *[None] * len(FIGURES[w]))
                else:
                    if rig is None:
                        rig = Rig("gw-bench-jobs-")
                    (bench_memory if w == "memory" else bench_flood)(rig)
            except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as e:
                print("  %s: could not be measured: %s" % (w, e))
                figures(w, *[None] * len(FIGURES[w]))
                if rig:
                    rig.close_dashboard()
            sys.stdout.flush()
    finally:
        if rig:
            rig.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
