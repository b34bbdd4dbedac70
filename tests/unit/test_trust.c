/* Tests the trust labels of SPEC §3 (src/trust.c) at and around every threshold, the image
 * checks, and image reference splitting. */
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

#include "trust.h"

#define DAY (24L * 3600)
#define NOW ((time_t)1750000000) /* 2025-06-15 */

static struct source_meta image(const char *id, long long pulls, long long stars, double size)
{
    struct source_meta m;
    memset(&m, 0, sizeof m);
    m.kind = SOURCE_IMAGE;
    snprintf(m.id, sizeof m.id, "%s", id);
    m.fetched = true;
    m.fetched_at = NOW;
    m.pulls = pulls;
    m.stars = stars;
    m.tag_found = true;
    m.size_gb = size;
    return m;
}

static struct source_meta repo(const char *id, long long stars, time_t pushed_at)
{
    struct source_meta m;
    memset(&m, 0, sizeof m);
    m.kind = SOURCE_REPO;
    snprintf(m.id, sizeof m.id, "%s", id);
    m.fetched = true;
    m.fetched_at = NOW;
    m.stars = stars;
    m.pushed_at = pushed_at;
    m.size_gb = NAN;
    return m;
}

static struct source_meta model(const char *id, long long downloads)
{
    struct source_meta m;
    memset(&m, 0, sizeof m);
    m.kind = SOURCE_MODEL;
    snprintf(m.id, sizeof m.id, "%s", id);
    m.fetched = true;
    m.fetched_at = NOW;
    m.downloads = downloads;
    m.likes = 7;
    m.size_gb = NAN;
    return m;
}

static struct trust_verdict judge(const struct source_meta *m, const char *org, bool recommended)
{
    struct trust_context ctx = {.official_org = org, .image_recommended = recommended, .now = NOW};
    struct trust_verdict v;
    trust_evaluate(m, &ctx, &v);
    return v;
}

/* The check whose message contains `needle`, or NULL. */
static const struct trust_check *find_check(const struct trust_verdict *v, const char *needle)
{
    for (size_t i = 0; i < v->nchecks; i++)
        if (strstr(v->checks[i].message, needle))
            return &v->checks[i];
    return NULL;
}

static enum trust_label image_label(long long pulls, long long stars)
{
    struct source_meta m = image("someone/thing:1.0", pulls, stars, 3.0);
    return judge(&m, NULL, false).label;
}

/* ------------------------------------------------------------------ images */

static void test_image_official(void **state)
{
    (void)state;
    struct source_meta m = image("ubuntu:22.04", 0, 0, 0.03);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_OFFICIAL);
    assert_int_equal(v.level, LEVEL_PASS);

    m = image("library/python", 5, 0, 0.4);
    assert_int_equal(judge(&m, NULL, false).label, TRUST_OFFICIAL);

    /* the badge hub sets: official or verified publisher */
    m = image("nvidia/cuda:12.8.1-runtime-ubuntu22.04", 5, 0, 3.1);
    m.official_badge = true;
    snprintf(m.badge, sizeof m.badge, "verified_publisher");
    v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_OFFICIAL);
    assert_non_null(strstr(v.summary, "verified publisher"));

    /* declared by the recipe */
    m = image("valyriantech/ace-step-1.5:latest", 404, 0, 3.0);
    v = judge(&m, NULL, true);
    assert_int_equal(v.label, TRUST_OFFICIAL);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_non_null(strstr(v.summary, "recommended by the recipe"));

    /* a GitHub org named official says nothing about Docker Hub namespaces */
    m = image("ace-step/image:1", 5, 0, 3.0);
    assert_int_equal(judge(&m, "ace-step", false).label, TRUST_UNVERIFIED);
}

static void test_image_thresholds(void **state)
{
    (void)state;
    /* COMMUNITY: pulls > 10,000 and stars > 0 */
    assert_int_equal(image_label(10001, 1), TRUST_COMMUNITY);
    assert_int_equal(image_label(10000, 1), TRUST_LOW);
    assert_int_equal(image_label(10001, 0), TRUST_UNVERIFIED);
    assert_int_equal(image_label(5000000, 0), TRUST_UNVERIFIED); /* the miner pattern */
    /* LOW: pulls > 1,000 and stars > 0 */
    assert_int_equal(image_label(1001, 1), TRUST_LOW);
    assert_int_equal(image_label(1000, 1), TRUST_UNVERIFIED);
    assert_int_equal(image_label(1001, 0), TRUST_UNVERIFIED);
    assert_int_equal(image_label(0, 100), TRUST_UNVERIFIED);
}

static void test_image_unverified_blocks(void **state)
{
    (void)state;
    struct source_meta m = image("valyriantech/ace-step-1.5:v1", 404, 0, 3.0);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_UNVERIFIED);
    assert_int_equal(v.level, LEVEL_BLOCK);
    const struct trust_check *c = find_check(&v, "UNVERIFIED");
    assert_non_null(c);
    assert_int_equal(c->level, LEVEL_BLOCK);
    assert_int_equal(c->case_id, 10);

    /* LOW and COMMUNITY images are not blocked for their label */
    m = image("someone/thing:1", 1001, 1, 3.0);
    v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_LOW);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_null(find_check(&v, "UNVERIFIED"));
}

static const struct trust_check *size_check(const struct trust_verdict *v)
{
    return find_check(v, "linux/amd64 size");
}

static void assert_size_band(double gb, enum level level, int case_id, const char *words)
{
    struct source_meta m = image("someone/thing:1", 20000, 5, gb);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_COMMUNITY);
    const struct trust_check *c = size_check(&v);
    assert_non_null(c);
    assert_int_equal(c->level, level);
    assert_int_equal(c->case_id, case_id);
    assert_int_equal(v.level, level);
    if (words && !strstr(c->message, words))
        fail_msg("%.2f GB: '%s' lacks '%s'", gb, c->message, words);
}

static void test_image_size_bands(void **state)
{
    (void)state;
    assert_size_band(3.1, LEVEL_PASS, 5, "3.1 GB");
    assert_size_band(9.99, LEVEL_PASS, 5, "under 10 GB");
    assert_size_band(10.0, LEVEL_WARN, 5, "slow pull on P2P hosts");
    assert_size_band(19.99, LEVEL_WARN, 5, "slow pull on P2P hosts");
    assert_size_band(20.0, LEVEL_WARN, 5, "avoid: cache misses, 15+ min pulls");
    assert_size_band(99.9, LEVEL_WARN, 5, "avoid: cache misses, 15+ min pulls");
    assert_size_band(100.0, LEVEL_WARN, 5, "avoid: cache misses, 15+ min pulls");
    assert_size_band(100.01, LEVEL_BLOCK, 10, "forbidden");
    assert_size_band(173.0, LEVEL_BLOCK, 10, "173.0 GB");
}

static void test_image_size_unknown(void **state)
{
    (void)state;
    struct source_meta m = image("someone/thing:1", 20000, 5, NAN);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_COMMUNITY);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_null(size_check(&v));
    assert_string_equal(v.summary, "COMMUNITY: 20,000 pulls, 5 stars, size unknown");
}

static void test_image_summary(void **state)
{
    (void)state;
    struct source_meta m = image("example-org/cuda-runtime:12.8-runtime", 104857, 12, 3.145728);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_string_equal(v.summary, "COMMUNITY: 104,857 pulls, 12 stars, 3.1 GB linux/amd64");
    m = image("ubuntu", 1234567890, 17000, 0.0299);
    v = judge(&m, NULL, false);
    assert_string_equal(
        v.summary,
        "OFFICIAL (Docker Official Image): 1,234,567,890 pulls, 17,000 stars, 0.03 GB linux/amd64");
    m = image("someone/thing:1", 0, 0, 1.0);
    assert_string_equal(judge(&m, NULL, false).summary,
                        "UNVERIFIED: 0 pulls, 0 stars, 1.0 GB linux/amd64");
}

static void test_image_devel_tag(void **state)
{
    (void)state;
    struct source_meta m = image("nvidia/cuda:12.8.1-devel-ubuntu22.04", 20000, 5, 9.5);
    struct trust_verdict v = judge(&m, NULL, false);
    const struct trust_check *c = find_check(&v, "devel");
    assert_non_null(c);
    assert_int_equal(c->level, LEVEL_WARN);
    assert_int_equal(c->case_id, 5);
    assert_non_null(strstr(c->message, "inference needs `runtime`, ~4 GB, not `devel`, ~10 GB"));
    assert_int_equal(v.level, LEVEL_WARN);

    m = image("nvidia/cuda:12.8.1-runtime-ubuntu22.04", 20000, 5, 3.1);
    v = judge(&m, NULL, false);
    assert_null(find_check(&v, "devel"));
    assert_int_equal(v.level, LEVEL_PASS);

    /* a "devel" repository name with a runtime tag is not a devel tag */
    m = image("someone/devel-tools:runtime", 20000, 5, 3.1);
    v = judge(&m, NULL, false);
    assert_null(find_check(&v, "devel"));
}

static void test_image_tag_not_found(void **state)
{
    (void)state;
    struct source_meta m = image("nvidia/cuda:99.9-nope", 20000, 5, NAN);
    m.tag_found = false;
    struct trust_verdict v = judge(&m, NULL, false);
    const struct trust_check *c = find_check(&v, "not found on Docker Hub");
    assert_non_null(c);
    assert_int_equal(c->level, LEVEL_WARN);
    assert_int_equal(v.level, LEVEL_WARN);
    assert_string_equal(v.summary, "COMMUNITY: 20,000 pulls, 5 stars, tag not found");
}

static void test_image_worst_level(void **state)
{
    (void)state;
    /* UNVERIFIED + devel + over 100 GB: three checks, BLOCK overall */
    struct source_meta m = image("valyriantech/ace-step-1.5:devel", 404, 0, 173.0);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_UNVERIFIED);
    assert_int_equal(v.level, LEVEL_BLOCK);
    assert_int_equal(v.nchecks, 3);
}

/* ------------------------------------------------------------------ repositories */

static enum trust_label repo_label(long long stars)
{
    struct source_meta m = repo("someone/thing", stars, NOW - DAY);
    return judge(&m, "ace-step", false).label;
}

static void test_repo_thresholds(void **state)
{
    (void)state;
    assert_int_equal(repo_label(101), TRUST_COMMUNITY);
    assert_int_equal(repo_label(100), TRUST_LOW);
    assert_int_equal(repo_label(2), TRUST_LOW);
    assert_int_equal(repo_label(1), TRUST_LOW);
    assert_int_equal(repo_label(0), TRUST_UNVERIFIED);
    struct source_meta m = repo("someone/thing", 0, NOW - DAY);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.level, LEVEL_PASS); /* the label is shown; only images block */
}

static void test_repo_official(void **state)
{
    (void)state;
    struct source_meta m = repo("ace-step/ACE-Step-1.5", 0, NOW - DAY);
    assert_int_equal(judge(&m, "ace-step", false).label, TRUST_OFFICIAL);
    assert_int_equal(judge(&m, "ACE-Step", false).label, TRUST_OFFICIAL); /* case-insensitive */
    assert_int_equal(judge(&m, "ace", false).label, TRUST_UNVERIFIED);    /* whole owner only */
    assert_int_equal(judge(&m, "ace-step-x", false).label, TRUST_UNVERIFIED);
    assert_int_equal(judge(&m, NULL, false).label, TRUST_UNVERIFIED);
    assert_int_equal(judge(&m, "", false).label, TRUST_UNVERIFIED);
    /* the image recommendation does not make a repository official */
    assert_int_equal(judge(&m, NULL, true).label, TRUST_UNVERIFIED);
}

static void test_repo_archived_and_stale(void **state)
{
    (void)state;
    struct source_meta m = repo("someone/thing", 500, NOW - 365 * DAY);
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.nchecks, 0); /* exactly a year: not older than a year */
    assert_int_equal(v.level, LEVEL_PASS);

    m.pushed_at = NOW - 365 * DAY - 1;
    v = judge(&m, NULL, false);
    assert_int_equal(v.level, LEVEL_WARN);
    const struct trust_check *c = find_check(&v, "last push 365 days ago");
    assert_non_null(c);
    assert_int_equal(c->level, LEVEL_WARN);

    m.pushed_at = 0; /* unknown: no claim */
    v = judge(&m, NULL, false);
    assert_int_equal(v.nchecks, 0);

    m.pushed_at = NOW - DAY;
    m.archived = true;
    v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_COMMUNITY);
    assert_int_equal(v.level, LEVEL_WARN);
    assert_non_null(find_check(&v, "archived"));
    assert_non_null(strstr(v.summary, "archived"));

    m.pushed_at = NOW - 800 * DAY;
    v = judge(&m, NULL, false);
    assert_int_equal(v.nchecks, 2);
    assert_string_equal(v.summary, "COMMUNITY: 500 stars, last push 2023-04-07, archived");
}

/* ------------------------------------------------------------------ models */

static void test_model_thresholds(void **state)
{
    (void)state;
    const struct {
        long long downloads;
        enum trust_label label;
    } cases[] = {
        {10001, TRUST_COMMUNITY}, {10000, TRUST_LOW},    {1001, TRUST_LOW},
        {1000, TRUST_UNVERIFIED}, {0, TRUST_UNVERIFIED}, {5000000, TRUST_COMMUNITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct source_meta m = model("someone/model", cases[i].downloads);
        struct trust_verdict v = judge(&m, "ACE-Step", false);
        assert_int_equal(v.label, cases[i].label);
        assert_int_equal(v.level, LEVEL_PASS);
    }
    struct source_meta m = model("someone/model", 123456);
    assert_string_equal(judge(&m, NULL, false).summary,
                        "COMMUNITY: 123,456 downloads (30 days), 7 likes");
}

static void test_model_official(void **state)
{
    (void)state;
    struct source_meta m = model("ACE-Step/Ace-Step1.5", 3);
    assert_int_equal(judge(&m, "ACE-Step", false).label, TRUST_OFFICIAL);
    assert_int_equal(judge(&m, "ace-step", false).label, TRUST_OFFICIAL);
    assert_int_equal(judge(&m, "other", false).label, TRUST_UNVERIFIED);
    m = model("gpt2", 50000); /* no owner: never the official org */
    assert_int_equal(judge(&m, "gpt2", false).label, TRUST_COMMUNITY);
}

/* ------------------------------------------------------------------ unknown and stale */

static void test_unknown_when_not_fetched(void **state)
{
    (void)state;
    struct source_meta m = image("ubuntu:22.04", 0, 0, NAN);
    m.fetched = false;
    snprintf(m.error, sizeof m.error, "cannot connect to https://hub.docker.com/v2/...");
    /* neither library nor a recipe recommendation makes an unknown image OFFICIAL */
    struct trust_verdict v = judge(&m, "library", true);
    assert_int_equal(v.label, TRUST_UNKNOWN);
    assert_int_equal(v.level, LEVEL_WARN);
    assert_int_equal(v.nchecks, 1);
    assert_string_equal(v.checks[0].message,
                        "metadata unavailable: cannot connect to https://hub.docker.com/v2/...");
    assert_int_equal(v.checks[0].level, LEVEL_WARN);
    assert_string_equal(trust_label_name(v.label), "UNKNOWN (offline)");
    assert_non_null(strstr(v.summary, "UNKNOWN (offline)"));

    /* a devel tag is visible without any metadata */
    m = image("nvidia/cuda:12.8.1-devel-ubuntu22.04", 0, 0, NAN);
    m.fetched = false;
    snprintf(m.error, sizeof m.error, "rate limited by hub.docker.com; try again in 30 s");
    v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_UNKNOWN);
    assert_int_equal(v.nchecks, 2);
    assert_non_null(find_check(&v, "devel"));

    struct source_meta r = repo("ace-step/ACE-Step-1.5", 9999, NOW);
    r.fetched = false;
    snprintf(r.error, sizeof r.error, "not found on GitHub: ace-step/ACE-Step-1.5");
    v = judge(&r, "ace-step", false);
    assert_int_equal(v.label, TRUST_UNKNOWN);
    assert_int_equal(v.level, LEVEL_WARN);

    struct source_meta md = model("ACE-Step/Ace-Step1.5", 50000);
    md.fetched = false; /* no error text: still a sentence */
    v = judge(&md, "ACE-Step", false);
    assert_int_equal(v.label, TRUST_UNKNOWN);
    assert_string_equal(v.checks[0].message, "metadata unavailable: no reason given");
}

static void test_stale_cache_noted(void **state)
{
    (void)state;
    struct source_meta m = model("someone/model", 20000);
    snprintf(m.error, sizeof m.error, "cached 30 h ago; refresh failed: offline");
    struct trust_verdict v = judge(&m, NULL, false);
    assert_int_equal(v.label, TRUST_COMMUNITY);
    assert_int_equal(v.level, LEVEL_PASS);
    assert_non_null(strstr(v.summary, "(stale)"));
    const struct trust_check *c = find_check(&v, "cached 30 h ago");
    assert_non_null(c);
    assert_int_equal(c->level, LEVEL_PASS);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(trust_label_name(TRUST_OFFICIAL), "OFFICIAL");
    assert_string_equal(trust_label_name(TRUST_COMMUNITY), "COMMUNITY");
    assert_string_equal(trust_label_name(TRUST_LOW), "LOW");
    assert_string_equal(trust_label_name(TRUST_UNVERIFIED), "UNVERIFIED");
    assert_string_equal(trust_label_name(TRUST_UNKNOWN), "UNKNOWN (offline)");
    assert_string_equal(source_kind_name(SOURCE_IMAGE), "image");
    assert_string_equal(source_kind_name(SOURCE_REPO), "repo");
    assert_string_equal(source_kind_name(SOURCE_MODEL), "model");
}

/* ------------------------------------------------------------------ trust_image_split */

static void assert_split(const char *ref, const char *ns, const char *repo_name, const char *tag)
{
    char n[64], r[64], t[128];
    if (trust_image_split(ref, n, sizeof n, r, sizeof r, t, sizeof t) != 0)
        fail_msg("'%s' refused", ref);
    assert_string_equal(n, ns);
    assert_string_equal(r, repo_name);
    assert_string_equal(t, tag);
}

static void assert_refused(const char *ref)
{
    char n[64], r[64], t[128];
    if (trust_image_split(ref, n, sizeof n, r, sizeof r, t, sizeof t) != -1)
        fail_msg("'%s' accepted as %s/%s:%s", ref, n, r, t);
}

static void test_split(void **state)
{
    (void)state;
    const char *digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    char ref[200];
    assert_split("ubuntu", "library", "ubuntu", "latest");
    assert_split("ubuntu:22.04", "library", "ubuntu", "22.04");
    assert_split("library/ubuntu:24.04", "library", "ubuntu", "24.04");
    assert_split("nvidia/cuda:12.8.1-runtime-ubuntu22.04", "nvidia", "cuda",
                 "12.8.1-runtime-ubuntu22.04");
    assert_split("docker.io/nvidia/cuda:tag", "nvidia", "cuda", "tag");
    assert_split("docker.io/ubuntu", "library", "ubuntu", "latest");
    assert_split("index.docker.io/pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime", "pytorch",
                 "pytorch", "2.7.1-cuda12.8-cudnn9-runtime");
    assert_split("valyriantech/ace-step-1.5", "valyriantech", "ace-step-1.5", "latest");
    assert_split("some_user/my__img:Tag_1", "some_user", "my__img", "Tag_1");
    snprintf(ref, sizeof ref, "nvidia/cuda@%s", digest);
    assert_split(ref, "nvidia", "cuda", digest);
    snprintf(ref, sizeof ref, "nvidia/cuda:12.8@%s", digest);
    assert_split(ref, "nvidia", "cuda", digest); /* the digest is what gets pulled */

    assert_refused("ghcr.io/x/y:tag");
    assert_refused("localhost:5000/x");
    assert_refused("localhost/x");
    assert_refused("quay.io/org/img");
    assert_refused("registry.example.com:443/org/img:1");
    assert_refused("");
    assert_refused("a//b");
    assert_refused("/ubuntu");
    assert_refused("ubuntu/");
    assert_refused("nvidia/cuda:");
    assert_refused("nvidia/cuda:12 .8");
    assert_refused(" ubuntu");
    assert_refused("Ubuntu");
    assert_refused("NVIDIA/cuda");
    assert_refused("a/b/c");  /* Docker Hub has no nested repositories */
    assert_refused("-abc/x"); /* components start with a letter or digit */
    assert_refused("abc./x");
    assert_refused("nvidia/cuda:-bad");
    assert_refused("nvidia/cuda@sha256:abc"); /* too short for a digest */
    assert_refused("nvidia/cuda@");
    assert_refused("nvidia/cuda:tag\n");

    /* results that do not fit are refused, not cut */
    char small[4], r[64], t[64];
    assert_int_equal(
        trust_image_split("nvidia/cuda", small, sizeof small, r, sizeof r, t, sizeof t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_official),
        cmocka_unit_test(test_image_thresholds),
        cmocka_unit_test(test_image_unverified_blocks),
        cmocka_unit_test(test_image_size_bands),
        cmocka_unit_test(test_image_size_unknown),
        cmocka_unit_test(test_image_summary),
        cmocka_unit_test(test_image_devel_tag),
        cmocka_unit_test(test_image_tag_not_found),
        cmocka_unit_test(test_image_worst_level),
        cmocka_unit_test(test_repo_thresholds),
        cmocka_unit_test(test_repo_official),
        cmocka_unit_test(test_repo_archived_and_stale),
        cmocka_unit_test(test_model_thresholds),
        cmocka_unit_test(test_model_official),
        cmocka_unit_test(test_unknown_when_not_fetched),
        cmocka_unit_test(test_stale_cache_noted),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
