"""End-to-end tests of the dashboard's destructive-action gate (SPEC §8, issue 6), in tmux.

Run from the repository root:
    python3 -m unittest tests.integration.test_tui_gate -v

Stop (S) and destroy (D) on view 4 against the fake vast.ai server's request log: every way of
saying no sends nothing and writes one "cancelled" audit line; the full confirmation sends
exactly one request, for the instance the dialog captured, even after the table changed under
it. A long setup asks twice, a vanished instance is "already gone", a 429 is retried, quitting
with a running instance asks first and stops nothing, and the demo's launch-failure dialog
reaches the same destroy dialog. The dialogs' text is compared with tests/integration/expected/
(GPUWARDEN_REGEN=1 rewrites those files). Loopback only; the API key is a fake.
"""

import json
import os
import re
import shutil
import signal
import time
import unittest

# the module, not its test classes: a TestCase imported by name would run here a second time
if __package__:
    from . import test_tui
    from .fakevast import read_audit
    from .figures import fault
else:   # run as a script, or discovered without -t
    import test_tui
    from fakevast import read_audit
    from figures import fault

EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected")
FAKE_KEY = "fake-test-key-not-a-secret"
TARGET, NEWER, OTHER, LOST = 7000010, 7000001, 7000020, 7000099
GATE_PATH = re.compile(r"^/api/v0/instances/(\d+)/?$")


def seeded(iid, label, status, gpu, n, dph, age_s, geo="Texas, US", host="ssh5.vast.ai",
           port=12345):
    """One instance as vast's list reports it."""
    return {"id": iid, "label": label, "actual_status": status, "intended_status": status,
            "cur_state": status, "gpu_name": gpu, "num_gpus": n, "gpu_ram": 12288,
            "gpu_totalram": 12288 * n, "dph_total": dph, "geolocation": geo,
            "ssh_host": host, "ssh_port": port, "public_ipaddr": "192.0.2.7",
            "start_date": time.time() - age_s, "image_runtype": "ssh"}


def dialog_text(screen):
    """The dialog box on screen as text: its rows between the corners, the inner lines without
    their right border and trailing blanks, times and costs that vary replaced; None when no
    box is up."""
    lines = screen.lines
    top = next((i for i, ln in enumerate(lines) if "\u250c" in ln and "\u2510" in ln), None)
    if top is None:
        return None
    x0, x1 = lines[top].index("\u250c"), lines[top].rindex("\u2510")
    out = []
    for ln in lines[top:]:
        part = ln[x0:x1 + 1]
        if part.startswith("\u2502"):
            part = part[:-1].rstrip()
        out.append(part)
        if part.startswith("\u2514"):
            break
    text = "\n".join(out) + "\n"
    text = re.sub(r"Up [^,]+, \u2248\$\d+\.\d\d so far", "Up <uptime>, \u2248$<cost> so far", text)
    return text


def dialog_flat(screen):
    """The dialog's words as one line (wrapping undone), or "" when no box is up."""
    text = dialog_text(screen) or ""
    inner = [ln[1:] for ln in text.splitlines() if ln.startswith("\u2502")]
    return " ".join(" ".join(inner).split())


class GateAsserts:
    """Shared checks: the fake's request log and the audit log."""

    def state_dir(self):
        return os.path.join(self.xdg["XDG_STATE_HOME"], "gpuwarden")

    def clear_state(self):
        shutil.rmtree(self.state_dir(), ignore_errors=True)

    def audit(self):
        """Every audit line, parsed (each must be a JSON object, none torn)."""
        return read_audit(os.path.join(self.state_dir(), "audit.jsonl"))

    def outcomes(self, action=None):
        return [(e["action"], e["instance_id"], e["outcome"]) for e in self.audit()
                if action is None or e["action"] == action]

    def assert_screenshot(self, screen, name):
        """The dialog's text equals expected/<name>.txt (written when GPUWARDEN_REGEN=1)."""
        text = dialog_text(screen)
        self.assertIsNotNone(text, "no dialog on screen:\n%s" % screen)
        path = os.path.join(EXPECTED, name + ".txt")
        if os.environ.get("GPUWARDEN_REGEN") == "1":
            os.makedirs(EXPECTED, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(text, f.read(), "dialog %s differs (GPUWARDEN_REGEN=1 rewrites)"
                             % name)


class TestGateVast(GateAsserts, test_tui.FakeVastTuiCase):
    """S and D on view 4 with the fake vast.ai server holding TARGET (ours, running) and OTHER
    (unknown to gpuwarden, stopped)."""

    COLS, ROWS = 140, 40

    def setUp(self):
        super().setUp()
        self.clear_state()
        self.fake.add_instances([
            seeded(TARGET, "gpuwarden:pytorch-smoke", "running", "RTX 3060", 1, 0.08, 7230),
            seeded(OTHER, "my own box", "stopped", "RTX 4090", 2, 0.8, 100, geo="Quebec, CA")])

    def requests(self):
        """The stop / destroy requests the fake received: [(method, id, body, status)]."""
        out = []
        for e in self.fake.log():
            m = GATE_PATH.match(e["path"].split("?")[0])
            if m and e["method"] in ("PUT", "DELETE"):
                out.append((e["method"], int(m.group(1)), e["body"], e["status"]))
        return out

    def open4(self, **kw):
        d = self.start_vast(extra_env={"VAST_API_KEY": FAKE_KEY}, cols=self.COLS, rows=self.ROWS,
                            **kw)
        self.wait_rows(d)
        d.type("4")
        d.wait(lambda s: re.search(r"^\s+%d\s+gpuwarden\s+running" % TARGET, s.text, re.M) and
               "INSTANCES:" in s.text, "view 4 with instance %d" % TARGET)
        return d

    def dialog(self, d, key, title):
        d.type(key)
        return d.wait(lambda s: title in s.text and "[ Cancel ]" in s.text, "the %r dialog" % title)

    def closed(self, d, title):
        return d.wait(lambda s: title not in s.text, "%r closed" % title)

    def cancel_every_way(self, d, key, title, action, typed=None):
        """Esc, n, q, Enter on Cancel, the opening key on the action button (then Esc), and for
        destroy a wrong id then Destroy (then Esc): each sends nothing. Returns the count."""
        ways = ["Escape", "n", "q", "Enter", "again"] + (["wrong"] if typed else [])
        action_button = "[ Destroy ]" if typed else "[ Stop ]"
        for way in ways:
            self.dialog(d, key, title)
            if way in ("n", "q"):
                d.type(way)
            elif way in ("Escape", "Enter"):
                d.keys(way)
            elif way == "again":
                if typed:
                    d.type(typed)
                    d.keys("Tab")
                d.keys("Tab")
                d.wait(lambda s: action_button in s.text, "focus on %s" % action_button)
                d.type(key)        # the opening key, on the action button: ignored
                d.keys("Tab")      # the dialog is still there: the focus wraps to Cancel
                d.wait(lambda s: title in s.text and "[ Cancel ]" in s.text,
                       "%s still open after %s" % (title, key))
                d.keys("Escape")
            else:
                d.type("7000")
                d.keys("Tab", "Tab", "Enter")
                s = d.wait(lambda s: "type %d to destroy; nothing was sent" % TARGET in s.text,
                           "the hint after a wrong id")
                self.assertIn(title, s.text)
                d.keys("Escape")
            s = self.closed(d, title)
            self.assertIn("cancelled: nothing was sent", s.text, way)
            self.assertEqual(self.requests(), [], "%s sent a request" % way)
        cancels = [e for e in self.audit() if e["outcome"] == "cancelled"]
        self.assertEqual(len(cancels), len(ways), cancels)
        self.assertTrue(all(e["action"] == action and e["instance_id"] == TARGET and
                            e["label"] == "gpuwarden:pytorch-smoke" and e["via"] == "dashboard"
                            for e in cancels), cancels)
        return len(ways)

    def add_newer_and_refresh(self, d):
        """An instance that sorts before TARGET appears and the table refreshes under the open
        dialog: the row TARGET had now holds NEWER."""
        self.fake.add_instances([seeded(NEWER, "gpuwarden:newer", "running", "RTX 4090", 1, 0.5,
                                        60)])
        d.keys("C-r")
        s = d.wait(lambda s: re.search(r"^\s+%d\s+gpuwarden" % NEWER, s.text, re.M),
                   "NEWER on the first row under the dialog")
        self.assertLess(s.text.index(str(NEWER)), s.text.index(str(TARGET)))

    # -- tests

    def test_stop_cancel_paths_then_stop_captured_id(self):
        d = self.open4()
        title = " stop instance %d " % TARGET
        n = self.cancel_every_way(d, "S", title, "stop")
        s = self.dialog(d, "S", title)
        self.assertIn("Storage is kept and still billed; restart later.", dialog_flat(s))
        self.assert_screenshot(s, "gate_stop")
        self.add_newer_and_refresh(d)
        d.keys("Tab")
        d.wait(lambda s: "[ Stop ]" in s.text, "focus on Stop")
        d.type("y")
        d.wait(lambda s: "instance %d stopped" % TARGET in s.text, "the stop done")
        self.assertEqual(self.requests(), [("PUT", TARGET, {"state": "stopped"}, 200)])
        d.wait(lambda s: re.search(r"^\s+%d\s+gpuwarden\s+stopped" % TARGET, s.text, re.M),
               "TARGET stopped in view 4")
        self.assertEqual(self.outcomes(), [("stop", TARGET, "cancelled")] * n +
                         [("stop", TARGET, "sent"), ("stop", TARGET, "succeeded")])

    def test_destroy_cancel_paths_wrong_id_then_destroy_captured_id(self):
        d = self.open4()
        title = " destroy instance %d " % TARGET
        n = self.cancel_every_way(d, "D", title, "destroy", typed=str(TARGET))
        s = self.dialog(d, "D", title)
        self.assertIn("everything on the instance is deleted; this cannot be undone",
                      dialog_flat(s))
        self.assert_screenshot(s, "gate_destroy")
        d.type(str(TARGET))
        self.add_newer_and_refresh(d)
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy ]" in s.text and "[%d_]" % TARGET in s.text,
               "the id typed, focus on Destroy")
        d.keys("Enter")
        d.wait(lambda s: "instance %d destroyed" % TARGET in s.text, "the destroy done")
        self.assertEqual(self.requests(), [("DELETE", TARGET, {}, 200)])
        s = d.wait(lambda s: str(TARGET) not in s.text.split("INSTANCES:")[1] and
                   str(NEWER) in s.text, "TARGET gone from view 4")
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "cancelled")] * n +
                         [("destroy", TARGET, "sent"), ("destroy", TARGET, "succeeded")])

    def test_stop_instead(self):
        d = self.open4()
        self.dialog(d, "D", " destroy instance %d " % TARGET)
        d.keys("Tab")
        d.wait(lambda s: "[ Stop instead ]" in s.text, "focus on Stop instead")
        self.fake.set_mode("slow", count=1, delay=1.5, endpoint="stop")
        d.keys("Enter")
        d.wait(lambda s: re.search(r"^\s+%d\s+gpuwarden\s+stopping\u2026" % TARGET, s.text, re.M),
               "stopping... in view 4 while the request is under way")
        d.wait(lambda s: "instance %d stopped" % TARGET in s.text, "stopped instead")
        self.assertEqual(self.requests(), [("PUT", TARGET, {"state": "stopped"}, 200)])
        self.assertEqual(self.outcomes(), [("stop", TARGET, "sent"), ("stop", TARGET, "succeeded")])

    def write_jobs(self, jobs):
        os.makedirs(self.state_dir(), mode=0o700, exist_ok=True)
        path = os.path.join(self.state_dir(), "jobs.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "jobs": jobs}, f)
        os.chmod(path, 0o600)

    @staticmethod
    def job(iid, label, setup_s):
        return {"instance_id": iid, "offer_id": 4242, "provider": "vast", "recipe": "ace-step-1.5",
                "label": label, "gpu_name": "RTX 3060", "num_gpus": 1, "gpu_ram_mib": 12288,
                "dph_total": 0.08, "created_at": time.time() - 7300, "step": "test",
                "state": "ready", "message": "READY", "case": 0, "setup_s": setup_s,
                "ssh": "ssh5.vast.ai:12345", "instance_state": ""}

    def test_long_setup_asks_twice_and_missing_is_refused(self):
        self.write_jobs([self.job(TARGET, "gpuwarden:ace-step-1.5", 1380),
                         self.job(LOST, "gpuwarden:lost", 60)])
        d = self.open4()
        s = d.wait(lambda s: re.search(r"^\s+%d\s+missing" % LOST, s.text, re.M) and
                   re.search(r"%d .*23 min" % TARGET, s.text), "the missing row, SETUP 23 min")
        # the missing instance: a notice, no dialog
        d.type("G")
        d.type("S")
        d.wait(lambda s: "instance %d is missing at the provider: nothing to stop/destroy" % LOST
               in s.text, "the missing notice")
        d.type("D")
        s = d.wait(lambda s: "instance %d is missing at the provider" % LOST in s.text,
                   "the missing notice for D")
        self.assertIsNone(dialog_text(s))
        d.type("g")
        first = " destroy instance %d " % TARGET
        again = " destroy instance %d: setup took 23 min " % TARGET
        s = self.dialog(d, "D", first)
        self.assertIn("Setup took 23 min: you will be asked again.", dialog_flat(s))
        d.type(str(TARGET))
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy ]" in s.text, "focus on Destroy")
        d.keys("Enter", "Enter")          # the second Enter meets the second dialog: ignored
        d.keys("Tab")                     # ... which is still open: focus to its Destroy
        s = d.wait(lambda s: again in s.text and "[ Destroy ]" in s.text,
                   "the second confirmation, Destroy focused")
        d.keys("Enter")                   # Enter opened it: it cannot confirm it
        d.keys("Tab")
        s = d.wait(lambda s: again in s.text and "[ Cancel ]" in s.text,
                   "the second confirmation still open")
        self.assertEqual(self.requests(), [])
        self.assert_screenshot(s, "gate_destroy_again")
        d.keys("Escape")
        self.closed(d, again)
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "cancelled")])
        self.assertIn("second confirmation", self.audit()[-1]["reason"])
        # confirmed both times: y on the first, Enter on the second
        self.dialog(d, "D", first)
        d.type(str(TARGET))
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy ]" in s.text, "focus on Destroy")
        d.type("y")
        d.wait(lambda s: again in s.text, "the second confirmation")
        d.keys("Tab")
        d.wait(lambda s: again in s.text and "[ Destroy ]" in s.text, "Destroy focused")
        d.keys("Enter")
        d.wait(lambda s: "instance %d destroyed" % TARGET in s.text, "destroyed")
        self.assertEqual(self.requests(), [("DELETE", TARGET, {}, 200)])
        # the destroyed instance is history now, not "missing"
        d.wait(lambda s: str(TARGET) not in s.text.split("INSTANCES:")[1], "TARGET gone")
        with open(os.path.join(self.state_dir(), "jobs.json"), encoding="utf-8") as f:
            marks = {j["instance_id"]: j["instance_state"] for j in json.load(f)["jobs"]}
        self.assertEqual(marks[TARGET], "destroyed")

    def confirm_destroy(self, d):
        self.dialog(d, "D", " destroy instance %d " % TARGET)
        d.type(str(TARGET))
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy ]" in s.text, "focus on Destroy")

    @fault
    def test_destroy_already_gone(self):
        d = self.open4()
        self.confirm_destroy(d)
        self.fake.reset()                  # the instance vanishes (and the log starts afresh)
        d.keys("Enter")
        s = d.wait(lambda s: "instance %d is already gone: nothing to destroy" % TARGET in s.text,
                   "already gone")
        self.assertIsNone(dialog_text(s))
        self.assertEqual(self.requests(), [("DELETE", TARGET, {}, 404)])
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "sent"),
                                           ("destroy", TARGET, "failed")])
        self.assertEqual(self.audit()[-1]["reason"], "already gone")
        d.wait(lambda s: "INSTANCES: 0" in s.text and "no instances" in s.text, "view 4 empty")

    @fault
    def test_destroy_429_is_retried(self):
        d = self.open4()
        self.confirm_destroy(d)
        self.fake.set_mode("429", count=1, endpoint="destroy")
        d.keys("Enter")
        d.wait(lambda s: "instance %d destroyed" % TARGET in s.text, "destroyed after a 429")
        self.assertEqual(self.requests(), [("DELETE", TARGET, {}, 429),
                                           ("DELETE", TARGET, {}, 200)])
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "sent"),
                                           ("destroy", TARGET, "succeeded")])

    @fault
    def test_destroy_failure_shows_in_the_dialogs_place(self):
        d = self.open4()
        self.confirm_destroy(d)
        self.fake.set_mode("auth_error", count=-1, endpoint="destroy")
        d.keys("Enter")
        s = d.wait(lambda s: " destroy failed " in s.text and "[ Close ]" in s.text,
                   "the error dialog")
        self.assertIn("destroy instance %d failed" % TARGET, s.text)
        self.fake.set_mode("normal")
        d.keys("Enter")
        self.closed(d, " destroy failed ")
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "sent"),
                                           ("destroy", TARGET, "failed")])

    def test_quit_dialog_lists_running_instance(self):
        d = self.open4()
        d.type("q")
        s = d.wait(lambda s: " quit: what keeps running " in s.text and "[ Cancel ]" in s.text,
                   "the quit dialog")
        self.assertIn("Instance %d (1x RTX 3060, $0.080/h, running): GPU and storage bill until "
                      "stopped; storage until destroyed." % TARGET, dialog_flat(s))
        self.assertNotIn(str(OTHER), dialog_text(s), "a stopped instance is not listed")
        self.assertIn("Quitting stops and destroys nothing.", dialog_flat(s))
        self.assert_screenshot(s, "gate_quit")
        d.keys("Enter")                    # Cancel
        self.closed(d, " quit: what keeps running ")
        self.assertIsNone(d.dead())
        d.type("q")
        d.wait(lambda s: " quit: what keeps running " in s.text, "the quit dialog again")
        d.keys("Tab")
        d.wait(lambda s: "[ Quit ]" in s.text, "focus on Quit")
        d.keys("Enter")
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(self.requests(), [])
        self.assertEqual(self.audit(), [])

    def test_quit_waits_for_destroy_in_flight(self):
        d = self.open4()
        self.confirm_destroy(d)
        self.fake.set_mode("slow", count=1, delay=1.5, endpoint="destroy")
        d.keys("Enter")
        d.wait(lambda s: "destroying\u2026" in s.text, "the destroy under way")
        d.type("q")
        s = d.wait(lambda s: " quit: what keeps running " in s.text, "the quit dialog")
        self.assertIn("The destroy of instance %d under way completes first." % TARGET,
                      dialog_flat(s))
        d.keys("Tab", "Enter")
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(self.requests(), [("DELETE", TARGET, {}, 200)])
        self.assertEqual(self.outcomes(), [("destroy", TARGET, "sent"),
                                           ("destroy", TARGET, "succeeded")])

    @fault
    def test_signal_with_dialog_open_is_a_cancel(self):
        d = self.open4()
        self.dialog(d, "S", " stop instance %d " % TARGET)
        os.kill(int(d.pane("#{pane_pid}")), signal.SIGTERM)
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(self.requests(), [])
        self.assertEqual(self.outcomes(), [("stop", TARGET, "cancelled")])

    def test_keys_outside_view_4(self):
        d = self.start_vast(extra_env={"VAST_API_KEY": FAKE_KEY}, cols=self.COLS, rows=self.ROWS)
        self.wait_rows(d)
        d.type("D")
        s = d.wait(lambda s: "S and D act on the instances view (4)" in s.text, "the notice")
        self.assertIsNone(dialog_text(s))
        self.assertEqual(self.requests(), [])


class TestGateDemo(GateAsserts, test_tui.TuiCase):
    """The launch-failure dialog (case 7 on the demo) offers Stop... and Destroy..., which open
    the gate's own dialogs."""

    COLS, ROWS = 140, 40
    open = test_tui.TestRecipeChecklist.open
    filter_to = test_tui.TestRecipeChecklist.filter_to

    def setUp(self):
        super().setUp()
        self.clear_state()

    def fail_case7(self):
        """A dashboard whose case-7 launch has failed at verify: (dashboard, failure screen)."""
        d = self.open("--recipe", "ace-step-1.5", "--offline", extra_env={
            "GPUWARDEN_DEMO_BOOT_S": "0", "GPUWARDEN_BOOT_POLL_S": "0.1",
            "GPUWARDEN_DEMO_PACE": "0.05"})
        self.filter_to(d, test_tui.TestLaunch.CASE7)
        d.type("L")
        d.wait(lambda s: "launch: this rents a machine" in s.text, "the launch dialog")
        d.keys("Right")
        d.type("y")
        return d, d.wait(lambda s: "launch failed" in s.text and "[ Keep ]" in s.text,
                         "the failure dialog", timeout=30)

    def test_keep_then_quit_says_nothing_is_rented(self):
        d, s = self.fail_case7()
        iid = int(re.search(r"Instance (\d+) is left as it is", s.text).group(1))
        d.keys("Enter")                    # Keep
        d.wait(lambda s: "launch failed" not in s.text, "kept")
        d.type("4")
        d.wait(lambda s: re.search(r"^\s+%d\s+gpuwarden\s+running" % iid, s.text, re.M),
               "the kept instance in view 4")
        d.type("q")
        s = d.wait(lambda s: " quit: what keeps running " in s.text, "the quit dialog")
        flat = dialog_flat(s)
        self.assertIn("DEMO: nothing is rented.", flat)
        self.assertIn("Instance %d (1x RTX 3060," % iid, flat)
        self.assertNotIn("bill", flat)
        d.keys("Tab", "Enter")
        self.assertEqual(d.wait_exit(), 0)
        self.assertEqual(self.audit(), [])

    def test_failure_dialog_destroy(self):
        d, s = self.fail_case7()
        self.assertIn("Destroy\u2026", s.text)
        self.assertIn("destroying this instance and picking another offer is advised",
                      dialog_flat(s))
        iid = int(re.search(r"Instance (\d+) is left as it is", s.text).group(1))
        self.assert_screenshot(s, "gate_failure")
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy\u2026 ]" in s.text, "focus on Destroy...")
        d.keys("Enter")
        title = " destroy instance %d " % iid
        s = d.wait(lambda s: title in s.text and "[ Cancel ]" in s.text, "the destroy dialog")
        self.assertIn("RTX 3060", dialog_text(s))
        d.type(str(iid))
        d.keys("Tab", "Tab")
        d.wait(lambda s: "[ Destroy ]" in s.text, "focus on Destroy")
        d.keys("Enter")                    # Enter chose Destroy... : it cannot confirm this one
        d.type("y")
        d.wait(lambda s: "instance %d destroyed" % iid in s.text, "destroyed")
        d.type("4")
        d.wait(lambda s: "INSTANCES: 0" in s.text and "no instances" in s.text,
               "the instance gone from view 4")
        self.assertEqual(self.outcomes(), [("destroy", iid, "sent"), ("destroy", iid, "succeeded")])
        d.type("q")                        # nothing rented, no job running: quits at once
        self.assertEqual(d.wait_exit(), 0)


if __name__ == "__main__":
    unittest.main()
