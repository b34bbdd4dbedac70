/* Tests the destructive-action gate (SPEC §8): who can make a confirmation, that the provider
 * refuses every request without the right one (the fake's request log shows nothing was sent),
 * the audited request and its outcomes, and the dashboard's worker thread. vast runs through real
 * libcurl against tests/fake_vast.py on loopback (those tests skip without python3). */
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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakeserver.h"
#include "gate.h"
#include "provider.h"
#include "state.h"
#include "textfile.h"

#define KEY "vast-secret-key-0123456789"

static struct fake_server fake;
static char scratch[64];
static struct gate_files files;

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

static int setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/gw-gate-XXXXXX");
    assert_non_null(mkdtemp(scratch));
    snprintf(files.state, sizeof files.state, "%s/state", scratch);
    snprintf(files.audit, sizeof files.audit, "%s/state/audit.jsonl", scratch);
    if (fake.pid > 0) {
        fake_server_control(&fake, "reset", "{}");
        fake_server_control(&fake, "instances/add",
                            "[{\"id\": 501, \"label\": \"gpuwarden:ace\", \"actual_status\": "
                            "\"running\"}, {\"id\": 502, \"actual_status\": \"running\"}]");
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_remove_tree(scratch);
    return 0;
}

#define NEED_FAKE()                                                                                \
    do {                                                                                           \
        if (fake.pid <= 0)                                                                         \
            skip();                                                                                \
    } while (0)

/* Requests that would stop or destroy anything: a PUT or DELETE on an instance. */
static int destructive_requests(void)
{
    return fake_server_logged(&fake, "DELETE", "/api/v0/instances/") +
           fake_server_logged(&fake, "PUT", "/api/v0/instances/");
}

/* The audit log's lines, parsed; each must be a JSON object. Caller deletes the array. */
static cJSON *audit_lines(void)
{
    cJSON *all = cJSON_CreateArray();
    size_t len = 0;
    struct gw_error err = {0};
    char *text = textfile_read(files.audit, 1 << 20, &len, &err);
    if (text == NULL)
        return all;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        assert_true(cJSON_IsObject(o));
        cJSON_AddItemToArray(all, o);
    }
    free(text);
    return all;
}

static const char *field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ------------------------------------------------------------------ who makes confirmations */

static void test_cli_confirm_needs_the_same_id(void **state)
{
    (void)state;
    struct gw_error err = {0};
    assert_null(gate_confirm_cli(GATE_DESTROY, 501, 0, &err));
    assert_int_equal(err.kind, EXIT_USAGE);
    assert_non_null(strstr(err.msg, "nothing was sent"));
    assert_non_null(strstr(err.msg, "--confirm 501"));
    assert_null(gate_confirm_cli(GATE_STOP, 501, 502, &err));
    assert_non_null(strstr(err.msg, "does not match"));
    assert_null(gate_confirm_cli(GATE_STOP, 0, 0, &err));
    struct gate_confirmation *c = gate_confirm_cli(GATE_STOP, 501, 501, &err);
    assert_non_null(c);
    gate_confirmation_free(c);
}

static void test_dialog_destroy_needs_the_typed_id(void **state)
{
    (void)state;
    struct gw_error err = {0};
    assert_null(gate_confirm_dialog(GATE_DESTROY, 501, NULL, &err));
    assert_null(gate_confirm_dialog(GATE_DESTROY, 501, "", &err));
    assert_null(gate_confirm_dialog(GATE_DESTROY, 501, "50", &err));
    assert_null(gate_confirm_dialog(GATE_DESTROY, 501, "5011", &err));
    assert_non_null(strstr(err.msg, "type 501"));
    assert_null(gate_confirm_dialog(GATE_STOP, 0, NULL, &err));
    struct gate_confirmation *d = gate_confirm_dialog(GATE_DESTROY, 501, "501", &err);
    struct gate_confirmation *s = gate_confirm_dialog(GATE_STOP, 501, NULL, &err);
    assert_non_null(d);
    assert_non_null(s);
    gate_confirmation_free(d);
    gate_confirmation_free(s);
}

static void test_take_is_single_use_and_exact(void **state)
{
    (void)state;
    struct gw_error err = {0};
    assert_false(gate_confirmation_take(NULL, GATE_DESTROY, 501, &err));
    struct gate_confirmation *c = gate_confirm_cli(GATE_DESTROY, 501, 501, &err);
    assert_false(gate_confirmation_take(c, GATE_DESTROY, 502, &err)); /* another instance */
    assert_false(gate_confirmation_take(c, GATE_STOP, 501, &err));    /* another action */
    assert_non_null(strstr(err.msg, "confirmation is for destroy instance 501"));
    assert_true(gate_confirmation_take(c, GATE_DESTROY, 501, &err));
    assert_false(gate_confirmation_take(c, GATE_DESTROY, 501, &err)); /* used up */
    assert_non_null(strstr(err.msg, "already used"));
    gate_confirmation_free(c);
}

/* ------------------------------------------------------------------ the provider refuses */

static void test_vast_refuses_without_the_right_confirmation(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gw_error err = {0};
    assert_int_equal(provider_destroy_instance(p, NULL, 501, &err), -1);
    assert_int_equal(provider_stop(p, NULL, 501, &err), -1);
    struct gate_confirmation *other = gate_confirm_cli(GATE_DESTROY, 502, 502, &err);
    assert_int_equal(provider_destroy_instance(p, other, 501, &err), -1);
    struct gate_confirmation *stop = gate_confirm_cli(GATE_STOP, 501, 501, &err);
    assert_int_equal(provider_destroy_instance(p, stop, 501, &err), -1); /* a stop is no destroy */
    assert_int_equal(destructive_requests(), 0);
    /* the refusals did not use them up: each still does exactly what it confirms, once */
    assert_int_equal(provider_stop(p, stop, 501, &err), 1);
    assert_int_equal(provider_stop(p, stop, 501, &err), -1);
    assert_int_equal(fake_server_logged(&fake, "PUT", "/api/v0/instances/501/"), 1);
    assert_int_equal(provider_destroy_instance(p, other, 502, &err), 1);
    assert_int_equal(fake_server_logged(&fake, "DELETE", "/api/v0/instances/502/"), 1);
    assert_int_equal(destructive_requests(), 2);
    gate_confirmation_free(other);
    gate_confirmation_free(stop);
    provider_free(p);
}

static void test_vast_stop_and_destroy_requests(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gw_error err = {0};
    struct gate_confirmation *c = gate_confirm_cli(GATE_STOP, 501, 501, &err);
    assert_int_equal(provider_stop(p, c, 501, &err), 1);
    gate_confirmation_free(c);
    cJSON *log = fake_server_log(&fake);
    const cJSON *e = cJSON_GetArrayItem(log, cJSON_GetArraySize(log) - 1);
    assert_string_equal(field(e, "method"), "PUT");
    assert_string_equal(field(e, "path"), "/api/v0/instances/501/");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    assert_string_equal(field(body, "state"), "stopped");
    assert_non_null(
        strstr(field(cJSON_GetObjectItemCaseSensitive(e, "headers"), "authorization"), KEY));
    cJSON_Delete(log);
    struct instance in;
    assert_int_equal(provider_show(p, 501, &in, &err), 1);
    assert_string_equal(in.actual_status, "stopped");
    /* destroy, then destroy again: the second is "already gone", not an error */
    c = gate_confirm_cli(GATE_DESTROY, 501, 501, &err);
    assert_int_equal(provider_destroy_instance(p, c, 501, &err), 1);
    gate_confirmation_free(c);
    assert_int_equal(provider_show(p, 501, &in, &err), 0);
    c = gate_confirm_cli(GATE_DESTROY, 501, 501, &err);
    assert_int_equal(provider_destroy_instance(p, c, 501, &err), 0);
    gate_confirmation_free(c);
    provider_free(p);
}

static void test_vast_destroy_429_is_retried(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"429\", \"count\": 2, \"endpoint\": \"destroy\"}");
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gw_error err = {0};
    struct gate_confirmation *c = gate_confirm_cli(GATE_DESTROY, 502, 502, &err);
    assert_int_equal(provider_destroy_instance(p, c, 502, &err), 1);
    assert_int_equal(fake_server_logged(&fake, "DELETE", "/api/v0/instances/502/"), 3);
    gate_confirmation_free(c);
    /* a 429 that never ends is a message, not a hang or a crash */
    fake_server_control(&fake, "mode",
                        "{\"mode\": \"429\", \"count\": -1, \"endpoint\": \"stop\"}");
    c = gate_confirm_cli(GATE_STOP, 501, 501, &err);
    assert_int_equal(provider_stop(p, c, 501, &err), -1);
    assert_int_equal(err.kind, EXIT_PROVIDER);
    assert_non_null(strstr(err.msg, "rate limited"));
    gate_confirmation_free(c);
    provider_free(p);
}

static void test_demo_stop_and_destroy(void **state)
{
    (void)state;
    struct provider *p = provider_demo_new();
    struct create_request req = {.offer_id = 4242307, .image = "x", .label = "gpuwarden:t"};
    int64_t id = 0;
    struct gw_error err = {0};
    assert_int_equal(provider_create(p, &req, &id, &err), 0);
    assert_int_equal(provider_destroy_instance(p, NULL, id, &err), -1);
    struct gate_confirmation *c = gate_confirm_dialog(GATE_STOP, id, NULL, &err);
    assert_int_equal(provider_stop(p, c, id, &err), 1);
    gate_confirmation_free(c);
    struct instance in;
    assert_int_equal(provider_show(p, id, &in, &err), 1);
    assert_string_equal(in.actual_status, "stopped");
    char typed[32];
    snprintf(typed, sizeof typed, "%lld", (long long)id);
    c = gate_confirm_dialog(GATE_DESTROY, id, typed, &err);
    assert_int_equal(provider_destroy_instance(p, c, id, &err), 1);
    gate_confirmation_free(c);
    assert_int_equal(provider_show(p, id, &in, &err), 0);
    provider_free(p);
}

/* ------------------------------------------------------------------ gate_run and the audit */

static void test_run_audits_sent_then_outcome(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gw_error err = {0};
    struct gate_target t = {.id = 501};
    snprintf(t.label, sizeof t.label, "gpuwarden:ace");
    char msg[512];
    assert_int_equal(gate_cancelled(GATE_DESTROY, &t, &files, "dashboard", "Esc", &err), 0);
    assert_int_equal(gate_run(p, gate_confirm_dialog(GATE_DESTROY, 501, "501", &err), &t, &files,
                              "dashboard", msg, sizeof msg),
                     GATE_DONE);
    assert_string_equal(msg, "instance 501 destroyed");
    assert_int_equal(gate_run(p, gate_confirm_cli(GATE_DESTROY, 501, 501, &err), &t, &files,
                              "command line", msg, sizeof msg),
                     GATE_GONE);
    assert_non_null(strstr(msg, "already gone"));
    /* a confirmation for another instance: refused before anything is written as sent */
    assert_int_equal(gate_run(p, gate_confirm_cli(GATE_DESTROY, 502, 502, &err), &t, &files,
                              "command line", msg, sizeof msg),
                     GATE_REFUSED);
    assert_int_equal(fake_server_logged(&fake, "DELETE", "/api/v0/instances/"), 2);
    cJSON *lines = audit_lines();
    const char *want[][2] = {
        {"cancelled", "Esc"},       {"sent", ""},
        {"succeeded", ""},          {"sent", ""},
        {"failed", "already gone"}, {"failed", "not confirmed: nothing was sent"}};
    assert_int_equal(cJSON_GetArraySize(lines), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *o = cJSON_GetArrayItem(lines, i);
        assert_string_equal(field(o, "outcome"), want[i][0]);
        assert_string_equal(field(o, "reason"), want[i][1]);
        assert_string_equal(field(o, "action"), "destroy");
        assert_string_equal(field(o, "label"), "gpuwarden:ace");
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "instance_id")->valueint, 501);
        assert_true(strlen(field(o, "time")) == 20);
    }
    cJSON_Delete(lines);
    /* never the key */
    size_t len = 0;
    char *text = textfile_read(files.audit, 1 << 20, &len, &err);
    assert_null(strstr(text, KEY));
    free(text);
    struct stat st;
    assert_int_equal(stat(files.audit, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    provider_free(p);
}

static void test_run_without_audit_sends_nothing(void **state)
{
    (void)state;
    NEED_FAKE();
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gw_error err = {0};
    struct gate_files bad = files;
    /* a file where the folder should be: the log cannot be opened */
    char blocker[128];
    snprintf(blocker, sizeof blocker, "%s/blocker", scratch);
    FILE *f = fopen(blocker, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(bad.audit, sizeof bad.audit, "%s/audit.jsonl", blocker);
    struct gate_target t = {.id = 501};
    char msg[512];
    assert_int_equal(gate_run(p, gate_confirm_cli(GATE_DESTROY, 501, 501, &err), &t, &bad,
                              "command line", msg, sizeof msg),
                     GATE_FAILED);
    assert_non_null(strstr(msg, "nothing was sent"));
    assert_int_equal(destructive_requests(), 0);
    provider_free(p);
}

static void test_run_marks_the_state_file(void **state)
{
    (void)state;
    NEED_FAKE();
    struct state_job j = {.instance_id = 502, .created_at = 1000, .setup_s = 60};
    snprintf(j.provider, sizeof j.provider, "vast");
    snprintf(j.state, sizeof j.state, "ready");
    struct gw_error err = {0};
    assert_int_equal(state_put(files.state, &j, &err), 0);
    struct provider *p = provider_vast_new(fake.base, KEY);
    struct gate_target t = {.id = 502};
    char msg[512];
    assert_int_equal(gate_run(p, gate_confirm_cli(GATE_DESTROY, 502, 502, &err), &t, &files,
                              "command line", msg, sizeof msg),
                     GATE_DONE);
    /* a later update from the job keeps the mark (same instance: same created_at) */
    assert_int_equal(state_put(files.state, &j, &err), 0);
    struct state_job *jobs = NULL;
    size_t n = 0;
    char note[256];
    assert_int_equal(state_load(files.state, &jobs, &n, note, sizeof note, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(jobs[0].instance_state, "destroyed");
    free(jobs);
    provider_free(p);
}

static void test_worker_posts_the_outcome(void **state)
{
    (void)state;
    NEED_FAKE();
    struct event_queue *q = events_new();
    struct gw_error err = {0};
    struct gate_target t = {.id = 501};
    struct gate_worker *w =
        gate_worker_start(provider_vast_new(fake.base, KEY),
                          gate_confirm_dialog(GATE_STOP, 501, NULL, &err), &t, &files, q, 7, &err);
    assert_non_null(w);
    struct pollfd pfd = {events_wake_fd(q), POLLIN, 0};
    assert_int_equal(poll(&pfd, 1, 15000), 1);
    gate_worker_join(w);
    struct event *ev = events_drain(q);
    assert_non_null(ev);
    assert_int_equal(ev->type, EVENT_GATE_DONE);
    assert_int_equal(ev->source, 7);
    const struct gate_outcome *o = ev->payload;
    assert_int_equal(o->result, GATE_DONE);
    assert_int_equal(o->action, GATE_STOP);
    assert_int_equal(o->id, 501);
    assert_string_equal(o->message, "instance 501 stopped");
    assert_null(ev->next);
    event_free(ev);
    /* no confirmation: no thread, nothing sent */
    assert_null(gate_worker_start(provider_vast_new(fake.base, KEY), NULL, &t, &files, q, 8, &err));
    assert_int_equal(fake_server_logged(&fake, "PUT", "/api/v0/instances/"), 1);
    events_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_confirm_needs_the_same_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dialog_destroy_needs_the_typed_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_is_single_use_and_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vast_refuses_without_the_right_confirmation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_vast_stop_and_destroy_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vast_destroy_429_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_stop_and_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_audits_sent_then_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_without_audit_sends_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_marks_the_state_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_posts_the_outcome, setup, teardown),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
