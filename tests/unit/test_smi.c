/* Tests the verify step's nvidia-smi parser and judgement (src/smi.c) on real output shapes
 * (reference/trust-vram-ssh.md §4): case 7's 8 GB "RTX 3060", the R470 fallback without
 * compute_cap, unified memory, a lost GPU, and hostile bytes. */
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
#include <string.h>

#include "smi.h"

static enum smi_status parse(const char *text, bool with_cc, struct smi_report *r,
                             struct gw_error *err)
{
    return smi_parse(text, strlen(text), with_cc, r, err);
}

static struct offer offer_of(const char *gpu, double mib, int n)
{
    struct offer o;
    memset(&o, 0, sizeof o);
    o.id = 1;
    snprintf(o.gpu_name, sizeof o.gpu_name, "%s", gpu);
    o.gpu_ram_mib = mib;
    o.num_gpus = n;
    return o;
}

static struct smi_verdict judge(const char *out, bool with_cc, const struct offer *o, double need)
{
    struct smi_report r;
    struct gw_error err = {0};
    assert_int_equal(parse(out, with_cc, &r, &err), SMI_OK);
    struct smi_verdict v;
    smi_judge(&r, o, need, gpus_builtin(), &v);
    return v;
}

static void test_one_gpu(void **state)
{
    (void)state;
    struct smi_report r;
    struct gw_error err = {0};
    assert_int_equal(parse("NVIDIA GeForce RTX 3060, 12288, 8.6\n", true, &r, &err), SMI_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.gpus[0].name, "NVIDIA GeForce RTX 3060");
    assert_true(r.gpus[0].vram_mib == 12288);
    assert_true(fabs(r.gpus[0].cc - 8.6) < 1e-9);
}

static void test_many_gpus_header_units_crlf(void **state)
{
    (void)state;
    struct smi_report r;
    struct gw_error err = {0};
    const char *out = "name, memory.total [MiB], compute_cap\r\n"
                      "NVIDIA A100-SXM4-80GB, 81920 MiB, 8.0\r\n"
                      "NVIDIA A100-SXM4-80GB, 81920 MiB, 8.0\r\n"
                      "NVIDIA A100-SXM4-80GB, 81920 MiB, 8.0\r\n"
                      "NVIDIA A100-SXM4-80GB, 81920 MiB, 8.0\r\n";
    assert_int_equal(parse(out, true, &r, &err), SMI_OK);
    assert_int_equal(r.count, 4);
    assert_string_equal(r.gpus[3].name, "NVIDIA A100-SXM4-80GB");
    assert_true(r.gpus[3].vram_mib == 81920);
}

static void test_case_7_variant_blocks(void **state)
{
    (void)state;
    struct offer o = offer_of("RTX 3060", 12288, 1);
    struct smi_verdict v = judge("NVIDIA GeForce RTX 3060, 8192, 8.6\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_BLOCK);
    assert_int_equal(v.case_id, 7);
    assert_non_null(strstr(v.message, "8.0 GB but the offer advertised 12.0 GB"));
    v = judge("NVIDIA GeForce RTX 3060, 12288, 8.6\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_PASS);
}

static void test_below_the_recipe_blocks(void **state)
{
    (void)state;
    struct offer o = offer_of("RTX 3060", 8192, 1); /* honest 8 GB offer, 11.4 GB recipe */
    struct smi_verdict v = judge("NVIDIA GeForce RTX 3060, 8192, 8.6\n", true, &o, 11.4);
    assert_int_equal(v.level, LEVEL_BLOCK);
    assert_int_equal(v.case_id, 7);
    assert_non_null(strstr(v.message, "needs 11.4 GB"));
    o = offer_of("RTX 4090", 24564, 1);
    v = judge("NVIDIA GeForce RTX 4090, 24564, 8.9\n", true, &o, 11.4);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_non_null(strstr(v.message, "sm_89"));
}

static void test_small_differences_are_not_variants(void **state)
{
    (void)state;
    /* A100-40GB reports 40536 or 40960 MiB depending on driver and ECC */
    struct offer o = offer_of("A100 PCIE", 40960, 1);
    struct smi_verdict v = judge("NVIDIA A100-PCIE-40GB, 40536, 8.0\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_PASS);
    /* 3% is the line: 39700 is under 40960 x 0.97 = 39731 */
    v = judge("NVIDIA A100-PCIE-40GB, 39700, 8.0\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_BLOCK);
}

static void test_missing_gpu_blocks(void **state)
{
    (void)state;
    struct offer o = offer_of("RTX 4090", 24564, 2);
    struct smi_verdict v = judge("NVIDIA GeForce RTX 4090, 24564, 8.9\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_BLOCK);
    assert_non_null(strstr(v.message, "advertised 2 GPUs, nvidia-smi shows 1"));
}

static void test_old_driver_fallback_and_table_cc(void **state)
{
    (void)state;
    struct smi_report r;
    struct gw_error err = {0};
    const char *r470 = "Field \"compute_cap\" is not a valid field to query.\n\n";
    assert_int_equal(parse(r470, true, &r, &err), SMI_NEEDS_FALLBACK);
    assert_non_null(strstr(err.msg, "compute_cap"));
    /* the fallback query has two columns; CC comes from the GPU table */
    struct offer o = offer_of("Tesla P40", 24576, 1);
    struct smi_verdict v = judge("Tesla P40, 24451\n", false, &o, NAN);
    assert_int_equal(v.level, LEVEL_BLOCK);
    assert_int_equal(v.case_id, 1);
    assert_non_null(strstr(v.message, "sm_61"));
    o = offer_of("Tesla T4", 15360, 1);
    v = judge("Tesla T4, 15360\n", false, &o, NAN);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_non_null(strstr(v.message, "from the GPU table"));
}

static void test_unified_memory_warns(void **state)
{
    (void)state;
    struct offer o = offer_of("GB10", NAN, 1);
    struct smi_verdict v = judge("NVIDIA GB10, [N/A], 12.1\n", true, &o, NAN);
    assert_int_equal(v.level, LEVEL_WARN);
    assert_non_null(strstr(v.message, "not reported"));
}

static void test_failures_are_sentences(void **state)
{
    (void)state;
    struct smi_report r;
    struct gw_error err = {0};
    assert_int_equal(parse("NVIDIA-SMI has failed because it couldn't communicate with the "
                           "NVIDIA driver. Make sure that the latest NVIDIA driver is installed "
                           "and running.\n",
                           true, &r, &err),
                     SMI_ERROR);
    assert_non_null(strstr(err.msg, "cannot talk to the driver"));
    assert_int_equal(parse("bash: nvidia-smi: command not found\n", true, &r, &err), SMI_ERROR);
    assert_non_null(strstr(err.msg, "not installed"));
    assert_int_equal(parse("", true, &r, &err), SMI_ERROR);
    assert_non_null(strstr(err.msg, "printed nothing"));
    assert_int_equal(parse("a, b, c\n1,2\n", true, &r, &err), SMI_ERROR);
}

static void test_hostile_bytes(void **state)
{
    (void)state;
    char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 131 + 7);
    struct smi_report r;
    struct gw_error err = {0};
    enum smi_status s = smi_parse(buf, sizeof buf, true, &r, &err);
    assert_true(s == SMI_OK || s == SMI_ERROR);
    assert_true(r.count <= SMI_MAX_GPUS);
    const char nul[] = "RTX\0 3060, 12288, 8.6\n";
    assert_int_equal(smi_parse(nul, sizeof nul - 1, true, &r, &err), SMI_OK);
    assert_int_equal(strlen(r.gpus[0].name), strlen("RTX  3060"));
    /* more GPUs than the report holds: capped, never overrun */
    char many[2048] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, "NVIDIA H100, 81559, 9.0\n");
    assert_int_equal(parse(many, true, &r, &err), SMI_OK);
    assert_int_equal(r.count, SMI_MAX_GPUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_gpu),
        cmocka_unit_test(test_many_gpus_header_units_crlf),
        cmocka_unit_test(test_case_7_variant_blocks),
        cmocka_unit_test(test_below_the_recipe_blocks),
        cmocka_unit_test(test_small_differences_are_not_variants),
        cmocka_unit_test(test_missing_gpu_blocks),
        cmocka_unit_test(test_old_driver_fallback_and_table_cc),
        cmocka_unit_test(test_unified_memory_warns),
        cmocka_unit_test(test_failures_are_sentences),
        cmocka_unit_test(test_hostile_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
