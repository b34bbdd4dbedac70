/* Tests the GPU table (src/gpus.c): shipped asset, name matching, variants, parse errors. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "gpus.h"

static const struct gpu_model *find(const char *name)
{
    const struct gpu_model *m = gpus_find(gpus_builtin(), name);
    if (m == NULL) {
        print_error("'%s' not found in the built-in GPU table\n", name ? name : "NULL");
        fail();
    }
    return m;
}

static void variants(const struct gpu_model *m, char *buf, size_t size)
{
    gpus_format_variants(m, buf, size);
}

static void test_builtin_loads(void **state)
{
    (void)state;
    const struct gpus_table *t = gpus_builtin();
    assert_non_null(t);
    assert_true(gpus_count(t) > 50);
    assert_ptr_equal(gpus_builtin(), t); /* loaded once */
    assert_int_equal(gpus_count(NULL), 0);
}

static void test_rtx_4090(void **state)
{
    (void)state;
    const struct gpu_model *a = find("RTX 4090"), *b = find("NVIDIA GeForce RTX 4090");
    assert_ptr_equal(a, b);
    assert_float_equal(a->cc, 8.9, 1e-9);
    assert_int_equal(a->nvram, 1);
    assert_int_equal(a->vram_gb[0], 24);
    assert_string_equal(a->name, "RTX 4090");
    assert_non_null(a->arch);
    assert_true(strlen(a->arch) > 0);
    /* case and separators do not matter */
    assert_ptr_equal(find("rtx_4090"), a);
    assert_ptr_equal(find("  RTX-4090 "), a);
    /* the laptop part is another model */
    const struct gpu_model *l = find("NVIDIA GeForce RTX 4090 Laptop GPU");
    assert_ptr_not_equal(l, a);
}

static void test_a100(void **state)
{
    (void)state;
    const struct gpu_model *a = find("A100 SXM4"), *b = find("NVIDIA A100-SXM4-80GB");
    assert_ptr_equal(a, b);
    assert_float_equal(a->cc, 8.0, 1e-9);
    assert_int_equal(a->nvram, 2);
    assert_int_equal(a->vram_gb[0], 40);
    assert_int_equal(a->vram_gb[1], 80);
    const struct gpu_model *p = find("A100 PCIE");
    assert_float_equal(p->cc, 8.0, 1e-9);
    assert_int_equal(p->nvram, 2);
}

static void test_v100(void **state)
{
    (void)state;
    const struct gpu_model *m = find("Tesla V100-SXM2-32GB");
    assert_float_equal(m->cc, 7.0, 1e-9);
    assert_ptr_equal(find("Tesla V100"), m);
    assert_true(m->nvram > 1);
}

static void test_rtx_6000_ada(void **state)
{
    (void)state;
    const struct gpu_model *a = find("RTX 6000Ada"), *b = find("NVIDIA RTX 6000 Ada Generation");
    assert_ptr_equal(a, b);
    assert_float_equal(a->cc, 8.9, 1e-9);
    assert_int_equal(a->vram_gb[0], 48);
}

static void test_quadro_rtx_6000(void **state)
{
    (void)state;
    const struct gpu_model *a = find("Q RTX 6000"), *b = find("Quadro RTX 6000");
    assert_ptr_equal(a, b);
    assert_float_equal(a->cc, 7.5, 1e-9);
    assert_ptr_not_equal(a, find("RTX 6000Ada"));
}

static void test_vast_fused_names(void **state)
{
    (void)state;
    const struct gpu_model *m = find("GTX 1660 S");
    assert_float_equal(m->cc, 7.5, 1e-9);
    assert_ptr_equal(find("NVIDIA GeForce GTX 1660 SUPER"), m);
    assert_ptr_not_equal(find("GTX 1660"), m);

    m = find("RTX 4070S Ti");
    assert_float_equal(m->cc, 8.9, 1e-9);
    assert_int_equal(m->nvram, 1);
    assert_int_equal(m->vram_gb[0], 16);
    assert_ptr_equal(find("NVIDIA GeForce RTX 4070 Ti SUPER"), m);
    assert_ptr_not_equal(find("RTX 4070 Ti"), m);
    assert_ptr_not_equal(find("RTX 4070S"), m);
}

static void test_3060_family(void **state)
{
    (void)state;
    const struct gpu_model *d = find("RTX 3060"), *l = find("RTX 3060 laptop"),
                           *ti = find("RTX 3060 Ti");
    assert_ptr_not_equal(d, l);
    assert_ptr_not_equal(d, ti);
    assert_ptr_not_equal(l, ti);
    assert_int_equal(d->nvram, 2);
    assert_int_equal(ti->nvram, 1);
    assert_ptr_equal(find("NVIDIA GeForce RTX 3060 Laptop GPU"), l);
    assert_ptr_equal(find("NVIDIA GeForce RTX 3060 Ti"), ti);
    assert_ptr_equal(find("NVIDIA GeForce RTX 3060"), d);
}

static void test_l40_vs_l40s(void **state)
{
    (void)state;
    const struct gpu_model *a = find("L40"), *b = find("L40S");
    assert_ptr_not_equal(a, b);
    assert_string_equal(a->name, "L40");
    assert_string_equal(b->name, "L40S");
    assert_ptr_equal(find("NVIDIA L40S"), b);
    assert_ptr_equal(find("NVIDIA L40"), a);
}

static void test_titan_xp(void **state)
{
    (void)state;
    const struct gpu_model *m = find("Titan Xp");
    assert_float_equal(m->cc, 6.1, 1e-9);
    assert_ptr_equal(find("NVIDIA TITAN Xp"), m);
    assert_float_equal(find("Tesla P40")->cc, 6.1, 1e-9);
}

static void test_unknown_names(void **state)
{
    (void)state;
    const struct gpus_table *t = gpus_builtin();
    assert_null(gpus_find(t, "Voodoo Banshee 9000"));
    assert_null(gpus_find(t, "RTX"));
    assert_null(gpus_find(t, "RTX 40"));
    assert_null(gpus_find(t, "L4000X"));
    assert_null(gpus_find(t, ""));
    assert_null(gpus_find(t, "   "));
    assert_null(gpus_find(t, "NVIDIA GeForce"));
    assert_null(gpus_find(t, NULL));
    assert_null(gpus_find(NULL, "RTX 4090"));
}

/* SPEC §2's VRAM-variant models with their sizes. */
static void test_spec_variant_models(void **state)
{
    (void)state;
    static const struct {
        const char *name, *sizes;
    } models[] = {
        {"RTX 3060", "8/12 GB"},    {"RTX 3060 laptop", "6/12 GB"}, {"RTX 3080", "10/12 GB"},
        {"RTX 4060 Ti", "8/16 GB"}, {"RTX 5060 Ti", "8/16 GB"},     {"RTX 2060", "6/12 GB"},
        {"RTX 3050", "6/8 GB"},     {"GTX 1060", "3/6 GB"},         {"RTX A2000", "6/12 GB"},
        {"Tesla V100", "16/32 GB"}, {"A100 SXM4", "40/80 GB"},      {"A100 PCIE", "40/80 GB"},
    };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        const struct gpu_model *m = find(models[i].name);
        char buf[48];
        variants(m, buf, sizeof buf);
        if (m->nvram <= 1 || strcmp(buf, models[i].sizes) != 0) {
            print_error("%s: nvram %d, sizes '%s', want '%s'\n", models[i].name, m->nvram, buf,
                        models[i].sizes);
            fail();
        }
    }
}

static void test_format_variants(void **state)
{
    (void)state;
    char buf[32];
    variants(find("RTX 3060"), buf, sizeof buf);
    assert_string_equal(buf, "8/12 GB");
    variants(find("RTX 4090"), buf, sizeof buf);
    assert_string_equal(buf, "24 GB");
    /* a small buffer is truncated, never overrun */
    char small[5];
    memset(small, 'x', sizeof small);
    variants(find("Tesla V100"), small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    assert_int_equal(strncmp(small, "16/3", strlen(small)), 0);
}

static void test_parse_small_table(void **state)
{
    (void)state;
    static const char text[] = "# a comment\n"
                               "\n"
                               "Foo 3000|NVIDIA Foo 3000 Max\t8.6\t12;8\tAmpere\r\n"
                               "Foo 3000 Ti\t8.6\t16\tAmpere\n"
                               "Bar 10\t7.0\t32;16;24\tVolta";
    struct gw_error err = {0};
    struct gpus_table *t = gpus_parse(text, strlen(text), &err);
    if (t == NULL) {
        print_error("gpus_parse failed: %s\n", err.msg);
        fail();
    }
    assert_int_equal(gpus_count(t), 3);
    const struct gpu_model *foo = gpus_find(t, "Foo 3000");
    assert_non_null(foo);
    assert_string_equal(foo->name, "Foo 3000");
    assert_string_equal(foo->arch, "Ampere");
    assert_float_equal(foo->cc, 8.6, 1e-9);
    assert_ptr_equal(gpus_find(t, "nvidia foo-3000 max"), foo);
    assert_ptr_equal(gpus_find(t, "Foo 3000 something else"), foo);
    const struct gpu_model *ti = gpus_find(t, "Foo 3000 Ti");
    assert_non_null(ti);
    assert_ptr_not_equal(ti, foo);
    assert_null(gpus_find(t, "Foo 30000"));
    char buf[32];
    gpus_format_variants(foo, buf, sizeof buf);
    assert_string_equal(buf, "8/12 GB");
    gpus_format_variants(gpus_find(t, "Bar 10"), buf, sizeof buf);
    assert_string_equal(buf, "16/24/32 GB");
    gpus_free(t);
    gpus_free(NULL);
}

static void expect_parse_error(const char *text, const char *mention1, const char *mention2)
{
    struct gw_error err;
    memset(&err, 0, sizeof err);
    struct gpus_table *t = gpus_parse(text, strlen(text), &err);
    if (t != NULL) {
        gpus_free(t);
        print_error("gpus_parse accepted: %s\n", text);
        fail();
    }
    if (strstr(err.msg, mention1) == NULL || (mention2 && strstr(err.msg, mention2) == NULL)) {
        print_error("error '%s' should mention '%s' and '%s'\n", err.msg, mention1,
                    mention2 ? mention2 : "");
        fail();
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    /* wrong column count (too few, too many) */
    expect_parse_error("# c\nA 1\t8.9\t24\tAda\nB 2\t8.9\t24\n", "line 3", "column");
    expect_parse_error("A 1\t8.9\t24\tAda\textra\n", "line 1", NULL);
    expect_parse_error("A 1 8.9 24 Ada\n", "line 1", NULL);
    /* bad compute capability */
    expect_parse_error("A 1\t8.9\t24\tAda\nB 2\tabc\t24\tAda\n", "line 2", "abc");
    expect_parse_error("A 1\t-1\t24\tAda\n", "line 1", "-1");
    expect_parse_error("A 1\t8.9x\t24\tAda\n", "line 1", "8.9x");
    /* bad VRAM */
    expect_parse_error("A 1\t8.9\t24;big\tAda\n", "line 1", "big");
    expect_parse_error("A 1\t8.9\t0\tAda\n", "line 1", "0");
    expect_parse_error("A 1\t8.9\t12.5\tAda\n", "line 1", "12.5");
    /* two models sharing an alias (after normalisation) */
    expect_parse_error("Foo 1|Shared Name\t8.9\t24\tAda\nBar 2|shared-name\t8.0\t40\tAmpere\n",
                       "shared name", NULL);
    expect_parse_error("RTX 9\t8.9\t24\tAda\nNVIDIA GeForce RTX 9\t8.0\t40\tAmpere\n", "rtx 9",
                       NULL);
}

static void test_parse_same_model_repeats_alias(void **state)
{
    (void)state;
    /* one model may list equivalent spellings */
    static const char text[] = "RTX 9|NVIDIA GeForce RTX 9|rtx-9\t8.9\t24\tAda\n";
    struct gw_error err = {0};
    struct gpus_table *t = gpus_parse(text, strlen(text), &err);
    assert_non_null(t);
    assert_int_equal(gpus_count(t), 1);
    assert_non_null(gpus_find(t, "RTX 9"));
    gpus_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_loads),
        cmocka_unit_test(test_rtx_4090),
        cmocka_unit_test(test_a100),
        cmocka_unit_test(test_v100),
        cmocka_unit_test(test_rtx_6000_ada),
        cmocka_unit_test(test_quadro_rtx_6000),
        cmocka_unit_test(test_vast_fused_names),
        cmocka_unit_test(test_3060_family),
        cmocka_unit_test(test_l40_vs_l40s),
        cmocka_unit_test(test_titan_xp),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_spec_variant_models),
        cmocka_unit_test(test_format_variants),
        cmocka_unit_test(test_parse_small_table),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_same_model_repeats_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
