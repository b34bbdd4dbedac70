"""End-to-end tests of `gpuwarden recipes`, `gpuwarden check` and `offers --recipe` (SPEC §3,
§4, §6, §10), against the built-in demo market and the fake Docker Hub / GitHub / Hugging Face
server (tests/fake_hub.py).

Run from the repository root:
    python3 -m unittest tests.integration.test_preflight_cli -v

The binary is $GPUWARDEN_BIN, else build/asan/gpuwarden (see fakevast.find_binary). Every test
gets its own temporary HOME and XDG_* folders (user recipes, metadata cache), no VAST_API_KEY
unless it sets a fake one, and the three metadata base URLs pointed at a loopback FakeHub (or
--offline, or a closed loopback port): nothing but 127.0.0.1 is ever contacted.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import time
import unittest

if __package__:
    from .fakehub import FakeHub
    from .fakevast import REPO, find_binary, make_temp_home, free_port
    from .figures import bad_input, fault
else:   # run as a script, or discovered without -t
    from fakehub import FakeHub
    from fakevast import REPO, find_binary, make_temp_home, free_port
    from figures import bad_input, fault

RUN_TIMEOUT = 30
FIXTURES = os.path.join(REPO, "tests", "fixtures", "recipes")
BUNDLED = os.path.join(REPO, "assets", "recipes")
ACE = "ace-step-1.5"
ACE_IMAGE = "nvidia/cuda:12.8.1-runtime-ubuntu22.04"
ACE_VRAM = 11.4            # (7.5 + 1.5 + 0.5) x 1.2, SPEC §4
STATUSES = {"PASS", "WARN", "FAIL", "PENDING", "UNKNOWN"}
ROW_KEYS = {"item", "title", "status", "reason", "case"}
FAKE_KEY = "vast-secret-key-0123456789"

# Demo offers (assets/demo-offers.json) the tests rely on; test_demo_market_assumptions checks
# them, so a changed market fails one clear test instead of many confusing ones.
GOOD = 4242307      # RTX 3060 12 GB, Texas US, verified, sm_86, rel 0.9962, CUDA 12.8, 462 GB
EIGHT = 29564868    # RTX 3060 8 GB, California US, verified, CUDA 12.2
EIGHT_TI = 16939180  # RTX 4060 Ti 8 GB, Stockholm SE
TEN = 11656294      # RTX 3080 10 GB, Ontario CA, CUDA 12.8
CN = 18206213       # A100 SXM4 80 GB, Zhejiang CN, verified, CUDA 12.8

# What `check --offer GOOD --recipe ace-step-1.5` must say with the seeded FakeHub: the RTX 3060
# warns on row 4 (it ships as 8/12 GB, case 7), everything else decidable passes.
GOOD_STATUSES = ["PASS", "PASS", "PASS", "WARN", "PASS", "PASS", "PASS", "PASS",
                 "PENDING", "PENDING"]


def lines(text):
    return [ln for ln in text.splitlines() if ln.strip()]



def bundled_recipe(name=ACE):
    with open(os.path.join(BUNDLED, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


class CliCase(unittest.TestCase):
    """One FakeHub per class (reset before every test); a fresh temporary HOME/XDG per test."""

    @classmethod
    def setUpClass(cls):
        cls.bin = find_binary()
        cls.hub = FakeHub().start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()

    def setUp(self):
        self.hub.reset()
        self.tmp, self.home, self.xdg = make_temp_home("gw-pf-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.user_dir = os.path.join(self.xdg["XDG_CONFIG_HOME"], "gpuwarden", "recipes")
        self.cache_dir = os.path.join(self.xdg["XDG_CACHE_HOME"], "gpuwarden")

    # -- running the CLI

    def env(self, extra=None, hub=True):
        env = {k: v for k, v in os.environ.items()
               if k not in ("VAST_API_KEY", "VAST_URL", "GPUWARDEN_HTTP_TIMEOUT",
                            "GPUWARDEN_HUB_URL", "GPUWARDEN_GITHUB_URL", "GPUWARDEN_HF_URL",
                            "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                            "ALL_PROXY", "all_proxy")}
        env["HOME"] = self.home
        env.update(self.xdg)
        env["GPUWARDEN_HTTP_BACKOFF_MS"] = "10"
        env["GPUWARDEN_HTTP_TIMEOUT"] = "2"
        env["NO_COLOR"] = "1"
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        if hub:
            env.update(self.hub.env())
        if extra:
            env.update(extra)
        return env

    def gw(self, *args, extra_env=None, timeout=RUN_TIMEOUT):
        return subprocess.run([self.bin] + list(args), cwd=REPO, env=self.env(extra_env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              universal_newlines=True)

    def gw_json(self, *args, code=0, **kw):
        r = self.gw(*args, "--json", **kw)
        self.assertEqual(r.returncode, code, "stdout=%r stderr=%r" % (r.stdout[-2000:], r.stderr))
        try:
            return json.loads(r.stdout), r
        except ValueError as e:
            self.fail("stdout is not JSON (%s): %r" % (e, r.stdout[:500]))

    # -- user recipes

    def put_recipe(self, doc, script_from=None, file_name=None):
        """Writes a recipe (a dict, or raw text) into the user folder with its script beside
        it; returns the JSON file's path."""
        os.makedirs(self.user_dir, exist_ok=True)
        name = file_name or (doc["name"] + ".json")
        path = os.path.join(self.user_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            if isinstance(doc, str):
                f.write(doc)
            else:
                json.dump(doc, f, indent=2)
        if script_from:
            shutil.copy(script_from, os.path.join(self.user_dir, os.path.basename(script_from)))
        return path

    def ace_variant(self, name, **changes):
        """The bundled ace-step-1.5 recipe under another name, with changes, in the user
        folder (its script copied beside it)."""
        doc = bundled_recipe()
        doc["name"] = name
        for k, v in changes.items():
            doc[k] = v
        self.put_recipe(doc, script_from=os.path.join(BUNDLED, "ace-step-1.5.sh"))
        return doc

    # -- assertions

    def assert_error(self, r, code, *needles):
        self.assertEqual(r.returncode, code, "stdout=%r stderr=%r" % (r.stdout, r.stderr))
        self.assertEqual(r.stdout, "", "stdout must be empty on error")
        self.assertEqual(len(lines(r.stderr)), 1, "want one stderr line: %r" % r.stderr)
        for n in needles:
            self.assertIn(n.lower(), r.stderr.lower(), "stderr: %r" % r.stderr)


# ---------------------------------------------------------------- gpuwarden recipes

class TestRecipes(CliCase):

    def test_text_lists_bundled_recipes(self):
        r = self.gw("recipes")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines()
                if ln and not ln.startswith(" ") and not ln.startswith("NAME")}
        self.assertEqual(set(rows), {ACE, "pytorch-smoke"}, r.stdout)
        self.assertEqual(rows[ACE][1], "11.4", "VRAM column of ace-step-1.5: %r" % rows[ACE])
        self.assertEqual(rows["pytorch-smoke"][1], "1.2", rows["pytorch-smoke"])
        self.assertIn(ACE_IMAGE, rows[ACE])
        self.assertEqual(rows[ACE][-1], "bundled")
        # the arithmetic is shown: 9.5 GB x 1.20 = 11.4 GB
        self.assertIn("= 9.5 GB x 1.20 = 11.4 GB", r.stdout)

    def test_json(self):
        doc, _ = self.gw_json("recipes")
        by = {x["name"]: x for x in doc["recipes"]}
        self.assertEqual([x["name"] for x in doc["recipes"]], [ACE, "pytorch-smoke"])
        ace = by[ACE]
        self.assertEqual(ace["required_vram_gb"], ACE_VRAM)
        self.assertEqual(ace["min_cuda"], 12.8)
        self.assertEqual(ace["min_compute_capability"], 7.5)
        self.assertEqual(ace["disk_gb"], 60)
        self.assertEqual(ace["image"], ACE_IMAGE)
        self.assertEqual(ace["origin"], "bundled")
        self.assertEqual(ace["overhead"], 0.2)
        self.assertEqual([c["gb"] for c in ace["vram_components"]], [7.5, 1.5, 0.5])
        self.assertEqual(ace["setup_script"], "ace-step-1.5.sh")
        self.assertEqual(ace["official_repo"], "ace-step/ACE-Step-1.5")
        smoke = by["pytorch-smoke"]
        self.assertEqual(smoke["required_vram_gb"], 1.2)
        self.assertEqual(smoke["min_cuda"], 12.8)      # from the tag ...-cuda12.8-...
        self.assertIsNone(smoke["max_dph"])

    def test_user_recipe_listed_with_origin(self):
        with open(os.path.join(FIXTURES, "fixture-15gb.json"), encoding="utf-8") as f:
            doc = json.load(f)
        path = self.put_recipe(doc, script_from=os.path.join(FIXTURES, "fixture.sh"))
        out, _ = self.gw_json("recipes")
        by = {x["name"]: x for x in out["recipes"]}
        self.assertEqual(sorted(by), sorted([ACE, "pytorch-smoke", "fixture-15gb"]))
        self.assertEqual(by["fixture-15gb"]["origin"], path)
        self.assertEqual(by["fixture-15gb"]["required_vram_gb"], 15.0)
        self.assertEqual(by["fixture-15gb"]["min_cuda"], 12.8)
        self.assertEqual(by[ACE]["origin"], "bundled")
        r = self.gw("recipes")
        self.assertEqual(r.returncode, 0, r.stderr)
        row = [ln for ln in r.stdout.splitlines() if ln.startswith("fixture-15gb ")]
        self.assertEqual(len(row), 1, r.stdout)
        self.assertTrue(row[0].rstrip().endswith(path), row[0])
        self.assertEqual(row[0].split()[1], "15.0")

    def test_user_recipe_replaces_bundled(self):
        self.ace_variant(ACE, vram={"components": [{"name": "bigger DiT", "gb": 20}],
                                    "overhead": 0.2})
        out, _ = self.gw_json("recipes")
        names = [x["name"] for x in out["recipes"]]
        self.assertEqual(names, [ACE, "pytorch-smoke"], "one entry per name")
        ace = out["recipes"][0]
        self.assertEqual(ace["origin"], os.path.join(self.user_dir, ACE + ".json"))
        self.assertEqual(ace["required_vram_gb"], 24.0)
        # and it is the one `offers --recipe` uses
        doc, _ = self.gw_json("offers", "--provider", "demo", "--recipe", ACE)
        self.assertEqual(doc["requirements"]["min_vram_gb"], 24.0)

    def test_bad_user_recipes(self):
        cases = [
            ("bad-missing-image.json", ["'image'", "present"]),
            ("bad-wrong-type.json", ["'disk_gb'", "number"]),
            ("bad-unknown-field.json", ["unknown field", "vram.overhed"]),
            ("bad-json.json", ["not a json object"]),
            ("bad-missing-script.json", ["setup script", "no-such-script.sh"]),
        ]
        for fixture, needles in cases:
            with self.subTest(fixture=fixture):
                shutil.rmtree(self.user_dir, ignore_errors=True)
                with open(os.path.join(FIXTURES, fixture), encoding="utf-8") as f:
                    text = f.read()
                path = self.put_recipe(text, script_from=os.path.join(FIXTURES, "fixture.sh"),
                                       file_name=fixture)
                for args in (["recipes"], ["recipes", "--json"]):
                    r = self.gw(*args)
                    self.assert_error(r, 2, path, *needles)
                # a bad user recipe is never skipped silently, even to reach a bundled one
                r = self.gw("offers", "--provider", "demo", "--recipe", ACE, "--json")
                self.assert_error(r, 2, path)

    @bad_input()
    def test_bad_recipe_file_given_by_path(self):
        path = os.path.join("tests", "fixtures", "recipes", "bad-wrong-type.json")
        r = self.gw("offers", "--provider", "demo", "--recipe", path)
        self.assert_error(r, 2, path, "'disk_gb'")

    @bad_input()
    def test_wrong_type_names_the_value(self):
        path = self.put_recipe(self.bad_doc(vram={"components": "lots"}),
                               script_from=os.path.join(FIXTURES, "fixture.sh"))
        r = self.gw("recipes")
        self.assert_error(r, 2, path, "'vram.components'", "lots")

    @staticmethod
    def bad_doc(**changes):
        with open(os.path.join(FIXTURES, "fixture-15gb.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["name"] = "bad-one"
        doc.update(changes)
        return doc


# ---------------------------------------------------------------- offers --recipe

class TestOffersRecipe(CliCase):

    def offers(self, *args):
        doc, _ = self.gw_json("offers", "--provider", "demo", *args)
        return doc, {o["id"]: o for o in doc["offers"]}

    @staticmethod
    def finding(off, rule):
        return [f for f in off["findings"] if f["rule"] == rule][0]

    def test_demo_market_assumptions(self):
        _, by = self.offers()
        for oid, gpu, vram, country in ((GOOD, "RTX 3060", 12.0, "US"),
                                        (EIGHT, "RTX 3060", 8.0, "US"),
                                        (EIGHT_TI, "RTX 4060 Ti", 8.0, "SE"),
                                        (TEN, "RTX 3080", 10.0, "CA"),
                                        (CN, "A100 SXM4", 80.0, "CN")):
            self.assertIn(oid, by, "demo offer %d is gone" % oid)
            self.assertEqual((by[oid]["gpu_name"], by[oid]["vram_gb"], by[oid]["country"]),
                             (gpu, vram, country))
        self.assertEqual(by[GOOD]["cuda_max_good"], 12.8)
        self.assertEqual(by[CN]["cuda_max_good"], 12.8)

    def test_recipe_blocks_small_cards(self):
        doc, by = self.offers("--recipe", ACE)
        req = doc["requirements"]
        self.assertEqual(req["min_vram_gb"], ACE_VRAM)
        self.assertEqual(req["min_cuda"], 12.8)
        self.assertEqual(req["min_disk_gb"], 60)
        small = [o for o in by.values() if o["vram_gb"] < ACE_VRAM]
        self.assertGreaterEqual(len(small), 6, "the demo market has 8, 10 and 11 GB cards")
        for o in small:
            f = self.finding(o, "vram")
            self.assertEqual((f["level"], o["verdict"]), ("block", "block"),
                             "offer %d (%s GB)" % (o["id"], o["vram_gb"]))
            self.assertIn(f["case"], (8, 9))
        big = [o for o in by.values() if o["vram_gb"] >= ACE_VRAM]
        self.assertGreater(len(big), 40)
        for o in big:
            self.assertEqual(self.finding(o, "vram")["level"], "pass",
                             "offer %d (%s GB)" % (o["id"], o["vram_gb"]))
        # a 12 GB card passes the 11.4 GB rule (and CUDA 12.8 meets the image's 12.8)
        self.assertEqual(self.finding(by[GOOD], "vram")["level"], "pass")
        self.assertEqual(self.finding(by[GOOD], "cuda")["level"], "pass")
        self.assertEqual(by[GOOD]["verdict"], "warn")     # only the 8/12 GB variant warning
        for oid in (EIGHT, EIGHT_TI, TEN):
            self.assertEqual(by[oid]["verdict"], "block", oid)

    def test_without_recipe_small_cards_pass_vram(self):
        doc, by = self.offers()
        self.assertIsNone(doc["requirements"]["min_vram_gb"])
        self.assertIsNone(doc["requirements"]["min_cuda"])
        for o in by.values():
            self.assertEqual(self.finding(o, "vram")["level"], "pass", o["id"])
        for oid in (EIGHT, EIGHT_TI, TEN):
            self.assertNotEqual(by[oid]["verdict"], "block", oid)

    def test_flag_wins_over_recipe(self):
        doc, by = self.offers("--min-vram", "16", "--recipe", ACE)
        self.assertEqual(doc["requirements"]["min_vram_gb"], 16)
        self.assertEqual(doc["requirements"]["min_cuda"], 12.8, "the rest still from the recipe")
        self.assertEqual(self.finding(by[GOOD], "vram")["level"], "block")
        self.assertEqual(self.finding(by[CN], "vram")["level"], "pass")
        # the order of the flags does not matter
        doc2, _ = self.offers("--recipe", ACE, "--min-vram", "16")
        self.assertEqual(doc2["requirements"]["min_vram_gb"], 16)

    @bad_input()
    def test_unknown_recipe(self):
        r = self.gw("offers", "--provider", "demo", "--recipe", "nope")
        self.assert_error(r, 2, "unknown recipe", "nope")
        self.assertIn(ACE, r.stderr, "the error lists the recipes there are")

    def test_recipe_file_path(self):
        path = os.path.join("tests", "fixtures", "recipes", "fixture-15gb.json")
        doc, by = self.offers("--recipe", path)
        self.assertEqual(doc["requirements"]["min_vram_gb"], 15.0)
        self.assertEqual(doc["requirements"]["min_cuda"], 12.8)
        self.assertEqual(doc["requirements"]["min_disk_gb"], 30)
        self.assertEqual(self.finding(by[GOOD], "vram")["level"], "block")    # 12 < 15
        self.assertEqual(self.finding(by[CN], "vram")["level"], "pass")
        # absolute path too
        doc, _ = self.offers("--recipe", os.path.join(REPO, path))
        self.assertEqual(doc["requirements"]["min_vram_gb"], 15.0)

    def test_table_shows_block_for_small_card(self):
        r = self.gw("offers", "--provider", "demo", "--recipe", ACE)
        self.assertEqual(r.returncode, 0, r.stderr)
        row = [ln for ln in r.stdout.splitlines() if str(EIGHT) in ln]
        self.assertEqual(len(row), 1, r.stdout)
        self.assertIn("BLOCK", row[0])
        r = self.gw("offers", "--provider", "demo")
        row = [ln for ln in r.stdout.splitlines() if str(EIGHT) in ln]
        self.assertNotIn("BLOCK", row[0])


# ---------------------------------------------------------------- check

class CheckCase(CliCase):

    def check(self, oid=GOOD, recipe=ACE, *args, code=None, extra_env=None):
        r = self.gw("check", "--provider", "demo", "--offer", str(oid), "--recipe", recipe,
                    "--json", *args, extra_env=extra_env)
        if code is not None:
            self.assertEqual(r.returncode, code, "stdout=%r stderr=%r"
                             % (r.stdout[-3000:], r.stderr))
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            self.fail("stdout is not JSON (%s): rc=%d %r stderr=%r"
                      % (e, r.returncode, r.stdout[:500], r.stderr))
        self.assert_rows_shape(doc)
        return doc, r

    def assert_rows_shape(self, doc):
        rows = doc["rows"]
        self.assertEqual(len(rows), 10)
        self.assertEqual([x["item"] for x in rows], list(range(1, 11)))
        for x in rows:
            self.assertEqual(set(x), ROW_KEYS, x)
            self.assertIn(x["status"], STATUSES, x)
            self.assertIsInstance(x["title"], str)
            self.assertTrue(x["title"], x)
            self.assertIsInstance(x["reason"], str)
            self.assertTrue(x["reason"], x)
            self.assertIsInstance(x["case"], int)
            self.assertTrue(1 <= x["case"] <= 10, x)

    @staticmethod
    def statuses(doc):
        return [x["status"] for x in doc["rows"]]

    @staticmethod
    def row(doc, item):
        return doc["rows"][item - 1]


class TestCheck(CheckCase):

    def test_good_offer_json(self):
        doc, r = self.check(GOOD, code=0)
        self.assertEqual(doc["offer"], GOOD)
        self.assertEqual(doc["recipe"], ACE)
        self.assertEqual(self.statuses(doc), GOOD_STATUSES, json.dumps(doc, indent=1))
        self.assertEqual([x["case"] for x in doc["rows"]], [1, 2, 4, 7, 10, 3, 3, 8, 7, 8])
        row5 = self.row(doc, 5)
        self.assertIn("OFFICIAL", row5["reason"])
        self.assertIn("verified publisher", row5["reason"])
        self.assertIn("nvidia/cuda", row5["reason"], "row 5 names the image: %r" % row5["reason"])
        self.assertIn("3.1 GB", row5["reason"])
        self.assertIn("11.4", self.row(doc, 4)["reason"])
        self.assertIn("8/12", self.row(doc, 4)["reason"])
        self.assertIn("/health", self.row(doc, 8)["reason"])
        # the metadata came from the fake hub: Docker Hub, GitHub and Hugging Face
        paths = [e["path"] for e in self.hub.log()]
        self.assertIn("/v2/namespaces/nvidia/repositories/cuda", paths)
        self.assertIn("/v2/namespaces/nvidia/repositories/cuda/tags/12.8.1-runtime-ubuntu22.04",
                      paths)
        self.assertIn("/repos/ace-step/ACE-Step-1.5", paths)
        self.assertIn("/api/models/ACE-Step/Ace-Step1.5", paths)

    def test_text_output(self):
        r = self.gw("check", "--provider", "demo", "--offer", str(GOOD), "--recipe", ACE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Preflight: offer %d (RTX 3060, US) for recipe %s" % (GOOD, ACE), r.stdout)
        rows = re.findall(r"^ ?(\d+)\. (PASS|WARN|FAIL|PENDING|UNKNOWN) ", r.stdout, re.M)
        self.assertEqual([int(n) for n, _ in rows], list(range(1, 11)), r.stdout)
        self.assertEqual([s for _, s in rows], GOOD_STATUSES)
        self.assertIn("No row FAILs", r.stdout)

    def test_eight_gb_offer_fails_row_4(self):
        doc, r = self.check(EIGHT, code=1)
        row4 = self.row(doc, 4)
        self.assertEqual(row4["status"], "FAIL")
        self.assertEqual(row4["case"], 9)
        self.assertIn("11.4", row4["reason"])
        self.assertEqual(self.statuses(doc)[8:], ["PENDING", "PENDING"])
        r = self.gw("check", "--provider", "demo", "--offer", str(EIGHT), "--recipe", ACE)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Launch refused", r.stdout)

    def test_cn_offer_fails_row_2(self):
        doc, _ = self.check(CN, code=1)
        self.assertEqual(self.row(doc, 2)["status"], "FAIL")
        self.assertEqual(self.row(doc, 2)["case"], 2)
        self.assertIn("CN", self.row(doc, 2)["reason"])
        fails = [x["item"] for x in doc["rows"] if x["status"] == "FAIL"]
        self.assertEqual(fails, [2], "only the region fails an A100 80 GB: %s"
                         % json.dumps(doc, indent=1))

    def test_third_party_image_fails_row_5(self):
        self.ace_variant("ace-valyrian", image="valyriantech/ace-step-1.5:latest",
                         image_recommended=False)
        doc, _ = self.check(GOOD, "ace-valyrian", code=1)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "FAIL", row5)
        self.assertEqual(row5["case"], 10)
        self.assertIn("UNVERIFIED", row5["reason"])
        self.assertIn("173.0 GB", row5["reason"])
        self.assertIn("over 100 GB", row5["reason"])
        self.assertEqual([x["item"] for x in doc["rows"] if x["status"] == "FAIL"], [5])

    def test_devel_tag_warns(self):
        self.ace_variant("ace-devel", image="nvidia/cuda:12.8.1-devel-ubuntu22.04")
        doc, _ = self.check(GOOD, "ace-devel", code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "WARN", row5)
        self.assertIn("devel", row5["reason"])
        self.assertIn("runtime", row5["reason"])
        self.assertIn("9.5 GB", row5["reason"])

    def test_big_popular_image_fails(self):
        self.ace_variant("ace-big", image="bigmodels/all-in-one:latest")
        doc, _ = self.check(GOOD, "ace-big", code=1)
        row5 = self.row(doc, 5)
        self.assertEqual((row5["status"], row5["case"]), ("FAIL", 10), row5)
        self.assertIn("COMMUNITY", row5["reason"])
        self.assertIn("120.0 GB", row5["reason"])

    def write_script(self, name, text):
        os.makedirs(self.user_dir, exist_ok=True)
        with open(os.path.join(self.user_dir, name), "w", encoding="utf-8") as f:
            f.write(text)

    def test_bad_setup_script_fails_row_6(self):
        # the seed's §5 anti-pattern as a recipe's setup script
        self.ace_variant("ace-badscript", setup_script="bad-setup.sh")
        self.write_script("bad-setup.sh", "#!/bin/bash\nset -euo pipefail\n"
                          "pip install torch || true\n"
                          "python download_model.py || true\n"
                          "echo \"SETUP_COMPLETE\"\n")
        doc, _ = self.check(GOOD, "ace-badscript", code=1)
        row6 = self.row(doc, 6)
        self.assertEqual((row6["status"], row6["case"]), ("FAIL", 3), row6)
        self.assertIn("bad-setup.sh line 3", row6["reason"])
        self.assertIn("swallowed-error", row6["reason"])
        self.assertEqual(self.row(doc, 7)["status"], "WARN")       # unchecked download
        self.assertIn("bad-setup.sh line 4", self.row(doc, 7)["reason"])
        self.assertEqual([x["item"] for x in doc["rows"] if x["status"] == "FAIL"], [6])

    def test_service_without_health_wait_warns_row_8(self):
        self.ace_variant("ace-nowait", setup_script="nowait.sh")
        self.write_script("nowait.sh", "#!/bin/bash\nset -euo pipefail\n"
                          "nohup python3 server.py --port 8001 >/tmp/server.log 2>&1 &\n"
                          "sleep 5\n")
        doc, _ = self.check(GOOD, "ace-nowait", code=0)
        row8 = self.row(doc, 8)
        self.assertEqual(row8["status"], "WARN", row8)
        self.assertIn("/health", row8["reason"])
        self.assertIn("nowait.sh line 3", row8["reason"])
        self.assertEqual(self.row(doc, 6)["status"], "PASS")

    def test_unverified_image_blocks_unless_recommended(self):
        # someuser/ubuntu-gpu: 117,656 pulls but 0 stars (UNVERIFIED), 9 MB
        self.ace_variant("ace-miner", image="someuser/ubuntu-gpu:latest",
                         image_recommended=False)
        doc, _ = self.check(GOOD, "ace-miner", code=1)
        row5 = self.row(doc, 5)
        self.assertEqual((row5["status"], row5["case"]), ("FAIL", 10), row5)
        self.assertIn("UNVERIFIED", row5["reason"])
        # the recipe's official source recommends it: OFFICIAL, no block
        self.ace_variant("ace-miner", image="someuser/ubuntu-gpu:latest",
                         image_recommended=True)
        doc, _ = self.check(GOOD, "ace-miner", code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "PASS", row5)
        self.assertIn("recommended by the recipe", row5["reason"])

    def test_image_on_another_registry_is_unknown(self):
        self.ace_variant("ace-ghcr", image="ghcr.io/acme/tool:1.0")
        doc, _ = self.check(GOOD, "ace-ghcr", code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "UNKNOWN", row5)
        self.assertIn("not a Docker Hub image", row5["reason"])
        self.assertEqual([e for e in self.hub.log() if e["path"].startswith("/v2/")], [],
                         "no Docker Hub request for another registry's image")

    def test_zero_star_repo_is_shown_but_does_not_fail(self):
        doc0 = bundled_recipe()
        official = dict(doc0["official"], repo="someuser/empty-repo")
        self.ace_variant("ace-emptyrepo", official=official)
        doc, r = self.check(GOOD, "ace-emptyrepo", code=0)
        row5 = self.row(doc, 5)
        self.assertNotEqual(row5["status"], "FAIL")
        self.assertRegex(row5["reason"], r"repo (UNVERIFIED|LOW)",
                         "the 0-star repository is shown with its label: %r" % row5["reason"])
        self.assertIn("/repos/someuser/empty-repo", [e["path"] for e in self.hub.log()])

    def test_archived_repo_warns(self):
        official = dict(bundled_recipe()["official"], repo="oldorg/abandoned")
        self.ace_variant("ace-archived", official=official)
        doc, _ = self.check(GOOD, "ace-archived", code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "WARN", row5)
        self.assertIn("archived", row5["reason"])

    def test_offline(self):
        doc, _ = self.check(GOOD, ACE, "--offline", code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "UNKNOWN")
        self.assertIn("UNKNOWN (offline)", row5["reason"])
        self.assertNotIn("OFFICIAL", row5["reason"])
        self.assertEqual(self.hub.log(), [], "--offline made metadata requests")
        self.assertFalse(os.path.exists(os.path.join(self.cache_dir, "hub")),
                         "--offline wrote metadata cache files")
        want = list(GOOD_STATUSES)
        want[4] = "UNKNOWN"
        self.assertEqual(self.statuses(doc), want)
        # offline does not hide a real failure
        doc, _ = self.check(CN, ACE, "--offline", code=1)
        self.assertEqual(self.row(doc, 2)["status"], "FAIL")
        self.assertEqual(self.hub.log(), [])

    @fault
    def test_no_network(self):
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        env = {"GPUWARDEN_HUB_URL": url, "GPUWARDEN_GITHUB_URL": url, "GPUWARDEN_HF_URL": url}
        t0 = time.monotonic()
        doc, r = self.check(GOOD, ACE, code=0, extra_env=env)
        self.assertLess(time.monotonic() - t0, 20)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "UNKNOWN", row5)
        self.assertIn("UNKNOWN (offline)", row5["reason"])
        self.assertIn("127.0.0.1:%d" % port, row5["reason"], "the reason names the URL")
        want = list(GOOD_STATUSES)
        want[4] = "UNKNOWN"
        self.assertEqual(self.statuses(doc), want)
        doc, _ = self.check(EIGHT, ACE, code=1, extra_env=env)
        self.assertEqual(self.row(doc, 4)["status"], "FAIL")

    @fault
    def test_429_once_is_retried(self):
        self.hub.set_mode("429", count=1, retry_after=1)
        doc, _ = self.check(GOOD, code=0)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "PASS", row5)
        self.assertNotIn("UNKNOWN", row5["reason"])
        log = self.hub.log()
        self.assertEqual(log[0]["status"], 429)
        again = [e for e in log[1:] if e["path"] == log[0]["path"]]
        self.assertEqual(len(again), 1, "the 429'd request is sent again: %r"
                         % [(e["path"], e["status"]) for e in log])
        self.assertEqual(again[0]["status"], 200)

    @fault
    def test_429_forever_is_unknown_not_provider_error(self):
        self.hub.set_mode("429", count=-1, path="/v2/")
        doc, r = self.check(GOOD, code=0)
        self.assertNotEqual(r.returncode, 3)
        row5 = self.row(doc, 5)
        self.assertEqual(row5["status"], "UNKNOWN", row5)
        self.assertIn("rate limited by 127.0.0.1", row5["reason"])
        self.assertRegex(row5["reason"], r"try again in \d+ s")
        limited = [e for e in self.hub.log() if e["status"] == 429]
        self.assertGreaterEqual(len(limited), 2, "429 is retried before giving up")
        # the other sources still answered and are not dragged down
        self.assertIn("/repos/ace-step/ACE-Step-1.5", [e["path"] for e in self.hub.log()])

    @fault
    def test_server_errors_are_unknown(self):
        for mode in ("500", "malformed", "html"):
            with self.subTest(mode=mode):
                self.hub.reset()
                shutil.rmtree(self.cache_dir, ignore_errors=True)
                self.hub.set_mode(mode, count=-1, path="/v2/")
                doc, r = self.check(GOOD, code=0)
                self.assertEqual(self.row(doc, 5)["status"], "UNKNOWN", self.row(doc, 5))

    def test_cache_within_ttl(self):
        first, _ = self.check(GOOD, code=0)
        self.assertTrue(self.hub.log())
        self.hub.reset()
        second, _ = self.check(GOOD, code=0)
        self.assertEqual(self.hub.log(), [], "a second check within the TTL asks nothing")
        self.assertEqual(self.statuses(second), self.statuses(first))
        self.assertEqual(self.row(second, 5)["reason"], self.row(first, 5)["reason"])
        # the files: 0700 folders, 0600 files, under $XDG_CACHE_HOME/gpuwarden
        self.assertTrue(os.path.isdir(self.cache_dir))
        files = []
        for root, dirs, names in os.walk(self.cache_dir):
            self.assertEqual(stat.S_IMODE(os.stat(root).st_mode), 0o700, root)
            files += [os.path.join(root, n) for n in names]
        self.assertGreaterEqual(len(files), 3, "image, repo and model entries: %r" % files)
        for p in files:
            self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600, p)
        # offline after a fetch still says UNKNOWN (offline), never the cached label
        doc, _ = self.check(GOOD, ACE, "--offline", code=0)
        self.assertEqual(self.row(doc, 5)["status"], "UNKNOWN")

    def test_user_agent_and_no_authorization(self):
        self.check(GOOD, code=0, extra_env={"VAST_API_KEY": FAKE_KEY})
        log = self.hub.log()
        self.assertGreaterEqual(len(log), 4)
        for e in log:
            self.assertTrue((e["user_agent"] or "").startswith("gpuwarden/"), e)
            self.assertFalse(e["authorization"], "Authorization sent to %s" % e["path"])
            self.assertNotIn(FAKE_KEY, json.dumps(e), "the vast key leaked to %s" % e["path"])


class TestCheckUsage(CheckCase):

    @bad_input()
    def test_missing_options(self):
        for args in ([], ["--offer", str(GOOD)], ["--recipe", ACE]):
            with self.subTest(args=args):
                r = self.gw("check", "--provider", "demo", *args)
                self.assert_error(r, 2, "usage")
        self.assertEqual(self.hub.log(), [])

    @bad_input()
    def test_unknown_offer(self):
        r = self.gw("check", "--provider", "demo", "--offer", "999", "--recipe", ACE, "--json")
        self.assert_error(r, 2, "999", "not found")
        self.assertEqual(self.hub.log(), [], "no metadata is fetched for a missing offer")

    @bad_input()
    def test_unknown_recipe(self):
        r = self.gw("check", "--provider", "demo", "--offer", str(GOOD), "--recipe", "nope")
        self.assert_error(r, 2, "unknown recipe")

    def test_from_file(self):
        dump = os.path.join(self.tmp, "offers.json")
        offers = [
            {"id": 777001, "gpu_name": "RTX 4090", "num_gpus": 1, "gpu_ram": 24564,
             "compute_cap": 890, "reliability2": 0.998, "dph_total": 0.4,
             "geolocation": "California, US", "inet_down": 800.0, "inet_up": 700.0,
             "verification": "verified", "hosting_type": 0, "cuda_max_good": 12.8,
             "disk_space": 200.0},
            {"id": 777002, "gpu_name": "RTX 3070", "num_gpus": 1, "gpu_ram": 8192,
             "compute_cap": 860, "reliability2": 0.995, "dph_total": 0.1,
             "geolocation": "Tokyo, JP", "inet_down": 400.0, "inet_up": 300.0,
             "verification": "verified", "hosting_type": 0, "cuda_max_good": 12.8,
             "disk_space": 200.0},
        ]
        with open(dump, "w", encoding="utf-8") as f:
            json.dump({"offers": offers}, f)
        r = self.gw("check", "--from", dump, "--offer", "777001", "--recipe", ACE, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assert_rows_shape(doc)
        self.assertEqual(doc["offer"], 777001)
        self.assertEqual(self.statuses(doc), ["PASS"] * 8 + ["PENDING"] * 2,
                         json.dumps(doc, indent=1))
        r = self.gw("check", "--from", dump, "--offer", "777002", "--recipe", ACE, "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(json.loads(r.stdout)["rows"][3]["status"], "FAIL")
        r = self.gw("check", "--from", dump, "--offer", "777003", "--recipe", ACE)
        self.assert_error(r, 2, "777003", "not found")
        # a vastai --raw dump (a bare list) works too
        with open(dump, "w", encoding="utf-8") as f:
            json.dump(offers, f)
        r = self.gw("check", "--from", dump, "--offer", "777001", "--recipe", ACE, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
