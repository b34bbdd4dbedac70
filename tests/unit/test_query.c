/* Tests the query language (src/query.c): parse, JSON body, errors, local re-check. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

/* Asserts that the JSON of q equals `expected` (JSON text). */
static void assert_query_json(const struct query *q, const char *expected, const char *text)
{
    cJSON *got = query_to_json(q);
    cJSON *want = cJSON_Parse(expected);
    assert_non_null(got);
    if (want == NULL) {
        print_error("bad expected JSON in the test: %s\n", expected);
        fail();
    }
    if (!cJSON_Compare(got, want, true)) {
        char *s = cJSON_PrintUnformatted(got);
        print_error("query: %s\n  got:  %s\n  want: %s\n", text, s ? s : "(null)", expected);
        free(s);
        cJSON_Delete(got);
        cJSON_Delete(want);
        fail();
    }
    cJSON_Delete(got);
    cJSON_Delete(want);
}

/* Parses `text` into a fresh query and compares its JSON with `expected`. */
static void expect_json(const char *text, const char *expected)
{
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err;
    memset(&err, 0, sizeof err);
    int rc = query_parse(&q, text, &err);
    if (rc != 0) {
        print_error("query_parse(%s) failed: %s\n", text, err.msg);
        query_free(&q);
        fail();
    }
    assert_query_json(&q, expected, text);
    query_free(&q);
}

/* --- the "Verified translations" table of vast-api.md §2.4, with real JSON numbers --- */

static void test_translation_row1(void **state)
{
    (void)state;
    expect_json("geolocation notin [\"CN\"] reliability > 0.99 num_gpus = 1 gpu_ram >= 12",
                "{\"geolocation\":{\"notin\":[\"CN\"]},\"reliability\":{\"gt\":0.99},"
                "\"num_gpus\":{\"eq\":1},\"gpu_ram\":{\"gte\":12000}}");
}

static void test_translation_row2(void **state)
{
    (void)state;
    expect_json("geolocation notin [CN,VN]", "{\"geolocation\":{\"notin\":[\"CN\",\"VN\"]}}");
    expect_json("geolocation notin [CN,VN] reliability > 0.99 num_gpus = 1 gpu_ram >= 12",
                "{\"geolocation\":{\"notin\":[\"CN\",\"VN\"]},\"reliability\":{\"gt\":0.99},"
                "\"num_gpus\":{\"eq\":1},\"gpu_ram\":{\"gte\":12000}}");
}

static void test_translation_row3(void **state)
{
    (void)state;
    expect_json("gpu_name=RTX_3090 dph<0.5 cuda_vers>=12.1 driver_version >= 535.86.05 "
                "duration>7 cpu_ram>=32 disk_space>=50",
                "{\"gpu_name\":{\"eq\":\"RTX 3090\"},\"dph_total\":{\"lt\":0.5},"
                "\"cuda_max_good\":{\"gte\":12.1},\"driver_version\":{\"gte\":535086005},"
                "\"duration\":{\"gt\":604800},\"cpu_ram\":{\"gte\":32000},"
                "\"disk_space\":{\"gte\":50}}");
}

static void test_translation_row4(void **state)
{
    (void)state;
    expect_json("gpu_name in [\"RTX 4090\", \"RTX 3090\"] verified=any rentable=any",
                "{\"gpu_name\":{\"in\":[\"RTX 4090\",\"RTX 3090\"]}}");
}

static void test_translation_row5(void **state)
{
    (void)state;
    expect_json("compute_cap >= 800 datacenter=True static_ip=true direct_port_count>=2 "
                "inet_down>=500",
                "{\"compute_cap\":{\"gte\":800},\"datacenter\":{\"eq\":true},"
                "\"static_ip\":{\"eq\":true},\"direct_port_count\":{\"gte\":2},"
                "\"inet_down\":{\"gte\":500}}");
}

static void test_single_examples(void **state)
{
    (void)state;
    expect_json("reliability > 0.99", "{\"reliability\":{\"gt\":0.99}}");
    expect_json("num_gpus = 1", "{\"num_gpus\":{\"eq\":1}}");
    expect_json("gpu_ram >= 12", "{\"gpu_ram\":{\"gte\":12000}}");
    expect_json("duration>7", "{\"duration\":{\"gt\":604800}}");
    expect_json("driver_version >= 535.86.05", "{\"driver_version\":{\"gte\":535086005}}");
    expect_json("gpu_name=RTX_3090", "{\"gpu_name\":{\"eq\":\"RTX 3090\"}}");
    expect_json("datacenter=True", "{\"datacenter\":{\"eq\":true}}");
    expect_json("datacenter=false", "{\"datacenter\":{\"eq\":false}}");
    expect_json("dph<0.5", "{\"dph_total\":{\"lt\":0.5}}");
    expect_json("cuda_vers>=12.1", "{\"cuda_max_good\":{\"gte\":12.1}}");
    expect_json("gpu_name=\"RTX 4090\"", "{\"gpu_name\":{\"eq\":\"RTX 4090\"}}");
    expect_json("gpu_total_ram>=80", "{\"gpu_total_ram\":{\"gte\":80000}}");
    expect_json("gpu_ram>=11.5", "{\"gpu_ram\":{\"gte\":11500}}");
    expect_json("ubuntu_version=22.04", "{\"ubuntu_version\":{\"eq\":\"22.04\"}}");
    expect_json("rented=None", "{\"rented\":{\"eq\":null}}");
}

static void test_no_defaults_added(void **state)
{
    (void)state;
    expect_json("", "{}");
    expect_json("   ", "{}");
    expect_json("verified=any rentable=any", "{}");
    expect_json("num_gpus=2", "{\"num_gpus\":{\"eq\":2}}");
}

static void test_word_operators(void **state)
{
    (void)state;
    expect_json("num_gpus gt 1", "{\"num_gpus\":{\"gt\":1}}");
    expect_json("num_gpus gte 2", "{\"num_gpus\":{\"gte\":2}}");
    expect_json("num_gpus lt 4", "{\"num_gpus\":{\"lt\":4}}");
    expect_json("num_gpus lte 8", "{\"num_gpus\":{\"lte\":8}}");
    expect_json("num_gpus eq 1", "{\"num_gpus\":{\"eq\":1}}");
    expect_json("num_gpus neq 3", "{\"num_gpus\":{\"neq\":3}}");
    expect_json("num_gpus noteq 3", "{\"num_gpus\":{\"neq\":3}}");
    expect_json("num_gpus not eq 3", "{\"num_gpus\":{\"neq\":3}}");
    expect_json("gpu_name in [RTX_4090,RTX_3090]",
                "{\"gpu_name\":{\"in\":[\"RTX 4090\",\"RTX 3090\"]}}");
    expect_json("geolocation notin [CN]", "{\"geolocation\":{\"notin\":[\"CN\"]}}");
    expect_json("geolocation not in [CN]", "{\"geolocation\":{\"notin\":[\"CN\"]}}");
    expect_json("geolocation nin [CN]", "{\"geolocation\":{\"notin\":[\"CN\"]}}");
    expect_json("num_gpus in [1,2,4]", "{\"num_gpus\":{\"in\":[1,2,4]}}");
    /* a word operator followed by more terms */
    expect_json("num_gpus gte 2 gpu_ram lte 24",
                "{\"num_gpus\":{\"gte\":2},\"gpu_ram\":{\"lte\":24000}}");
}

static void test_symbol_operators(void **state)
{
    (void)state;
    expect_json("num_gpus!=2", "{\"num_gpus\":{\"neq\":2}}");
    expect_json("num_gpus==2", "{\"num_gpus\":{\"eq\":2}}");
    expect_json("num_gpus<=2", "{\"num_gpus\":{\"lte\":2}}");
    expect_json("num_gpus<2", "{\"num_gpus\":{\"lt\":2}}");
    expect_json("num_gpus > 2", "{\"num_gpus\":{\"gt\":2}}");
}

static void test_same_field_merges(void **state)
{
    (void)state;
    expect_json("gpu_ram >= 16 gpu_ram <= 48", "{\"gpu_ram\":{\"gte\":16000,\"lte\":48000}}");
    expect_json("gpu_ram>=16 num_gpus=1 gpu_ram<=48",
                "{\"gpu_ram\":{\"gte\":16000,\"lte\":48000},\"num_gpus\":{\"eq\":1}}");
}

static void test_same_field_op_later_wins(void **state)
{
    (void)state;
    expect_json("gpu_ram >= 16 gpu_ram >= 24", "{\"gpu_ram\":{\"gte\":24000}}");
    expect_json("dph<1 dph_total<0.5", "{\"dph_total\":{\"lt\":0.5}}");

    /* and across two parses into the same query */
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "gpu_ram>=16 num_gpus=1", &err), 0);
    assert_int_equal(query_parse(&q, "gpu_ram>=24 gpu_ram<=80", &err), 0);
    assert_query_json(&q, "{\"gpu_ram\":{\"gte\":24000,\"lte\":80000},\"num_gpus\":{\"eq\":1}}",
                      "two parses");
    assert_int_equal(q.count, 3);
    query_free(&q);
}

static void test_any_removes_field(void **state)
{
    (void)state;
    expect_json("gpu_ram >= 16 gpu_ram <= 48 num_gpus=1 gpu_ram=any", "{\"num_gpus\":{\"eq\":1}}");
    expect_json("gpu_ram>=16 gpu_ram=*", "{}");
    expect_json("gpu_ram>=16 gpu_ram=?", "{}");
    expect_json("gpu_ram=any gpu_ram>=8", "{\"gpu_ram\":{\"gte\":8000}}");
    expect_json("dph<0.5 dph=any", "{}");

    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "verified=true rentable=true num_gpus=1", &err), 0);
    assert_int_equal(q.count, 3);
    assert_int_equal(query_parse(&q, "verified=any rentable=any", &err), 0);
    assert_query_json(&q, "{\"num_gpus\":{\"eq\":1}}", "verified=any rentable=any");
    assert_int_equal(q.count, 1);
    query_free(&q);
}

static void test_query_add_number(void **state)
{
    (void)state;
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "num_gpus=2", &err), 0);
    query_add_number(&q, "num_gpus", QOP_EQ, 4);
    query_add_number(&q, "gpu_ram", QOP_GTE, 24000);
    assert_query_json(&q, "{\"num_gpus\":{\"eq\":4},\"gpu_ram\":{\"gte\":24000}}",
                      "query_add_number");
    query_free(&q);
    assert_int_equal(q.count, 0);
    assert_null(q.terms);
}

static void test_aliases_and_op_names(void **state)
{
    (void)state;
    assert_string_equal(query_alias("dph"), "dph_total");
    assert_string_equal(query_alias("cuda_vers"), "cuda_max_good");
    assert_string_equal(query_alias("dlperf_usd"), "dlperf_per_dphtotal");
    assert_string_equal(query_alias("flops_usd"), "flops_per_dphtotal");
    assert_string_equal(query_alias("display_active"), "gpu_display_active");
    assert_string_equal(query_alias("gpu_ram"), "gpu_ram");
    assert_string_equal(query_op_name(QOP_EQ), "eq");
    assert_string_equal(query_op_name(QOP_NEQ), "neq");
    assert_string_equal(query_op_name(QOP_GTE), "gte");
    assert_string_equal(query_op_name(QOP_NOTIN), "notin");
}

/* --- errors: -1, a sentence naming the problem, q unchanged --- */

static void expect_error(const char *text, const char *mention)
{
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(query_parse(&q, "num_gpus=1 gpu_ram>=24", &err), 0);
    int rc = query_parse(&q, text, &err);
    if (rc != -1) {
        print_error("query_parse(%s) returned %d, want -1\n", text, rc);
        query_free(&q);
        fail();
    }
    if (err.msg[0] == '\0' || strstr(err.msg, mention) == NULL) {
        print_error("query_parse(%s): message '%s' does not mention '%s'\n", text, err.msg,
                    mention);
        query_free(&q);
        fail();
    }
    assert_int_equal(q.count, 2);
    assert_query_json(&q, "{\"num_gpus\":{\"eq\":1},\"gpu_ram\":{\"gte\":24000}}", text);

    /* the same text after valid terms that would change q */
    char longer[256];
    snprintf(longer, sizeof longer, "num_gpus=8 gpu_ram=any %s", text);
    memset(&err, 0, sizeof err);
    assert_int_equal(query_parse(&q, longer, &err), -1);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(q.count, 2);
    assert_query_json(&q, "{\"num_gpus\":{\"eq\":1},\"gpu_ram\":{\"gte\":24000}}", longer);
    query_free(&q);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("gpu_ram >> 12", ">>");
    expect_error("foo in [", "[");
    expect_error("foo in [", "foo");
    expect_error("gpu_ram >= abc", "abc");
    expect_error("driver_version >= 5.x.1", "5.x.1");
    expect_error(">= 12", ">");
    expect_error(">= 12", "field");
    expect_error("gpu_ram", "gpu_ram");
    expect_error("gpu_ram >=", "gpu_ram");
    expect_error("gpu_ram >=", "value");
    expect_error("num_gpus bogus 3", "bogus");
    expect_error("duration > week", "week");
    /* the search body's own keys are not filters: they would be sent twice */
    expect_error("order = 1", "--sort");
    expect_error("num_gpus = 1 limit = 5", "--limit");
    expect_error("type = bid", "not a filter");
}

static void test_error_into_empty_query(void **state)
{
    (void)state;
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "num_gpus=1 gpu_ram >> 12", &err), -1);
    assert_int_equal(q.count, 0);
    assert_true(strlen(err.msg) > 0);
    query_free(&q);
}

static void test_unknown_field_warns(void **state)
{
    (void)state;
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "num_gpus=1", &err), 0);
    assert_string_equal(q.warnings, "");
    assert_int_equal(query_parse(&q, "frobnicity>=3", &err), 0);
    assert_non_null(strstr(q.warnings, "frobnicity"));
    assert_query_json(&q, "{\"num_gpus\":{\"eq\":1},\"frobnicity\":{\"gte\":3}}", "frobnicity");
    query_free(&q);
}

/* --- query_match: the local re-check --- */

static const char *const OFFER_A =
    "{\"id\":1,\"geolocation\":\"Quebec, CA\",\"hosting_type\":1,\"verification\":\"verified\","
    "\"gpu_ram\":12288,\"reliability\":0.995,\"num_gpus\":1,\"gpu_name\":\"RTX 4090\","
    "\"dph_total\":0.4,\"cuda_max_good\":12.4,\"driver_version\":\"535.183.01\","
    "\"external\":null}";
static const char *const OFFER_B =
    "{\"id\":2,\"geolocation\":\"Beijing, CN\",\"hosting_type\":0,\"verification\":\"unverified\","
    "\"gpu_ram\":8192,\"reliability\":0.98,\"num_gpus\":2,\"gpu_name\":\"RTX 3060\","
    "\"dph_total\":0.1,\"cuda_max_good\":11.8,\"driver_vers\":470082001}";
static const char *const OFFER_C = "{\"id\":3,\"geolocation\":null,\"gpu_name\":null}";

/* Bit i set when offer i (A, B, C) matches `text`. */
static unsigned match_bits(const char *text)
{
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    if (query_parse(&q, text, &err) != 0) {
        print_error("query_parse(%s) failed: %s\n", text, err.msg);
        fail();
    }
    const char *const offers[] = {OFFER_A, OFFER_B, OFFER_C};
    unsigned bits = 0;
    for (unsigned i = 0; i < 3; i++) {
        cJSON *o = cJSON_Parse(offers[i]);
        assert_non_null(o);
        if (query_match(&q, o))
            bits |= 1u << i;
        cJSON_Delete(o);
    }
    query_free(&q);
    return bits;
}

#define A 1u
#define B 2u
#define C 4u

static void expect_match(const char *text, unsigned want)
{
    unsigned got = match_bits(text);
    if (got != want) {
        print_error("query '%s' matched A%c B%c C%c, want A%c B%c C%c\n", text, got & A ? '+' : '-',
                    got & B ? '+' : '-', got & C ? '+' : '-', want & A ? '+' : '-',
                    want & B ? '+' : '-', want & C ? '+' : '-');
        fail();
    }
}

static void test_match_geolocation(void **state)
{
    (void)state;
    expect_match("geolocation=CA", A);
    expect_match("geolocation=ca", A);
    expect_match("geolocation in [US,CA]", A);
    expect_match("geolocation in [CN]", B);
    expect_match("geolocation notin [CN]", A);
    expect_match("geolocation notin [CN,VN]", A);
    expect_match("geolocation notin [US]", A | B);
    expect_match("geolocation!=CA", B);
    expect_match("geolocation=Quebec", 0);
}

static void test_match_datacenter_verified(void **state)
{
    (void)state;
    expect_match("datacenter=true", A);
    expect_match("datacenter=True", A);
    expect_match("datacenter=false", B);
    expect_match("verified=true", A);
    expect_match("verified=false", B);
    expect_match("verification=verified", A);
}

static void test_match_numbers(void **state)
{
    (void)state;
    expect_match("gpu_ram>=12", A);    /* 12288 MiB >= 12000 */
    expect_match("gpu_ram>=12.25", A); /* 12288 >= 12250 */
    expect_match("gpu_ram>=12.3", 0);  /* 12288 < 12300 */
    expect_match("gpu_ram<12", B);
    expect_match("gpu_ram>=8", A | B);
    expect_match("reliability>0.99", A);
    expect_match("reliability>0.995", 0);
    expect_match("reliability>=0.995", A);
    expect_match("reliability<0.99", B);
    expect_match("num_gpus=1", A);
    expect_match("num_gpus>=2", B);
    expect_match("num_gpus!=2", A);
    expect_match("num_gpus in [1,2]", A | B);
    expect_match("num_gpus notin [2,4]", A);
    expect_match("dph<0.2", B);
    expect_match("cuda_vers>=12.1", A);
    expect_match("driver_version>=535.86.05", A);
    expect_match("driver_version<500.0.0", B);
}

static void test_match_reliability2_fallback(void **state)
{
    (void)state;
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "reliability>0.99", &err), 0);
    cJSON *o = cJSON_Parse("{\"id\":9,\"reliability2\":0.995}");
    assert_non_null(o);
    assert_true(query_match(&q, o));
    cJSON_Delete(o);
    o = cJSON_Parse("{\"id\":9,\"reliability2\":0.95}");
    assert_non_null(o);
    assert_true(!(query_match(&q, o)));
    cJSON_Delete(o);
    query_free(&q);
}

static void test_match_strings(void **state)
{
    (void)state;
    expect_match("gpu_name=RTX_4090", A);
    expect_match("gpu_name=rtx_4090", A);
    expect_match("gpu_name=\"rtx 4090\"", A);
    expect_match("gpu_name in [rtx_3060, RTX_3090]", B);
    expect_match("gpu_name notin [RTX_4090]", B);
    expect_match("gpu_name!=RTX_4090", B);
    expect_match("gpu_name=RTX_40", 0);
}

static void test_match_null(void **state)
{
    (void)state;
    /* a missing or null field never matches ... */
    expect_match("num_gpus!=2", A);
    expect_match("num_gpus<100", A | B);
    expect_match("gpu_name notin [FOO]", A | B);
    expect_match("geolocation notin [CN]", A);
    expect_match("datacenter=false", B);
    /* ... except an explicit null test */
    expect_match("gpu_name=null", C);
    expect_match("gpu_name=None", C);
    expect_match("hosting_type=null", C);
    expect_match("gpu_name!=null", A | B);
}

static void test_match_external_not_rechecked(void **state)
{
    (void)state;
    expect_match("external=false", A | B | C);
    expect_match("external=true", A | B | C);
    expect_match("external=false num_gpus=1", A);
}

static void test_match_conjunction(void **state)
{
    (void)state;
    expect_match("", A | B | C);
    expect_match("geolocation notin [CN] gpu_ram>=12", A);
    expect_match("geolocation notin [CN] gpu_ram<12", 0);
    expect_match("gpu_ram>=8 gpu_ram<=10", B);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translation_row1),
        cmocka_unit_test(test_translation_row2),
        cmocka_unit_test(test_translation_row3),
        cmocka_unit_test(test_translation_row4),
        cmocka_unit_test(test_translation_row5),
        cmocka_unit_test(test_single_examples),
        cmocka_unit_test(test_no_defaults_added),
        cmocka_unit_test(test_word_operators),
        cmocka_unit_test(test_symbol_operators),
        cmocka_unit_test(test_same_field_merges),
        cmocka_unit_test(test_same_field_op_later_wins),
        cmocka_unit_test(test_any_removes_field),
        cmocka_unit_test(test_query_add_number),
        cmocka_unit_test(test_aliases_and_op_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_into_empty_query),
        cmocka_unit_test(test_unknown_field_warns),
        cmocka_unit_test(test_match_geolocation),
        cmocka_unit_test(test_match_datacenter_verified),
        cmocka_unit_test(test_match_numbers),
        cmocka_unit_test(test_match_reliability2_fallback),
        cmocka_unit_test(test_match_strings),
        cmocka_unit_test(test_match_null),
        cmocka_unit_test(test_match_external_not_rechecked),
        cmocka_unit_test(test_match_conjunction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
