/* Tests instance parsing (src/instance.c): the real captured show samples (when
 * ../shared/data is present), null and malformed bodies, wrong types, SSH addresses, paging. */
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

#include "instance.h"
#include "textfile.h"

#define SAMPLES "../shared/data/vast/"

/* A captured bare instance object wrapped as a show body (caller frees); NULL when absent. */
static char *sample_show(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, SAMPLES "%s", name);
    struct gw_error err;
    size_t n = 0;
    char *obj = textfile_read(path, 1 << 20, &n, &err);
    if (obj == NULL)
        return NULL;
    size_t size = n + 32;
    char *body = malloc(size);
    assert_non_null(body);
    *len = (size_t)snprintf(body, size, "{\"instances\": %s}", obj);
    free(obj);
    return body;
}

static int show(const char *text, struct instance *in, struct gw_error *err)
{
    memset(err, 0, sizeof *err);
    return instance_parse_show(text, strlen(text), in, err);
}

static void test_sample_running(void **state)
{
    (void)state;
    size_t len = 0;
    char *body = sample_show("instance-running.json", &len);
    if (body == NULL)
        skip();
    struct instance in;
    struct gw_error err;
    assert_int_equal(instance_parse_show(body, len, &in, &err), 1);
    free(body);
    assert_int_equal(in.id, 13445220);
    assert_string_equal(in.actual_status, "running");
    assert_string_equal(in.intended_status, "running");
    assert_string_equal(in.cur_state, "running");
    assert_string_equal(in.label, ""); /* null in the sample */
    assert_string_equal(in.image, "jjziets/vasttest:latest");
    assert_string_equal(in.gpu_name, "RTX 3090");
    assert_int_equal(in.num_gpus, 1);
    assert_true(fabs(in.gpu_ram_mib - 24576) < 0.5);
    assert_true(in.dph_total > 2.67 && in.dph_total < 2.68);
    assert_true(fabs(in.disk_space - 20.0) < 1e-9);
    assert_true(in.start_date > 1.7e9);
    assert_true(isnan(in.uptime_mins)); /* null in the sample */
    assert_string_equal(in.geolocation, "South Africa, ZA");
    assert_string_equal(in.ssh_host, "ssh8.vast.ai");
    assert_int_equal(in.ssh_port, 15220);
    assert_false(in.jupyter_runtype);
    assert_int_equal(in.nports, 2);
    assert_int_equal(instance_port_for(&in, 22), 43486);
    assert_int_equal(instance_port_for(&in, 5000), 43035);
    assert_int_equal(instance_port_for(&in, 8080), 0);
    char host[64];
    int port = 0;
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "41.193.204.66"); /* direct: public_ipaddr + mapped 22/tcp */
    assert_int_equal(port, 43486);
}

static void test_sample_loading(void **state)
{
    (void)state;
    size_t len = 0;
    char *body = sample_show("instance-loading.json", &len);
    if (body == NULL)
        skip();
    struct instance in;
    struct gw_error err;
    assert_int_equal(instance_parse_show(body, len, &in, &err), 1);
    assert_int_equal(in.id, 13518557);
    assert_string_equal(in.actual_status, "loading");
    /* "59729b65119e: Pull complete\n": one line, no trailing space */
    assert_string_equal(in.status_msg, "59729b65119e: Pull complete");
    assert_int_equal(in.num_gpus, 5);
    assert_true(fabs(in.gpu_ram_mib - 8192) < 0.5); /* gpu_totalram 40960 over 5 GPUs */
    assert_int_equal(in.nports, 0);
    char host[64];
    int port = 0;
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "ssh4.vast.ai"); /* no ports yet: the proxy */
    assert_int_equal(port, 11610);

    /* the same machine with a jupyter runtype: sshd sits one above the proxy port */
    cJSON *j = cJSON_Parse(body);
    free(body);
    assert_non_null(j);
    cJSON *obj = cJSON_GetObjectItem(j, "instances");
    cJSON_ReplaceItemInObject(obj, "image_runtype", cJSON_CreateString("jupyter_direc ssh_proxy"));
    assert_true(instance_from_json(obj, &in));
    cJSON_Delete(j);
    assert_true(in.jupyter_runtype);
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "ssh4.vast.ai");
    assert_int_equal(port, 11611);
}

static void test_show_null_and_shapes(void **state)
{
    (void)state;
    struct instance in;
    struct gw_error err;
    assert_int_equal(show("{\"instances\": null}", &in, &err), 0);
    assert_int_equal(in.id, 0);
    assert_int_equal(show("  {\"instances\":null}\n", &in, &err), 0);
    assert_int_equal(show("{\"instances\": []}", &in, &err), 0);
    assert_int_equal(
        show("{\"instances\": [{\"id\": 5, \"actual_status\": \"running\"}]}", &in, &err), 1);
    assert_int_equal(in.id, 5);
    assert_int_equal(show("{\"instances\": {\"id\": 7}}", &in, &err), 1);
    assert_int_equal(in.id, 7);
    assert_string_equal(in.actual_status, "");
    assert_true(isnan(in.dph_total));
    assert_true(isnan(in.gpu_ram_mib));
    assert_false(instance_ssh_address(&in, (char[64]){0}, 64, &(int){0}));
}

static void test_show_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   \n",
        "{\"instances\": {\"id\": 7, \"label\": \"x\"",
        "{\"instances\": {\"id\": 7}} trailing",
        "<!DOCTYPE html><html><body>Maintenance</body></html>",
        "[1, 2]",
        "\"instances\"",
        "{\"instances\": {\"label\": \"no id\"}}",
        "{\"instances\": {\"id\": -3}}",
        "{\"instances\": {\"id\": 1.5}}",
        "{\"instances\": {\"id\": \"42\"}}",
        "{\"instances\": 42}",
        "{\"success\": false, \"msg\": \"Invalid user key\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct instance in;
        struct gw_error err;
        assert_int_equal(show(bad[i], &in, &err), -1);
        assert_int_equal(err.kind, EXIT_PROVIDER);
        assert_non_null(strstr(err.msg, "malformed instance response: "));
        assert_int_equal(in.id, 0);
    }
    struct instance in;
    struct gw_error err;
    show("{\"success\": false, \"msg\": \"Invalid user key\"}", &in, &err);
    assert_non_null(strstr(err.msg, "Invalid user key"));
    show("<html>", &in, &err);
    assert_non_null(strstr(err.msg, "HTML"));
    /* a truncated body, measured by its length rather than its NUL */
    const char *full = "{\"instances\": {\"id\": 7}}";
    assert_int_equal(instance_parse_show(full, 12, &in, &err), -1);
}

static void test_wrong_types(void **state)
{
    (void)state;
    static const char *const garbage =
        "{\"id\": 9, \"label\": 5, \"actual_status\": [], \"intended_status\": {},"
        " \"cur_state\": true, \"status_msg\": null, \"image_uuid\": 1.5, \"gpu_name\": false,"
        " \"num_gpus\": \"2\", \"gpu_totalram\": \"big\", \"gpu_ram\": -1, \"dph_total\": -0.5,"
        " \"disk_space\": \"20\", \"start_date\": -1, \"uptime_mins\": \"5\", \"geolocation\": 3,"
        " \"public_ipaddr\": [\"1.2.3.4\"], \"ssh_host\": 7, \"ssh_port\": \"notaport\","
        " \"image_runtype\": 4,"
        " \"ports\": {\"22/tcp\": \"43486\", \"x/tcp\": [{\"HostPort\": \"1\"}],"
        "   \"53/udp\": [{\"HostPort\": \"5353\"}], \"80/tcp\": [{\"HostPort\": \"99999\"}],"
        "   \"81/tcp\": [5, null, {\"HostPort\": null}, {\"HostPort\": 8181}],"
        "   \"82/tcp\": null, \"0/tcp\": [{\"HostPort\": \"1\"}], \"83/tcpx\": [{\"HostPort\": 2}],"
        "   \"84/tcp\": {\"HostPort\": \"84\"}}}";
    cJSON *j = cJSON_Parse(garbage);
    assert_non_null(j);
    struct instance in;
    assert_true(instance_from_json(j, &in));
    cJSON_Delete(j);
    assert_int_equal(in.id, 9);
    assert_string_equal(in.label, "");
    assert_string_equal(in.actual_status, "");
    assert_string_equal(in.intended_status, "");
    assert_string_equal(in.cur_state, "");
    assert_string_equal(in.status_msg, "");
    assert_string_equal(in.image, "");
    assert_string_equal(in.gpu_name, "");
    assert_int_equal(in.num_gpus, 0);
    assert_true(isnan(in.gpu_ram_mib));
    assert_true(isnan(in.dph_total));
    assert_true(isnan(in.disk_space));
    assert_true(isnan(in.start_date));
    assert_true(isnan(in.uptime_mins));
    assert_string_equal(in.geolocation, "");
    assert_string_equal(in.public_ipaddr, "");
    assert_string_equal(in.ssh_host, "");
    assert_int_equal(in.ssh_port, 0);
    assert_false(in.jupyter_runtype);
    /* only 81/tcp has a usable mapping: its first valid entry */
    assert_int_equal(in.nports, 1);
    assert_int_equal(instance_port_for(&in, 81), 8181);
    assert_int_equal(instance_port_for(&in, 22), 0);
    char host[64];
    int port = 7;
    assert_false(instance_ssh_address(&in, host, sizeof host, &port));
    assert_int_equal(port, 0);

    /* not objects at all */
    assert_false(instance_from_json(NULL, &in));
    cJSON *arr = cJSON_CreateArray();
    assert_false(instance_from_json(arr, &in));
    cJSON_Delete(arr);
}

static void test_strings_cleaned(void **state)
{
    (void)state;
    struct instance in;
    struct gw_error err;
    assert_int_equal(
        show("{\"instances\": {\"id\": 3, \"status_msg\": \"a\\nb\\r\\nc\\t\\n\","
             " \"public_ipaddr\": \"  203.0.113.9\\n\", \"ssh_host\": \"ssh5.vast.ai \","
             " \"ssh_port\": \"15220\", \"gpu_ram\": 12288, \"gpu_totalram\": 24576,"
             " \"num_gpus\": 2, \"ports\": {\"22/tcp\": [{\"HostIp\": \"::\", \"HostPort\": "
             "40022}]}}}",
             &in, &err),
        1);
    assert_string_equal(in.status_msg, "a b  c");
    assert_string_equal(in.public_ipaddr, "203.0.113.9");
    assert_string_equal(in.ssh_host, "ssh5.vast.ai");
    assert_int_equal(in.ssh_port, 15220);
    assert_true(fabs(in.gpu_ram_mib - 12288) < 0.5);
    char host[64];
    int port = 0;
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "203.0.113.9");
    assert_int_equal(port, 40022);
    /* a host buffer too small is "no address", never a truncated host */
    char tiny[6];
    assert_false(instance_ssh_address(&in, tiny, sizeof tiny, &port));
    assert_string_equal(tiny, "");

    /* 22/tcp mapped but no public address yet: the proxy */
    assert_int_equal(show("{\"instances\": {\"id\": 3, \"public_ipaddr\": \" \\n\","
                          " \"ssh_host\": \"ssh5.vast.ai\", \"ssh_port\": 100,"
                          " \"ports\": {\"22/tcp\": [{\"HostPort\": \"40022\"}]}}}",
                          &in, &err),
                     1);
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "ssh5.vast.ai");
    assert_int_equal(port, 100);

    /* a long status line is cut, not overflowed */
    char body[2048];
    char msg[1000];
    memset(msg, 'x', sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    snprintf(body, sizeof body, "{\"instances\": {\"id\": 3, \"status_msg\": \"%s\"}}", msg);
    assert_int_equal(show(body, &in, &err), 1);
    assert_int_equal(strlen(in.status_msg), sizeof in.status_msg - 1);
}

static void test_ports_capped(void **state)
{
    (void)state;
    char body[8192];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"id\": 1, \"ports\": {");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "%s\"%d/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"%d\"}]",
                              i ? ", " : "", 1000 + i, 40000 + i);
    snprintf(body + n, sizeof body - n, "}}");
    cJSON *j = cJSON_Parse(body);
    assert_non_null(j);
    struct instance in;
    assert_true(instance_from_json(j, &in));
    cJSON_Delete(j);
    assert_int_equal(in.nports, INSTANCE_MAX_PORTS);
    assert_int_equal(instance_port_for(&in, 1000), 40000);
    assert_int_equal(instance_port_for(&in, 1039), 0);
}

struct page {
    int rc;
    struct instance_list list;
    char token[64];
    struct gw_error err;
};

static void page(const char *text, struct page *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->token, "stale");
    p->rc = instance_parse_page(text, strlen(text), &p->list, p->token, sizeof p->token, &p->err);
}

static void test_page_tokens(void **state)
{
    (void)state;
    struct page p;
    page("{\"success\": true, \"instances_found\": 2, \"total_instances\": 5,"
         " \"next_token\": \"eyJhZnRlcl9pZCI6IDEyfQ==\","
         " \"instances\": [{\"id\": 11, \"label\": \"a\"}, {\"id\": 12}]}",
         &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 2);
    assert_int_equal(p.list.items[0].id, 11);
    assert_string_equal(p.list.items[0].label, "a");
    assert_string_equal(p.token, "eyJhZnRlcl9pZCI6IDEyfQ==");
    /* the next page appends */
    const char *next = "{\"instances\": [{\"id\": 13}], \"next_token\": 7000003}";
    p.rc = instance_parse_page(next, strlen(next), &p.list, p.token, sizeof p.token, &p.err);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 3);
    assert_int_equal(p.list.items[2].id, 13);
    assert_string_equal(p.token, "7000003");
    instance_list_free(&p.list);
    assert_null(p.list.items);

    page("{\"instances\": [], \"next_token\": null}", &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 0);
    assert_string_equal(p.token, "");
    instance_list_free(&p.list);

    page("{\"instances\": [{\"id\": 1}]}", &p);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.token, "");
    instance_list_free(&p.list);

    page("{\"instances\": [{\"id\": 1}], \"next_token\": \"\"}", &p);
    assert_string_equal(p.token, "");
    instance_list_free(&p.list);

    page("{\"instances\": [{\"id\": 1}], \"next_token\": [1]}", &p);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.token, "");
    instance_list_free(&p.list);

    /* elements that are not instances are skipped, not fatal */
    page("{\"instances\": [null, 5, \"x\", {\"label\": \"no id\"}, {\"id\": 4}]}", &p);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.list.count, 1);
    assert_int_equal(p.list.items[0].id, 4);
    instance_list_free(&p.list);
}

static void test_page_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "{\"instances\": [{\"id\": 1},",
        "<html><body>502 Bad Gateway</body></html>",
        "{\"instances\": {\"id\": 1}}",
        "{\"success\": false, \"error\": \"invalid_token\", \"msg\": \"Invalid after_token\"}",
        "[]",
        "{\"instances\": []} {}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct page p;
        page(bad[i], &p);
        assert_int_equal(p.rc, -1);
        assert_int_equal(p.err.kind, EXIT_PROVIDER);
        assert_non_null(strstr(p.err.msg, "malformed instance list: "));
        assert_string_equal(p.token, "");
        assert_int_equal(p.list.count, 0);
        instance_list_free(&p.list);
    }
    struct page p;
    page("{\"success\": false, \"error\": \"invalid_token\", \"msg\": \"Invalid after_token\"}",
         &p);
    assert_non_null(strstr(p.err.msg, "Invalid after_token"));

    /* a token longer than the caller's buffer would page wrongly: an error, not a cut */
    char body[256];
    snprintf(body, sizeof body, "{\"instances\": [], \"next_token\": \"%0100d\"}", 7);
    page(body, &p);
    assert_int_equal(p.rc, -1);
    assert_non_null(strstr(p.err.msg, "token"));
    instance_list_free(&p.list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_running),       cmocka_unit_test(test_sample_loading),
        cmocka_unit_test(test_show_null_and_shapes), cmocka_unit_test(test_show_malformed),
        cmocka_unit_test(test_wrong_types),          cmocka_unit_test(test_strings_cleaned),
        cmocka_unit_test(test_ports_capped),         cmocka_unit_test(test_page_tokens),
        cmocka_unit_test(test_page_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
