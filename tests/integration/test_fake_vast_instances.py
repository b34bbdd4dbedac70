"""Tests of the fake vast.ai server's instance endpoints and their controls (tests/fake_vast.py
through fakevast.FakeVast), so the later pipeline tests can trust the fake: create, show's
loading -> running progression, the v1 list's paging tokens, stop/destroy, faults aimed at one
endpoint. Only 127.0.0.1 is contacted.
"""

import json
import shutil
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

if __package__:
    from .fakevast import DIRECT, FakeVast
else:   # run as a script, or discovered without -t
    from fakevast import DIRECT, FakeVast

KEY = "test-key-123"
OFFERS = [{"id": 301, "gpu_name": "RTX 4090", "num_gpus": 1, "gpu_ram": 24564,
           "gpu_total_ram": 24564, "dph_total": 0.4, "geolocation": "Texas, US",
           "disk_space": 120.0, "public_ipaddr": "192.0.2.9"},
          {"id": 302, "gpu_name": "RTX 3060", "num_gpus": 2, "gpu_ram": 12288,
           "dph_total": 0.2, "geolocation": "Quebec, CA", "disk_space": 50.0}]
CREATE = {"client_id": "me", "image": "pytorch/pytorch:latest", "disk": 32,
          "label": "gpuwarden:pytorch-smoke", "env": {"A": "1", "-p 8000:8000": "1"},
          "runtype": "ssh_direc ssh_proxy", "cancel_unavail": True}


class TestFakeVastInstances(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gw-fakevast-")
        cls.fake = FakeVast()
        try:
            cls.fake.start(cls.tmp, OFFERS)
        except RuntimeError:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.fake.reset()

    def call(self, method, path, body=None, key=KEY):
        """(status, parsed JSON body or text) of one API request."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = "Bearer " + key
        req = urllib.request.Request(self.fake.url + path, data=data, method=method,
                                     headers=headers)
        try:
            with DIRECT.open(req, timeout=10) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw.decode("utf-8"))
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def test_create_show_destroy(self):
        self.fake.set_instances(ssh_host="127.0.0.1", ssh_port=2222, direct=True, loading_polls=1)
        status, reply = self.call("PUT", "/api/v0/asks/301/", CREATE)
        self.assertEqual((status, reply["success"], reply["new_contract"]), (200, True, 7000001))
        inst = self.fake.instances()[0]
        self.assertEqual(inst["extra_env"], [["A", "1"], ["-p 8000:8000", "1"]])
        self.assertEqual((inst["gpu_totalram"], inst["disk_space"]), (24564, 32))
        # rented: gone from searches and from a second create
        status, reply = self.call("POST", "/api/v0/bundles/", {})
        self.assertEqual([o["id"] for o in reply["offers"]], [302])
        status, reply = self.call("PUT", "/api/v0/asks/301/", CREATE)
        self.assertEqual((status, reply["error"]), (404, "no_such_ask"))
        self.assertIn("Instance type by id 301 is not available", reply["msg"])

        status, reply = self.call("GET", "/api/v0/instances/7000001/")
        self.assertEqual(reply["instances"]["actual_status"], "loading")
        self.assertNotIn("ports", reply["instances"])
        status, reply = self.call("GET", "/api/v0/instances/7000001/")
        inst = reply["instances"]
        self.assertEqual((inst["actual_status"], inst["public_ipaddr"], inst["ssh_port"]),
                         ("running", "127.0.0.1", 2222))
        self.assertEqual(inst["ports"]["22/tcp"][0]["HostPort"], "2222")

        self.assertEqual(self.call("PUT", "/api/v0/instances/7000001/", {"state": "stopped"}),
                         (200, {"success": True}))
        self.assertEqual(self.fake.instances()[0]["actual_status"], "stopped")
        self.assertEqual(self.call("DELETE", "/api/v0/instances/7000001/", {}),
                         (200, {"success": True}))
        self.assertEqual(self.call("GET", "/api/v0/instances/7000001/"),
                         (200, {"instances": None}))
        status, reply = self.call("DELETE", "/api/v0/instances/7000001/", {})
        self.assertEqual((status, reply["error"]), (404, "no_such_instance"))
        deletes = [e for e in self.fake.log() if e["method"] == "DELETE"]
        self.assertEqual(len(deletes), 2)

    def test_create_refusals(self):
        status, reply = self.call("PUT", "/api/v0/asks/301/", CREATE, key=None)
        self.assertEqual((status, reply["error"]), (404, "auth_error"))
        status, reply = self.call("PUT", "/api/v0/asks/301/", dict(CREATE, env="-e A=1"))
        self.assertEqual((status, reply["error"]), (400, "invalid_args"))
        self.assertIn("env must be a dict", reply["msg"])
        self.assertEqual(self.fake.instances(), [])

    def test_final_status(self):
        self.fake.set_instances(loading_polls=0, final_status="exited")
        self.call("PUT", "/api/v0/asks/302/", CREATE)
        status, reply = self.call("GET", "/api/v0/instances/7000001/")
        self.assertEqual(reply["instances"]["actual_status"], "exited")
        self.assertEqual(reply["instances"]["gpu_totalram"], 24576)   # 2 x 12288

    def test_list_pages(self):
        self.assertEqual(self.fake.add_instances([{"id": 11}, {"id": 12}, {}]), [11, 12, 7000001])
        self.assertEqual(self.fake.set_instances(page_size=2)["page_size"], 2)
        ids, token, pages = [], None, 0
        while True:
            query = "limit=25"
            if token is not None:
                query += "&after_token=" + urllib.parse.quote(json.dumps(token), safe="")
            status, reply = self.call("GET", "/api/v1/instances/?" + query)
            self.assertEqual(status, 200)
            self.assertEqual(reply["total_instances"], 3)
            ids += [i["id"] for i in reply["instances"]]
            pages += 1
            token = reply["next_token"]
            if not token:
                break
        self.assertEqual((ids, pages), ([11, 12, 7000001], 2))
        status, reply = self.call("GET", "/api/v1/instances/?after_token=%22nonsense%22")
        self.assertEqual((status, reply["error"]), (400, "invalid_token"))
        status, reply = self.call("GET", "/api/v0/instances/")
        self.assertEqual((status, reply["error"]), (410, "deprecated_endpoint"))

    def test_faults_aimed_at_an_endpoint(self):
        self.fake.add_instances([{"id": 5, "actual_status": "running"}])
        self.assertEqual(self.fake.set_mode("500", count=1, endpoint="show")["endpoint"], "show")
        self.assertEqual(self.call("POST", "/api/v0/bundles/", {})[0], 200)   # not aimed here
        self.assertEqual(self.call("GET", "/api/v0/instances/5/")[0], 500)
        self.assertEqual(self.call("GET", "/api/v0/instances/5/")[0], 200)    # count used up
        self.fake.set_mode("429", count=-1, endpoint="any")
        self.assertEqual(self.call("DELETE", "/api/v0/instances/5/", {})[0], 429)
        self.assertEqual(len(self.fake.instances()), 1)      # a fault changes nothing
        self.fake.set_mode("normal")
        self.assertEqual(self.call("DELETE", "/api/v0/instances/5/", {})[0], 200)
        # the default endpoint is still the search
        self.fake.set_mode("500")
        self.assertEqual(self.call("POST", "/api/v0/bundles/", {})[0], 500)


if __name__ == "__main__":
    unittest.main()
