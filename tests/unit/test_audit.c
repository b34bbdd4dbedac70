/* Tests the audit log (SPEC §8): whole JSON lines, 0600 in a 0700 folder, a torn last line
 * (a crash mid-write) never merged with the next one, and the readable print. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "fakeserver.h"
#include "textfile.h"

static char scratch[64], path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/gw-audit-XXXXXX");
    assert_non_null(mkdtemp(scratch));
    snprintf(path, sizeof path, "%s/new/dir/audit.jsonl", scratch);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_remove_tree(scratch);
    return 0;
}

static char *slurp(const char *file)
{
    size_t len = 0;
    struct gw_error err = {0};
    char *text = textfile_read(file, 1 << 20, &len, &err);
    assert_non_null(text);
    return text;
}

/* What audit_print writes for the log at `file`. */
static void printed(const char *file, char *out, size_t size)
{
    struct gw_error err = {0};
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(audit_print(file, f, &err), 0);
    rewind(f);
    size_t got = fread(out, 1, size - 1, f);
    out[got] = '\0';
    fclose(f);
}

/* Every line of the file parses as a JSON object; returns how many there are. */
static int valid_lines(const char *file)
{
    char *text = slurp(file);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        if (!cJSON_IsObject(o))
            fail_msg("not a JSON object: %s", line);
        cJSON_Delete(o);
        n++;
    }
    free(text);
    return n;
}

static void test_append_whole_lines(void **state)
{
    (void)state;
    struct gw_error err = {0};
    struct audit_entry e = {.action = "destroy",
                            .instance_id = 7000001,
                            .label = "gpuwarden:\"quoted\"\nlabel",
                            .outcome = AUDIT_SENT,
                            .via = "dashboard"};
    assert_int_equal(audit_append(path, &e, &err), 0);
    e.outcome = AUDIT_FAILED;
    e.reason = "HTTP 500 after retries";
    assert_int_equal(audit_append(path, &e, &err), 0);
    assert_int_equal(valid_lines(path), 2);
    char *text = slurp(path);
    cJSON *first = cJSON_ParseWithOpts(text, NULL, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "label")->valuestring,
                        "gpuwarden:\"quoted\"\nlabel");
    assert_string_equal(cJSON_GetObjectItem(first, "outcome")->valuestring, "sent");
    assert_null(cJSON_GetObjectItem(first, "reason"));
    cJSON_Delete(first);
    assert_non_null(strstr(text, "\"outcome\":\"failed\",\"reason\":\"HTTP 500 after retries\""));
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/new/dir", scratch);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_torn_line_is_not_merged(void **state)
{
    (void)state;
    struct gw_error err = {0};
    struct audit_entry e = {.action = "stop", .instance_id = 9, .outcome = AUDIT_SENT};
    assert_int_equal(audit_append(path, &e, &err), 0);
    /* a crash mid-write left half a line */
    FILE *f = fopen(path, "a");
    fputs("{\"time\":\"2026-11-28T10:00:00Z\",\"action\":\"dest", f);
    fclose(f);
    e.outcome = AUDIT_SUCCEEDED;
    assert_int_equal(audit_append(path, &e, &err), 0);
    char *file = slurp(path);
    /* the torn line stays on its own line; the new one is whole after it */
    char *torn = strstr(file, "\"action\":\"dest");
    assert_non_null(torn);
    assert_true(torn[strlen("\"action\":\"dest")] == '\n');
    free(file);
    char text[4096];
    printed(path, text, sizeof text);
    assert_non_null(strstr(text, "line 2 of"));
    assert_non_null(strstr(text, "not a JSON object"));
    assert_non_null(strstr(text, "succeeded"));
}

static void test_print_names_a_request_without_outcome(void **state)
{
    (void)state;
    struct gw_error err = {0};
    struct audit_entry e = {.action = "destroy",
                            .instance_id = 42,
                            .label = "gpuwarden:x",
                            .outcome = AUDIT_CANCELLED,
                            .reason = "Esc in the dialog",
                            .via = "dashboard"};
    assert_int_equal(audit_append(path, &e, &err), 0);
    e.outcome = AUDIT_SENT;
    e.reason = NULL;
    assert_int_equal(audit_append(path, &e, &err), 0);
    char text[4096];
    printed(path, text, sizeof text);
    assert_non_null(strstr(text, "TIME (UTC)"));
    assert_non_null(strstr(text, "cancelled"));
    assert_non_null(strstr(text, "dashboard: Esc in the dialog"));
    assert_non_null(strstr(text, "no outcome recorded"));
    /* once the outcome is there, the note goes */
    e.outcome = AUDIT_SUCCEEDED;
    assert_int_equal(audit_append(path, &e, &err), 0);
    printed(path, text, sizeof text);
    assert_null(strstr(text, "no outcome recorded"));
}

static void test_missing_log_and_unwritable_path(void **state)
{
    (void)state;
    struct gw_error err = {0};
    char text[512];
    printed(path, text, sizeof text);
    assert_non_null(strstr(text, "no audit entries yet"));
    struct audit_entry e = {.action = "stop", .instance_id = 1, .outcome = AUDIT_SENT};
    assert_int_equal(audit_append("", &e, &err), -1);
    char blocked[192];
    snprintf(blocked, sizeof blocked, "%s/file", scratch);
    FILE *f = fopen(blocked, "w");
    fclose(f);
    snprintf(blocked, sizeof blocked, "%s/file/audit.jsonl", scratch);
    assert_int_equal(audit_append(blocked, &e, &err), -1);
    assert_non_null(strstr(err.msg, "cannot"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_whole_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_line_is_not_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_names_a_request_without_outcome, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_log_and_unwritable_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
