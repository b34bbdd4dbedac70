"""End-to-end tests of the gpuwarden dashboard (SPEC §11), driven in tmux.

Run from the repository root:
    python3 -m unittest tests.integration.test_tui -v

The binary is $GPUWARDEN_BIN, else build/asan/gpuwarden when it exists, else ./gpuwarden
(built with `make FLAVOUR=asan asan-binary` when neither exists). Every dashboard runs in its
own tmux server (a private socket in a temporary folder, so no other session is touched), at a
fixed size, with temporary HOME / XDG_* folders, no VAST_API_KEY, LANG=C.UTF-8 and
TERM=xterm-256color. Tests synchronise by polling capture-pane until the screen shows what
they wait for (with a deadline), never by sleeping a fixed time. The fake vast.ai server
(tests/fake_vast.py) and the dashboard only talk over 127.0.0.1. Skipped when tmux is missing.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

if __package__:
    from .fakehub import FakeHub
    from .fakevast import REPO, FakeVast, find_binary, make_temp_home
    from .figures import counts, fault
else:   # run as a script, or discovered without -t
    from fakehub import FakeHub
    from fakevast import REPO, FakeVast, find_binary, make_temp_home
    from figures import counts, fault

TMUX = shutil.which("tmux")
DEADLINE = 10.0          # seconds to wait for any screen state
POLL = 0.03              # seconds between two captures while waiting
UTF8 = "C.UTF-8"
MARKERS = {"pass": "\u2713 PASS", "warn": "! WARN", "block": "\u2717 BLOCK"}
ASCII_MARKERS = {"pass": "+ PASS", "warn": "! WARN", "block": "x BLOCK"}

# Screen geometry of a table row (ui/offers_view.c, src/offer.h OFFER_ROW_FMT): the flag in
# 4 columns, the verdict marker in 8, then "%-9s %-15.15s %2s %6s %4s %7s %6s %-10s %-4s %-9s ",
# then the reasons (REASONS_AT).
FIELDS = (("flag", 4), ("verdict_cell", 8), ("id", 9), ("gpu", 15), ("n", 2), ("vram", 6),
          ("cc", 4), ("dph", 7), ("rel", 6), ("host", 10), ("ctry", 4), ("net", 9))
REASONS_AT = sum(w + 1 for _, w in FIELDS)
SORT_ORDER = ["VERDICT", "ID", "GPU", "N", "VRAM", "CC", "$/H", "REL", "HOST", "CTRY", "NET"]
STATUS_RE = re.compile(r"^ gpuwarden \| (\S+)(?: \| recipe \S+)? \| (\d+) offers: (\d+) pass (\d+) warn (\d+) block"
                       r" \| (updated \d+(?:s| min| h) ago|waiting for data)")


def offer(oid, gpu, ram_mib, cc, rel, dph, geo, down, up, ver="verified", ht=0, cuda=12.2,
          disk=100.0, n=1):
    """One offer with vast.ai's field names (as tests/integration/test_offers_cli.py)."""
    return {"id": oid, "gpu_name": gpu, "num_gpus": n, "gpu_ram": ram_mib,
            "gpu_total_ram": ram_mib * n, "compute_cap": cc, "reliability2": rel,
            "reliability": rel, "dph_total": dph, "geolocation": geo,
            "inet_down": down, "inet_up": up, "verification": ver, "hosting_type": ht,
            "cuda_max_good": cuda, "disk_space": disk, "score": 100.0,
            "rentable": True, "rented": False, "external": False}


# The live-table market: A passes, B warns (RTX 3060 ships as 8/12 GB), C blocks (CN); the
# second market drops B and adds D (passes).
A = offer(3001, "RTX 4090", 24564, 890, 0.998, 0.40, "California, US", 800.0, 700.0)
B = offer(3002, "RTX 3060", 12288, 860, 0.995, 0.08, "Bavaria, DE", 300.0, 200.0)
C = offer(3003, "RTX 4090", 24564, 890, 0.999, 0.30, "Guangdong, CN", 900.0, 800.0)
D = offer(3004, "RTX 3090", 24576, 860, 0.996, 0.25, "Quebec, CA", 500.0, 400.0)
MARKET_1 = [A, B, C]
MARKET_2 = [A, C, D]


# ---------------------------------------------------------------- reading the screen

class Screen:
    """One capture of the pane: the lines, and the table and DETAIL pane parsed out of them."""

    def __init__(self, text, cols, rows):
        self.text = text
        self.cols, self.rows = cols, rows
        self.lines = text.split("\n")
        # ui/app.c: at >= 120 columns the DETAIL pane takes max(cols/3, 44) on the right,
        # after a vertical line.
        if cols >= 120:
            dw = max(cols // 3, 44)
            self.split = cols - dw - 1
        else:
            self.split = None

    def __str__(self):
        return "\n".join("%3d|%s" % (i, ln) for i, ln in enumerate(self.lines))

    def __contains__(self, needle):
        return needle in self.text

    def line(self, i):
        return self.lines[i] if i < len(self.lines) else ""

    def left(self, ln):
        return ln if self.split is None else ln[:self.split]

    def right(self, ln):
        return "" if self.split is None else ln[self.split + 1:]

    def status(self):
        """(provider, total, pass, warn, block) of the status bar, or None."""
        m = STATUS_RE.match(self.line(0))
        if not m:
            return None
        return (m.group(1),) + tuple(int(m.group(i)) for i in range(2, 6))

    def header_index(self):
        for i, ln in enumerate(self.lines):
            if re.match(r"^ {5}VERDICT[\^v]? +ID[\^v]? +GPU[\^v]? ", self.left(ln)):
                return i
        return None

    def header(self):
        i = self.header_index()
        return None if i is None else self.left(self.lines[i])

    def table(self):
        """Rows of the offer table as dicts of the FIELDS (stripped), top to bottom."""
        i = self.header_index()
        if i is None:
            return []
        out = []
        for ln in self.lines[i + 1:]:
            ln = self.left(ln)
            row, pos = {}, 0
            for name, width in FIELDS:
                row[name] = ln[pos:pos + width].strip()
                pos += width + 1
            row["reasons"] = ln[REASONS_AT:].strip()
            row["line"] = ln
            if not row["id"].isdigit():
                break
            out.append(row)
        return out

    def ids(self):
        return [int(r["id"]) for r in self.table()]

    def detail(self):
        """Lines of the DETAIL pane (right of the split) below its header, stripped."""
        i = self.header_index()
        if i is None or self.split is None:
            return []
        if self.right(self.lines[i]).strip() != "DETAIL":
            return []
        return [self.right(ln).strip() for ln in self.lines[i + 1:]]

    def detail_id(self):
        d = self.detail()
        m = re.match(r"^(\d+)  ", d[0]) if d else None
        return int(m.group(1)) if m else None


# ---------------------------------------------------------------- driving tmux

class Dashboard:
    """The binary in a detached session of a private tmux server."""

    def __init__(self, tc, cols, rows):
        self.tc = tc
        self.cols, self.rows = cols, rows
        self.dir = tempfile.mkdtemp(prefix="gw-tmux-", dir="/tmp")
        self.sock = os.path.join(self.dir, "sock")
        with open(os.path.join(self.dir, "tmux.conf"), "w", encoding="ascii") as f:
            f.write("set -g remain-on-exit on\nset -g status off\n")
        self.client_env = {k: v for k, v in os.environ.items()
                           if k not in ("TMUX", "TMUX_PANE", "VAST_API_KEY")}
        self.client_env.update({"LANG": UTF8, "LC_ALL": UTF8})

    def launch(self, args, env, wrap_shell=False):
        tc, cols, rows = self.tc, self.cols, self.rows
        conf = os.path.join(self.dir, "tmux.conf")
        inner = " ".join(shlex.quote(a) for a in [tc.bin] + list(args))
        if wrap_shell:
            # the shell waits for a line after the dashboard, so the pane can be read alive; a
            # string is more shell to run before that (e.g. to print the terminal's modes)
            extra = wrap_shell if isinstance(wrap_shell, str) else ""
            inner = "sh -c %s" % shlex.quote(inner + "; echo EXITED=$?; " + extra + "read line")
        envs = " ".join(shlex.quote("%s=%s" % kv) for kv in sorted(env.items()))
        command = "exec env -i %s %s" % (envs, inner)
        self.tmux("-f", conf, "new-session", "-d", "-s", "gw", "-x", str(cols), "-y", str(rows),
                  "-c", REPO, command)
        size = self.tmux("display", "-p", "-t", "gw", "#{window_width}x#{window_height}")
        tc.assertEqual(size.strip(), "%dx%d" % (cols, rows), "tmux window size")

    def tmux(self, *args, check=True):
        r = subprocess.run([TMUX, "-u", "-S", self.sock] + list(args), env=self.client_env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
        return r.stdout.decode("utf-8", errors="replace")

    def close(self):
        self.tmux("kill-server", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- input

    def keys(self, *keys):
        """tmux key names: "Escape", "Enter", "C-r", "Down"..."""
        self.tmux("send-keys", "-t", "gw", *keys)

    def type(self, text):
        """Literal characters."""
        self.tmux("send-keys", "-t", "gw", "-l", text)

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", "gw", "-x", str(cols), "-y", str(rows))
        self.cols, self.rows = cols, rows

    # -- output

    def screen(self, history=False):
        """The visible pane; with history, the scrolled-off lines above it too (tmux scrolls
        the screen up one line to write "Pane is dead" when the process ends)."""
        extra = ["-S", "-"] if history else []
        return Screen(self.tmux("capture-pane", "-p", "-t", "gw", *extra), self.cols, self.rows)

    def pane(self, fmt):
        return self.tmux("display", "-p", "-t", "gw", fmt).strip()

    def dead(self):
        """None while the process runs, else its exit status (an int), or "signal N"."""
        dead, status, sig = self.pane(
            "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}").split("|")
        if dead != "1":
            return None
        if status.isdigit():
            return int(status)
        if sig.isdigit():
            return "signal %s" % sig
        # The pane's output has ended but tmux has not reaped the child yet. tmux 3.3 can miss
        # that SIGCHLD for good (libutempter swaps in its own SIGCHLD handler while it removes
        # the pane's utmp record: tmux/tmux#311), leaving a zombie; a spare SIGCHLD makes the
        # server call waitpid() again.
        try:
            os.kill(int(self.tmux("display", "-p", "#{pid}").strip()), signal.SIGCHLD)
        except (ValueError, OSError):
            pass
        return None

    def wait(self, pred, what, timeout=DEADLINE):
        """Polls the screen until pred(screen) is true on two captures in a row that are the
        same (so a frame caught half drawn does not count); returns that screen."""
        end = time.monotonic() + timeout
        last = None
        while True:
            s = self.screen()
            try:
                ok = bool(pred(s))
            except (IndexError, ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if ok and last is not None and last.text == s.text:
                return s
            last = s if ok else None
            if not ok and self.dead() is not None:
                self.tc.fail("the dashboard exited (status %r) while waiting for %s; screen:\n%s"
                             % (self.dead(), what, s))
            if time.monotonic() > end:
                self.tc.fail("timed out after %.0f s waiting for %s; screen:\n%s"
                             % (timeout, what, s))
            if not ok:
                time.sleep(POLL)

    def wait_exit(self, timeout=DEADLINE):
        end = time.monotonic() + timeout
        while True:
            st = self.dead()
            if st is not None:
                return st
            if time.monotonic() > end:
                self.tc.fail("the dashboard did not exit; screen:\n%s" % self.screen())
            time.sleep(POLL)


# ---------------------------------------------------------------- base classes

class TuiCase(unittest.TestCase):
    """Temp HOME/XDG folders per class; one tmux server per dashboard, killed in tearDown."""

    @classmethod
    def setUpClass(cls):
        if TMUX is None:
            raise unittest.SkipTest("tmux is not installed")
        cls.bin = find_binary()
        cls.tmp, cls.home, cls.xdg = make_temp_home("gw-tui-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.dashboards = []

    def tearDown(self):
        for d in self.dashboards:
            d.close()

    def env(self, extra=None, locale=UTF8):
        env = {"HOME": self.home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": locale, "LC_ALL": locale, "TERM": "xterm-256color",
               "GPUWARDEN_HTTP_BACKOFF_MS": "10"}
        env.update(self.xdg)
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        if extra:
            env.update(extra)
        return env

    def start(self, *args, cols=160, rows=50, extra_env=None, locale=UTF8, wrap_shell=False):
        d = Dashboard(self, cols, rows)
        self.dashboards.append(d)
        d.launch(args, self.env(extra_env, locale), wrap_shell)
        return d

    def wait_rows(self, d, n=None):
        """Waits until the table shows rows (n of them when given) and the status bar counts."""
        what = "the offer table" + ("" if n is None else " with %d rows" % n)
        return d.wait(lambda s: s.status() and s.table() and (n is None or len(s.table()) == n),
                      what)

    def assert_sorted(self, values, desc, what):
        keys = [v.casefold() for v in values]
        want = sorted(keys, reverse=desc)
        self.assertEqual(keys, want, "%s not %s: %r" % (what, "non-increasing" if desc else
                                                       "non-decreasing", values))


class FakeVastTuiCase(TuiCase):
    """Plus one fake vast.ai server per class, markets reset before every test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeVast()
        try:
            cls.fake.start(cls.tmp, MARKET_1)
        except RuntimeError:
            super().tearDownClass()
            raise
        cls.url = cls.fake.url

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.control("offers", MARKET_1)
        self.control("reset", {})

    def control(self, name, body=None):
        return self.fake.control(name, body)

    def searches(self):
        return [e for e in self.fake.log() if e["path"].startswith("/api/v0/bundles")]

    def start_vast(self, *args, **kw):
        return self.start("--provider", "vast", "--api-url", self.url, "--refresh", "0",
                          *args, **kw)


# ---------------------------------------------------------------- demo provider

class TestDemo(TuiCase):
    """--provider demo: the built-in market (78 offers). 160x100 so every row is visible."""

    COLS, ROWS = 160, 100

    def demo(self, *args, **kw):
        kw.setdefault("cols", self.COLS)
        kw.setdefault("rows", self.ROWS)
        d = self.start("--provider", "demo", *args, **kw)
        s = self.wait_rows(d)
        st = s.status()
        self.assertEqual(st[0], "demo")
        self.assertEqual(st[1], st[2] + st[3] + st[4], "status counts: %s" % s.line(0))
        if kw["rows"] - 3 >= st[1]:
            # every offer fits, so the visible rows are the market
            s = self.wait_rows(d, st[1])
        return d, s

    def test_markers_and_banner(self):
        d, s = self.demo()
        self.assertTrue(s.line(0).rstrip().endswith("DEMO \u2014 nothing is rented"),
                        "banner at the right of the status bar: %r" % s.line(0))
        _, total, npass, nwarn, nblock = s.status()
        self.assertGreater(npass, 0)
        self.assertGreater(nwarn, 0)
        self.assertGreater(nblock, 0)
        seen = {"pass": 0, "warn": 0, "block": 0}
        for r in s.table():
            level = [k for k, m in MARKERS.items() if r["verdict_cell"] == m]
            self.assertEqual(len(level), 1, "verdict cell of row: %r" % r["line"])
            seen[level[0]] += 1
        self.assertEqual((seen["pass"], seen["warn"], seen["block"]), (npass, nwarn, nblock))
        # the default sort is VERDICT ascending: pass, then warn, then block
        self.assertIn("VERDICT^", s.header())
        order = [r["verdict_cell"] for r in s.table()]
        rank = {m: i for i, m in enumerate(MARKERS.values())}
        self.assertEqual(order, sorted(order, key=rank.get), "rows not in verdict order")
        # the hint bar
        self.assertIn("?:help", s.line(self.ROWS - 1))
        # the DETAIL pane shows the first row
        self.assertEqual(s.detail_id(), s.ids()[0], "DETAIL:\n%s" % s)

    def test_sort_by_gpu_and_reverse(self):
        d, s = self.demo()
        ids = set(s.ids())
        d.type(">")
        d.wait(lambda s: "ID^" in s.header(), "sort by ID")
        d.type(">")
        s = d.wait(lambda s: "GPU^" in s.header() and set(s.ids()) == ids, "sort by GPU")
        self.assertNotIn("VERDICT^", s.header())
        gpus = [r["gpu"] for r in s.table() if r["gpu"] != "?"]
        self.assertEqual(set(s.ids()), ids, "sorting changed the rows")
        self.assert_sorted(gpus, False, "GPU names after '>' '>'")
        d.type("r")
        s = d.wait(lambda s: "GPUv" in s.header() and set(s.ids()) == ids,
                   "reversed sort by GPU")
        gpus = [r["gpu"] for r in s.table() if r["gpu"] != "?"]
        self.assert_sorted(gpus, True, "GPU names after 'r'")
        self.assertEqual(set(s.ids()), ids)
        # '<' twice goes back to VERDICT, ascending again; once more wraps around to NET
        d.type("<")
        d.wait(lambda s: "ID^" in s.header(), "back to ID")
        d.type("<")
        d.wait(lambda s: "VERDICT^" in s.header(), "back to VERDICT")
        d.type("<")
        s = d.wait(lambda s: "NET^" in s.header() and set(s.ids()) == ids,
                   "wrap around to NET")
        self.assertEqual(set(s.ids()), ids)

    def test_sort_cycle_covers_every_column(self):
        d, s = self.demo()
        for title in SORT_ORDER[1:] + SORT_ORDER[:1]:
            d.type(">")
            s = d.wait(lambda s, t=title: re.search(r"(^| )%s\^" % re.escape(t), s.header()),
                       "sort column %s" % title)
            self.assertEqual(len(re.findall(r"[\^v](?= |$)", s.header())), 1,
                             "one sort mark in the header: %r" % s.header())

    def test_sort_by_price_numeric(self):
        d, s = self.demo()
        for _ in range(SORT_ORDER.index("$/H")):
            d.type(">")
        s = d.wait(lambda s: "$/H^" in s.header(), "sort by $/H")
        prices = [float(r["dph"]) for r in s.table() if r["dph"] != "?"]
        self.assertEqual(prices, sorted(prices))
        d.type("r")
        s = d.wait(lambda s: "$/Hv" in s.header(), "reversed sort by $/H")
        prices = [float(r["dph"]) for r in s.table() if r["dph"] != "?"]
        self.assertEqual(prices, sorted(prices, reverse=True))

    def test_filter_cn(self):
        d, s = self.demo()
        total = s.status()[1]
        all_rows = {int(r["id"]): r for r in s.table()}
        cn = {i for i, r in all_rows.items() if r["ctry"] == "CN"}
        self.assertTrue(cn, "the demo market has CN offers")
        d.type("/")
        d.wait(lambda s: s.line(self.ROWS - 1).startswith(" filter: _"), "the filter prompt")
        d.type("CN")
        s = d.wait(lambda s: set(s.ids()) == cn, "only the CN rows")
        for r in s.table():
            self.assertEqual(r["ctry"], "CN", r["line"])
            self.assertEqual(r["verdict_cell"], MARKERS["block"], r["line"])
        self.assertIn(" filter: CN_", s.line(self.ROWS - 1))
        self.assertIn("| filtered", s.line(0))
        self.assertEqual(s.status()[1], total, "the status bar counts the whole market")
        d.keys("Escape")
        s = d.wait(lambda s: len(s.table()) == total and "filter:" not in s.text,
                   "the full table after Esc")
        self.assertEqual(set(s.ids()), set(all_rows))
        self.assertNotIn("| filtered", s.line(0))

    def test_filter_live_narrowing_and_no_match(self):
        d, s = self.demo()
        total = len(s.table())
        d.type("/")
        d.type("h100")
        s = d.wait(lambda s: s.table() and all(r["gpu"] == "H100 SXM" for r in s.table()),
                   "only H100 rows")
        n_h100 = len(s.table())
        self.assertLess(n_h100, total)
        d.keys("BSpace", "BSpace", "BSpace", "BSpace")
        d.wait(lambda s: len(s.table()) == total, "all rows after deleting the filter text")
        d.type("zzzz-no-such-thing")
        s = d.wait(lambda s: "no offer matches the filter" in s.text, "the no-match message")
        self.assertEqual(s.table(), [])
        d.keys("Escape")
        d.wait(lambda s: len(s.table()) == total, "all rows after Esc")

    def test_filter_enter_keeps_and_detail_shows_block_region(self):
        d, s = self.demo()
        cn = {int(r["id"]) for r in s.table() if r["ctry"] == "CN"}
        d.type("/")
        d.type("CN")
        d.wait(lambda s: set(s.ids()) == cn, "only the CN rows")
        d.keys("Enter")
        s = d.wait(lambda s: "filter:" not in s.line(self.ROWS - 1) and s.detail_id() in cn,
                   "the filter kept, a CN offer selected")
        self.assertEqual(set(s.ids()), cn, "Enter keeps the filter")
        self.assertEqual(s.detail_id(), s.ids()[0], "selection moved to the first shown row")
        detail = s.detail()
        self.assertIn(", CN", detail[0])
        self.assertTrue(any(ln.startswith("verdict " + MARKERS["block"]) for ln in detail),
                        "\n".join(detail))
        self.assertTrue(any(ln.startswith("\u2717 BLOCK region:") for ln in detail),
                        "\n".join(detail))
        self.assertTrue(any(ln.startswith("case 2,") for ln in detail), "\n".join(detail))
        # Enter (no longer filtering) opens the full-screen DETAIL; Esc returns to the table
        sel = s.detail_id()
        d.keys("Enter")
        s = d.wait(lambda s: s.header_index() is None and
                   s.line(1).startswith("DETAIL") and s.line(2).startswith(" %d  " % sel),
                   "the full-screen DETAIL view")
        self.assertIn("\u2717 BLOCK region:", s.text)
        self.assertIn("case 2,", s.text)
        d.keys("Escape")
        s = d.wait(lambda s: s.header_index() is not None, "the table after Esc")
        self.assertEqual(set(s.ids()), cn, "Esc closing the detail keeps the filter")
        self.assertEqual(s.detail_id(), sel)
        d.keys("Escape")
        d.wait(lambda s: len(s.table()) > len(cn), "the full table after a second Esc")

    def test_navigation_moves_selection(self):
        d, s = self.demo()
        ids = s.ids()
        self.assertEqual(s.detail_id(), ids[0])
        d.type("j")
        d.wait(lambda s: s.detail_id() == ids[1], "j selects the second row")
        d.keys("Down")
        d.wait(lambda s: s.detail_id() == ids[2], "Down selects the third row")
        d.type("k")
        d.wait(lambda s: s.detail_id() == ids[1], "k selects the second row")
        d.keys("Up")
        d.wait(lambda s: s.detail_id() == ids[0], "Up selects the first row")
        d.type("k")
        d.type("j")
        d.wait(lambda s: s.detail_id() == ids[1], "k at the top stays, then j")
        d.type("G")
        d.wait(lambda s: s.detail_id() == ids[-1], "G selects the last row")
        d.type("j")
        d.type("g")
        d.wait(lambda s: s.detail_id() == ids[0], "g selects the first row")

    def test_selection_follows_offer_across_sort(self):
        d, s = self.demo()
        ids = s.ids()
        d.type("jjj")
        d.wait(lambda s: s.detail_id() == ids[3], "the fourth row selected")
        d.type("r")
        s = d.wait(lambda s: "VERDICTv" in s.header(), "reversed sort")
        self.assertEqual(s.detail_id(), ids[3], "the selection follows the offer")
        self.assertNotEqual(s.ids(), ids)

    def test_help_overlay(self):
        d, s = self.demo()
        d.type("?")
        s = d.wait(lambda s: "reverse the sort" in s.text, "the help overlay")
        self.assertIn("refresh offers now", s.text)
        self.assertIn("gpuwarden keys", s.text)
        self.assertRegex(s.text, r"Ctrl-R +refresh offers now")
        self.assertRegex(s.text, r"r +reverse the sort")
        self.assertRegex(s.text, r"Up k +move up")
        self.assertRegex(s.text, r"q +quit")
        # Tab turns to the failure cases, each with its lesson; Tab again back to the keys
        d.keys("Tab")
        s = d.wait(lambda s: "failure cases behind the rules" in s.text, "the cases page")
        self.assertIn("Case 7: RTX 3060 8GB/12GB variant mismatch", s.text)
        self.assertIn("verify the real VRAM with", s.text)   # the lesson, wrapped
        self.assertIn("nvidia-smi after boot.", s.text)
        self.assertIn("Case 1: ", s.text)
        self.assertNotIn("reverse the sort", s.text)
        d.keys("Tab")
        s = d.wait(lambda s: "reverse the sort" in s.text, "the keys page again")
        self.assertEqual(s.status()[0], "demo", "Tab in the help must not change the view")
        d.keys("Escape")
        s = d.wait(lambda s: "reverse the sort" not in s.text and s.header_index() is not None,
                   "the table after Esc")
        d.type("?")
        d.wait(lambda s: "reverse the sort" in s.text, "the help overlay again")
        d.type("?")
        d.wait(lambda s: "reverse the sort" not in s.text, "'?' closes the help too")

    def test_views(self):
        d, s = self.demo()
        d.type("3")
        d.wait(lambda s: "LOGS: no jobs yet" in s.text and s.header_index() is None, "view 3")
        d.type("4")
        d.wait(lambda s: "INSTANCES:" in s.text, "view 4")
        d.type("2")
        d.wait(lambda s: s.line(1).startswith("DETAIL"), "view 2")
        d.type("1")
        s = d.wait(lambda s: s.header_index() is not None, "view 1")
        self.assertEqual(len(s.table()), s.status()[1])

    def test_too_small_and_back(self):
        d, s = self.demo(cols=120, rows=40)
        d.resize(70, 20)
        s = d.wait(lambda s: "terminal too small: 70x20, need 80x24" in s.text,
                   "the too-small screen")
        self.assertIsNone(s.header_index())
        self.assertIsNone(d.dead(), "the dashboard must not exit because of size")
        d.resize(79, 30)
        d.wait(lambda s: "terminal too small: 79x30, need 80x24" in s.text, "79 columns")
        d.resize(120, 40)
        s = d.wait(lambda s: s.status() and s.header_index() is not None and s.detail_id(),
                   "the table at 120x40")
        self.assertNotIn("too small", s.text)
        self.assertEqual(len(s.table()), 40 - 3, "rows fill the screen: %s" % s)
        # 80x24: the smallest full layout, no DETAIL pane
        d.resize(80, 24)
        s = d.wait(lambda s: s.line(0).startswith(" gpuwarden | demo |") and
                   s.header_index() is not None and "DETAIL" not in s.text,
                   "the table at 80x24")
        self.assertEqual(len(s.table()), 24 - 3)
        self.assertIn("?:help", s.line(23))

    def test_quit_exit_status(self):
        d, s = self.demo()
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(d.pane("#{alternate_on}"), "0", "left on the alternate screen")

    def test_quit_restores_terminal(self):
        d, s = self.demo(wrap_shell=True)
        self.assertEqual(d.pane("#{alternate_on}"), "1", "the dashboard uses the alternate screen")
        self.assertEqual(d.pane("#{cursor_flag}"), "0", "the dashboard hides the cursor")
        d.type("q")
        s = d.wait(lambda s: "EXITED=" in s.text, "the shell after the dashboard")
        self.assertIn("EXITED=0", s.text)
        self.assertEqual(d.pane("#{alternate_on}"), "0", "still on the alternate screen")
        self.assertEqual(d.pane("#{cursor_flag}"), "1", "the cursor is still hidden")
        self.assertIsNone(s.header_index(), "the table is left on the screen:\n%s" % s)
        self.assertNotIn("gpuwarden |", s.text)
        self.assertEqual(s.text.strip(), "EXITED=0", "the normal screen:\n%s" % s)
        d.keys("Enter")
        self.assertEqual(d.wait_exit(), 0)

    @fault
    def test_sigterm_quits_cleanly(self):
        d, s = self.demo()
        os.kill(int(d.pane("#{pane_pid}")), signal.SIGTERM)
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(d.pane("#{alternate_on}"), "0", "still on the alternate screen")

    @counts("fault", 4)
    def test_signals_and_a_crash_restore_the_terminal(self):
        """SIGINT, SIGHUP, SIGTERM end the dashboard normally; SIGSEGV (a crashing worker or the
        UI thread alike: the handler is process-wide) restores the terminal and dies of the
        signal. Afterwards the normal screen is back, the cursor shows, and the line discipline
        is cooked again (icanon and echo on)."""
        modes = "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; "
        for sig, status in ((signal.SIGINT, 0), (signal.SIGHUP, 0), (signal.SIGTERM, 0),
                            (signal.SIGSEGV, 128 + signal.SIGSEGV)):
            with self.subTest(signal=sig.name):
                d, s = self.demo(wrap_shell=modes)
                shell = int(d.pane("#{pane_pid}"))
                kids = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                                      text=True, timeout=10).stdout.split()
                self.assertEqual(len(kids), 1, kids)
                os.kill(int(kids[0]), sig)
                # the modes line comes after EXITED=: wait for both
                s = d.wait(lambda s: "EXITED=" in s.text and "icanon" in s.text,
                           "the shell after %s" % sig.name)
                self.assertIn("EXITED=%d" % status, s.text)
                self.assertIn("icanon echo", s.text)
                self.assertNotIn("-icanon", s.text)
                self.assertEqual(d.pane("#{alternate_on}"), "0", "still on the alternate screen")
                self.assertEqual(d.pane("#{cursor_flag}"), "1", "the cursor is still hidden")
                self.assertNotIn("gpuwarden |", s.text)
                d.keys("Enter")
                d.wait_exit()
                d.close()

    def test_no_color_option(self):
        d, s = self.demo("--no-color")
        self.assertEqual({r["verdict_cell"] for r in s.table()}, set(MARKERS.values()))
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)

    def test_no_color_env(self):
        d, s = self.demo(extra_env={"NO_COLOR": "1"})
        self.assertEqual({r["verdict_cell"] for r in s.table()}, set(MARKERS.values()))
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)

    def test_ascii_locale(self):
        d, s = self.demo(locale="C")
        self.assertTrue(s.line(0).rstrip().endswith("DEMO - nothing is rented"), s.line(0))
        self.assertEqual({r["verdict_cell"] for r in s.table()}, set(ASCII_MARKERS.values()))
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)


class TestSmallTerminals(TuiCase):
    """The supported sizes below the 160-column layout the other tests use. SPEC §11:
    verdicts are written out, never colour alone, so each row must show its verdict marker;
    the status bar shows the data age next to the DEMO banner."""

    def test_status_bar_complete_at_80x24(self):
        d = self.start("--provider", "demo", cols=80, rows=24)
        s = d.wait(lambda s: s.table(), "the table at 80x24")
        self.assertIsNotNone(s.status(), "status bar at 80 columns: %r" % s.line(0))
        self.assertIn("DEMO", s.line(0))

    def test_verdict_visible_at_80x24(self):
        d = self.start("--provider", "demo", cols=80, rows=24)
        s = d.wait(lambda s: s.table(), "the table at 80x24")
        for r in s.table():
            self.assertTrue(any(m in r["line"] for m in MARKERS.values()),
                            "no verdict on the row at 80x24: %r" % r["line"])

    def test_verdict_visible_at_120x40(self):
        d = self.start("--provider", "demo", cols=120, rows=40)
        s = d.wait(lambda s: s.table() and s.detail_id(), "the table and DETAIL at 120x40")
        for r in s.table():
            self.assertTrue(any(m in r["line"] for m in MARKERS.values()),
                            "no verdict on the row at 120x40: %r" % r["line"])


# ---------------------------------------------------------------- fake vast.ai

class TestLiveTable(FakeVastTuiCase):
    """--provider vast against the fake server, --refresh 0 (Ctrl-R only)."""

    def ready(self, d):
        s = self.wait_rows(d, 3)
        self.assertEqual(s.status(), ("vast", 3, 1, 1, 1))
        # default sort: pass (A), warn (B), block (C)
        self.assertEqual(s.ids(), [A["id"], B["id"], C["id"]])
        self.assertNotIn("DEMO", s.line(0))
        self.assertEqual([r["flag"] for r in s.table()], ["", "", ""],
                         "nothing is NEW in the first answer")
        return s

    def test_new_and_gone_across_refresh(self):
        d = self.start_vast()
        s = self.ready(d)
        self.assertEqual(s.detail_id(), A["id"])
        d.type("j")
        d.wait(lambda s: s.detail_id() == B["id"], "B selected")
        self.control("offers", MARKET_2)
        d.keys("C-r")
        s = d.wait(lambda s: D["id"] in s.ids(), "D after Ctrl-R")
        rows = {int(r["id"]): r for r in s.table()}
        self.assertEqual(rows[D["id"]]["flag"], "NEW", s)
        self.assertIn(B["id"], rows, "the selected offer that vanished stays:\n%s" % s)
        self.assertEqual(rows[B["id"]]["flag"], "GONE", s)
        self.assertEqual(rows[A["id"]]["flag"], "", s)
        self.assertEqual(rows[C["id"]]["flag"], "", s)
        self.assertEqual(s.detail_id(), B["id"], "B is still selected")
        self.assertIn("GONE", s.detail()[0])
        self.assertEqual(s.status()[1:], (3, 2, 0, 1), "GONE is not counted: %s" % s.line(0))
        # moving away drops B
        d.type("j")
        s = d.wait(lambda s: B["id"] not in s.ids(), "B gone after moving")
        self.assertEqual(sorted(s.ids()), sorted([A["id"], C["id"], D["id"]]))
        self.assertNotEqual(s.detail_id(), B["id"])
        self.assertIn(s.detail_id(), (A["id"], C["id"], D["id"]))
        self.assertEqual(len(self.searches()), 2)

    def test_gone_offer_that_returns(self):
        d = self.start_vast()
        self.ready(d)
        d.type("j")
        d.wait(lambda s: s.detail_id() == B["id"], "B selected")
        self.control("offers", MARKET_2)
        d.keys("C-r")
        d.wait(lambda s: D["id"] in s.ids() and B["id"] in s.ids(), "D new and B gone")
        # B comes back while still selected: one row for it, no GONE
        self.control("offers", MARKET_1 + [D])
        d.keys("C-r")
        s = d.wait(lambda s: s.status() and s.status()[1] == 4, "4 offers")
        ids = s.ids()
        self.assertEqual(sorted(ids), sorted([A["id"], B["id"], C["id"], D["id"]]), s)
        rows = {int(r["id"]): r for r in s.table()}
        self.assertNotEqual(rows[B["id"]]["flag"], "GONE", s)
        self.assertEqual(rows[D["id"]]["flag"], "", "D is no longer new:\n%s" % s)
        self.assertEqual(s.detail_id(), B["id"])

    @fault
    def test_refresh_failure_500_keeps_rows(self):
        d = self.start_vast()
        self.ready(d)
        self.control("mode", {"mode": "500", "count": -1})
        d.keys("C-r")
        s = d.wait(lambda s: s.line(1).startswith(" refresh failed:"), "the failure line")
        self.assertIn("HTTP 500", s.line(1))
        self.assertIn("showing offers from", s.line(1))
        self.assertEqual(s.ids(), [A["id"], B["id"], C["id"]], "rows stay:\n%s" % s)
        self.assertEqual(s.status()[1], 3)
        # the server recovers: the next Ctrl-R clears the line
        self.control("mode", {"mode": "normal"})
        d.keys("C-r")
        s = d.wait(lambda s: "refresh failed" not in s.text and len(s.table()) == 3,
                   "the failure line gone")
        self.assertEqual(s.header_index(), 1)

    @fault
    def test_refresh_failure_50_mb_body_keeps_rows(self):
        d = self.start_vast()
        self.ready(d)
        self.control("mode", {"mode": "huge", "count": -1})
        d.keys("C-r")
        s = d.wait(lambda s: s.line(1).startswith(" refresh failed:"), "the failure line")
        self.assertIn("more than 32 MB", s.line(1))
        self.assertEqual(s.ids(), [A["id"], B["id"], C["id"]], "rows stay:\n%s" % s)
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)

    @fault
    def test_refresh_failure_malformed_keeps_rows(self):
        d = self.start_vast()
        self.ready(d)
        self.control("mode", {"mode": "malformed", "count": -1})
        d.keys("C-r")
        s = d.wait(lambda s: s.line(1).startswith(" refresh failed:"), "the failure line")
        self.assertIn("malformed", s.line(1))
        self.assertIn("showing offers from", s.line(1))
        self.assertEqual(s.ids(), [A["id"], B["id"], C["id"]], "rows stay:\n%s" % s)
        # keys still work while the error is shown
        d.type("j")
        d.wait(lambda s: s.detail_id() == B["id"], "j moves under the failure line")

    @fault
    def test_first_fetch_fails(self):
        self.control("mode", {"mode": "500", "count": -1})
        d = self.start_vast()
        s = d.wait(lambda s: s.line(1).startswith(" refresh failed:"), "the failure line")
        self.assertIn("HTTP 500", s.line(1))
        self.assertNotIn("showing offers from", s.line(1))
        self.assertEqual(s.table(), [])
        self.assertIn("waiting for data", s.line(0))
        self.control("mode", {"mode": "normal"})
        d.keys("C-r")
        self.ready(d)
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)

    def test_one_search_per_refresh(self):
        d = self.start_vast()
        self.ready(d)
        self.assertEqual(len(self.searches()), 1)
        for n in (2, 3):
            d.keys("C-r")
            end = time.monotonic() + DEADLINE
            while len(self.searches()) < n:
                self.assertLess(time.monotonic(), end, "search %d after Ctrl-R" % n)
                time.sleep(POLL)
            d.wait(lambda s: "refreshing" not in s.line(0) and len(s.table()) == 3,
                   "the refresh %d done" % n)
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)
        reqs = self.searches()
        self.assertEqual(len(reqs), 3, "one initial search and one per Ctrl-R: %r"
                         % [(e["method"], e["path"]) for e in reqs])
        for e in reqs:
            self.assertEqual((e["method"], e["path"]), ("POST", "/api/v0/bundles/"))
            self.assertEqual(e["status"], 200)
            self.assertNotIn("authorization", e["headers"], "no key is set")
        self.assertEqual(reqs[0]["body"], reqs[1]["body"], "every refresh sends the same query")

    def test_long_gpu_name_keeps_columns(self):
        # a GPU name longer than the 15-column GPU cell must not shift the rest of its row
        # (`gpuwarden offers` cuts it at 15)
        e = offer(3005, "RTX PRO 6000 Blackwell Server", 97887, 1200, 0.997, 1.10,
                  "Texas, US", 900.0, 900.0)
        self.control("offers", [A, e])
        d = self.start_vast()
        s = self.wait_rows(d, 2)
        rows = {int(r["id"]): r for r in s.table()}
        self.assertEqual(set(rows), {A["id"], e["id"]})
        for oid, r in rows.items():
            self.assertEqual(r["ctry"], "US", "CTRY column of %d: %r" % (oid, r["line"]))
            self.assertIn(r["verdict_cell"], MARKERS.values(),
                          "VERDICT column of %d: %r" % (oid, r["line"]))
        self.assertTrue(rows[e["id"]]["gpu"].startswith("RTX PRO 6000"), rows[e["id"]]["line"])

    def test_no_color_vast(self):
        d = self.start_vast("--no-color", extra_env={"NO_COLOR": "1"})
        s = self.ready(d)
        self.assertEqual([r["verdict_cell"] for r in s.table()],
                         [MARKERS["pass"], MARKERS["warn"], MARKERS["block"]])
        d.type("q")
        self.assertEqual(d.wait_exit(), 0)



# ---------------------------------------------------------------- recipes and the checklist

CHECK_ROW_RE = re.compile(r"(?:^|\s)(\S) (PASS|WARN|FAIL|PENDING|UNKNOWN) +(\d{1,2}) \S")
RECIPE = "ace-step-1.5"
EIGHT_GB = 29564868      # demo market: RTX 3060 8 GB, California US (warns on its own)
TWELVE_GB = 4242307      # demo market: RTX 3060 12 GB, Texas US, CUDA 12.8


class TestRecipeChecklist(TuiCase):
    """`p` picks a recipe (SPEC §4, §11): its VRAM need re-judges the table at once and the
    side panel turns into the preflight checklist (SPEC §6); `c` toggles it. Demo provider,
    --offline (row 5 is UNKNOWN) unless a test brings a FakeHub."""

    COLS, ROWS = 120, 40

    def open(self, *args, cols=None, rows=None, extra_env=None):
        d = self.start("--provider", "demo", *args, cols=cols or self.COLS,
                       rows=rows or self.ROWS, extra_env=extra_env)
        self.wait_rows(d)
        return d

    @staticmethod
    def panel(s):
        """The side panel's lines (the whole screen when there is no side panel)."""
        return [s.right(ln) if s.split is not None else ln for ln in s.lines]

    def panel_title(self, s):
        """The panel's header: the line at the table header's height, else line 1."""
        i = s.header_index()
        return self.panel(s)[1 if i is None else i].strip()

    def checklist(self, s):
        """[(item, status, mark)] of the checklist rows on screen, top to bottom."""
        out = []
        for ln in self.panel(s):
            m = CHECK_ROW_RE.search(ln)
            if m:
                out.append((int(m.group(3)), m.group(2), m.group(1)))
        return out

    def has_ten_rows(self, s):
        return [r[0] for r in self.checklist(s)] == list(range(1, 11))

    def row_of(self, s, oid):
        rows = [r for r in s.table() if int(r["id"]) == oid]
        return rows[0] if rows else None

    def filter_to(self, d, oid):
        d.type("/")
        d.type(str(oid))
        d.wait(lambda s: s.ids() == [oid], "only offer %d" % oid)
        d.keys("Enter")
        return d.wait(lambda s: "filter:" not in s.line(s.rows - 1) and s.ids() == [oid],
                      "the filter kept, %d the only row" % oid)

    def pick(self, d, downs):
        """Opens the picker, moves down `downs` times (j, then Down, alternating), Enter."""
        d.type("p")
        d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the recipe picker")
        for i in range(downs):
            if i % 2:
                d.keys("Down")
            else:
                d.type("j")
        d.keys("Enter")

    # -- tests

    def test_picker_lists_recipes(self):
        d = self.open("--offline")
        d.type("p")
        s = d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the recipe picker")
        at = {}
        for i, ln in enumerate(s.lines):
            for name in ("(no recipe)", RECIPE, "pytorch-smoke"):
                if name in ln:
                    at[name] = i
        self.assertEqual(set(at), {"(no recipe)", RECIPE, "pytorch-smoke"}, str(s))
        self.assertLess(at["(no recipe)"], at[RECIPE])
        self.assertLess(at[RECIPE], at["pytorch-smoke"])
        self.assertIn("11.4 GB VRAM", s.lines[at[RECIPE]])
        self.assertIn("1.2 GB VRAM", s.lines[at["pytorch-smoke"]])

    def test_pick_recipe_blocks_small_card_and_shows_checklist(self):
        d = self.open("--offline")
        s = self.filter_to(d, EIGHT_GB)
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["warn"],
                         "without a recipe the 8 GB card only warns")
        self.assertNotIn("| recipe", s.line(0))
        self.pick(d, 1)
        s = d.wait(lambda s: "| recipe %s" % RECIPE in s.line(0) and
                   self.has_ten_rows(s), "the recipe in force and its checklist")
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["block"], str(s))
        self.assertEqual(self.panel_title(s), "CHECKLIST %s" % RECIPE)
        rows = {item: status for item, status, _ in self.checklist(s)}
        self.assertEqual(rows[4], "FAIL", "8 GB < 11.4 GB:\n%s" % s)
        self.assertEqual(rows[5], "FAIL", "its CUDA 12.2 < the image's 12.8:\n%s" % s)
        self.assertEqual([rows[1], rows[2], rows[3]], ["PASS", "PASS", "PASS"], str(s))
        self.assertEqual((rows[9], rows[10]), ("PENDING", "PENDING"))
        self.assertIn("launch refused", s.text)
        self.assertIn("%d" % EIGHT_GB, "\n".join(self.panel(s)))
        marks = {status: mark for _, status, mark in self.checklist(s)}
        self.assertEqual(marks["FAIL"], "\u2717")
        self.assertEqual(marks["PENDING"], "\u2026")
        # c: back to DETAIL (the verdict stays BLOCK); c again: the checklist
        d.type("c")
        s = d.wait(lambda s: self.panel_title(s) == "DETAIL" and s.detail_id() == EIGHT_GB,
                   "the DETAIL panel after c")
        self.assertEqual(self.checklist(s), [])
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["block"])
        self.assertIn("\u2717 BLOCK vram:", s.text)
        d.type("c")
        d.wait(lambda s: self.panel_title(s) == "CHECKLIST %s" % RECIPE and
               self.has_ten_rows(s), "the checklist after c again")
        # (no recipe): the 8 GB card is back to WARN
        d.type("p")
        d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the picker again")
        d.type("k")
        d.keys("Enter")
        s = d.wait(lambda s: "| recipe" not in s.line(0) and
                   "Enter picks" not in s.text, "no recipe in force")
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["warn"], str(s))
        self.assertIn("no recipe chosen", s.text)

    def test_escape_cancels_picker(self):
        d = self.open("--offline")
        s0 = self.filter_to(d, EIGHT_GB)
        d.type("p")
        d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the recipe picker")
        d.type("j")
        d.keys("Escape")
        s = d.wait(lambda s: "Enter picks" not in s.text, "the picker closed")
        self.assertNotIn("| recipe", s.line(0))
        self.assertEqual(self.panel_title(s), "DETAIL")
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["warn"])
        self.assertEqual(s.status(), s0.status())
        # q closes the picker; it does not quit the dashboard
        d.type("p")
        d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the recipe picker again")
        d.type("q")
        s = d.wait(lambda s: "Enter picks" not in s.text, "q closes the picker")
        self.assertIsNone(d.dead(), "q in the picker quit the dashboard")
        self.assertNotIn("| recipe", s.line(0))

    def test_escape_keeps_recipe_in_force(self):
        d = self.open("--offline", "--recipe", RECIPE)
        self.filter_to(d, EIGHT_GB)
        d.wait(lambda s: "| recipe %s" % RECIPE in s.line(0) and self.has_ten_rows(s),
               "ace-step-1.5 in force")
        d.type("p")
        d.wait(lambda s: "Enter picks, Esc cancels" in s.text, "the picker")
        d.type("j")
        d.keys("Escape")
        s = d.wait(lambda s: "Enter picks" not in s.text, "the picker closed")
        self.assertIn("| recipe %s" % RECIPE, s.line(0))
        self.assertEqual(self.panel_title(s), "CHECKLIST %s" % RECIPE)
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["block"])

    def test_pick_pytorch_smoke(self):
        d = self.open("--offline")
        self.pick(d, 2)
        s = d.wait(lambda s: "| recipe pytorch-smoke" in s.line(0) and self.has_ten_rows(s),
                   "pytorch-smoke in force")
        self.assertEqual(self.panel_title(s), "CHECKLIST pytorch-smoke")

    def test_start_with_recipe(self):
        d = self.open("--offline", "--recipe", RECIPE)
        s = d.wait(lambda s: self.has_ten_rows(s), "the checklist at start")
        self.assertIn("| recipe %s" % RECIPE, s.line(0))
        self.assertEqual(self.panel_title(s), "CHECKLIST %s" % RECIPE)
        statuses = [st for _, st, _ in self.checklist(s)]
        self.assertEqual(statuses[4], "UNKNOWN")
        self.assertEqual(statuses[8:], ["PENDING", "PENDING"])
        s = self.filter_to(d, EIGHT_GB)
        self.assertEqual(self.row_of(s, EIGHT_GB)["verdict_cell"], MARKERS["block"])

    def test_checklist_full_screen_at_80x24(self):
        # started with --recipe: the first `c` must show the checklist (there is no side
        # panel at 80 columns, so it goes full screen)
        d = self.open("--offline", "--recipe", RECIPE, cols=80, rows=24)
        d.type("c")
        s = d.wait(lambda s: s.line(1).startswith("CHECKLIST %s" % RECIPE) and
                   self.has_ten_rows(s), "the full-screen checklist at 80x24")
        self.assertIsNone(s.header_index(), "no table behind the full-screen checklist")
        self.assertIn("?:help", s.line(23))

    def test_checklist_full_screen_at_80x24_then_pick(self):
        d = self.open("--offline", cols=80, rows=24)
        d.type("c")
        d.wait(lambda s: s.line(1).startswith("CHECKLIST") and "no recipe chosen" in s.text,
               "the full-screen checklist without a recipe")
        self.pick(d, 1)
        s = d.wait(lambda s: s.line(1).startswith("CHECKLIST %s" % RECIPE) and
                   self.has_ten_rows(s), "ten rows full screen at 80x24")
        self.assertIsNone(s.header_index())
        d.keys("Escape")
        d.wait(lambda s: s.header_index() is not None, "Esc back to the table")

    def test_metadata_fills_row_5(self):
        with FakeHub() as hub:
            d = self.open("--recipe", RECIPE, extra_env=hub.env())
            self.filter_to(d, TWELVE_GB)
            s = d.wait(lambda s: self.has_ten_rows(s) and
                       dict((i, st) for i, st, _ in self.checklist(s))[5] == "PASS",
                       "row 5 PASS once the metadata arrived")
            rows = dict((i, st) for i, st, _ in self.checklist(s))
            self.assertEqual([rows[i] for i in range(1, 11)],
                             ["PASS", "PASS", "PASS", "WARN", "PASS", "PASS", "PASS", "PASS",
                              "PENDING", "PENDING"], str(s))
            self.assertIn("no row FAILs", s.text)
            paths = [e["path"] for e in hub.log()]
            self.assertIn("/v2/namespaces/nvidia/repositories/cuda", paths)
            self.assertTrue(all(not e["authorization"] for e in hub.log()))


if __name__ == "__main__":
    unittest.main()


class TestLaunch(TuiCase):
    """`L` launches (SPEC §7, §11) on the demo provider: the dialog opens with Cancel focused and
    the opening key cannot confirm it, the job's log streams live into view 3, scrolling up
    pauses it (PAUSED +N counts what arrived meanwhile), F resumes; the case-7 "RTX 3060" fails
    at verify and asks about its instance. A fresh state folder per test: jobs persist."""

    COLS, ROWS = 140, 40
    GOOD, CASE7 = 4242307, 20224334
    open = TestRecipeChecklist.open
    filter_to = TestRecipeChecklist.filter_to

    def setUp(self):
        super().setUp()
        state = os.path.join(self.xdg["XDG_STATE_HOME"], "gpuwarden")
        shutil.rmtree(state, ignore_errors=True)

    def launcher(self, recipe, oid, pace="0.3"):
        d = self.open("--recipe", recipe, "--offline", extra_env={
            "GPUWARDEN_DEMO_BOOT_S": "0.3", "GPUWARDEN_BOOT_POLL_S": "0.1",
            "GPUWARDEN_DEMO_PACE": pace})
        self.filter_to(d, oid)
        return d

    def open_dialog(self, d):
        d.type("L")
        return d.wait(lambda s: "launch: this rents a machine" in s.text, "the launch dialog")

    def test_dialog_cancel_paths_launch_nothing(self):
        d = self.launcher("pytorch-smoke", self.GOOD)
        s = self.open_dialog(d)
        self.assertIn("[ Cancel ]", s.text)
        self.assertIn("Offer %d" % self.GOOD, s.text)
        self.assertIn("no FAIL", s.text)
        d.keys("Escape")
        d.wait(lambda s: "launch: this rents a machine" not in s.text, "closed")
        for key in ("Escape", "n", "q", "Enter"):
            s = self.open_dialog(d)
            if key in ("n", "q"):
                d.type(key)
            else:
                d.keys(key)
            s = d.wait(lambda s: "launch: this rents a machine" not in s.text,
                       "the dialog closed by %s" % key)
            self.assertNotIn("jobs", s.line(0), "%s must not launch" % key)
        # the opening key pressed again does nothing: still open, still on Cancel
        s = self.open_dialog(d)
        d.type("L")
        # keys are handled in order: once Tab has moved the focus, L has been handled too
        d.keys("Tab")
        s = d.wait(lambda s: "[ Launch ]" in s.text, "the focus moved by Tab after L")
        self.assertIn("launch: this rents a machine", s.text)
        self.assertNotIn("jobs", s.line(0), "the opening key must not launch")
        d.keys("Escape")
        d.wait(lambda s: "launch: this rents a machine" not in s.text, "closed")
        self.assertNotIn("jobs", d.screen().line(0))

    def test_launch_streams_pauses_and_resumes(self):
        d = self.launcher("pytorch-smoke", self.GOOD, pace="0.6")
        self.open_dialog(d)
        d.keys("Tab")
        d.wait(lambda s: "[ Launch ]" in s.text, "focus on Launch")
        d.keys("Enter")
        s = d.wait(lambda s: "LOG #1" in s.text and "FOLLOW" in s.text, "the log pane following")
        self.assertIn("jobs 1 running", s.line(0))
        d.wait(lambda s: "=== Phase 2: Clone ===" in s.text, "setup output streaming", timeout=30)
        d.type("k")
        d.wait(lambda s: re.search(r"PAUSED \+\d+", s.text), "paused")
        # lines keep arriving while paused: the chip counts them
        s = d.wait(lambda s: re.search(r"PAUSED \+[1-9]\d*", s.text), "PAUSED +N with N > 0",
                   timeout=30)
        d.type("F")
        d.wait(lambda s: "FOLLOW" in s.text, "following again")
        s = d.wait(lambda s: "READY: instance" in s.text, "READY", timeout=60)
        self.assertRegex(s.text, r"#1\s+9000\d+\s+RTX 3060\s+pytorch-smoke\s+ready")
        self.assertIn("phase 5/5: Start server", s.text)

    def test_case7_fails_at_verify_and_asks(self):
        d = self.launcher("ace-step-1.5", self.CASE7, pace="0.05")
        self.open_dialog(d)
        d.keys("Right")
        d.type("y")
        s = d.wait(lambda s: "launch failed" in s.text, "the failure dialog", timeout=30)
        self.assertIn("failed at verify, case 7", s.text)
        self.assertIn("8.0 GB", s.text)
        self.assertIn("destroying this", s.text)
        self.assertIn("[ Keep ]", s.text)
        d.keys("Enter")
        s = d.wait(lambda s: "launch failed" not in s.text, "the dialog closed")
        self.assertRegex(s.text, r"#1\s+9000\d+\s+RTX 3060\s+ace-step-1.5\s+failed")
