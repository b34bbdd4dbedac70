/* Tests the provider lifecycle (create, show, list, clone): vast through real libcurl against
 * the loopback fake (tests/fake_vast.py, started once for the file; those tests skip when
 * python3 or the fake cannot be started), and the demo's simulated instances. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeserver.h"
#include "http.h"
#include "provider.h"

#define KEY "vast-secret-key-0123456789"

static struct fake_server fake; /* tests/fake_vast.py */

static int start_fake(void **state)
{
    (void)state;
    fake_group_begin(&fake, "GPUWARDEN_FAKE_VAST", "tests/fake_vast.py"); /* else: skips */
    return 0;
}

static int stop_fake(void **state)
{
    (void)state;
    fake_group_end(&fake);
    return 0;
}

static const char *entry_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Requests logged with this method whose path starts with `prefix`. */
static int logged(const char *method, const char *prefix)
{
    return fake_server_logged(&fake, method, prefix);
}

/* The i-th logged request (caller deletes the returned log; *entry points into it). */
static cJSON *log_entry(int i, const cJSON **entry)
{
    cJSON *log = fake_server_log(&fake);
    *entry = cJSON_GetArrayItem(log, i);
    assert_non_null(*entry);
    return log;
}

#define NEED_FAKE()                                                                                \
    do {                                                                                           \
        if (fake.pid <= 0)                                                                         \
            skip();                                                                                \
    } while (0)

/* Two offers the fake can rent. */
static const char *const MARKET =
    "[{\"id\": 101, \"ask_contract_id\": 101, \"gpu_name\": \"RTX 4090\", \"num_gpus\": 1,"
    "  \"gpu_ram\": 24564, \"gpu_total_ram\": 24564, \"dph_total\": 0.41,"
    "  \"geolocation\": \"Texas, US\", \"disk_space\": 100.0, \"public_ipaddr\": \"192.0.2.7\"},"
    " {\"id\": 102, \"ask_contract_id\": 102, \"gpu_name\": \"RTX 3060\", \"num_gpus\": 2,"
    "  \"gpu_ram\": 12288, \"gpu_total_ram\": 24576, \"dph_total\": 0.16,"
    "  \"geolocation\": \"Quebec, CA\", \"disk_space\": 30.0}]";

static int setup(void **state)
{
    (void)state;
    if (fake.pid <= 0)
        return 0;
    fake_server_control(&fake, "reset", "{}");
    fake_server_control(&fake, "offers", MARKET);
    return 0;
}

/* The message never carries the key, whatever went wrong. */
static void assert_no_key(const struct gw_error *err)
{
    assert_null(strstr(err->msg, KEY));
}

static const char *const ENV_KEYS[] = {"HF_HOME", "GREETING"};
static const char *const ENV_VALUES[] = {"/workspace/hf", "hello \"world\""};
static const int PORTS[] = {8000};

static struct create_request request(int64_t offer_id)
{
    struct create_request req = {
        .offer_id = offer_id,
        .image = "nvidia/cuda:12.8.1-runtime-ubuntu22.04",
        .disk_gb = 40,
        .label = "gpuwarden:ace-step-1.5",
        .env_keys = ENV_KEYS,
        .env_values = ENV_VALUES,
        .nenv = 2,
        .ports = PORTS,
        .nports = 1,
    };
    return req;
}

static struct provider *vast(void)
{
    return provider_vast_new(fake.base, KEY);
}

/* ------------------------------------------------------------------ vast: create */

static void test_vast_create(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = vast();
    struct create_request req = request(101);
    int64_t id = -1;
    struct gw_error err = {0};
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(id, 7000001);

    const cJSON *e;
    cJSON *log = log_entry(0, &e);
    assert_int_equal(cJSON_GetArraySize(log), 1);
    assert_string_equal(entry_str(e, "method"), "PUT");
    assert_string_equal(entry_str(e, "path"), "/api/v0/asks/101/");
    const cJSON *headers = cJSON_GetObjectItem(e, "headers");
    assert_string_equal(entry_str(headers, "authorization"), "Bearer " KEY);
    const cJSON *body = cJSON_GetObjectItem(e, "body");
    assert_true(cJSON_IsObject(body));
    assert_string_equal(entry_str(body, "client_id"), "me");
    assert_string_equal(entry_str(body, "image"), req.image);
    assert_string_equal(entry_str(body, "label"), "gpuwarden:ace-step-1.5");
    assert_string_equal(entry_str(body, "runtype"), "ssh_direc ssh_proxy");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(body, "cancel_unavail")));
    assert_true(cJSON_GetObjectItem(body, "disk")->valuedouble == 40);
    assert_null(cJSON_GetObjectItem(body, "price")); /* on-demand */
    assert_null(cJSON_GetObjectItem(body, "onstart"));
    const cJSON *env = cJSON_GetObjectItem(body, "env");
    assert_true(cJSON_IsObject(env)); /* an object, never a Docker flag string */
    assert_int_equal(cJSON_GetArraySize(env), 3);
    assert_string_equal(entry_str(env, "HF_HOME"), "/workspace/hf");
    assert_string_equal(entry_str(env, "GREETING"), "hello \"world\"");
    assert_string_equal(entry_str(env, "-p 8000:8000"), "1");
    cJSON_Delete(log);

    /* the rented offer is gone for the next renter */
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_int_equal(id, 0);
    provider_free(p);
}

static void test_vast_create_gone(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = vast();
    struct create_request req = request(999);
    int64_t id = -1;
    struct gw_error err = {0};
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_int_equal(id, 0);
    assert_non_null(strstr(err.msg, "offer 999 is no longer available"));
    assert_non_null(strstr(err.msg, "pick another offer"));
    assert_no_key(&err);
    assert_int_equal(logged("PUT", "/api/v0/asks/999/"), 1);
    provider_free(p);
}

static void test_vast_create_errors(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = vast();
    struct create_request req = request(101);
    int64_t id = -1;
    struct gw_error err = {0};

    /* a 500 may have rented the machine: never sent twice */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"500\", \"count\": -1, \"endpoint\": \"create\"}");
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_non_null(strstr(err.msg, "HTTP 500"));
    assert_non_null(strstr(err.msg, "Internal error"));
    assert_no_key(&err);
    assert_int_equal(logged("PUT", "/api/v0/asks/"), 1);

    /* a 429 was refused before anything happened: retried */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"429\", \"count\": 2, \"endpoint\": \"create\"}");
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(id, 7000001);
    assert_int_equal(logged("PUT", "/api/v0/asks/"), 4);

    /* a 200 that is not a rental */
    req.offer_id = 102;
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"malformed\", \"count\": 1, \"endpoint\": \"create\"}");
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_int_equal(id, 0);

    /* a bad port is refused before sending */
    const int bad_port[] = {70000};
    req.ports = bad_port;
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_int_equal(logged("PUT", "/api/v0/asks/"), 5);

    /* the wrong key: vast's 404 auth_error */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"auth_error\", \"count\": 1, \"endpoint\": \"any\"}");
    req.ports = PORTS;
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_non_null(strstr(err.msg, "authentication failed"));
    assert_no_key(&err);
    provider_free(p);
}

/* ------------------------------------------------------------------ vast: show */

static void test_vast_show_boot(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances",
                        "{\"ssh_host\": \"127.0.0.1\", \"ssh_port\": 2222, \"direct\": true,"
                        " \"loading_polls\": 2}");
    struct provider *p = vast();
    struct create_request req = request(101);
    int64_t id = 0;
    struct gw_error err = {0};
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    struct instance in;
    char host[64];
    int port = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(provider_show(p, id, &in, &err), 1);
        assert_int_equal(in.id, id);
        assert_string_equal(in.actual_status, "loading");
        assert_string_equal(in.intended_status, "running");
        assert_non_null(strstr(in.status_msg, "Pulling fs layer"));
        assert_int_equal(in.nports, 0);
    }
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "running");
    assert_string_equal(in.label, "gpuwarden:ace-step-1.5");
    assert_string_equal(in.image, req.image);
    assert_string_equal(in.gpu_name, "RTX 4090");
    assert_int_equal(in.num_gpus, 1);
    assert_true(fabs(in.gpu_ram_mib - 24564) < 0.5);
    assert_true(fabs(in.dph_total - 0.41) < 1e-9);
    assert_true(fabs(in.disk_space - 40) < 1e-9);
    assert_string_equal(in.geolocation, "Texas, US");
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 2222);
    assert_int_equal(instance_port_for(&in, 22), 2222);
    assert_int_equal(logged("GET", "/api/v0/instances/7000001/"), 3);

    /* a machine that never comes up, seen through the proxy address */
    fake_server_control(&fake, "instances",
                        "{\"direct\": false, \"loading_polls\": 0, \"final_status\": \"exited\"}");
    req.offer_id = 102;
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "exited");
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_int_equal(port, 2222);
    assert_true(fabs(in.gpu_ram_mib - 12288) < 0.5); /* 24576 over 2 GPUs */
    assert_true(fabs(in.disk_space - 30) < 1e-9);    /* vast caps the disk at the offer's */
    provider_free(p);
}

static void test_vast_show_unknown(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = vast();
    struct instance in;
    struct gw_error err = {0};
    assert_int_equal(provider_show(p, 123, &in, &err), 0);
    assert_int_equal(in.id, 0);
    provider_free(p);
}

static void test_vast_show_faults(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances/add", "[{\"id\": 55, \"actual_status\": \"running\"}]");
    struct provider *p = vast();
    struct instance in;
    struct gw_error err = {0};

    fake_server_control(&fake, "mode",
                        "{\"mode\": \"429\", \"count\": -1, \"endpoint\": \"show\"}");
    assert_int_equal(provider_show(p, 55, &in, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_non_null(strstr(err.msg, "rate limited"));
    assert_no_key(&err);
    assert_int_equal(logged("GET", "/api/v0/instances/55/"), 4); /* 1 + 3 retries */

    fake_server_control(&fake, "reset", "{}");
    fake_server_control(&fake, "instances/add", "[{\"id\": 55, \"actual_status\": \"running\"}]");
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"500\", \"count\": -1, \"endpoint\": \"show\"}");
    assert_int_equal(provider_show(p, 55, &in, &err), -1);
    assert_non_null(strstr(err.msg, "HTTP 500 after retries"));
    assert_int_equal(logged("GET", "/api/v0/instances/55/"), 4);

    /* a passing fault is ridden out */
    fake_server_control(&fake, "mode", "{\"mode\": \"503\", \"count\": 2, \"endpoint\": \"show\"}");
    assert_int_equal(provider_show(p, 55, &in, &err), 1);
    assert_string_equal(in.actual_status, "running");

    /* a fault aimed elsewhere leaves show alone */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"500\", \"count\": -1, \"endpoint\": \"list\"}");
    assert_int_equal(provider_show(p, 55, &in, &err), 1);

    fake_server_control(&fake, "mode",
                        "{\"mode\": \"html\", \"count\": 1, \"endpoint\": \"show\"}");
    assert_int_equal(provider_show(p, 55, &in, &err), -1);
    assert_non_null(strstr(err.msg, "malformed instance response"));
    assert_non_null(strstr(err.msg, "/api/v0/instances/55/"));
    provider_free(p);
}

/* ------------------------------------------------------------------ vast: list */

static void test_vast_list_pages(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances", "{\"page_size\": 2}");
    fake_server_control(&fake, "instances/add",
                        "[{\"id\": 501, \"label\": \"a\"}, {\"id\": 502}, {\"id\": 503},"
                        " {\"id\": 504}, {\"id\": 505, \"actual_status\": \"stopped\"}]");
    struct provider *p = vast();
    struct instance_list l = {0};
    struct gw_error err = {0};
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(l.items[i].id, 501 + (int64_t)i);
    assert_string_equal(l.items[0].label, "a");
    assert_string_equal(l.items[4].actual_status, "stopped");

    cJSON *log = fake_server_log(&fake);
    assert_int_equal(cJSON_GetArraySize(log), 3);
    for (int i = 0; i < 3; i++) {
        const cJSON *e = cJSON_GetArrayItem(log, i);
        const char *path = entry_str(e, "path");
        assert_string_equal(entry_str(e, "method"), "GET");
        assert_int_equal(strncmp(path, "/api/v1/instances/?limit=25", 27), 0);
        /* the token goes back as a JSON string, URL-quoted: "%22...%3D%3D%22" */
        if (i == 0)
            assert_null(strstr(path, "after_token"));
        else
            assert_non_null(strstr(path, "&after_token=%22"));
        assert_string_equal(entry_str(cJSON_GetObjectItem(e, "headers"), "authorization"),
                            "Bearer " KEY);
    }
    cJSON_Delete(log);
    assert_int_equal(logged("GET", "/api/v0/instances"), 0); /* the retired v0 list */

    /* a list appends */
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 10);
    instance_list_free(&l);

    /* empty account */
    fake_server_control(&fake, "reset", "{}");
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 0);
    instance_list_free(&l);
    provider_free(p);
}

static void test_vast_list_errors(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances/add", "[{\"id\": 601}, {\"id\": 602}]");
    struct provider *p = vast();
    struct instance_list l = {0};
    struct gw_error err = {0};
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 2);

    /* a failure leaves the caller's list as it was */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"malformed\", \"count\": 1, \"endpoint\": \"list\"}");
    assert_int_equal(provider_list(p, &l, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_non_null(strstr(err.msg, "malformed instance list"));
    assert_int_equal(l.count, 2);

    fake_server_control(&fake, "mode", "{\"mode\": \"500\", \"count\": -1, \"endpoint\": \"any\"}");
    assert_int_equal(provider_list(p, &l, &err), -1);
    assert_non_null(strstr(err.msg, "HTTP 500"));
    assert_no_key(&err);
    assert_int_equal(l.count, 2);
    instance_list_free(&l);
    provider_free(p);
}

static void test_vast_needs_key(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances/add", "[{\"id\": 701}]");
    const char *keys[] = {NULL, ""};
    for (int k = 0; k < 2; k++) {
        struct provider *p = provider_vast_new(fake.base, keys[k]);
        struct create_request req = request(101);
        int64_t id = -1;
        struct instance in;
        struct instance_list l = {0};
        struct gw_error err = {0};
        assert_int_equal(provider_create(p, &req, &id, &err), -1);
        assert_int_equal(err.kind, EXIT_USAGE);
        assert_non_null(strstr(err.msg, "this needs a vast.ai API key (set VAST_API_KEY"));
        assert_int_equal(id, 0);
        memset(&err, 0, sizeof err);
        assert_int_equal(provider_show(p, 701, &in, &err), -1);
        assert_int_equal(err.kind, EXIT_USAGE);
        assert_non_null(strstr(err.msg, "API key"));
        memset(&err, 0, sizeof err);
        assert_int_equal(provider_list(p, &l, &err), -1);
        assert_int_equal(err.kind, EXIT_USAGE);
        assert_int_equal(l.count, 0);
        instance_list_free(&l);
        provider_free(p);
    }
    cJSON *log = fake_server_log(&fake);
    assert_int_equal(cJSON_GetArraySize(log), 0); /* nothing was sent */
    cJSON_Delete(log);
}

/* ------------------------------------------------------------------ vast: clone */

struct worker_result {
    const struct provider *parent;
    int64_t offer_id, created;
    int show_rc, list_rc;
    size_t listed;
    char status[24];
};

static void *clone_worker(void *arg)
{
    struct worker_result *w = arg;
    struct provider *c = provider_clone(w->parent);
    struct create_request req = request(w->offer_id);
    struct gw_error err = {0};
    if (provider_create(c, &req, &w->created, &err) == 0) {
        struct instance in;
        w->show_rc = provider_show(c, w->created, &in, &err);
        snprintf(w->status, sizeof w->status, "%s", in.actual_status);
        struct instance_list l = {0};
        w->list_rc = provider_list(c, &l, &err);
        w->listed = l.count;
        instance_list_free(&l);
    }
    provider_free(c);
    return NULL;
}

static void test_vast_clone_thread(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "instances", "{\"loading_polls\": 0}");
    struct provider *p = vast();
    struct worker_result w[2] = {{.parent = p, .offer_id = 101}, {.parent = p, .offer_id = 102}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, clone_worker, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_true(w[i].created >= 7000001 && w[i].created <= 7000002);
        assert_int_equal(w[i].show_rc, 1);
        assert_string_equal(w[i].status, "running");
        assert_int_equal(w[i].list_rc, 0);
        assert_true(w[i].listed >= 1 && w[i].listed <= 2);
    }
    assert_true(w[0].created != w[1].created);
    /* the clones used the parent's account: every request carried the key */
    assert_int_equal(logged("PUT", "/api/v0/asks/"), 2);
    cJSON *log = fake_server_log(&fake);
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        assert_string_equal(entry_str(cJSON_GetObjectItem(e, "headers"), "authorization"),
                            "Bearer " KEY);
    }
    cJSON_Delete(log);
    /* the parent still works after its clones are gone */
    struct instance in;
    struct gw_error err = {0};
    assert_int_equal(provider_show(p, w[0].created, &in, &err), 1);
    provider_free(p);
}

/* ------------------------------------------------------------------ demo */

static void test_demo_create_unknown(void **state)
{
    (void)state;
    struct provider *p = provider_demo_new();
    struct create_request req = request(12345);
    int64_t id = -1;
    struct gw_error err = {0};
    assert_int_equal(provider_create(p, &req, &id, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_int_equal(id, 0);
    assert_non_null(strstr(err.msg, "offer 12345"));
    assert_non_null(strstr(err.msg, "pick another offer"));
    struct instance in;
    assert_int_equal(provider_show(p, 90000001, &in, &err), 0);
    struct instance_list l = {0};
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 0);
    instance_list_free(&l);
    provider_free(p);
}

static void test_demo_boot(void **state)
{
    (void)state;
    setenv("GPUWARDEN_DEMO_BOOT_S", "1", 1);
    struct provider *p = provider_demo_new();
    struct create_request req = request(20224334);
    int64_t id = 0;
    struct gw_error err = {0};
    time_t before = time(NULL);
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(id, 90000001);
    struct instance in;
    char host[64];
    int port = 0;
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "loading");
    assert_string_equal(in.intended_status, "running");
    assert_non_null(strstr(in.status_msg, "Pulling fs layer "));
    assert_non_null(strstr(in.status_msg, "/9: "));
    assert_non_null(strstr(in.status_msg, " MB / 1.2 GB"));
    assert_true(isnan(in.uptime_mins));
    assert_false(instance_ssh_address(&in, host, sizeof host, &port));
    fake_sleep_ms(1100);
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "running");
    assert_string_equal(in.label, "gpuwarden:ace-step-1.5");
    assert_string_equal(in.image, req.image);
    assert_string_equal(in.gpu_name, "RTX 3060");
    assert_int_equal(in.num_gpus, 1);
    assert_true(fabs(in.gpu_ram_mib - 12288) < 0.5); /* as advertised */
    assert_true(in.dph_total > 0.05 && in.dph_total < 0.12);
    assert_string_equal(in.geolocation, "Stockholm, SE");
    assert_true(in.start_date >= (double)before - 1 && in.start_date <= (double)time(NULL) + 1);
    assert_string_equal(in.public_ipaddr, "");
    assert_true(instance_ssh_address(&in, host, sizeof host, &port));
    assert_string_equal(host, "demo.invalid");
    assert_int_equal(port, 22);

    setenv("GPUWARDEN_DEMO_BOOT_S", "0", 1);
    req.offer_id = 4242307;
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(id, 90000002);
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "running");
    unsetenv("GPUWARDEN_DEMO_BOOT_S");
    provider_free(p);
}

static void test_demo_list(void **state)
{
    (void)state;
    setenv("GPUWARDEN_DEMO_BOOT_S", "0", 1);
    struct provider *p = provider_demo_new();
    struct gw_error err = {0};
    int64_t offers[] = {20224334, 4242307, 20224334}, id = 0;
    for (int i = 0; i < 3; i++) {
        struct create_request req = request(offers[i]);
        assert_int_equal(provider_create(p, &req, &id, &err), 0);
    }
    struct instance_list l = {0};
    struct instance extra = {.id = 1};
    l.items = malloc(sizeof extra);
    l.items[0] = extra, l.count = l.cap = 1;
    assert_int_equal(provider_list(p, &l, &err), 0);
    assert_int_equal(l.count, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(l.items[i + 1].id, 90000001 + i);
        assert_string_equal(l.items[i + 1].actual_status, "running");
    }
    instance_list_free(&l);
    unsetenv("GPUWARDEN_DEMO_BOOT_S");
    provider_free(p);
}

static void test_demo_gpu(void **state)
{
    (void)state;
    struct provider *p = provider_demo_new();
    struct gw_error err = {0};
    int64_t case7 = 0, good = 0;
    struct create_request req = request(20224334);
    assert_int_equal(provider_create(p, &req, &case7, &err), 0);
    req.offer_id = 4242307;
    assert_int_equal(provider_create(p, &req, &good, &err), 0);
    struct demo_gpu g;
    /* case 7: advertises 12288 MiB, the machine has 8192 */
    assert_true(provider_demo_gpu(p, case7, &g));
    assert_string_equal(g.name, "RTX 3060");
    assert_int_equal(g.count, 1);
    assert_true(fabs(g.vram_mib - 8192) < 0.5);
    assert_true(fabs(g.cc - 8.6) < 1e-9);
    assert_true(provider_demo_gpu(p, good, &g));
    assert_true(fabs(g.vram_mib - 12288) < 0.5);
    assert_false(provider_demo_gpu(p, 1, &g));
    assert_false(provider_demo_gpu(NULL, good, &g));
    struct provider *v = provider_vast_new("http://127.0.0.1:9", KEY);
    assert_false(provider_demo_gpu(v, good, &g));
    provider_free(v);
    provider_free(p);
}

struct demo_worker {
    struct provider *clone;
    int64_t ids[8];
};

static void *demo_creator(void *arg)
{
    struct demo_worker *w = arg;
    struct gw_error err = {0};
    for (int i = 0; i < 8; i++) {
        struct create_request req = request(4242307);
        if (provider_create(w->clone, &req, &w->ids[i], &err) != 0)
            w->ids[i] = -1;
    }
    return NULL;
}

static void test_demo_clones_share(void **state)
{
    (void)state;
    struct provider *p = provider_demo_new();
    struct provider *c = provider_clone(p);
    assert_non_null(c);
    assert_string_equal(provider_name(c), "demo");
    struct gw_error err = {0};
    int64_t id = 0;
    struct create_request req = request(20224334);
    assert_int_equal(provider_create(c, &req, &id, &err), 0);
    struct instance in;
    assert_int_equal(provider_show(p, id, &in, &err), 1); /* made by the clone */
    struct demo_gpu g;
    assert_true(provider_demo_gpu(p, id, &g));

    /* clones on threads create at once: every id distinct */
    struct demo_worker w[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        w[i].clone = provider_clone(i == 0 ? p : c);
        assert_int_equal(pthread_create(&t[i], NULL, demo_creator, &w[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 8; j++) {
            assert_true(w[i].ids[j] > id);
            for (int k = 0; k < 3; k++)
                for (int m = 0; m < 8; m++)
                    if (k != i || m != j)
                        assert_true(w[i].ids[j] != w[k].ids[m]);
        }
    struct instance_list l = {0};
    assert_int_equal(provider_list(w[2].clone, &l, &err), 0);
    assert_int_equal(l.count, 25);
    instance_list_free(&l);

    /* freed in any order: the original first, the shared instances live on */
    provider_free(p);
    assert_int_equal(provider_show(c, id, &in, &err), 1);
    provider_free(w[1].clone);
    provider_free(c);
    assert_int_equal(provider_show(w[0].clone, id, &in, &err), 1);
    provider_free(w[0].clone);
    assert_int_equal(provider_create(w[2].clone, &req, &id, &err), 0);
    provider_free(w[2].clone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_vast_create, setup),
        cmocka_unit_test_setup(test_vast_create_gone, setup),
        cmocka_unit_test_setup(test_vast_create_errors, setup),
        cmocka_unit_test_setup(test_vast_show_boot, setup),
        cmocka_unit_test_setup(test_vast_show_unknown, setup),
        cmocka_unit_test_setup(test_vast_show_faults, setup),
        cmocka_unit_test_setup(test_vast_list_pages, setup),
        cmocka_unit_test_setup(test_vast_list_errors, setup),
        cmocka_unit_test_setup(test_vast_needs_key, setup),
        cmocka_unit_test_setup(test_vast_clone_thread, setup),
        cmocka_unit_test(test_demo_create_unknown),
        cmocka_unit_test(test_demo_boot),
        cmocka_unit_test(test_demo_list),
        cmocka_unit_test(test_demo_gpu),
        cmocka_unit_test(test_demo_clones_share),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
