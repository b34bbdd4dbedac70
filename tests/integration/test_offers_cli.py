"""End-to-end tests of `gpuwarden offers` against the fake vast.ai server (tests/fake_vast.py).

Run from the repository root:
    python3 -m unittest discover -s tests/integration -t . -v

The binary is $GPUWARDEN_BIN, else build/asan/gpuwarden when it exists, else ./gpuwarden
(built with `make FLAVOUR=asan asan-binary` when neither exists; see fakevast.py, which also
runs the fake server). Every run gets temporary HOME / XDG_* folders and no VAST_API_KEY unless
a test sets a fake one; the tests only talk to 127.0.0.1.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

if __package__:
    from .fakevast import REPO, FakeVast, find_binary, make_temp_home, free_port
    from .figures import bad_input, fault
else:   # run as a script, or discovered without -t
    from fakevast import REPO, FakeVast, find_binary, make_temp_home, free_port
    from figures import bad_input, fault

OFFERS_300 = os.path.join(REPO, "..", "shared", "data", "vast", "offers-300.json")

RULES = ["compute_capability", "region", "reliability", "vram", "vram_variant",
         "network", "price", "host", "cuda", "disk"]
LEVELS = {"pass": 0, "warn": 1, "block": 2}
DEFAULT_PREFER = ["US", "CA", "DE", "NL", "SE", "FI", "JP"]
DEFAULT_BLOCK = ["CN"]
FAKE_KEY = "test-key-123"
RUN_TIMEOUT = 30


def offer(oid, gpu, ram_mib, cc, rel, dph, geo, down, up, ver="verified", ht=0,
          cuda=12.2, disk=100.0, n=1, score=100.0):
    return {"id": oid, "gpu_name": gpu, "num_gpus": n, "gpu_ram": ram_mib,
            "gpu_total_ram": ram_mib * n, "compute_cap": cc, "reliability2": rel,
            "reliability": rel, "dph_total": dph, "geolocation": geo,
            "inet_down": down, "inet_up": up, "verification": ver, "hosting_type": ht,
            "cuda_max_good": cuda, "disk_space": disk, "score": score,
            "rentable": True, "rented": False, "external": False}


# A small market with one reason per offer to warn or block.
OFFERS = [
    offer(1001, "RTX 4090", 24564, 890, 0.998, 0.40, "California, US", 800.0, 700.0,
          cuda=12.4, disk=200.0, score=300.0),                       # all pass
    offer(1002, "RTX 3090", 24576, 860, 0.995, 0.25, "Quebec, CA", 500.0, 400.0,
          ht=1, disk=150.0, score=250.0),                            # all pass
    offer(1003, "RTX 3060", 12288, 860, 0.993, 0.08, "Bavaria, DE", 300.0, 200.0,
          score=120.0),                                              # warn vram_variant
    offer(1004, "RTX 4090", 24564, 890, 0.999, 0.30, "Guangdong, CN", 900.0, 800.0,
          score=280.0),                                              # block region
    offer(1005, "GTX 1080 Ti", 11264, 610, 0.995, 0.05, "Ontario, CA", 300.0, 300.0,
          cuda=11.8, score=60.0),                                    # block CC (sm_61)
    offer(1006, "RTX 3070", 8192, 860, 0.992, 0.07, "Tokyo, JP", 400.0, 300.0,
          cuda=11.8, score=90.0),                                    # 8 GB, CUDA 11.8
    offer(1007, "A100 SXM4", 81920, 800, 0.997, 2.60, "Seoul, KR", 1000.0, 1000.0,
          ver="unverified", ht=1, n=2, disk=500.0, score=200.0),     # KR warn, variant
    offer(1008, "H100 SXM", 81559, 900, 0.980, 2.10, "Stockholm, SE", 2000.0, 2000.0,
          ht=1, cuda=12.4, disk=300.0, score=220.0),                 # block reliability
    offer(1009, "RTX 4080", 16376, 890, 0.996, 0.20, "Texas, US", 50.0, 30.0,
          ver="unverified", cuda=12.1, score=150.0),                 # warn network, host
    offer(1010, "RTX A4000", 16376, 860, 0.995, 0.15, "Noord-Holland, NL", 600.0, 500.0,
          ver="deverified", score=110.0),                            # warn host
]
BY_ID = {o["id"]: o for o in OFFERS}
QUERY = "gpu_ram >= 12 geolocation notin [CN] reliability > 0.99 num_gpus = 1"
QUERY_KEEPS = {1001, 1002, 1003, 1009, 1010}



def lines(text):
    return [ln for ln in text.splitlines() if ln.strip()]


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# ---------------------------------------------------------------- SPEC §2, independently

def country_of(geo):
    if not isinstance(geo, str):
        return None
    code = geo.split(",")[-1].strip().upper()
    return code or None


VARIANT_WARN = {"RTX 3060", "RTX 3080", "RTX 4060 Ti", "Tesla V100", "A100 SXM4", "A100 PCIE",
                "RTX 2060", "GTX 1060", "RTX A2000"}
VARIANT_PASS = {"RTX 4090", "RTX 3090", "H100 SXM"}


def expected_levels(o):
    """{rule: level} per SPEC §2 with default requirements; None = not checked."""
    exp = dict.fromkeys(RULES)
    cc = o.get("compute_cap")
    if is_num(cc) and cc > 0:
        cc = cc / 100.0
        exp["compute_capability"] = "pass" if cc >= 7.5 else "warn" if cc >= 7.0 else "block"
    code = country_of(o.get("geolocation"))
    exp["region"] = ("block" if code in DEFAULT_BLOCK else
                     "pass" if code in DEFAULT_PREFER else "warn")
    rel = o.get("reliability2")
    if rel is None:
        rel = o.get("reliability")
    exp["reliability"] = "warn" if not is_num(rel) else "pass" if rel > 0.99 else "block"
    exp["vram"] = "pass"
    if o.get("gpu_name") in VARIANT_WARN:
        exp["vram_variant"] = "warn"
    elif o.get("gpu_name") in VARIANT_PASS:
        exp["vram_variant"] = "pass"
    down, up = o.get("inet_down"), o.get("inet_up")
    exp["network"] = ("pass" if is_num(down) and is_num(up) and down > 100 and up > 100
                      else "warn")
    exp["price"] = "pass"
    ver, ht = o.get("verification"), o.get("hosting_type")
    exp["host"] = ("pass" if ver == "verified" or (ht == 1 and ver != "deverified")
                   else "warn")
    exp["cuda"] = "pass"
    exp["disk"] = "pass"
    return exp


# ---------------------------------------------------------------- base class

class FakeVastCase(unittest.TestCase):
    """One fake vast.ai server per TestCase class; temp HOME/XDG folders for every run."""

    offers = OFFERS

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()
        cls.tmp, cls.home, cls.xdg = make_temp_home("gw-it-")
        cls.fake = FakeVast()
        try:
            cls.fake.start(cls.tmp, cls.offers)
        except RuntimeError:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        cls.url, cls.port = cls.fake.url, cls.fake.port

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.control("offers", self.offers)
        self.control("reset", {})
        key_dir = os.path.join(self.xdg["XDG_CONFIG_HOME"], "vastai")
        shutil.rmtree(key_dir, ignore_errors=True)
        for p in (os.path.join(self.home, ".vast_api_key"),):
            if os.path.exists(p):
                os.remove(p)

    # -- fake server control

    def control(self, name, body=None):
        return self.fake.control(name, body)

    def mode(self, mode, count=1, delay=None):
        body = {"mode": mode, "count": count}
        if delay is not None:
            body["delay"] = delay
        self.control("mode", body)

    def requests(self):
        return [e for e in self.fake.log() if e["path"].startswith("/api/v0/bundles")]

    # -- running the CLI

    def env(self, key=None, extra=None):
        env = {k: v for k, v in os.environ.items()
               if k not in ("VAST_API_KEY", "VAST_URL", "GPUWARDEN_HTTP_TIMEOUT")}
        env["HOME"] = self.home
        env.update(self.xdg)
        env["GPUWARDEN_HTTP_BACKOFF_MS"] = "10"
        env["NO_COLOR"] = "1"
        if key is not None:
            env["VAST_API_KEY"] = key
        if extra:
            env.update(extra)
        return env

    def gw(self, *args, key=None, extra_env=None, timeout=RUN_TIMEOUT, stdin=None):
        return subprocess.run([self.bin] + list(args), cwd=REPO, env=self.env(key, extra_env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL if stdin is None else stdin,
                              timeout=timeout, universal_newlines=True)

    def vast(self, *args, **kw):
        """`offers --provider vast --api-url <fake>` plus args."""
        return self.gw("offers", "--provider", "vast", "--api-url", self.url, *args, **kw)

    def vast_json(self, *args, **kw):
        r = self.vast("--json", *args, **kw)
        self.assertEqual(r.returncode, 0, "stderr: %s" % r.stderr)
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            self.fail("stdout is not JSON (%s): %r" % (e, r.stdout[:500]))
        return doc, r

    # -- assertions

    def assert_error(self, r, code, *needles, one_line=True):
        self.assertEqual(r.returncode, code, "stdout=%r stderr=%r" % (r.stdout, r.stderr))
        self.assertEqual(r.stdout, "", "stdout must be empty on error")
        if one_line:
            self.assertEqual(len(lines(r.stderr)), 1, "want one stderr line: %r" % r.stderr)
        for n in needles:
            self.assertIn(n.lower(), r.stderr.lower(), "stderr: %r" % r.stderr)

    def finding(self, off, rule):
        for f in off["findings"]:
            if f["rule"] == rule:
                return f
        self.fail("offer %s has no %s finding" % (off.get("id"), rule))

    def level(self, doc, oid, rule):
        return self.finding(self.by_id(doc)[oid], rule)["level"]

    @staticmethod
    def by_id(doc):
        return {o["id"]: o for o in doc["offers"]}

    def assert_offer_shape(self, off):
        self.assertEqual([f["rule"] for f in off["findings"]], RULES,
                         "findings of offer %s" % off.get("id"))
        for f in off["findings"]:
            self.assertIn(f["level"], LEVELS)
            self.assertIsInstance(f["message"], str)
            self.assertIn("case", f)
        worst = max((f["level"] for f in off["findings"]), key=LEVELS.get)
        self.assertEqual(off["verdict"], worst, "verdict of offer %s" % off.get("id"))


# ---------------------------------------------------------------- 1. happy path

class TestHappyPath(FakeVastCase):

    def test_json_document(self):
        doc, r = self.vast_json()
        self.assertEqual(doc["provider"], "vast")
        self.assertRegex(doc["fetched_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        req = doc["requirements"]
        self.assertEqual(req["min_reliability"], 0.99)
        self.assertEqual(req["block_regions"], ["CN"])
        self.assertEqual(req["prefer_regions"], DEFAULT_PREFER)
        self.assertEqual(req["min_inet_mbps"], 100)
        for k in ("min_vram_gb", "max_dph", "min_cuda", "min_disk_gb"):
            self.assertIsNone(req[k], k)
        self.assertEqual(set(self.by_id(doc)), set(BY_ID))
        for off in doc["offers"]:
            self.assert_offer_shape(off)
        self.assertEqual(len(self.requests()), 1)

    def test_offer_fields(self):
        doc, _ = self.vast_json()
        o = self.by_id(doc)[1001]
        self.assertEqual(o["gpu_name"], "RTX 4090")
        self.assertEqual(o["num_gpus"], 1)
        self.assertAlmostEqual(o["vram_gb"], 24564 / 1024, places=2)
        self.assertAlmostEqual(o["compute_cap"], 8.9)
        self.assertAlmostEqual(o["reliability"], 0.998)
        self.assertAlmostEqual(o["dph_total"], 0.40)
        self.assertEqual(o["country"], "US")
        self.assertEqual(o["host"], "verified")
        self.assertAlmostEqual(o["cuda_max_good"], 12.4)
        self.assertEqual(self.by_id(doc)[1002]["host"], "datacenter")
        self.assertEqual(self.by_id(doc)[1010]["host"], "deverified")
        self.assertEqual(self.by_id(doc)[1009]["host"], "unverified")

    def test_verdicts(self):
        doc, _ = self.vast_json()
        offers = self.by_id(doc)
        self.assertEqual(offers[1001]["verdict"], "pass")
        self.assertEqual(offers[1002]["verdict"], "pass")
        # CN blocks on region (case 2)
        f = self.finding(offers[1004], "region")
        self.assertEqual((f["level"], f["case"]), ("block", 2))
        self.assertEqual(offers[1004]["verdict"], "block")
        # sm_61 blocks on compute capability (case 1)
        f = self.finding(offers[1005], "compute_capability")
        self.assertEqual((f["level"], f["case"]), ("block", 1))
        self.assertEqual(offers[1005]["verdict"], "block")
        # RTX 3060 ships as 8/12 GB (case 7)
        f = self.finding(offers[1003], "vram_variant")
        self.assertEqual((f["level"], f["case"]), ("warn", 7))
        self.assertEqual(offers[1003]["verdict"], "warn")
        self.assertEqual(self.level(doc, 1001, "vram_variant"), "pass")
        # the other rules
        self.assertEqual(self.level(doc, 1008, "reliability"), "block")
        self.assertEqual(self.level(doc, 1009, "network"), "warn")
        self.assertEqual(self.level(doc, 1009, "host"), "warn")
        self.assertEqual(self.level(doc, 1010, "host"), "warn")
        self.assertEqual(self.level(doc, 1007, "host"), "pass")   # DC, unverified
        self.assertEqual(self.level(doc, 1007, "region"), "warn")
        self.assertEqual(self.level(doc, 1007, "vram_variant"), "warn")
        for oid, off in offers.items():
            exp = expected_levels(BY_ID[oid])
            for rule, lvl in exp.items():
                if lvl is not None:
                    self.assertEqual(self.finding(off, rule)["level"], lvl,
                                     "offer %d rule %s" % (oid, rule))

    def test_table_output(self):
        r = self.vast()
        self.assertEqual(r.returncode, 0, r.stderr)
        for oid in BY_ID:
            self.assertIn(str(oid), r.stdout)
        self.assertIn("BLOCK", r.stdout)
        self.assertIn("WARN", r.stdout)
        self.assertIn("PASS", r.stdout)


# ---------------------------------------------------------------- 2./3. the query

class TestQuery(FakeVastCase):

    def test_query_sent_as_vast_json(self):
        doc, _ = self.vast_json("--query", QUERY)
        reqs = self.requests()
        self.assertEqual(len(reqs), 1)
        self.assertEqual(reqs[0]["method"], "POST")
        body = reqs[0]["body"]
        self.assertIsInstance(body, dict, "body: %r" % body)
        self.assertEqual(set(body["gpu_ram"]), {"gte"})
        self.assertTrue(is_num(body["gpu_ram"]["gte"]), body)
        self.assertEqual(body["gpu_ram"]["gte"], 12000)
        self.assertEqual(body["geolocation"], {"notin": ["CN"]})
        rel_key = "reliability" if "reliability" in body else "reliability2"
        self.assertIn(rel_key, body)
        self.assertEqual(set(body[rel_key]), {"gt"})
        self.assertTrue(is_num(body[rel_key]["gt"]), body)
        self.assertAlmostEqual(body[rel_key]["gt"], 0.99)
        self.assertEqual(body["num_gpus"], {"eq": 1})
        self.assertTrue(is_num(body["num_gpus"]["eq"]), body)
        for hidden in ("verified", "rentable", "external", "rented"):
            self.assertNotIn(hidden, body, "hidden default filter %r sent" % hidden)
        allowed = {"gpu_ram", "geolocation", rel_key, "num_gpus", "order", "type", "limit"}
        self.assertLessEqual(set(body), allowed, "unexpected keys in %r" % body)
        self.assertEqual(set(self.by_id(doc)), QUERY_KEEPS)

    def test_no_query_no_filters(self):
        self.vast_json()
        body = self.requests()[0]["body"]
        self.assertIsInstance(body, dict)
        self.assertLessEqual(set(body), {"order", "type", "limit"}, body)

    def test_ignore_filters_checked_client_side(self):
        self.mode("ignore_filters", -1)
        doc, r = self.vast_json("--query", QUERY)
        self.assertEqual(set(self.by_id(doc)), QUERY_KEEPS)
        self.assertRegex(r.stderr.lower(), r"non-matching|not match|ignor|did not filter",
                         "stderr should warn about the provider's extra offers")

    def test_ignore_filters_table(self):
        self.mode("ignore_filters", -1)
        r = self.vast("--query", QUERY)
        self.assertEqual(r.returncode, 0, r.stderr)
        for oid in BY_ID:
            if oid in QUERY_KEEPS:
                self.assertIn(str(oid), r.stdout)
            else:
                self.assertNotIn(str(oid), r.stdout)
        self.assertTrue(lines(r.stderr), "no warning on stderr")


# ---------------------------------------------------------------- 4. authorization

class TestAuthorization(FakeVastCase):

    def assert_no_key(self, r, key):
        self.assertNotIn(key, r.stdout)
        self.assertNotIn(key, r.stderr)

    def test_env_key_sent_as_bearer(self):
        doc, r = self.vast_json(key=FAKE_KEY)
        reqs = self.requests()
        self.assertEqual(reqs[0]["headers"].get("authorization"), "Bearer " + FAKE_KEY)
        self.assert_no_key(r, FAKE_KEY)

    def test_env_key_not_in_error_output(self):
        self.mode("auth_error", -1)
        r = self.vast(key=FAKE_KEY)
        self.assert_error(r, 3, "authentication failed")
        self.assert_no_key(r, FAKE_KEY)

    def test_key_not_written_to_files(self):
        self.vast_json("--query", QUERY, key=FAKE_KEY)
        self.mode("auth_error", 1)
        self.vast(key=FAKE_KEY)
        for root in [self.home] + list(self.xdg.values()):
            for dirpath, _, files in os.walk(root):
                for name in files:
                    path = os.path.join(dirpath, name)
                    with open(path, "rb") as f:
                        self.assertNotIn(FAKE_KEY.encode(), f.read(), path)

    def test_vast_url_env(self):
        r = self.gw("offers", "--provider", "vast", "--json", extra_env={"VAST_URL": self.url})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)["offers"]), len(OFFERS))
        self.assertEqual(len(self.requests()), 1)

    def test_no_key_no_header(self):
        doc, r = self.vast_json()
        reqs = self.requests()
        self.assertEqual(len(reqs), 1)
        self.assertNotIn("authorization", reqs[0]["headers"])

    def write_key_file(self, mode, key="file-key-456"):
        d = os.path.join(self.xdg["XDG_CONFIG_HOME"], "vastai")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "vast_api_key")
        with open(path, "w", encoding="ascii") as f:
            f.write(key + "\n")
        os.chmod(path, mode)
        return path, key

    @bad_input()
    def test_key_file_world_readable_refused(self):
        _, key = self.write_key_file(0o644)
        r = self.vast()
        self.assert_error(r, 2, "chmod 600")
        self.assert_no_key(r, key)
        self.assertEqual(self.requests(), [], "nothing may be sent with a refused key")

    @bad_input()
    def test_key_file_group_readable_refused(self):
        _, key = self.write_key_file(0o640)
        r = self.vast()
        self.assert_error(r, 2, "chmod 600")
        self.assert_no_key(r, key)

    def test_key_file_0600_used(self):
        _, key = self.write_key_file(0o600)
        doc, r = self.vast_json()
        self.assertEqual(self.requests()[0]["headers"].get("authorization"), "Bearer " + key)
        self.assert_no_key(r, key)

    def test_home_key_file_0600_used(self):
        path = os.path.join(self.home, ".vast_api_key")
        with open(path, "w", encoding="ascii") as f:
            f.write("home-key-789\n")
        os.chmod(path, 0o600)
        doc, r = self.vast_json()
        self.assertEqual(self.requests()[0]["headers"].get("authorization"),
                         "Bearer home-key-789")
        self.assert_no_key(r, "home-key-789")


# ---------------------------------------------------------------- 5. faults

class TestFaults(FakeVastCase):

    @fault
    def test_429_once_then_ok(self):
        self.mode("429", 1)
        doc, r = self.vast_json()
        self.assertEqual(len(doc["offers"]), len(OFFERS))
        reqs = self.requests()
        self.assertEqual([e["status"] for e in reqs], [429, 200])

    @fault
    def test_429_forever(self):
        self.mode("429", -1)
        r = self.vast()
        self.assert_error(r, 3, "rate limited", "127.0.0.1:%d" % self.port)
        self.assertGreaterEqual(len(self.requests()), 2, "429 should be retried")

    @fault
    def test_500_forever(self):
        self.mode("500", -1)
        r = self.vast()
        self.assert_error(r, 3, "500")
        self.assertIn("HTTP 500", r.stderr)

    @fault
    def test_502_forever(self):
        self.mode("502", -1)
        r = self.vast()
        self.assert_error(r, 3, "502")

    @fault
    def test_503_once(self):
        self.mode("503", 1)
        doc, r = self.vast_json()
        self.assertEqual(len(doc["offers"]), len(OFFERS))
        self.assertEqual([e["status"] for e in self.requests()], [503, 200])

    @fault
    def test_auth_error(self):
        self.mode("auth_error", -1)
        r = self.vast()
        self.assert_error(r, 3, "authentication failed")

    @fault
    def test_malformed(self):
        self.mode("malformed", -1)
        r = self.vast()
        self.assert_error(r, 3, "malformed")

    @fault
    def test_html(self):
        self.mode("html", -1)
        r = self.vast()
        self.assert_error(r, 3)
        self.assertRegex(r.stderr.lower(), r"malformed|expected json")

    @fault
    def test_truncated_forever(self):
        self.mode("truncated", -1)
        r = self.vast(timeout=30)
        self.assert_error(r, 3)

    @fault
    def test_truncated_once(self):
        self.mode("truncated", 1)
        doc, r = self.vast_json()
        self.assertEqual(len(doc["offers"]), len(OFFERS))

    @fault
    def test_slow(self):
        self.mode("slow", 1, delay=2)
        t0 = time.monotonic()
        doc, r = self.vast_json()
        self.assertEqual(len(doc["offers"]), len(OFFERS))
        self.assertGreaterEqual(time.monotonic() - t0, 1.5)
        self.assertEqual(len(self.requests()), 1)

    @fault
    def test_hang_times_out(self):
        self.mode("hang", -1)
        t0 = time.monotonic()
        r = self.vast(extra_env={"GPUWARDEN_HTTP_TIMEOUT": "2"}, timeout=60)
        elapsed = time.monotonic() - t0
        self.assert_error(r, 3, "did not answer")
        self.assertLess(elapsed, 20, "a 2 s stall timeout took %.1f s" % elapsed)

    @fault
    def test_50_mb_body_is_refused(self):
        self.mode("huge", -1)
        r = self.vast(timeout=60)
        self.assert_error(r, 3, "more than 32 MB", "refused")

    @fault
    def test_connection_refused(self):
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        r = self.gw("offers", "--provider", "vast", "--api-url", url)
        self.assert_error(r, 3, "connection refused", "127.0.0.1:%d" % port)


# ---------------------------------------------------------------- 6. sort and limit

class TestSortLimit(FakeVastCase):

    def prices(self, doc):
        return [o["dph_total"] for o in doc["offers"]]

    def test_sort_dph(self):
        doc, _ = self.vast_json("--sort", "dph")
        p = self.prices(doc)
        self.assertEqual(len(p), len(OFFERS))
        self.assertEqual(p, sorted(p))
        body = self.requests()[0]["body"]
        self.assertEqual(body.get("order"), [["dph_total", "asc"]])

    def test_sort_dph_desc(self):
        doc, _ = self.vast_json("--sort", "dph-")
        p = self.prices(doc)
        self.assertEqual(p, sorted(p, reverse=True))
        body = self.requests()[0]["body"]
        self.assertEqual(body.get("order"), [["dph_total", "desc"]])

    def test_limit(self):
        doc, _ = self.vast_json("--limit", "2")
        self.assertLessEqual(len(doc["offers"]), 2)
        self.assertGreaterEqual(len(doc["offers"]), 1)
        self.assertEqual(self.requests()[0]["body"].get("limit"), 2)

    def test_sort_and_limit(self):
        doc, _ = self.vast_json("--sort", "dph", "--limit", "2")
        self.assertEqual([o["id"] for o in doc["offers"]], [1005, 1006])

    def test_default_sort_by_verdict(self):
        doc, _ = self.vast_json()
        ranks = [LEVELS[o["verdict"]] for o in doc["offers"]]
        self.assertTrue(ranks == sorted(ranks) or ranks == sorted(ranks, reverse=True),
                        "default order is by verdict: %r" % ranks)


# ---------------------------------------------------------------- 7. requirement flags

class TestRequirementFlags(FakeVastCase):

    def test_min_vram(self):
        doc, _ = self.vast_json("--min-vram", "12")
        self.assertEqual(doc["requirements"]["min_vram_gb"], 12)
        self.assertEqual(self.level(doc, 1006, "vram"), "block")     # 8 GB
        self.assertEqual(self.by_id(doc)[1006]["verdict"], "block")
        self.assertEqual(self.level(doc, 1003, "vram"), "pass")      # 12 GB
        self.assertEqual(self.level(doc, 1001, "vram"), "pass")

    def test_max_dph(self):
        doc, _ = self.vast_json("--max-dph", "0.5")
        self.assertEqual(doc["requirements"]["max_dph"], 0.5)
        self.assertEqual(self.level(doc, 1007, "price"), "block")    # 2.60
        self.assertEqual(self.level(doc, 1008, "price"), "block")    # 2.10
        self.assertEqual(self.level(doc, 1001, "price"), "pass")     # 0.40

    def test_min_cuda(self):
        doc, _ = self.vast_json("--min-cuda", "12.1")
        self.assertAlmostEqual(doc["requirements"]["min_cuda"], 12.1)
        self.assertEqual(self.level(doc, 1006, "cuda"), "block")     # 11.8
        self.assertEqual(self.level(doc, 1005, "cuda"), "block")     # 11.8
        self.assertEqual(self.level(doc, 1009, "cuda"), "pass")      # 12.1
        self.assertEqual(self.level(doc, 1001, "cuda"), "pass")      # 12.4

    def test_min_disk(self):
        doc, _ = self.vast_json("--min-disk", "150")
        self.assertEqual(self.level(doc, 1003, "disk"), "block")     # 100
        self.assertEqual(self.level(doc, 1002, "disk"), "pass")      # 150
        self.assertEqual(self.level(doc, 1001, "disk"), "pass")      # 200

    def test_block_regions(self):
        doc, _ = self.vast_json("--block-regions", "KR")
        self.assertEqual(doc["requirements"]["block_regions"], ["KR"])
        self.assertEqual(self.level(doc, 1007, "region"), "block")
        self.assertEqual(self.by_id(doc)[1007]["verdict"], "block")
        self.assertNotEqual(self.level(doc, 1004, "region"), "pass")  # CN, not preferred

    def test_prefer_regions(self):
        doc, _ = self.vast_json("--prefer-regions", "KR,JP")
        self.assertEqual(doc["requirements"]["prefer_regions"], ["KR", "JP"])
        self.assertEqual(self.level(doc, 1007, "region"), "pass")
        self.assertEqual(self.level(doc, 1006, "region"), "pass")
        self.assertEqual(self.level(doc, 1001, "region"), "warn")    # US no longer preferred
        self.assertEqual(self.level(doc, 1004, "region"), "block")   # CN still blocked

    def test_min_reliability(self):
        doc, _ = self.vast_json("--min-reliability", "0.5")
        self.assertEqual(doc["requirements"]["min_reliability"], 0.5)
        self.assertEqual(self.level(doc, 1008, "reliability"), "pass")
        doc, _ = self.vast_json("--min-reliability", "0.995")
        self.assertEqual(self.level(doc, 1003, "reliability"), "block")   # 0.993
        self.assertEqual(self.level(doc, 1002, "reliability"), "block")   # 0.995, not >
        self.assertEqual(self.level(doc, 1001, "reliability"), "pass")    # 0.998

    def test_min_inet(self):
        doc, _ = self.vast_json("--min-inet", "450")
        self.assertEqual(doc["requirements"]["min_inet_mbps"], 450)
        self.assertEqual(self.level(doc, 1003, "network"), "warn")   # 300/200
        self.assertEqual(self.level(doc, 1001, "network"), "pass")   # 800/700


# ---------------------------------------------------------------- 8. usage errors

class TestUsage(unittest.TestCase):
    """No server needed: every case must fail before any network access."""

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()
        cls.tmp = tempfile.mkdtemp(prefix="gw-it-usage-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def gw(self, *args):
        env = {k: v for k, v in os.environ.items() if k not in ("VAST_API_KEY", "VAST_URL")}
        env.update(HOME=self.tmp, XDG_CONFIG_HOME=os.path.join(self.tmp, "c"),
                   XDG_STATE_HOME=os.path.join(self.tmp, "s"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "k"), GPUWARDEN_HTTP_BACKOFF_MS="10")
        # an unused port, so a usage error that slipped through to the network fails fast
        url = "http://127.0.0.1:%d" % free_port()
        return subprocess.run([self.bin, "offers", "--api-url", url] + list(args),
                              cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=RUN_TIMEOUT, universal_newlines=True)

    def check(self, args, *needles):
        r = self.gw(*args)
        self.assertEqual(r.returncode, 2, "%r: rc %d stderr %r" % (args, r.returncode, r.stderr))
        self.assertEqual(r.stdout, "", args)
        self.assertEqual(len(lines(r.stderr)), 1, "%r: stderr %r" % (args, r.stderr))
        for n in needles:
            self.assertIn(n, r.stderr, args)

    @bad_input()
    def test_unknown_option(self):
        self.check(["--bogus"], "--bogus")

    @bad_input()
    def test_limit_not_a_number(self):
        self.check(["--limit", "abc"], "--limit", "abc")

    @bad_input()
    def test_negative_min_vram(self):
        self.check(["--min-vram", "-1"], "--min-vram")

    @bad_input()
    def test_bad_provider(self):
        self.check(["--provider", "aws"], "aws")

    @bad_input()
    def test_bad_query_operator(self):
        self.check(["--query", "gpu_ram >> 12"], "--query", ">>")

    @bad_input()
    def test_unclosed_bracket(self):
        self.check(["--query", "foo in ["], "--query", "[")

    @bad_input()
    def test_missing_value(self):
        self.check(["--limit"], "--limit")

    @bad_input()
    def test_bad_sort_field(self):
        self.check(["--sort", "nonsense"], "nonsense")

    @bad_input()
    def test_bad_min_cuda(self):
        self.check(["--min-cuda", "twelve"], "--min-cuda")

    def test_help(self):
        r = self.gw("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--query", r.stdout)
        self.assertIn("--json", r.stdout)

    def test_version(self):
        r = subprocess.run([self.bin, "--version"], cwd=REPO, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           timeout=RUN_TIMEOUT, universal_newlines=True,
                           env=dict(os.environ, HOME=self.tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"gpuwarden \d+\.\d+")
        r = self.gw("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\d+\.\d+")


# ---------------------------------------------------------------- 9. --from FILE

class TestFromFile(FakeVastCase):

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    @bad_input()
    def test_trailing_text(self):
        body = json.dumps(OFFERS[:3], indent=1)
        path = self.write("trailing.json", body + "\nMachine ID 1 not found or not rentable.\n")
        r = self.gw("offers", "--from", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual({o["id"] for o in doc["offers"]}, {1001, 1002, 1003})
        for off in doc["offers"]:
            self.assert_offer_shape(off)
        self.assertTrue(lines(r.stderr), "trailing text should be warned about")
        self.assertEqual(self.requests(), [], "--from must not touch the network")

    def test_offers_object(self):
        path = self.write("object.json", json.dumps({"offers": OFFERS[3:6]}))
        r = self.gw("offers", "--from", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual({o["id"] for o in json.loads(r.stdout)["offers"]}, {1004, 1005, 1006})

    def test_stdin(self):
        proc = subprocess.run([self.bin, "offers", "--from", "-", "--json"], cwd=REPO,
                              env=self.env(), input=json.dumps(OFFERS[:2]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=RUN_TIMEOUT, universal_newlines=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual({o["id"] for o in json.loads(proc.stdout)["offers"]}, {1001, 1002})

    @bad_input()
    def test_truncated_file_keeps_complete_offers(self):
        body = json.dumps(OFFERS[:3], indent=1)
        cut = body.index('"id": 1003')          # break inside the third offer
        path = self.write("truncated.json", body[:cut + 20])
        r = self.gw("offers", "--from", path, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = {o["id"] for o in json.loads(r.stdout)["offers"]}
        self.assertTrue({1001, 1002} <= ids, ids)
        self.assertTrue(lines(r.stderr), "the truncation should be warned about")

    @bad_input()
    def test_missing_file(self):
        r = self.gw("offers", "--from", os.path.join(self.tmp, "no-such-file.json"))
        self.assert_error(r, 2, "no-such-file.json")

    @bad_input()
    def test_empty_file(self):
        path = self.write("empty.json", "")
        r = self.gw("offers", "--from", path)
        self.assert_error(r, 2)

    def test_offers_300(self):
        if not os.path.exists(OFFERS_300):
            self.skipTest("no %s" % OFFERS_300)
        with open(OFFERS_300, encoding="utf-8") as f:
            raw = json.load(f)
        raw_by_id = {o["id"]: o for o in raw}
        r = self.gw("offers", "--from", OFFERS_300, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(len(doc["offers"]), 300)
        self.assertEqual({o["id"] for o in doc["offers"]}, set(raw_by_id))
        mismatches = []
        for off in doc["offers"]:
            self.assert_offer_shape(off)
            src = raw_by_id[off["id"]]
            got = {f["rule"]: f["level"] for f in off["findings"]}
            for rule, want in expected_levels(src).items():
                if want is not None and got[rule] != want:
                    mismatches.append("offer %s (%s, %s) %s: want %s, got %s" % (
                        off["id"], src.get("gpu_name"), src.get("geolocation"), rule,
                        want, got[rule]))
            self.assertEqual(off["country"], country_of(src.get("geolocation")))
            cc = src.get("compute_cap")
            if is_num(cc) and cc > 0:
                self.assertAlmostEqual(off["compute_cap"], cc / 100.0)
        self.assertEqual(mismatches, [], "\n".join(mismatches[:40]))


# ---------------------------------------------------------------- 10. demo market

class TestDemo(FakeVastCase):

    def test_demo_without_key(self):
        r = self.gw("offers", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("demo", r.stderr.lower())
        doc = json.loads(r.stdout)
        self.assertEqual(doc["provider"], "demo")
        self.assertGreater(len(doc["offers"]), 60)
        cn_blocks = [o for o in doc["offers"]
                     if any(f["rule"] == "region" and f["level"] == "block"
                            for f in o["findings"]) and o["country"] == "CN"]
        self.assertTrue(cn_blocks, "the demo market should have a CN offer that blocks")
        for off in doc["offers"]:
            self.assert_offer_shape(off)
        self.assertEqual(self.requests(), [])

    def test_demo_explicit(self):
        r = self.gw("offers", "--provider", "demo", "--json", key=FAKE_KEY)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["provider"], "demo")
        self.assertNotIn(FAKE_KEY, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
