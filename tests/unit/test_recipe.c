/* Tests recipes (src/recipe.c): the bundled recipes, the VRAM arithmetic of SPEC §4, how a
 * recipe feeds the offer rules, and that every kind of bad recipe is an error naming the file,
 * the field and what was expected. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recipe.h"
#include "rules.h"

/* A valid recipe; tests break one field at a time with replace(). */
static const char good[] =
    "{\"name\": \"tiny\", \"title\": \"Tiny\","
    " \"official\": {\"repo\": \"acme/tiny\", \"org\": \"acme\", \"docs\": \"https://acme.dev\"},"
    " \"image\": \"nvidia/cuda:12.4.1-runtime-ubuntu22.04\","
    " \"vram\": {\"components\": [{\"name\": \"weights\", \"gb\": 5}, {\"name\": \"ctx\","
    " \"gb\": 1}], \"overhead\": 0.5},"
    " \"setup_script\": \"tiny.sh\", \"ports\": [9000],"
    " \"health\": {\"port\": 9000, \"path\": \"/health\", \"timeout_s\": 60},"
    " \"test\": {\"submit\": {\"method\": \"POST\", \"path\": \"/run\", \"body\": {\"n\": 1}},"
    " \"id_field\": \"id\", \"poll\": {\"method\": \"GET\", \"path\": \"/r/{id}\"},"
    " \"status_field\": \"status\", \"done\": \"done\", \"failed\": \"failed\","
    " \"result_url_field\": \"file\", \"result_min_bytes\": 10}}";

static char tmpdir[256];

static void near(double got, double want)
{
    if (!(fabs(got - want) < 1e-9))
        fail_msg("got %.12g, want %.12g", got, want);
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gw-recipe-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* `good` with the first occurrence of `from` replaced by `to`. */
static char *replace(const char *from, const char *to)
{
    const char *at = strstr(good, from);
    assert_non_null(at);
    size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    return out;
}

/* Parses text as a file recipe in tmpdir (the script exists); returns rc, message in err. */
static int parse_text(const char *text, struct gw_error *err)
{
    write_file("tiny.sh", "#!/bin/sh\nset -e\necho hi\n");
    struct recipe r;
    int rc = recipe_parse(text, strlen(text), "x.json", tmpdir, &r, err);
    if (rc == 0)
        recipe_free(&r);
    return rc;
}

static void expect_error(const char *from, const char *to, const char *needle)
{
    char *text = replace(from, to);
    struct gw_error err = {0};
    assert_int_equal(parse_text(text, &err), -1);
    assert_int_equal(err.kind, EXIT_USAGE);
    if (!strstr(err.msg, needle) || !strstr(err.msg, "recipe x.json"))
        fail_msg("error '%s' does not mention '%s' and the file", err.msg, needle);
    free(text);
}

static void test_bundled_recipes_load(void **state)
{
    (void)state;
    struct recipe_list l;
    struct gw_error err = {0};
    assert_int_equal(recipe_list_load(NULL, &l, &err), 0);
    assert_true(l.count >= 2);
    const struct recipe *ace = recipe_list_find(&l, "ace-step-1.5");
    const struct recipe *smoke = recipe_list_find(&l, "pytorch-smoke");
    assert_non_null(ace);
    assert_non_null(smoke);
    assert_string_equal(ace->origin, "bundled");
    assert_true(strstr(ace->image, "runtime") != NULL);
    assert_true(strstr(ace->script, "uv sync") != NULL);
    assert_true(strstr(ace->script, "git clone") != NULL);
    assert_string_equal(ace->health_path, "/health");
    assert_true(ace->test.result_min_bytes > 0);
    assert_true(smoke->script_len > 0);
    for (size_t i = 1; i < l.count; i++)
        assert_true(strcmp(l.items[i - 1].name, l.items[i].name) < 0);
    recipe_list_free(&l);
}

static void test_ace_step_vram_is_11_4(void **state)
{
    (void)state;
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_load("ace-step-1.5", NULL, &r, &err), 0);
    assert_int_equal(r.ncomponents, 3);
    near(recipe_required_vram_gb(&r), 11.4);
    near(r.overhead, 0.20);
    near(r.min_cuda, 12.8); /* from the image tag */
    recipe_free(&r);
}

static void test_overhead_defaults_to_20_percent(void **state)
{
    (void)state;
    char *text = replace(", \"overhead\": 0.5", "");
    write_file("tiny.sh", "set -e\n");
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_parse(text, strlen(text), "x.json", tmpdir, &r, &err), 0);
    near(recipe_required_vram_gb(&r), 6 * 1.2);
    recipe_free(&r);
    free(text);
}

static struct offer card(double gb)
{
    struct offer o;
    memset(&o, 0, sizeof o);
    o.id = 1;
    snprintf(o.gpu_name, sizeof o.gpu_name, "RTX 3060");
    o.num_gpus = 1;
    o.gpu_ram_mib = gb * 1024;
    o.compute_cap = 8.6;
    o.reliability = 0.995;
    o.dph_total = 0.1;
    o.inet_down = 500;
    o.cuda_max_good = 12.8;
    o.disk_space = 100;
    snprintf(o.country, sizeof o.country, "US");
    o.host = OFFER_HOST_VERIFIED;
    return o;
}

static enum level vram_level(const struct requirements *req, double gb)
{
    struct offer o = card(gb);
    struct finding f[RULE_COUNT];
    rules_eval(&o, req, gpus_builtin(), f);
    return f[RULE_VRAM].level;
}

static void test_recipe_blocks_8gb_passes_12gb(void **state)
{
    (void)state;
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_load("ace-step-1.5", NULL, &r, &err), 0);
    struct requirements req;
    requirements_default(&req);
    assert_int_equal(vram_level(&req, 8), LEVEL_PASS); /* no recipe: no VRAM need */
    recipe_apply(&r, &req);
    near(req.min_vram_gb, 11.4);
    assert_int_equal(vram_level(&req, 8), LEVEL_BLOCK);
    assert_int_equal(vram_level(&req, 11.3), LEVEL_BLOCK);
    assert_int_equal(vram_level(&req, 12), LEVEL_PASS);
    assert_int_equal(vram_level(&req, 24), LEVEL_PASS);
    recipe_free(&r);
}

static void test_recipe_sets_cc_cuda_disk_and_flags_win(void **state)
{
    (void)state;
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_load("ace-step-1.5", NULL, &r, &err), 0);
    struct requirements req;
    requirements_default(&req);
    req.min_vram_gb = 16; /* --min-vram 16 given */
    recipe_apply(&r, &req);
    near(req.min_vram_gb, 16);
    near(req.min_cc, 7.5);
    near(req.min_cuda, 12.8);
    near(req.min_disk_gb, r.disk_gb);
    /* sm_70 passes SPEC §2 alone but not a recipe that needs sm_75 */
    struct offer o = card(16);
    o.compute_cap = 7.0;
    struct finding f[RULE_COUNT];
    rules_eval(&o, &req, gpus_builtin(), f);
    assert_int_equal(f[RULE_COMPUTE_CAPABILITY].level, LEVEL_BLOCK);
    assert_non_null(strstr(f[RULE_COMPUTE_CAPABILITY].message, "sm_75"));
    o.compute_cap = 7.5;
    rules_eval(&o, &req, gpus_builtin(), f);
    assert_int_equal(f[RULE_COMPUTE_CAPABILITY].level, LEVEL_PASS);
    /* the host's driver must reach the image's CUDA */
    o.cuda_max_good = 12.4;
    rules_eval(&o, &req, gpus_builtin(), f);
    assert_int_equal(f[RULE_CUDA].level, LEVEL_BLOCK);
    recipe_free(&r);
}

static void test_image_cuda_from_tag(void **state)
{
    (void)state;
    near(recipe_image_cuda("nvidia/cuda:12.8.1-runtime-ubuntu22.04"), 12.8);
    near(recipe_image_cuda("nvidia/cuda:11.8.0-devel"), 11.8);
    near(recipe_image_cuda("pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime"), 12.8);
    near(recipe_image_cuda("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime"), 12.1);
    assert_true(isnan(recipe_image_cuda("ubuntu:22.04")));
    assert_true(isnan(recipe_image_cuda("nvidia/cuda")));
    assert_true(isnan(recipe_image_cuda("localhost:5000/cuda")));
    assert_true(isnan(recipe_image_cuda("")));
}

static void test_good_recipe_parses(void **state)
{
    (void)state;
    struct gw_error err = {0};
    assert_int_equal(parse_text(good, &err), 0);
}

static void test_missing_field(void **state)
{
    (void)state;
    expect_error("\"name\": \"tiny\", ", "", "field 'name' must be present");
    expect_error(" \"ports\": [9000],", "", "field 'ports' must be present");
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_error("\"overhead\": 0.5", "\"overhead\": \"x\"", "'vram.overhead' must be a number");
    expect_error("\"gb\": 5", "\"gb\": -1", "'vram.components[0].gb' must be a number");
    expect_error("\"name\": \"ctx\", \"gb\": 1", "\"name\": \"ctx\"",
                 "'vram.components[1].gb' must be present");
    expect_error("\"ports\": [9000]", "\"ports\": [70000]", "'ports' must be a list");
    expect_error("\"method\": \"POST\"", "\"method\": \"PUT\"", "'test.submit.method'");
    expect_error("\"components\": [", "\"components\": 5, \"x\": [", "unknown field 'vram.x'");
    expect_error("\"name\": \"tiny\"", "\"name\": \"Tiny Recipe\"", "'name' must be lower-case");
    expect_error("\"docs\": \"https://acme.dev\"", "\"docs\": \"http://acme.dev\"",
                 "'official.docs' must be an https:// URL");
}

static void test_unknown_field_is_an_error(void **state)
{
    (void)state;
    expect_error("\"title\"", "\"overhed\": 1, \"title\"", "unknown field 'overhed'");
}

static void test_health_port_must_be_listed(void **state)
{
    (void)state;
    expect_error("\"port\": 9000", "\"port\": 9001", "'health.port' (9001) must be one of");
}

static void test_not_json(void **state)
{
    (void)state;
    struct gw_error err = {0};
    assert_int_equal(parse_text("{\"name\": ", &err), -1);
    assert_non_null(strstr(err.msg, "recipe x.json: not a JSON object"));
    assert_int_equal(parse_text("[1,2]", &err), -1);
    assert_int_equal(parse_text("", &err), -1);
}

static void test_script_must_exist_beside_it(void **state)
{
    (void)state;
    char *text = replace("\"tiny.sh\"", "\"missing.sh\"");
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_parse(text, strlen(text), "x.json", tmpdir, &r, &err), -1);
    assert_non_null(strstr(err.msg, "missing.sh"));
    free(text);
    text = replace("\"tiny.sh\"", "\"../etc/passwd\"");
    assert_int_equal(recipe_parse(text, strlen(text), "x.json", tmpdir, &r, &err), -1);
    assert_non_null(strstr(err.msg, "'setup_script'"));
    free(text);
}

static void test_user_recipe_shadows_bundled(void **state)
{
    (void)state;
    char *text = replace("\"name\": \"tiny\"", "\"name\": \"pytorch-smoke\"");
    write_file("smoke.json", text);
    write_file("tiny.sh", "set -e\n");
    free(text);
    struct recipe_list l;
    struct gw_error err = {0};
    assert_int_equal(recipe_list_load(tmpdir, &l, &err), 0);
    const struct recipe *r = recipe_list_find(&l, "pytorch-smoke");
    assert_non_null(r);
    assert_non_null(strstr(r->origin, "smoke.json"));
    assert_string_equal(r->image, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
    assert_non_null(recipe_list_find(&l, "ace-step-1.5"));
    recipe_list_free(&l);
    /* by file path too */
    char path[600];
    snprintf(path, sizeof path, "%s/smoke.json", tmpdir);
    struct recipe one;
    assert_int_equal(recipe_load(path, NULL, &one, &err), 0);
    assert_string_equal(one.name, "pytorch-smoke");
    recipe_free(&one);
}

static void test_bad_user_recipe_fails_the_load(void **state)
{
    (void)state;
    write_file("broken.json", "{\"name\": \"broken\"}");
    struct recipe_list l;
    struct gw_error err = {0};
    assert_int_equal(recipe_list_load(tmpdir, &l, &err), -1);
    assert_non_null(strstr(err.msg, "broken.json"));
    assert_int_equal(l.count, 0);
}

static void test_unknown_name_lists_recipes(void **state)
{
    (void)state;
    struct recipe r;
    struct gw_error err = {0};
    assert_int_equal(recipe_load("nope", NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "unknown recipe 'nope'"));
    assert_non_null(strstr(err.msg, "ace-step-1.5"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_recipes_load),
        cmocka_unit_test(test_ace_step_vram_is_11_4),
        cmocka_unit_test_setup_teardown(test_overhead_defaults_to_20_percent, setup_dir,
                                        teardown_dir),
        cmocka_unit_test(test_recipe_blocks_8gb_passes_12gb),
        cmocka_unit_test(test_recipe_sets_cc_cuda_disk_and_flags_win),
        cmocka_unit_test(test_image_cuda_from_tag),
        cmocka_unit_test_setup_teardown(test_good_recipe_parses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_missing_field, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_unknown_field_is_an_error, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_health_port_must_be_listed, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_not_json, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_script_must_exist_beside_it, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_user_recipe_shadows_bundled, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_bad_user_recipe_fails_the_load, setup_dir,
                                        teardown_dir),
        cmocka_unit_test(test_unknown_name_lists_recipes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
