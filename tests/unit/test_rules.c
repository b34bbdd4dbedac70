/* Tests the offer rules of SPEC §2 (src/rules.c) at and around every threshold. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gpus.h"
#include "offer.h"
#include "rules.h"

/* An offer that passes every rule under the SPEC defaults. */
static struct offer good_offer(void)
{
    struct offer o;
    memset(&o, 0, sizeof o);
    o.id = 1;
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 4090");
    o.num_gpus = 1;
    o.gpu_ram_mib = 24564;
    o.compute_cap = 8.9;
    o.reliability = 0.995;
    o.dph_total = 0.40;
    o.inet_down = 800;
    o.inet_up = 600;
    o.cuda_max_good = 12.4;
    o.disk_space = 100;
    o.score = 10;
    snprintf(o.geolocation, sizeof o.geolocation, "%s", "California, US");
    snprintf(o.country, sizeof o.country, "%s", "US");
    o.host = OFFER_HOST_VERIFIED;
    return o;
}

static struct requirements defaults(void)
{
    struct requirements req;
    requirements_default(&req);
    return req;
}

/* The level of one rule, with the built-in GPU table. */
static enum level level_of(const struct offer *o, const struct requirements *req, enum rule_id rule)
{
    struct finding f[RULE_COUNT];
    rules_eval(o, req, gpus_builtin(), f);
    return f[rule].level;
}

static void finding_of(const struct offer *o, const struct requirements *req,
                       const struct gpus_table *gpus, enum rule_id rule, struct finding *out)
{
    struct finding f[RULE_COUNT];
    rules_eval(o, req, gpus, f);
    *out = f[rule];
}

static void test_defaults(void **state)
{
    (void)state;
    struct requirements req = defaults();
    assert_true(isnan(req.min_vram_gb));
    assert_true(isnan(req.max_dph));
    assert_true(isnan(req.min_cuda));
    assert_true(isnan(req.min_disk_gb));
    assert_float_equal(req.min_reliability, 0.99, 1e-12);
    assert_float_equal(req.min_inet_mbps, 100.0, 1e-12);
    assert_int_equal(req.nblock, 1);
    assert_string_equal(req.block_regions[0], "CN");
    static const char *const prefer[] = {"US", "CA", "DE", "NL", "SE", "FI", "JP"};
    assert_int_equal(req.nprefer, 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(req.prefer_regions[i], prefer[i]);
}

static void test_good_offer_passes_everything(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    struct finding f[RULE_COUNT];
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_PASS);
    for (int r = 0; r < RULE_COUNT; r++) {
        if (f[r].level != LEVEL_PASS)
            print_error("rule %s: %s\n", rule_name((enum rule_id)r), f[r].message);
        assert_int_equal(f[r].level, LEVEL_PASS);
    }
}

/* --- compute_capability --- */

static void test_cc_thresholds(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    static const struct {
        double cc;
        enum level want;
    } cases[] = {
        {9.0, LEVEL_PASS},   {8.9, LEVEL_PASS},  {7.5, LEVEL_PASS},
        {7.49, LEVEL_WARN},  {7.4, LEVEL_WARN},  {7.0, LEVEL_WARN},
        {6.99, LEVEL_BLOCK}, {6.1, LEVEL_BLOCK}, {5.2, LEVEL_BLOCK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.compute_cap = cases[i].cc;
        enum level got = level_of(&o, &req, RULE_COMPUTE_CAPABILITY);
        if (got != cases[i].want)
            print_error("cc %.2f: got %s, want %s\n", cases[i].cc, level_name(got),
                        level_name(cases[i].want));
        assert_int_equal(got, cases[i].want);
    }
}

static void test_cc_block_message(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.compute_cap = 6.1;
    struct finding f;
    finding_of(&o, &req, gpus_builtin(), RULE_COMPUTE_CAPABILITY, &f);
    assert_int_equal(f.level, LEVEL_BLOCK);
    assert_non_null(strstr(f.message, "sm_61"));
    assert_non_null(strstr(f.message, "sm_70"));
}

static void test_cc_unknown_warns(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.compute_cap = NAN;
    o.gpu_name[0] = '\0';
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_WARN);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Voodoo Banshee 9000");
    struct finding f;
    finding_of(&o, &req, gpus_builtin(), RULE_COMPUTE_CAPABILITY, &f);
    assert_int_equal(f.level, LEVEL_WARN);
    assert_non_null(strstr(f.message, "verify after boot"));
}

static void test_cc_from_gpu_table(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.compute_cap = NAN;
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Tesla P40");
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_BLOCK);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 4090");
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_PASS);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Tesla V100");
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_WARN);
    /* without a table the name cannot help */
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Tesla P40");
    struct finding f;
    finding_of(&o, &req, NULL, RULE_COMPUTE_CAPABILITY, &f);
    assert_int_equal(f.level, LEVEL_WARN);
}

static void test_cc_reported_value_beats_table(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Tesla P40");
    o.compute_cap = 8.6;
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_PASS);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 4090");
    o.compute_cap = 6.1;
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_BLOCK);
}

static void test_cc_from_json(void **state)
{
    (void)state;
    struct requirements req = defaults();
    cJSON *obj = cJSON_Parse("{\"id\":5,\"gpu_name\":\"GTX 1080\",\"compute_cap\":610}");
    assert_non_null(obj);
    struct offer o;
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_BLOCK);
    obj = cJSON_Parse("{\"id\":6,\"gpu_name\":\"Tesla P40\",\"compute_cap\":null}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_BLOCK);
    obj = cJSON_Parse("{\"id\":7,\"gpu_name\":\"RTX 4090\",\"compute_cap\":0}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_int_equal(level_of(&o, &req, RULE_COMPUTE_CAPABILITY), LEVEL_PASS);
}

/* --- region --- */

static enum level region_level(const struct requirements *req, const char *country)
{
    struct offer o = good_offer();
    snprintf(o.country, sizeof o.country, "%s", country);
    return level_of(&o, req, RULE_REGION);
}

static void test_region_defaults(void **state)
{
    (void)state;
    struct requirements req = defaults();
    assert_int_equal(region_level(&req, "CN"), LEVEL_BLOCK);
    static const char *const prefer[] = {"US", "CA", "DE", "NL", "SE", "FI", "JP"};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(region_level(&req, prefer[i]), LEVEL_PASS);
    assert_int_equal(region_level(&req, "FR"), LEVEL_WARN);
    assert_int_equal(region_level(&req, "VN"), LEVEL_WARN);
    assert_int_equal(region_level(&req, ""), LEVEL_WARN);
}

static void test_region_block_message(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    snprintf(o.country, sizeof o.country, "%s", "CN");
    struct finding f;
    finding_of(&o, &req, gpus_builtin(), RULE_REGION, &f);
    assert_int_equal(f.level, LEVEL_BLOCK);
    assert_int_equal(f.case_id, 2);
    assert_non_null(strstr(f.message, "CN"));
    assert_non_null(strstr(f.message, "Great Firewall"));
    /* a region the operator blocked is blocked for their reason, not the firewall's */
    struct gw_error err = {0};
    assert_int_equal(requirements_set_regions(req.block_regions, &req.nblock, "CN,RU", &err), 0);
    snprintf(o.country, sizeof o.country, "%s", "RU");
    finding_of(&o, &req, gpus_builtin(), RULE_REGION, &f);
    assert_int_equal(f.level, LEVEL_BLOCK);
    assert_string_equal(f.message, "RU is in the block list");
}

static void test_region_from_geolocation(void **state)
{
    (void)state;
    struct requirements req = defaults();
    static const struct {
        const char *json;
        enum level want;
    } cases[] = {
        {"{\"id\":1,\"geolocation\":\"Beijing, CN\"}", LEVEL_BLOCK},
        {"{\"id\":1,\"geolocation\":\"Quebec, CA\"}", LEVEL_PASS},
        {"{\"id\":1,\"geolocation\":\"Hanoi, vn\"}", LEVEL_WARN},
        {"{\"id\":1,\"geolocation\":null}", LEVEL_WARN},
        {"{\"id\":1,\"geolocation\":\"Sweden\"}", LEVEL_WARN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *obj = cJSON_Parse(cases[i].json);
        assert_non_null(obj);
        struct offer o;
        assert_true(offer_from_json(obj, &o));
        cJSON_Delete(obj);
        assert_int_equal(level_of(&o, &req, RULE_REGION), cases[i].want);
    }
}

static void test_region_custom_lists(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct gw_error err = {0};
    assert_int_equal(requirements_set_regions(req.block_regions, &req.nblock, "cn, vn", &err), 0);
    assert_int_equal(req.nblock, 2);
    assert_string_equal(req.block_regions[0], "CN");
    assert_string_equal(req.block_regions[1], "VN");
    assert_int_equal(requirements_set_regions(req.prefer_regions, &req.nprefer, "fr,GB", &err), 0);
    assert_int_equal(req.nprefer, 2);
    assert_string_equal(req.prefer_regions[0], "FR");
    assert_string_equal(req.prefer_regions[1], "GB");
    assert_int_equal(region_level(&req, "VN"), LEVEL_BLOCK);
    assert_int_equal(region_level(&req, "CN"), LEVEL_BLOCK);
    assert_int_equal(region_level(&req, "FR"), LEVEL_PASS);
    assert_int_equal(region_level(&req, "GB"), LEVEL_PASS);
    assert_int_equal(region_level(&req, "US"), LEVEL_WARN);

    /* an empty block list blocks nothing */
    assert_int_equal(requirements_set_regions(req.block_regions, &req.nblock, "", &err), 0);
    assert_int_equal(req.nblock, 0);
    assert_int_equal(region_level(&req, "CN"), LEVEL_WARN);
}

static void test_region_bad_code(void **state)
{
    (void)state;
    char list[RULES_MAX_REGIONS][4];
    size_t n = 0;
    struct gw_error err = {0};
    assert_int_equal(requirements_set_regions(list, &n, "US,USA", &err), -1);
    assert_true(strlen(err.msg) > 0);
    assert_non_null(strstr(err.msg, "USA"));
    memset(&err, 0, sizeof err);
    assert_int_equal(requirements_set_regions(list, &n, "C1", &err), -1);
    assert_non_null(strstr(err.msg, "C1"));
    memset(&err, 0, sizeof err);
    assert_int_equal(requirements_set_regions(list, &n, "U", &err), -1);
    assert_true(strlen(err.msg) > 0);
}

/* --- reliability --- */

static void test_reliability(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.reliability = 0.99;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_BLOCK);
    o.reliability = 0.9901;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_PASS);
    o.reliability = 0.5999;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_BLOCK);
    o.reliability = NAN;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_WARN);

    req.min_reliability = 0.95;
    o.reliability = 0.95;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_BLOCK);
    o.reliability = 0.96;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_PASS);
    o.reliability = 0.99;
    assert_int_equal(level_of(&o, &req, RULE_RELIABILITY), LEVEL_PASS);
}

/* --- vram --- */

static void test_vram(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    /* no requirement: pass whatever the value */
    o.gpu_ram_mib = NAN;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_PASS);
    o.gpu_ram_mib = 1024;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_PASS);

    req.min_vram_gb = 11.4;
    o.gpu_ram_mib = 12288;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_PASS);
    o.gpu_ram_mib = 8192;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_BLOCK);
    o.gpu_ram_mib = 11.4 * 1024.0;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_PASS);
    o.gpu_ram_mib = 11673; /* 11.399 GB */
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_BLOCK);
    o.gpu_ram_mib = NAN;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_WARN);

    req.min_vram_gb = 24;
    o.gpu_ram_mib = 24576;
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_PASS);
    o.gpu_ram_mib = 24564; /* a real "24 GB" card reports a little less */
    assert_int_equal(level_of(&o, &req, RULE_VRAM), LEVEL_BLOCK);
}

/* --- vram_variant --- */

static void test_vram_variant(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 3060");
    struct finding f;
    finding_of(&o, &req, gpus_builtin(), RULE_VRAM_VARIANT, &f);
    assert_int_equal(f.level, LEVEL_WARN);
    assert_int_equal(f.case_id, 7);
    assert_non_null(strstr(f.message, "8/12 GB"));
    assert_non_null(strstr(f.message, "nvidia-smi"));

    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "NVIDIA GeForce RTX 3060");
    assert_int_equal(level_of(&o, &req, RULE_VRAM_VARIANT), LEVEL_WARN);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "A100 SXM4");
    finding_of(&o, &req, gpus_builtin(), RULE_VRAM_VARIANT, &f);
    assert_int_equal(f.level, LEVEL_WARN);
    assert_non_null(strstr(f.message, "40/80 GB"));

    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 4090");
    assert_int_equal(level_of(&o, &req, RULE_VRAM_VARIANT), LEVEL_PASS);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 3060 Ti");
    assert_int_equal(level_of(&o, &req, RULE_VRAM_VARIANT), LEVEL_PASS);
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Voodoo Banshee 9000");
    assert_int_equal(level_of(&o, &req, RULE_VRAM_VARIANT), LEVEL_PASS);
    o.gpu_name[0] = '\0';
    assert_int_equal(level_of(&o, &req, RULE_VRAM_VARIANT), LEVEL_PASS);
    /* no table: nothing is known to vary */
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 3060");
    finding_of(&o, &req, NULL, RULE_VRAM_VARIANT, &f);
    assert_int_equal(f.level, LEVEL_PASS);
}

/* --- network --- */

static enum level net_level(const struct requirements *req, double down, double up)
{
    struct offer o = good_offer();
    o.inet_down = down;
    o.inet_up = up;
    return level_of(&o, req, RULE_NETWORK);
}

static void test_network(void **state)
{
    (void)state;
    struct requirements req = defaults();
    assert_int_equal(net_level(&req, 101, 101), LEVEL_PASS);
    assert_int_equal(net_level(&req, 100.5, 5000), LEVEL_PASS);
    assert_int_equal(net_level(&req, 100, 500), LEVEL_WARN);
    assert_int_equal(net_level(&req, 500, 100), LEVEL_WARN);
    assert_int_equal(net_level(&req, 100, 100), LEVEL_WARN);
    assert_int_equal(net_level(&req, 5, 1), LEVEL_WARN); /* never blocks */
    assert_int_equal(net_level(&req, NAN, 500), LEVEL_WARN);
    assert_int_equal(net_level(&req, 500, NAN), LEVEL_WARN);
    assert_int_equal(net_level(&req, NAN, NAN), LEVEL_WARN);

    req.min_inet_mbps = 1000;
    assert_int_equal(net_level(&req, 900, 2000), LEVEL_WARN);
    assert_int_equal(net_level(&req, 1000, 2000), LEVEL_WARN);
    assert_int_equal(net_level(&req, 1001, 1001), LEVEL_PASS);
    req.min_inet_mbps = 10;
    assert_int_equal(net_level(&req, 50, 11), LEVEL_PASS);
}

static void test_network_negative_from_json(void **state)
{
    (void)state;
    struct requirements req = defaults();
    cJSON *obj = cJSON_Parse("{\"id\":1,\"inet_down\":900,\"inet_up\":-1.79e12}");
    assert_non_null(obj);
    struct offer o;
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    struct finding f;
    finding_of(&o, &req, gpus_builtin(), RULE_NETWORK, &f);
    assert_int_equal(f.level, LEVEL_WARN);
    assert_int_equal(f.case_id, 5);
}

/* --- price --- */

static void test_price(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.dph_total = 100.0;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_PASS);
    o.dph_total = NAN;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_PASS);

    req.max_dph = 0.5;
    o.dph_total = 0.49;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_PASS);
    o.dph_total = 0.5;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_PASS);
    o.dph_total = 0.5001;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_BLOCK);
    o.dph_total = 3.0;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_BLOCK);
    o.dph_total = NAN;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_WARN);
    o.dph_total = 0.0;
    assert_int_equal(level_of(&o, &req, RULE_PRICE), LEVEL_PASS);
}

/* --- host --- */

static void test_host(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    static const struct {
        enum offer_host host;
        enum level want;
    } cases[] = {
        {OFFER_HOST_VERIFIED, LEVEL_PASS},   {OFFER_HOST_DATACENTER, LEVEL_PASS},
        {OFFER_HOST_UNVERIFIED, LEVEL_WARN}, {OFFER_HOST_DEVERIFIED, LEVEL_WARN},
        {OFFER_HOST_UNKNOWN, LEVEL_WARN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.host = cases[i].host;
        assert_int_equal(level_of(&o, &req, RULE_HOST), cases[i].want);
    }
}

static void test_host_from_json(void **state)
{
    (void)state;
    struct requirements req = defaults();
    static const struct {
        const char *json;
        enum level want;
    } cases[] = {
        {"{\"id\":1,\"verification\":\"verified\",\"hosting_type\":0}", LEVEL_PASS},
        {"{\"id\":1,\"verification\":\"unverified\",\"hosting_type\":1}", LEVEL_PASS},
        {"{\"id\":1,\"verification\":\"deverified\",\"hosting_type\":1}", LEVEL_WARN},
        {"{\"id\":1,\"verification\":\"unverified\",\"hosting_type\":0}", LEVEL_WARN},
        {"{\"id\":1}", LEVEL_WARN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *obj = cJSON_Parse(cases[i].json);
        assert_non_null(obj);
        struct offer o;
        assert_true(offer_from_json(obj, &o));
        cJSON_Delete(obj);
        assert_int_equal(level_of(&o, &req, RULE_HOST), cases[i].want);
    }
}

/* --- cuda and disk (same shape) --- */

static void test_cuda(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.cuda_max_good = 10.0;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_PASS);
    o.cuda_max_good = NAN;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_PASS);

    req.min_cuda = 12.1;
    o.cuda_max_good = 12.1;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_PASS);
    o.cuda_max_good = 12.8;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_PASS);
    o.cuda_max_good = 12.0;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_BLOCK);
    o.cuda_max_good = 11.8;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_BLOCK);
    o.cuda_max_good = NAN;
    assert_int_equal(level_of(&o, &req, RULE_CUDA), LEVEL_WARN);
}

static void test_disk(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    o.disk_space = 1.0;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_PASS);
    o.disk_space = NAN;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_PASS);

    req.min_disk_gb = 50;
    o.disk_space = 50;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_PASS);
    o.disk_space = 206.92;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_PASS);
    o.disk_space = 49.9;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_BLOCK);
    o.disk_space = 0;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_BLOCK);
    o.disk_space = NAN;
    assert_int_equal(level_of(&o, &req, RULE_DISK), LEVEL_WARN);
}

/* --- verdict and the findings array --- */

static void test_verdict_is_worst(void **state)
{
    (void)state;
    struct requirements req = defaults();
    struct offer o = good_offer();
    struct finding f[RULE_COUNT];
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_PASS);
    o.host = OFFER_HOST_UNVERIFIED;
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_WARN);
    o.inet_up = 10;
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_WARN);
    o.reliability = 0.9;
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_BLOCK);
    /* a single block among passes */
    o = good_offer();
    snprintf(o.country, sizeof o.country, "%s", "CN");
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_BLOCK);
    /* a single warn among passes */
    o = good_offer();
    o.disk_space = NAN;
    req.min_disk_gb = 10;
    assert_int_equal(rules_eval(&o, &req, gpus_builtin(), f), LEVEL_WARN);
}

static void test_findings_order_and_cases(void **state)
{
    (void)state;
    struct requirements req = defaults();
    req.max_dph = 0.3;
    struct offer o = good_offer();
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 3060");
    o.compute_cap = 8.6;
    o.host = OFFER_HOST_DEVERIFIED; /* warn */
    o.dph_total = 0.45;             /* block */
    struct finding f[RULE_COUNT];
    memset(f, 0xA5, sizeof f);
    enum level v = rules_eval(&o, &req, gpus_builtin(), f);
    assert_int_equal(v, LEVEL_BLOCK);
    static const int cases[RULE_COUNT] = {1, 2, 0, 8, 7, 5, 0, 0, 0, 0};
    static const enum level want[RULE_COUNT] = {
        LEVEL_PASS, LEVEL_PASS,  LEVEL_PASS, LEVEL_PASS, LEVEL_WARN,
        LEVEL_PASS, LEVEL_BLOCK, LEVEL_WARN, LEVEL_PASS, LEVEL_PASS,
    };
    enum level worst = LEVEL_PASS;
    for (int r = 0; r < RULE_COUNT; r++) {
        assert_int_equal(f[r].rule, r);
        assert_int_equal(f[r].case_id, cases[r]);
        assert_int_equal(f[r].level, want[r]);
        assert_true(strlen(f[r].message) > 0);
        assert_true(strlen(f[r].message) < sizeof f[r].message);
        assert_true(strlen(f[r].brief) < sizeof f[r].brief);
        if (f[r].level > worst)
            worst = f[r].level;
    }
    assert_int_equal(worst, v);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const names[RULE_COUNT] = {
        "compute_capability",
        "region",
        "reliability",
        "vram",
        "vram_variant",
        "network",
        "price",
        "host",
        "cuda",
        "disk",
    };
    for (int r = 0; r < RULE_COUNT; r++)
        assert_string_equal(rule_name((enum rule_id)r), names[r]);
    assert_string_equal(level_name(LEVEL_PASS), "pass");
    assert_string_equal(level_name(LEVEL_WARN), "warn");
    assert_string_equal(level_name(LEVEL_BLOCK), "block");
}

/* rules_apply_list must agree with rules_eval offer by offer. */
static void test_apply_list_matches_eval(void **state)
{
    (void)state;
    struct requirements req = defaults();
    req.max_dph = 1.0;
    req.min_vram_gb = 12;
    struct offer_list list = {0};
    struct offer o = good_offer(); /* pass */
    offer_list_push(&list, &o);
    o = good_offer();
    o.id = 2;
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "RTX 3060");
    o.compute_cap = NAN;
    o.gpu_ram_mib = 12288; /* warn: vram_variant */
    offer_list_push(&list, &o);
    o.id = 3;
    o.gpu_ram_mib = 8192; /* block: vram; same name as id 2 */
    offer_list_push(&list, &o);
    o = good_offer();
    o.id = 4;
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", "Tesla P40");
    o.compute_cap = NAN; /* block via the table */
    snprintf(o.country, sizeof o.country, "%s", "CN");
    o.dph_total = 2.0;
    offer_list_push(&list, &o);
    o = good_offer();
    o.id = 5;
    o.gpu_name[0] = '\0';
    o.compute_cap = NAN;
    o.reliability = NAN;
    o.inet_up = NAN;
    o.country[0] = '\0';
    o.host = OFFER_HOST_UNKNOWN; /* several warns */
    offer_list_push(&list, &o);
    o = good_offer();
    o.id = 6;
    o.host = OFFER_HOST_DATACENTER;
    o.compute_cap = 7.0; /* warn */
    offer_list_push(&list, &o);

    for (size_t i = 0; i < list.count; i++) {
        list.items[i].verdict = 0xEE;
        list.items[i].warn_mask = 0xFFFF;
        list.items[i].block_mask = 0xFFFF;
    }
    rules_apply_list(&list, &req, gpus_builtin());

    static const enum level want[] = {LEVEL_PASS,  LEVEL_WARN, LEVEL_BLOCK,
                                      LEVEL_BLOCK, LEVEL_WARN, LEVEL_WARN};
    assert_int_equal(list.count, 6);
    for (size_t i = 0; i < list.count; i++) {
        const struct offer *it = &list.items[i];
        struct finding f[RULE_COUNT];
        enum level v = rules_eval(it, &req, gpus_builtin(), f);
        uint16_t warn = 0, block = 0;
        for (int r = 0; r < RULE_COUNT; r++) {
            if (f[r].level == LEVEL_WARN)
                warn = (uint16_t)(warn | (1u << r));
            if (f[r].level == LEVEL_BLOCK)
                block = (uint16_t)(block | (1u << r));
        }
        assert_int_equal(v, want[i]);
        assert_int_equal(it->verdict, v);
        assert_int_equal(it->warn_mask, warn);
        assert_int_equal(it->block_mask, block);
        assert_int_equal(warn & block, 0);
    }
    /* spot checks of the masks */
    assert_int_equal(list.items[0].warn_mask, 0);
    assert_int_equal(list.items[0].block_mask, 0);
    assert_int_equal(list.items[1].warn_mask, 1u << RULE_VRAM_VARIANT);
    assert_true(list.items[2].block_mask & (1u << RULE_VRAM));
    assert_int_equal(list.items[3].block_mask,
                     (1u << RULE_COMPUTE_CAPABILITY) | (1u << RULE_REGION) | (1u << RULE_PRICE));
    assert_int_equal(list.items[4].warn_mask, (1u << RULE_COMPUTE_CAPABILITY) |
                                                  (1u << RULE_REGION) | (1u << RULE_RELIABILITY) |
                                                  (1u << RULE_NETWORK) | (1u << RULE_HOST));
    assert_int_equal(list.items[5].warn_mask, 1u << RULE_COMPUTE_CAPABILITY);
    offer_list_free(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_offer_passes_everything),
        cmocka_unit_test(test_cc_thresholds),
        cmocka_unit_test(test_cc_block_message),
        cmocka_unit_test(test_cc_unknown_warns),
        cmocka_unit_test(test_cc_from_gpu_table),
        cmocka_unit_test(test_cc_reported_value_beats_table),
        cmocka_unit_test(test_cc_from_json),
        cmocka_unit_test(test_region_defaults),
        cmocka_unit_test(test_region_block_message),
        cmocka_unit_test(test_region_from_geolocation),
        cmocka_unit_test(test_region_custom_lists),
        cmocka_unit_test(test_region_bad_code),
        cmocka_unit_test(test_reliability),
        cmocka_unit_test(test_vram),
        cmocka_unit_test(test_vram_variant),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_network_negative_from_json),
        cmocka_unit_test(test_price),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_host_from_json),
        cmocka_unit_test(test_cuda),
        cmocka_unit_test(test_disk),
        cmocka_unit_test(test_verdict_is_worst),
        cmocka_unit_test(test_findings_order_and_cases),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_apply_list_matches_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
