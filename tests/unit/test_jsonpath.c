/* Tests dotted JSON paths (src/jsonpath.c) as recipes use them: ACE-Step's task id and its result
 * list held as a JSON string, array indexes, and the builder the demo's simulated service answers
 * with; plus the "{id}" filling of test requests and the phase-line parser of the setup log. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "jsonpath.h"
#include "recipe.h"

static bool get(const char *text, const char *path, char *out, size_t size)
{
    return jsonpath_get(text, strlen(text), path, out, size);
}

static void test_get_values(void **state)
{
    (void)state;
    char v[128];
    const char *ace = "{\"data\":[{\"status\":1,\"result\":\"[{\\\"file\\\":\\\"/v1/audio?p=x"
                      ".mp3\\\"}]\"}],\"code\":200}";
    assert_true(get(ace, "data.0.status", v, sizeof v));
    assert_string_equal(v, "1");
    /* the result list is a JSON string: the path continues inside it */
    assert_true(get(ace, "data.0.result.0.file", v, sizeof v));
    assert_string_equal(v, "/v1/audio?p=x.mp3");
    assert_true(get("{\"data\":{\"task_id\":\"abc\"}}", "data.task_id", v, sizeof v));
    assert_string_equal(v, "abc");
    assert_true(get("{\"a\":0.5,\"b\":true,\"c\":[1,2]}", "a", v, sizeof v));
    assert_string_equal(v, "0.5");
    assert_true(get("{\"a\":0.5,\"b\":true,\"c\":[1,2]}", "b", v, sizeof v));
    assert_string_equal(v, "true");
    assert_true(get("{\"a\":0.5,\"b\":true,\"c\":[1,2]}", "c", v, sizeof v));
    assert_string_equal(v, "[1,2]");
}

static void test_get_missing(void **state)
{
    (void)state;
    char v[64];
    assert_false(get("{\"a\":null}", "a", v, sizeof v));
    assert_false(get("{\"a\":1}", "b", v, sizeof v));
    assert_false(get("{\"a\":[1]}", "a.3", v, sizeof v));
    assert_false(get("{\"a\":[1]}", "a.x", v, sizeof v));
    assert_false(get("{\"a\":\"not json\"}", "a.b", v, sizeof v));
    assert_false(get("{\"a\":", "a", v, sizeof v));
    assert_false(get("<html>", "a", v, sizeof v));
    assert_false(get("", "a", v, sizeof v));
    assert_string_equal(v, "");
}

static void test_set_round_trip(void **state)
{
    (void)state;
    const char *paths[] = {"data.task_id", "data.0.status", "data.0.result.0.file", "id", "x.1"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        cJSON *root = cJSON_CreateObject();
        assert_true(jsonpath_set(root, paths[i], "v42"));
        char *text = cJSON_PrintUnformatted(root);
        char v[64];
        assert_true(get(text, paths[i], v, sizeof v));
        assert_string_equal(v, "v42");
        cJSON_free(text);
        cJSON_Delete(root);
    }
    /* two paths into one tree, as the simulated poll answer needs */
    cJSON *root = cJSON_CreateObject();
    assert_true(jsonpath_set(root, "data.0.status", "1"));
    assert_true(jsonpath_set(root, "data.0.result.0.file", "/f"));
    char *text = cJSON_PrintUnformatted(root);
    char v[64];
    assert_true(get(text, "data.0.status", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(get(text, "data.0.result.0.file", v, sizeof v));
    assert_string_equal(v, "/f");
    cJSON_free(text);
    cJSON_Delete(root);
    /* a path through a string cannot be built */
    root = cJSON_CreateObject();
    assert_true(jsonpath_set(root, "a", "text"));
    assert_false(jsonpath_set(root, "a.b", "x"));
    cJSON_Delete(root);
}

static void test_fill_id(void **state)
{
    (void)state;
    char *s = recipe_fill_id("/result/{id}?again={id}", "T-9");
    assert_string_equal(s, "/result/T-9?again=T-9");
    free(s);
    s = recipe_fill_id("{\"task_id_list\": [\"{id}\"]}", "abc");
    assert_string_equal(s, "{\"task_id_list\": [\"abc\"]}");
    free(s);
    s = recipe_fill_id("/plain", "x");
    assert_string_equal(s, "/plain");
    free(s);
    assert_null(recipe_fill_id(NULL, "x"));
}

static void test_phase_lines(void **state)
{
    (void)state;
    int n = 0;
    char name[64];
    assert_true(job_parse_phase("=== Phase 3: Download model ===", &n, name, sizeof name));
    assert_int_equal(n, 3);
    assert_string_equal(name, "Download model");
    assert_true(job_parse_phase("=== Phase 12:Start ===", &n, name, sizeof name));
    assert_int_equal(n, 12);
    assert_string_equal(name, "Start");
    assert_false(job_parse_phase("=== Phase x: y ===", &n, name, sizeof name));
    assert_false(job_parse_phase("=== Phase 2: ===", &n, name, sizeof name));
    assert_false(job_parse_phase("echo === Phase 2: a ===", &n, name, sizeof name));
    assert_false(job_parse_phase("=== Phase 2: no end", &n, name, sizeof name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_values),     cmocka_unit_test(test_get_missing),
        cmocka_unit_test(test_set_round_trip), cmocka_unit_test(test_fill_id),
        cmocka_unit_test(test_phase_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
