/* Tests offer parsing (src/offer.c): envelopes, salvage, garbage values, hosts, countries. */
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
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "offer.h"

struct parsed {
    int rc;
    struct offer_list list;
    struct offer_parse_report report;
    struct gw_error err;
};

static void parse(const char *text, enum offer_parse_mode mode, struct parsed *p)
{
    memset(p, 0, sizeof *p);
    p->rc = offer_list_parse(text, strlen(text), mode, NULL, NULL, &p->list, &p->report, &p->err);
}

static void test_envelope(void **state)
{
    (void)state;
    struct parsed p;
    parse("{\"offers\":[{\"id\":11,\"gpu_name\":\"RTX 4090\"},{\"id\":12,\"num_gpus\":2}]}",
          OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_int_equal(p.list.items[0].id, 11);
    assert_string_equal(p.list.items[0].gpu_name, "RTX 4090");
    assert_int_equal(p.list.items[1].id, 12);
    assert_int_equal(p.list.items[1].num_gpus, 2);
    assert_int_equal(p.report.skipped, 0);
    assert_int_equal(p.report.trailing_bytes, 0);
    assert_true(!(p.report.truncated));
    offer_list_free(&p.list);

    parse("{\"offers\":[{\"id\":11}]}", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    offer_list_free(&p.list);

    parse("{\"offers\":[]}", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 0);
    offer_list_free(&p.list);
}

static void test_envelope_without_offers(void **state)
{
    (void)state;
    struct parsed p;
    parse("{\"msg\":\"Invalid user key\"}", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_non_null(strstr(p.err.msg, "Invalid user key"));
    offer_list_free(&p.list);
    parse("{\"results\":[]}", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_true(strlen(p.err.msg) > 0);
    offer_list_free(&p.list);
}

static void test_bare_array(void **state)
{
    (void)state;
    struct parsed p;
    for (int mode = 0; mode < 2; mode++) {
        parse("  [ {\"id\":1}, {\"id\":2} , {\"id\":3}]\n", (enum offer_parse_mode)mode, &p);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.list.count, 3);
        assert_int_equal(p.list.items[2].id, 3);
        assert_int_equal(p.report.trailing_bytes, 0);
        assert_true(!(p.report.truncated));
        assert_string_equal(p.report.note, "");
        offer_list_free(&p.list);
    }
    parse("[]", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 0);
    offer_list_free(&p.list);
}

static void test_bom(void **state)
{
    (void)state;
    struct parsed p;
    parse("\xEF\xBB\xBF[{\"id\":7}]", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    assert_int_equal(p.list.items[0].id, 7);
    offer_list_free(&p.list);
}

static void test_envelope_truncated_and_trailing(void **state)
{
    (void)state;
    struct parsed p;
    static const char cut[] = "{\"offers\":[{\"id\":1},{\"id\":2},{\"id\":3,\"gp";
    parse(cut, OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_true(p.report.truncated);
    assert_true(strlen(p.report.note) > 0);
    offer_list_free(&p.list);
    parse(cut, OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_true(strlen(p.err.msg) > 0);
    offer_list_free(&p.list);

    parse("{\"offers\":[{\"id\":1}]}\nMachine ID 3 not found\n", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    assert_true(p.report.trailing_bytes > 0);
    assert_non_null(strstr(p.report.note, "Machine ID 3"));
    offer_list_free(&p.list);

    /* other keys around the array are fine */
    parse("{\"success\":true,\"offers\":[{\"id\":1},{\"id\":2}],\"extra\":{\"a\":[1]}}",
          OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    offer_list_free(&p.list);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/* One offer whose JSON tree is large (an array of 8000 numbers, about 0.5 MB of cJSON nodes)
 * must not cost hundreds of MB. Runs first, so that the peak RSS of other tests does not hide
 * the growth. */
static void test_large_element_memory(void **state)
{
    (void)state;
    const size_t n = 8000;
    char *text = malloc(n * 2 + 64);
    assert_non_null(text);
    size_t o = (size_t)snprintf(text, 64, "[{\"id\":1,\"junk\":[");
    for (size_t i = 0; i < n; i++) {
        text[o++] = '0';
        text[o++] = ',';
    }
    o--; /* drop the last comma */
    memcpy(text + o, "]},{\"id\":2}]", 13);
    o += 12;
    long before = max_rss_kib();
    struct offer_list list = {0};
    struct offer_parse_report rep;
    struct gw_error err = {0};
    int rc = offer_list_parse(text, o, OFFER_PARSE_SALVAGE, NULL, NULL, &list, &rep, &err);
    long grown = max_rss_kib() - before;
    free(text);
    assert_int_equal(rc, 0);
    assert_int_equal(list.count, 2);
    offer_list_free(&list);
    if (grown > 64 * 1024) {
        print_error("parsing one 16 KB offer grew the peak RSS by %ld MiB\n", grown / 1024);
        fail();
    }
}

static const char *const TRAILING =
    "[{\"id\":1,\"gpu_name\":\"RTX 3090\"},{\"id\":2}]\nMachine ID 24126 not found or not "
    "rentable.\n";

static void test_trailing_text_salvage(void **state)
{
    (void)state;
    struct parsed p;
    parse(TRAILING, OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_true(p.report.trailing_bytes > 0);
    assert_int_equal(p.report.trailing_bytes,
                     strlen("Machine ID 24126 not found or not rentable.\n"));
    assert_true(!(p.report.truncated));
    assert_non_null(strstr(p.report.note, "Machine ID 24126"));
    assert_null(strchr(p.report.note, '\n'));
    offer_list_free(&p.list);
}

static void test_trailing_text_strict(void **state)
{
    (void)state;
    struct parsed p;
    parse(TRAILING, OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_true(strlen(p.err.msg) > 0);
    offer_list_free(&p.list);
    parse("{\"offers\":[{\"id\":1}]} trailing", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_true(strlen(p.err.msg) > 0);
    offer_list_free(&p.list);
}

static void test_truncated_salvage(void **state)
{
    (void)state;
    struct parsed p;
    parse("[{\"id\":1,\"gpu_name\":\"A\"},{\"id\":2},{\"id\":3,\"gpu_na", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_int_equal(p.list.items[0].id, 1);
    assert_int_equal(p.list.items[1].id, 2);
    assert_true(p.report.truncated);
    assert_true(strlen(p.report.note) > 0);
    offer_list_free(&p.list);

    /* cut right after a comma, and with the closing bracket missing */
    parse("[{\"id\":1},{\"id\":2},", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_true(p.report.truncated);
    offer_list_free(&p.list);
    parse("[{\"id\":1},{\"id\":2}", OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_true(p.report.truncated);
    offer_list_free(&p.list);

    /* the same input is an error in strict mode */
    parse("[{\"id\":1},{\"id\":2},{\"id\":3,\"gpu_na", OFFER_PARSE_STRICT, &p);
    assert_int_equal(p.rc, -1);
    assert_true(strlen(p.err.msg) > 0);
    offer_list_free(&p.list);
}

static void test_empty_and_non_json(void **state)
{
    (void)state;
    static const char *const inputs[] = {"",   "   \n\t ",  "hello world", "Machine ID 5 not found",
                                         "42", "\"offers\""};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        for (int mode = 0; mode < 2; mode++) {
            struct parsed p;
            parse(inputs[i], (enum offer_parse_mode)mode, &p);
            if (p.rc != -1)
                print_error("input '%s' mode %d: rc %d\n", inputs[i], mode, p.rc);
            assert_int_equal(p.rc, -1);
            assert_true(strlen(p.err.msg) > 10);
            assert_int_equal(p.list.count, 0);
            offer_list_free(&p.list);
        }
    }
    /* a NULL report and err are allowed */
    struct offer_list list = {0};
    assert_int_equal(offer_list_parse("", 0, OFFER_PARSE_SALVAGE, NULL, NULL, &list, NULL, NULL),
                     -1);
    static const char tail[] = "[{\"id\":1}] x";
    assert_int_equal(
        offer_list_parse(tail, strlen(tail), OFFER_PARSE_SALVAGE, NULL, NULL, &list, NULL, NULL),
        0);
    assert_int_equal(list.count, 1);
    offer_list_free(&list);
}

static void test_skipped_without_id(void **state)
{
    (void)state;
    struct parsed p;
    for (int mode = 0; mode < 2; mode++) {
        parse("[{\"id\":1},{\"gpu_name\":\"x\"},5,\"str\",null,{\"id\":\"7\"},{\"id\":-3},"
              "{\"id\":2.5},{\"id\":2}]",
              (enum offer_parse_mode)mode, &p);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.list.count, 2);
        assert_int_equal(p.list.items[0].id, 1);
        assert_int_equal(p.list.items[1].id, 2);
        assert_int_equal(p.report.skipped, 7);
        offer_list_free(&p.list);
    }
}

static void test_ask_contract_id_fallback(void **state)
{
    (void)state;
    cJSON *obj = cJSON_Parse("{\"ask_contract_id\":16473750,\"gpu_name\":\"RTX 3090\"}");
    assert_non_null(obj);
    struct offer o;
    assert_true(offer_from_json(obj, &o));
    assert_int_equal(o.id, 16473750);
    cJSON_Delete(obj);
    assert_true(!(offer_from_json(NULL, &o)));
    obj = cJSON_Parse("[1,2]");
    assert_non_null(obj);
    assert_true(!(offer_from_json(obj, &o)));
    cJSON_Delete(obj);
}

static void test_wrong_types_become_unknown(void **state)
{
    (void)state;
    struct parsed p;
    parse("[{\"id\":1,\"gpu_name\":5,\"reliability\":\"high\",\"compute_cap\":null,"
          "\"inet_up\":-1.79e12,\"inet_down\":\"fast\",\"geolocation\":null,\"num_gpus\":\"2\","
          "\"gpu_ram\":\"lots\",\"dph_total\":null,\"cuda_max_good\":false,"
          "\"disk_space\":[1],\"verification\":7,\"hosting_type\":\"1\",\"score\":{}}]",
          OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    const struct offer *o = &p.list.items[0];
    assert_int_equal(o->id, 1);
    assert_string_equal(o->gpu_name, "");
    assert_true(isnan(o->reliability));
    assert_true(isnan(o->compute_cap));
    assert_true(isnan(o->inet_up));
    assert_true(isnan(o->inet_down));
    assert_string_equal(o->geolocation, "");
    assert_string_equal(o->country, "");
    assert_int_equal(o->num_gpus, 0);
    assert_true(isnan(o->gpu_ram_mib));
    assert_true(isnan(o->dph_total));
    assert_true(isnan(o->cuda_max_good));
    assert_true(isnan(o->disk_space));
    assert_true(isnan(o->score));
    assert_int_equal(o->host, OFFER_HOST_UNKNOWN);
    offer_list_free(&p.list);
}

static void test_out_of_range_values(void **state)
{
    (void)state;
    struct parsed p;
    parse("[{\"id\":1,\"reliability\":1.5,\"num_gpus\":-1,\"gpu_ram\":-5,\"dph_total\":-0.1,"
          "\"inet_down\":-1}]",
          OFFER_PARSE_SALVAGE, &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    const struct offer *o = &p.list.items[0];
    assert_true(isnan(o->reliability));
    assert_int_equal(o->num_gpus, 0);
    assert_true(isnan(o->gpu_ram_mib));
    assert_true(isnan(o->dph_total));
    assert_true(isnan(o->inet_down));
    offer_list_free(&p.list);
}

static void test_field_values(void **state)
{
    (void)state;
    cJSON *obj = cJSON_Parse(
        "{\"id\":16473750,\"gpu_name\":\"RTX 3090\",\"num_gpus\":2,\"gpu_ram\":24576,"
        "\"compute_cap\":890,\"reliability\":0.5,\"reliability2\":0.9962,"
        "\"dph_total\":0.2220833,\"inet_down\":4678.1,\"inet_up\":703.1,\"cuda_max_good\":12.7,"
        "\"disk_space\":206.92,\"score\":427.3,\"geolocation\":\"Sichuan, CN\","
        "\"hosting_type\":0,\"verification\":\"verified\"}");
    assert_non_null(obj);
    struct offer o;
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_int_equal(o.id, 16473750);
    assert_string_equal(o.gpu_name, "RTX 3090");
    assert_int_equal(o.num_gpus, 2);
    assert_float_equal(o.gpu_ram_mib, 24576.0, 1e-9);
    assert_float_equal(o.compute_cap, 8.9, 1e-9);
    assert_float_equal(o.reliability, 0.9962, 1e-12);
    assert_float_equal(o.dph_total, 0.2220833, 1e-12);
    assert_float_equal(o.inet_down, 4678.1, 1e-9);
    assert_float_equal(o.inet_up, 703.1, 1e-9);
    assert_float_equal(o.cuda_max_good, 12.7, 1e-12);
    assert_float_equal(o.disk_space, 206.92, 1e-9);
    assert_float_equal(o.score, 427.3, 1e-9);
    assert_string_equal(o.geolocation, "Sichuan, CN");
    assert_string_equal(o.country, "CN");
    assert_int_equal(o.host, OFFER_HOST_VERIFIED);
}

static void test_compute_cap_and_reliability(void **state)
{
    (void)state;
    struct offer o;
    cJSON *obj = cJSON_Parse("{\"id\":1,\"compute_cap\":750,\"reliability\":0.97}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_float_equal(o.compute_cap, 7.5, 1e-9);
    assert_float_equal(o.reliability, 0.97, 1e-12);

    obj = cJSON_Parse("{\"id\":1,\"reliability\":0.97,\"reliability2\":0.91}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_float_equal(o.reliability, 0.91, 1e-12);

    obj = cJSON_Parse("{\"id\":1,\"reliability\":0.97,\"reliability2\":null}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_float_equal(o.reliability, 0.97, 1e-12);

    obj = cJSON_Parse("{\"id\":1,\"compute_cap\":0}");
    assert_non_null(obj);
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    assert_true(isnan(o.compute_cap));
    assert_true(isnan(o.reliability));
}

static enum offer_host host_of(const char *json)
{
    cJSON *obj = cJSON_Parse(json);
    assert_non_null(obj);
    struct offer o;
    assert_true(offer_from_json(obj, &o));
    cJSON_Delete(obj);
    return o.host;
}

static void test_host_labels(void **state)
{
    (void)state;
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"verified\",\"hosting_type\":0}"),
                     OFFER_HOST_VERIFIED);
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"verified\",\"hosting_type\":1}"),
                     OFFER_HOST_DATACENTER);
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"deverified\",\"hosting_type\":1}"),
                     OFFER_HOST_DEVERIFIED);
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"deverified\",\"hosting_type\":0}"),
                     OFFER_HOST_DEVERIFIED);
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"unverified\",\"hosting_type\":0}"),
                     OFFER_HOST_UNVERIFIED);
    assert_int_equal(host_of("{\"id\":1,\"verification\":\"verified\"}"), OFFER_HOST_VERIFIED);
    assert_int_equal(host_of("{\"id\":1,\"hosting_type\":0}"), OFFER_HOST_UNKNOWN);
    assert_int_equal(host_of("{\"id\":1}"), OFFER_HOST_UNKNOWN);

    assert_string_equal(offer_host_label(OFFER_HOST_DATACENTER), "DC");
    assert_string_equal(offer_host_label(OFFER_HOST_VERIFIED), "VERIFIED");
    assert_string_equal(offer_host_label(OFFER_HOST_UNVERIFIED), "UNVERIFIED");
    assert_string_equal(offer_host_label(OFFER_HOST_DEVERIFIED), "DEVERIFIED");
    assert_string_equal(offer_host_name(OFFER_HOST_DATACENTER), "datacenter");
    assert_string_equal(offer_host_name(OFFER_HOST_VERIFIED), "verified");
    assert_string_equal(offer_host_name(OFFER_HOST_UNVERIFIED), "unverified");
    assert_string_equal(offer_host_name(OFFER_HOST_DEVERIFIED), "deverified");
}

static void expect_country(const char *geo, const char *want)
{
    char out[4];
    memset(out, 'x', sizeof out);
    offer_country(geo, out);
    if (strcmp(out, want) != 0) {
        print_error("offer_country(%s) = '%.4s', want '%s'\n", geo ? geo : "NULL", out, want);
        fail();
    }
}

static void test_country(void **state)
{
    (void)state;
    expect_country("Quebec, CA", "CA");
    expect_country(", US", "US");
    expect_country("Sweden", "");
    expect_country("a, b, se ", "SE");
    expect_country(NULL, "");
    expect_country("", "");
    expect_country("Sweden, SE", "SE");
    expect_country("Texas,US", "US");
    expect_country("US", "US");
    expect_country("Somewhere, USA", "");
    expect_country("Somewhere, ", "");
    expect_country("Somewhere, C1", "");
}

/* A filter that keeps odd ids and counts its calls. */
static bool keep_odd(const cJSON *obj, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    assert_true(cJSON_IsNumber(id));
    return ((long)id->valuedouble) % 2 == 1;
}

static void test_filter(void **state)
{
    (void)state;
    static const char text[] =
        "[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4},{\"nope\":1},{\"id\":5}]";
    for (int mode = 0; mode < 2; mode++) {
        struct offer_list list = {0};
        struct offer_parse_report rep;
        struct gw_error err = {0};
        int calls = 0;
        assert_int_equal(offer_list_parse(text, strlen(text), (enum offer_parse_mode)mode, keep_odd,
                                          &calls, &list, &rep, &err),
                         0);
        assert_int_equal(list.count, 3);
        assert_int_equal(list.items[0].id, 1);
        assert_int_equal(list.items[1].id, 3);
        assert_int_equal(list.items[2].id, 5);
        assert_int_equal(rep.filtered, 2);
        assert_int_equal(rep.skipped, 1);
        assert_int_equal(calls, 5);
        offer_list_free(&list);
    }
}

static void test_appends_to_list(void **state)
{
    (void)state;
    struct offer_list list = {0};
    struct gw_error err = {0};
    assert_int_equal(offer_list_parse("[{\"id\":1}]", strlen("[{\"id\":1}]"), OFFER_PARSE_STRICT,
                                      NULL, NULL, &list, NULL, &err),
                     0);
    assert_int_equal(offer_list_parse("[{\"id\":2}]", strlen("[{\"id\":2}]"), OFFER_PARSE_STRICT,
                                      NULL, NULL, &list, NULL, &err),
                     0);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.items[1].id, 2);
    offer_list_free(&list);
    assert_int_equal(list.count, 0);
    assert_null(list.items);
}

/* --- real dumps in /work/shared/data (skipped when absent) --- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void parse_file(const char *path, struct parsed *p)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL)
        skip();
    memset(p, 0, sizeof *p);
    p->rc =
        offer_list_parse(text, len, OFFER_PARSE_SALVAGE, NULL, NULL, &p->list, &p->report, &p->err);
    free(text);
}

static void test_data_offers_300(void **state)
{
    (void)state;
    struct parsed p;
    parse_file("../shared/data/vast/offers-300.json", &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 300);
    assert_int_equal(p.report.skipped, 0);
    assert_int_equal(p.report.filtered, 0);
    assert_true(!(p.report.truncated));
    assert_int_equal(p.report.trailing_bytes, 0);
    size_t named = 0, cc_known = 0;
    for (size_t i = 0; i < p.list.count; i++) {
        assert_true(p.list.items[i].id > 0);
        if (p.list.items[i].gpu_name[0] != '\0')
            named++;
        if (!isnan(p.list.items[i].compute_cap))
            cc_known++;
    }
    assert_int_equal(named, 300);
    assert_int_equal(cc_known, 300);
    offer_list_free(&p.list);
}

static void test_data_dirty_trailing(void **state)
{
    (void)state;
    struct parsed p;
    parse_file("../shared/data/vast/offers-dirty-trailing-text.json", &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_true(p.report.trailing_bytes > 0);
    assert_non_null(strstr(p.report.note, "Machine ID"));
    offer_list_free(&p.list);
}

static void test_data_offers_4(void **state)
{
    (void)state;
    struct parsed p;
    parse_file("../shared/data/vast/offers-4.json", &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 4);
    assert_int_equal(p.report.skipped, 0);
    offer_list_free(&p.list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_element_memory),
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_envelope_without_offers),
        cmocka_unit_test(test_bare_array),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_envelope_truncated_and_trailing),
        cmocka_unit_test(test_trailing_text_salvage),
        cmocka_unit_test(test_trailing_text_strict),
        cmocka_unit_test(test_truncated_salvage),
        cmocka_unit_test(test_empty_and_non_json),
        cmocka_unit_test(test_skipped_without_id),
        cmocka_unit_test(test_ask_contract_id_fallback),
        cmocka_unit_test(test_wrong_types_become_unknown),
        cmocka_unit_test(test_out_of_range_values),
        cmocka_unit_test(test_field_values),
        cmocka_unit_test(test_compute_cap_and_reliability),
        cmocka_unit_test(test_host_labels),
        cmocka_unit_test(test_country),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_appends_to_list),
        cmocka_unit_test(test_data_offers_300),
        cmocka_unit_test(test_data_dirty_trailing),
        cmocka_unit_test(test_data_offers_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
