#!/usr/bin/env python3
"""Generates assets/demo-offers.json: the invented vast.ai market of the demo provider.
Deterministic (fixed seed, fixed clock); rerun: python3 tools/gen_demo_offers.py > assets/demo-offers.json
Output: a bare JSON array of vast.ai-shaped offers, like `vastai search offers --raw`."""

import json
import random
import sys

SEED = 20260101
NOW = 1767225600.0          # fixed "now" (2026-01-01T00:00:00Z): no time dependence
STORAGE_GB = 5              # allocated_storage the CLI prices with by default
MISSING = object()          # override value meaning "drop this key from the offer"

# gpu_name: (compute_cap, gpu_ram MiB, fp32 TFLOPS, mem GB/s, watts, dlperf, $/h per GPU)
GPUS = {
    "RTX 5090":     (1200, 32607, 104.8, 1792.0, 575, 125.0, (0.55, 0.90)),
    "RTX 4090":     (890, 24564, 82.6, 1008.0, 450, 98.0, (0.30, 0.60)),
    "RTX 3090":     (860, 24576, 35.6, 936.2, 350, 52.0, (0.15, 0.30)),
    "RTX 3080":     (860, 10240, 29.8, 760.3, 320, 40.0, (0.08, 0.15)),
    "RTX 3060":     (860, 12288, 12.7, 360.0, 170, 19.0, (0.05, 0.12)),
    "RTX 4060 Ti":  (890, 16380, 22.1, 288.0, 165, 26.0, (0.08, 0.15)),
    "RTX A6000":    (860, 49140, 38.7, 768.0, 300, 58.0, (0.35, 0.55)),
    "RTX 6000Ada":  (890, 49140, 91.1, 960.0, 300, 105.0, (0.70, 1.00)),
    "L40S":         (890, 46068, 91.6, 864.0, 350, 108.0, (0.60, 0.90)),
    "A100 SXM4":    (800, 81920, 19.5, 2039.0, 400, 170.0, (0.80, 1.60)),
    "H100 SXM":     (900, 81559, 67.0, 3350.0, 700, 260.0, (1.80, 2.80)),
    "Tesla T4":     (750, 15360, 8.1, 320.0, 70, 11.0, (0.08, 0.15)),
    "Tesla V100":   (700, 16384, 15.7, 900.0, 300, 33.0, (0.15, 0.35)),
    "Titan V":      (700, 12288, 14.9, 652.8, 250, 30.0, (0.12, 0.20)),
    "GTX 1080 Ti":  (610, 11264, 11.3, 484.4, 250, 14.0, (0.05, 0.10)),
    "Tesla P40":    (610, 24576, 11.8, 347.1, 250, 13.0, (0.08, 0.15)),
    "Tesla P100":   (600, 16384, 9.3, 732.2, 250, 15.0, (0.08, 0.15)),
}

# (driver_version, cuda_max_good)
MODERN_DRIVERS = [("535.183.01", 12.2), ("550.127.05", 12.4), ("550.144.03", 12.4),
                  ("560.35.03", 12.6), ("565.57.01", 12.7), ("570.124.04", 12.8),
                  ("570.133.07", 12.8)]
BLACKWELL_DRIVERS = [("570.124.04", 12.8), ("570.133.07", 12.8)]
OLD_DRIVERS = {"11.4": ("470.256.02", 11.4), "11.7": ("515.105.01", 11.7),
               "11.8": ("520.61.05", 11.8)}

GOOD_GEOS = ["Quebec, CA", "Ontario, CA", "Texas, US", "California, US", "Oregon, US",
             "Virginia, US", "Georgia, US", ", US", "Bavaria, DE", "Hesse, DE",
             "Noord-Holland, NL", "Stockholm, SE", "Uusimaa, FI", "Tokyo, JP", "Osaka, JP"]

CPUS = [("AMD EPYC 7763 64-Core Processor", 128), ("AMD EPYC 9554 64-Core Processor", 128),
        ("AMD EPYC 7B13 64-Core Processor", 64),
        ("Intel(R) Xeon(R) Gold 6342 CPU @ 2.80GHz", 96),
        ("Intel(R) Xeon(R) Platinum 8480+", 112),
        ("AMD Ryzen 9 7950X 16-Core Processor", 32),
        ("AMD Ryzen 9 5950X 16-Core Processor", 32),
        ("Intel(R) Core(TM) i9-13900K", 32),
        ("Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz", 80),
        ("AMD Ryzen Threadripper PRO 5975WX 32-Cores", 64)]

VERICODE = {"verified": 1, "unverified": 0}   # deverified codes are given per offer


class Market:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.offers = []
        self.ids = set()
        self.ips = set()

    def new_id(self):
        while True:
            oid = self.rng.randint(10_000_000, 29_999_999)
            if oid not in self.ids:
                self.ids.add(oid)
                return oid

    def new_ip(self):
        while True:
            ip = "%s.%d" % (self.rng.choice(["192.0.2", "198.51.100", "203.0.113"]),
                            self.rng.randint(2, 254))
            if ip not in self.ips:
                self.ips.add(ip)
                return ip

    def add(self, gpu, n=1, geo=None, ver="verified", dc=0, rel=None, price=None,
            ram=None, driver=None, net=None, **overrides):
        """One offer; arguments left None get healthy random values."""
        r = self.rng
        cc, gram, tflops, bw, watts, dlperf, (plo, phi) = GPUS[gpu]
        gram = ram or gram
        geo = geo or r.choice(GOOD_GEOS)
        rel = rel if rel is not None else round(r.uniform(0.990, 0.9997), 4)
        per_gpu = price if price is not None else r.uniform(plo, phi)
        dver, cuda = driver or r.choice(BLACKWELL_DRIVERS if cc >= 1200 else MODERN_DRIVERS)
        down, up = net or (round(r.uniform(400, 5000), 1), round(r.uniform(300, 3000), 1))
        machine_gpus = r.choice([g for g in (1, 2, 4, 8) if g >= n])
        cpu_name, cpu_cores = r.choice(CPUS)
        storage_cost = round(r.choice([0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3]), 2)
        storage_total = storage_cost * STORAGE_GB / 720
        dph_base = round(per_gpu * n, 4)
        dph_total = dph_base + storage_total
        perf = round(dlperf * n * r.uniform(0.93, 1.03), 3)
        start = NOW - r.uniform(3, 400) * 86400
        end = NOW + r.uniform(7, 180) * 86400
        oid = self.new_id()
        offer = {
            "id": oid, "ask_contract_id": oid, "bundle_id": r.randint(10**9, 2 * 10**9),
            "machine_id": r.randint(1000, 60000), "host_id": r.randint(10000, 400000),
            "gpu_name": gpu, "gpu_arch": "nvidia", "num_gpus": n,
            "gpu_ram": gram, "gpu_total_ram": gram * n, "gpu_frac": n / machine_gpus,
            "gpu_mem_bw": bw, "gpu_max_power": float(watts), "gpu_lanes": r.choice([8, 16]),
            "compute_cap": cc, "cuda_max_good": cuda, "driver_version": dver,
            "driver_vers": int("".join(p.zfill(3) for p in dver.split("."))),
            "bw_nvlink": 0.0, "pci_gen": r.choice([3.0, 4.0, 4.0, 5.0]),
            "reliability": rel, "reliability2": rel,
            "dph_base": dph_base, "storage_cost": storage_cost,
            "storage_total_cost": storage_total, "dph_total": dph_total,
            "min_bid": round(dph_base * r.uniform(0.35, 0.7), 4), "is_bid": False,
            "inet_down": down, "inet_up": up,
            "inet_down_cost": round(r.uniform(0.0, 0.02), 4),
            "inet_up_cost": round(r.uniform(0.0, 0.02), 4),
            "geolocation": geo, "verification": ver,
            "vericode": overrides.pop("vericode", VERICODE.get(ver, 8)), "hosting_type": dc,
            "disk_space": round(r.uniform(80, 2000), 2), "disk_bw": round(r.uniform(500, 6500), 1),
            "cpu_name": cpu_name, "cpu_arch": "amd64", "cpu_cores": cpu_cores,
            "cpu_cores_effective": cpu_cores * n / machine_gpus,
            "cpu_ghz": round(r.uniform(2.2, 5.5), 3), "has_avx": 1,
            "cpu_ram": int(r.choice([64, 128, 256, 512, 1024]) * 1006.3 + r.randint(0, 900)),
            "direct_port_count": r.randint(8, 480), "public_ipaddr": self.new_ip(),
            "static_ip": r.random() < 0.6 or dc == 1,
            "os_version": r.choice(["20.04", "22.04", "22.04", "24.04"]),
            "rentable": True, "rented": False, "external": None, "vms_enabled": False,
            "dlperf": perf, "dlperf_per_dphtotal": perf / dph_total,
            "total_flops": round(tflops * n * r.uniform(0.97, 1.02), 3),
            "score": perf / dph_total * rel ** 8 * (1.0 if ver == "verified" else 0.7),
            "start_date": start, "end_date": end, "duration": end - NOW,
        }
        for key, value in overrides.items():
            if value is MISSING:
                offer.pop(key, None)
            else:
                offer[key] = value
        self.offers.append(offer)
        return offer


def build():
    m = Market()
    add = m.add

    # --- Healthy majority: verified, preferred regions, realistic prices, modern drivers.
    for _ in range(6):
        add("RTX 4090")
    add("RTX 4090", 2)
    add("RTX 4090", 2, geo="Noord-Holland, NL")
    add("RTX 4090", 4, geo="Stockholm, SE", dc=1)
    add("RTX 4090", 8, geo="Texas, US", dc=1, price=0.42)
    for _ in range(2):
        add("RTX 5090")
    add("RTX 5090", 2, geo="Uusimaa, FI")
    for _ in range(3):
        add("RTX 3090")
    add("RTX 3090", 2, geo="Bavaria, DE")
    add("H100 SXM", geo="Virginia, US", dc=1)
    add("H100 SXM", geo="Noord-Holland, NL", dc=1)
    add("H100 SXM", 2, geo="Oregon, US", dc=1)
    add("A100 SXM4", geo="Texas, US", dc=1)
    add("A100 SXM4", geo="Hesse, DE")
    add("RTX A6000")
    add("RTX A6000", 4, geo="Ontario, CA")
    add("L40S", geo="Tokyo, JP", dc=1)
    add("L40S", geo="California, US")
    add("RTX 6000Ada", geo="Quebec, CA")
    add("RTX 3060", ram=12288, geo="Georgia, US")
    # case-7 machine (SPEC §7): advertises 12288 MiB, its nvidia-smi reports 8 GB at verify;
    # the demo provider reads the marker, everything else ignores unknown keys
    add("RTX 3060", ram=12288, geo="Stockholm, SE", _demo_verify_gpu_ram=8192,
        cuda_max_good=12.8, driver_version="570.133.07")  # a driver every recipe accepts
    add("Tesla T4", geo="Oregon, US", dc=1)
    add("RTX 3080", geo="Bavaria, DE")
    add("RTX 3080", ram=12288, geo="Osaka, JP")          # RTX 3080 12 GB variant
    add("RTX 4060 Ti", ram=16380, geo="Uusimaa, FI")

    # --- GFW trap (case 2): CN hosts, some otherwise excellent and cheap.
    add("RTX 4090", geo="Guangdong, CN", rel=0.9981, price=0.22, net=(2400.0, 1900.0))
    add("RTX 3090", 2, geo="Sichuan, CN", rel=0.9962, price=0.11)
    add("A100 SXM4", geo="Zhejiang, CN", dc=1, rel=0.9990, price=0.62)
    add("RTX 4090", 8, geo="Guangdong, CN", ver="unverified", rel=0.9712, price=0.26)

    # --- Compute capability below sm_70 (case 1): sm_61 and sm_60.
    add("GTX 1080 Ti", geo="Poland, PL", rel=0.9871, price=0.06)
    add("GTX 1080 Ti", 4, geo="Texas, US", ver="unverified", rel=0.9350, price=0.07)
    add("Tesla P40", geo="Ontario, CA", rel=0.9925, price=0.10)
    add("Tesla P40", 2, geo=", US", rel=0.9640, ver="unverified", price=0.09)
    add("Tesla P100", geo="Bavaria, DE", rel=0.9912, price=0.09)

    # --- sm_70, the minimum line: V100 16 GB and 32 GB (VRAM variant), Titan V.
    add("Tesla V100", ram=16384, geo="Virginia, US", rel=0.9953, price=0.18)
    add("Tesla V100", ram=32768, geo="Noord-Holland, NL", rel=0.9931, price=0.26)
    add("Tesla V100", 8, ram=32768, geo="Texas, US", dc=1, rel=0.9991, price=0.25)
    add("Titan V", geo="Uusimaa, FI", rel=0.9905, price=0.14)

    # --- VRAM variants (case 7): RTX 3060 8 GB / 12 GB, RTX 4060 Ti 8 GB / 16 GB, A100 40/80.
    add("RTX 3060", ram=8192, geo="California, US", rel=0.9936, price=0.05)     # 3060 8 GB
    add("RTX 3060", ram=12288, geo="Quebec, CA", rel=0.9948, price=0.08)       # 3060 12 GB
    demo = add("RTX 3060", ram=12288, geo="Texas, US", rel=0.9962, price=0.07)
    m.ids.add(4242307)          # a fixed id for the README and the tests: a good 12 GB 3060
    demo.update(id=4242307, ask_contract_id=4242307)
    add("RTX 4060 Ti", ram=8188, geo="Stockholm, SE", rel=0.9921, price=0.09)  # 4060 Ti 8 GB
    add("RTX 4060 Ti", ram=16380, geo="Hesse, DE", rel=0.9940, price=0.13)     # 4060 Ti 16 GB
    add("A100 SXM4", ram=40960, geo="Oregon, US", dc=1, rel=0.9990, price=0.85)  # A100 40 GB
    add("A100 SXM4", ram=81920, geo="Quebec, CA", dc=1, rel=0.9994, price=1.25)  # A100 80 GB
    add("A100 SXM4", 8, ram=81920, geo="Virginia, US", dc=1, rel=0.9996, price=1.10)

    # --- Low reliability hosts (0.6-0.95).
    add("RTX 4090", geo="Seoul, KR", ver="unverified", rel=0.6213, price=0.28)  # new host
    add("RTX 3090", geo="Texas, US", ver="unverified", rel=0.8830, price=0.16)
    add("RTX 4090", geo="Bavaria, DE", rel=0.9410, price=0.31)
    add("H100 SXM", geo="Ontario, CA", ver="unverified", rel=0.9120, price=1.45)

    # --- Slow or garbage network (case 5).
    add("RTX 3090", geo="Poland, PL", rel=0.9911, price=0.17, net=(45.2, 12.8))
    add("RTX 4090", geo="Tokyo, JP", rel=0.9950, price=0.38, net=(850.4, 61.3))
    add("RTX 3080", geo="Brazil, BR", ver="unverified", rel=0.9702, price=0.09,
        net=(512.6, -1.7936718e12))                                  # negative inet_up

    # --- Certified data centers (hosting_type 1, verified).
    add("H100 SXM", 8, geo="Texas, US", dc=1, rel=0.9997, price=2.35)
    add("H100 SXM", geo="Quebec, CA", dc=1, rel=0.9995, price=2.10)
    add("L40S", geo="Noord-Holland, NL", dc=1, rel=0.9993, price=0.78)
    add("RTX 6000Ada", 2, geo="Stockholm, SE", dc=1, rel=0.9992, price=0.85)

    # --- Deverified hosts (vericode 2/4/8/12), one of them a data center.
    add("RTX 4090", geo="Hong Kong, HK", ver="deverified", vericode=8, rel=0.9700, price=0.29)
    add("RTX 3090", geo="California, US", ver="deverified", vericode=2, rel=0.9890, price=0.18)
    add("RTX 5090", geo="Ontario, CA", ver="deverified", vericode=4, rel=0.9820, price=0.58)
    add("RTX A6000", geo="Hesse, DE", dc=1, ver="deverified", vericode=12, rel=0.9930,
        price=0.38)

    # --- Old CUDA drivers (cuda_max_good 11.4-11.8).
    add("Tesla T4", geo="Virginia, US", rel=0.9930, price=0.09, driver=OLD_DRIVERS["11.4"])
    add("RTX 3090", geo="Uusimaa, FI", rel=0.9940, price=0.19, driver=OLD_DRIVERS["11.7"])
    add("RTX A6000", geo="Bavaria, DE", rel=0.9950, price=0.40, driver=OLD_DRIVERS["11.8"])

    # --- Missing / null fields: garbage in, "unknown" out.
    add("RTX 4090", geolocation=None, rel=0.9930, price=0.35)        # null geolocation
    add("RTX 3090", geo="Georgia, US", price=0.21, reliability=None, reliability2=None)
    add("RTX 3080", geo="Ontario, CA", rel=0.9920, price=0.10, inet_up=MISSING)  # no inet_up
    add("RTX 4090", geo="Oregon, US", rel=0.9960, price=0.45, compute_cap=None)  # null CC
    add("Tesla T4", geo="Hesse, DE", rel=0.9940, price=0.11, compute_cap=None,
        driver_vers=None, os_version=None)
    add("RTX 3060", ram=12288, geo="Tokyo, JP", rel=0.9910, price=0.10, compute_cap=None)

    offers = m.offers
    offers.sort(key=lambda o: o["score"], reverse=True)     # vast's default order: score desc
    return offers


def main():
    offers = build()
    json.dump(offers, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
