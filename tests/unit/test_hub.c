/* Tests the metadata fetcher (src/hub.c) against the loopback fake of Docker Hub, GitHub and
 * Hugging Face (tests/fake_hub.py, started once for the file): parsing, the cache, rate limits,
 * malformed bodies, and that no Authorization header ever leaves. Skips when python3 or the
 * fake cannot be started. */
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeserver.h"
#include "http.h"
#include "hub.h"

static struct fake_server fake; /* tests/fake_hub.py */
static char tmpdir[64];         /* per test */
static char cache_dir[128];     /* tmpdir/cache, created by hub */

/* ------------------------------------------------------------------ the fake server */

static int start_fake(void **state)
{
    (void)state;
    fake_group_begin(&fake, "GPUWARDEN_FAKE_HUB", "tests/fake_hub.py"); /* else: skips */
    return 0;
}

static int stop_fake(void **state)
{
    (void)state;
    fake_group_end(&fake);
    return 0;
}

/* Requests logged whose path starts with `prefix`. */
static int logged(const char *prefix)
{
    cJSON *log = fake_server_log(&fake);
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        const char *path = cJSON_GetObjectItem(e, "path")->valuestring;
        n += strncmp(path, prefix, strlen(prefix)) == 0;
    }
    cJSON_Delete(log);
    return n;
}

/* Every request carried gpuwarden's User-Agent and no Authorization header. */
static void assert_log_clean(void)
{
    cJSON *log = fake_server_log(&fake);
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(e, "authorization")));
        const cJSON *ua = cJSON_GetObjectItem(e, "user_agent");
        assert_true(cJSON_IsString(ua));
        assert_int_equal(strncmp(ua->valuestring, "gpuwarden/", 10), 0);
    }
    cJSON_Delete(log);
}

/* ------------------------------------------------------------------ per test */

static int setup(void **state)
{
    (void)state;
    if (fake.pid <= 0)
        return 0;
    fake_server_control(&fake, "reset", "{}");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gw-test-hub-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(cache_dir, sizeof cache_dir, "%s/cache/gpuwarden/hub", tmpdir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (fake.pid > 0)
        fake_remove_tree(tmpdir);
    return 0;
}

#define NEED_FAKE()                                                                                \
    do {                                                                                           \
        if (fake.pid <= 0)                                                                         \
            skip();                                                                                \
    } while (0)

static struct hub_config config(void)
{
    struct hub_config cfg;
    hub_config_default(&cfg);
    snprintf(cfg.docker_url, sizeof cfg.docker_url, "%s", fake.base);
    snprintf(cfg.github_url, sizeof cfg.github_url, "%s", fake.base);
    snprintf(cfg.hf_url, sizeof cfg.hf_url, "%s", fake.base);
    snprintf(cfg.cache_dir, sizeof cfg.cache_dir, "%s", cache_dir);
    cfg.ttl_s = 3600;
    return cfg;
}

static struct source_meta source(enum source_kind kind, const char *id)
{
    struct source_meta m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    snprintf(m.id, sizeof m.id, "%s", id);
    return m;
}

/* Fetches one source with a fresh hub on `cfg`; the return code of hub_fetch. */
static int fetch_with(const struct hub_config *cfg, struct source_meta *m, struct gw_error *err)
{
    struct hub *h = hub_new(cfg);
    int rc = hub_fetch(h, m, err);
    hub_free(h);
    return rc;
}

static int fetch(struct source_meta *m, struct gw_error *err)
{
    struct hub_config cfg = config();
    return fetch_with(&cfg, m, err);
}

/* The one cache file whose name starts with `prefix` (into out); false when none. */
static bool cache_file(const char *prefix, char *out, size_t size)
{
    DIR *d = opendir(cache_dir);
    if (d == NULL)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(out, size, "%s/%s", cache_dir, e->d_name);
            found = true;
        }
    closedir(d);
    return found;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A loopback URL where nothing listens: a bound socket that never listens refuses. */
static int refusing_socket(char *url, size_t size)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    snprintf(url, size, "http://127.0.0.1:%d", ntohs(a.sin_port));
    return s;
}

/* ------------------------------------------------------------------ Docker Hub */

static void test_image_parse(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_IMAGE, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    struct gw_error err = {0};
    assert_int_equal(fetch(&m, &err), 0);
    assert_true(m.fetched);
    assert_string_equal(m.error, "");
    assert_string_equal(m.id, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    assert_int_equal(m.pulls, 152000000);
    assert_int_equal(m.stars, 3900);
    assert_true(m.last_updated > time(NULL) - 4 * 86400 && m.last_updated <= time(NULL));
    assert_true(m.tag_found);
    /* linux/amd64 (3.1 GB), not arm64 (2.95, listed first) nor full_size (3.33) */
    assert_true(fabs(m.size_gb - 3.1) < 1e-9);
    assert_string_equal(m.badge, "verified_publisher");
    assert_true(m.official_badge);
    assert_true(m.fetched_at >= time(NULL) - 5);
    assert_int_equal(logged("/v2/namespaces/nvidia/repositories/cuda"), 2);
    assert_int_equal(logged("/api/search/v4?query=cuda"), 1);
    assert_log_clean();
}

static void test_image_library_and_badges(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_IMAGE, "ubuntu");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_string_equal(m.badge, "official");
    assert_true(m.official_badge);
    assert_true(m.size_gb > 0.02 && m.size_gb < 0.03);
    assert_int_equal(logged("/v2/namespaces/library/repositories/ubuntu/tags/latest"), 1);
    assert_int_equal(logged("/api/search"), 0); /* the namespace says it all */

    /* open_source is a badge, but not an official one */
    m = source(SOURCE_IMAGE, "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_string_equal(m.badge, "open_source");
    assert_false(m.official_badge);

    /* the API spec's typo counts as verified publisher; null badge is none */
    fake_server_control(&fake, "image",
                        "{\"ns\":\"acme\",\"repo\":\"tool\",\"pulls\":5,\"stars\":1,"
                        "\"badge\":\"verfified_publisher\"}");
    m = source(SOURCE_IMAGE, "acme/tool");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(m.official_badge);
    assert_string_equal(m.badge, "verified_publisher");
    m = source(SOURCE_IMAGE, "valyriantech/ace-step-1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_string_equal(m.badge, "");
    assert_false(m.official_badge);
    assert_int_equal(m.pulls, 404);
    assert_int_equal(m.stars, 0);
    assert_true(fabs(m.size_gb - 173.0) < 1e-9);
    assert_log_clean();
}

static void test_image_amd64_missing_uses_full_size(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "image",
                        "{\"ns\":\"acme\",\"repo\":\"armonly\",\"pulls\":5,\"stars\":1,"
                        "\"tags\":{\"1\":{\"arm64_size\":2000000000,\"full_size\":2500000000}}}");
    struct source_meta m = source(SOURCE_IMAGE, "acme/armonly:1");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(fabs(m.size_gb - 2.5) < 1e-9);
}

static void test_image_tag_404(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_IMAGE, "nvidia/cuda:99.9-nope");
    struct gw_error err = {0};
    assert_int_equal(fetch(&m, &err), 0);
    assert_true(m.fetched);
    assert_false(m.tag_found);
    assert_true(isnan(m.size_gb));
    assert_int_equal(m.pulls, 152000000);
}

static void test_image_digest_skips_tag(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(
        SOURCE_IMAGE,
        "nvidia/cuda@sha256:1111111111111111111111111111111111111111111111111111111111111111");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(m.tag_found);
    assert_true(isnan(m.size_gb));
    assert_int_equal(logged("/v2/namespaces/nvidia/repositories/cuda/tags"), 0);
}

static void test_image_not_found(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_IMAGE, "nobody/nothing:1");
    struct gw_error err = {0};
    assert_int_equal(fetch(&m, &err), -1);
    assert_false(m.fetched);
    assert_int_equal(strncmp(m.error, "not found on Docker Hub: nobody/nothing", 39), 0);
    assert_string_equal(err.msg, m.error);
    assert_int_equal(logged("/"), 1); /* nothing more after the 404 */
}

static void test_not_docker_hub(void **state)
{
    (void)state;
    NEED_FAKE();
    const char *refs[] = {"ghcr.io/x/y:tag", "localhost:5000/x", "Bad/Name", ""};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        struct source_meta m = source(SOURCE_IMAGE, refs[i]);
        struct gw_error err = {0};
        assert_int_equal(fetch(&m, &err), -1);
        assert_false(m.fetched);
        assert_non_null(strstr(m.error, "not a Docker Hub image"));
    }
    struct source_meta r = source(SOURCE_REPO, "no-slash");
    assert_int_equal(fetch(&r, NULL), -1);
    r = source(SOURCE_REPO, "a/b/c");
    assert_int_equal(fetch(&r, NULL), -1);
    r = source(SOURCE_MODEL, "../etc");
    assert_int_equal(fetch(&r, NULL), -1);
    assert_int_equal(logged("/"), 0);
}

static void test_search_failure_not_fatal(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "mode", "{\"mode\":\"500\",\"count\":-1,\"path\":\"/api/search\"}");
    struct source_meta m = source(SOURCE_IMAGE, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(m.fetched);
    assert_string_equal(m.badge, "");
    assert_false(m.official_badge);
    assert_true(logged("/api/search") >= 2); /* 500 is retried, then given up */
}

/* ------------------------------------------------------------------ GitHub and Hugging Face */

static void test_repo_parse(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(m.stars, 4200);
    assert_false(m.archived);
    time_t now = time(NULL);
    assert_true(m.pushed_at > now - 3 * 86400 && m.pushed_at < now - 86400);

    m = source(SOURCE_REPO, "oldorg/abandoned");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(m.archived);
    assert_true(m.pushed_at < now - 799 * 86400);

    /* GitHub's media type and API version go with every request */
    cJSON *log = fake_server_log(&fake);
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        const cJSON *h = cJSON_GetObjectItem(e, "headers");
        assert_string_equal(cJSON_GetObjectItem(h, "accept")->valuestring,
                            "application/vnd.github+json");
        assert_string_equal(cJSON_GetObjectItem(h, "x-github-api-version")->valuestring,
                            "2022-11-28");
    }
    cJSON_Delete(log);

    struct gw_error err = {0};
    m = source(SOURCE_REPO, "nobody/nothing");
    assert_int_equal(fetch(&m, &err), -1);
    assert_int_equal(strncmp(err.msg, "not found on GitHub: nobody/nothing", 35), 0);
    assert_log_clean();
}

static void test_model_parse(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(m.downloads, 48213);
    assert_int_equal(m.likes, 812);
    m = source(SOURCE_MODEL, "gpt2"); /* a legacy id without an org */
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(m.downloads, 9000000);

    struct gw_error err = {0};
    m = source(SOURCE_MODEL, "nobody/nothing"); /* Hugging Face says 401 */
    assert_int_equal(fetch(&m, &err), -1);
    assert_int_equal(strncmp(err.msg, "not found on Hugging Face: nobody/nothing", 41), 0);
    assert_log_clean();
}

/* ------------------------------------------------------------------ the cache */

static void test_cache_hit_no_request(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_IMAGE, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    assert_int_equal(fetch(&m, NULL), 0);
    int first = logged("/");
    assert_int_equal(first, 3);

    char path[512];
    assert_true(cache_file("image-nvidia_cuda_12.8.1-runtime-ubuntu22.04-", path, sizeof path));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(cache_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    struct source_meta again = source(SOURCE_IMAGE, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    assert_int_equal(fetch(&again, NULL), 0);
    assert_int_equal(logged("/"), first); /* no request */
    assert_true(again.fetched);
    assert_string_equal(again.error, "");
    assert_int_equal(again.pulls, m.pulls);
    assert_int_equal(again.stars, m.stars);
    assert_true(fabs(again.size_gb - m.size_gb) < 1e-9);
    assert_string_equal(again.badge, m.badge);
    assert_int_equal(again.official_badge, m.official_badge);
    assert_int_equal(again.last_updated, m.last_updated);
    assert_int_equal(again.fetched_at, m.fetched_at);

    /* "ubuntu" and "docker.io/library/ubuntu:latest" are one entry */
    m = source(SOURCE_IMAGE, "ubuntu");
    assert_int_equal(fetch(&m, NULL), 0);
    first = logged("/");
    m = source(SOURCE_IMAGE, "docker.io/library/ubuntu:latest");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(logged("/"), first);
    assert_string_equal(m.id, "docker.io/library/ubuntu:latest"); /* the caller's id is kept */

    /* repositories and models too; a stale entry is refetched */
    m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(fetch(&m, NULL), 0);
    assert_int_equal(logged("/api/models/"), 1);
    struct hub_config cfg = config();
    cfg.ttl_s = 0;
    assert_int_equal(fetch_with(&cfg, &m, NULL), 0);
    assert_int_equal(logged("/api/models/"), 2);
}

static void test_no_cache_dir(void **state)
{
    (void)state;
    NEED_FAKE();
    struct hub_config cfg = config();
    cfg.cache_dir[0] = '\0';
    struct source_meta m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch_with(&cfg, &m, NULL), 0);
    assert_int_equal(fetch_with(&cfg, &m, NULL), 0);
    assert_int_equal(logged("/repos/"), 2);
    struct stat st;
    assert_int_equal(stat(cache_dir, &st), -1);
}

/* Rewrites the fetched_at of a cache entry. */
static void age_cache_file(const char *path, long seconds)
{
    cJSON *j = cJSON_Parse(read_file(path));
    assert_non_null(j);
    cJSON *at = cJSON_GetObjectItem(j, "fetched_at");
    cJSON_SetNumberValue(at, at->valuedouble - (double)seconds);
    char *text = cJSON_PrintUnformatted(j);
    write_file(path, text);
    cJSON_free(text);
    cJSON_Delete(j);
}

static void test_stale_cache_when_offline(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    char path[512];
    assert_true(cache_file("repo-ace-step_ace-step-1.5-", path, sizeof path));
    age_cache_file(path, 30 * 3600);

    struct hub_config cfg = config();
    int s = refusing_socket(cfg.github_url, sizeof cfg.github_url);
    struct gw_error err = {0};
    m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch_with(&cfg, &m, &err), 0);
    close(s);
    assert_true(m.fetched);
    assert_int_equal(m.stars, 4200);
    assert_int_equal(strncmp(m.error, "cached 30 h ago; refresh failed: cannot connect to", 50), 0);
    assert_string_equal(m.id, "ace-step/ACE-Step-1.5");

    /* with no cache entry at all, the failure is the answer */
    m = source(SOURCE_REPO, "pytorch/pytorch");
    s = refusing_socket(cfg.github_url, sizeof cfg.github_url);
    assert_int_equal(fetch_with(&cfg, &m, &err), -1);
    close(s);
    assert_false(m.fetched);
    assert_non_null(strstr(m.error, "cannot connect to"));
    assert_string_equal(err.msg, m.error);
}

static void test_stale_cache_not_used_for_404(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "model", "{\"id\":\"gone/model\",\"downloads\":99999}");
    struct source_meta m = source(SOURCE_MODEL, "gone/model");
    assert_int_equal(fetch(&m, NULL), 0);
    fake_server_control(&fake, "reset", "{}"); /* the model is gone */
    struct hub_config cfg = config();
    cfg.ttl_s = 0;
    struct gw_error err = {0};
    assert_int_equal(fetch_with(&cfg, &m, &err), -1);
    assert_false(m.fetched);
    assert_non_null(strstr(err.msg, "not found on Hugging Face"));
}

static void test_corrupt_cache_ignored(void **state)
{
    (void)state;
    NEED_FAKE();
    struct source_meta m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    char path[512];
    assert_true(cache_file("model-ACE-Step_Ace-Step1.5-", path, sizeof path));

    const char *bad[] = {
        "{\"kind\":\"model\",\"id\":\"ACE-Step/Ace-Step1.5\",\"fetched_at\":",
        "",
        "[1,2,3]",
        "{\"kind\":\"model\",\"id\":\"someone/else\",\"fetched_at\":4102444800,\"downloads\":1}",
        "{\"kind\":\"repo\",\"id\":\"ACE-Step/Ace-Step1.5\",\"fetched_at\":4102444800}",
        "{\"kind\":\"model\",\"id\":\"ACE-Step/Ace-Step1.5\",\"fetched_at\":\"soon\"}",
        "\x01\x02\xff binary",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i]);
        int before = logged("/api/models/");
        m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
        assert_int_equal(fetch(&m, NULL), 0);
        assert_int_equal(m.downloads, 48213);
        assert_int_equal(logged("/api/models/"), before + 1);
        /* overwritten with a good entry */
        cJSON *j = cJSON_Parse(read_file(path));
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "ACE-Step/Ace-Step1.5");
        cJSON_Delete(j);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    /* no temporary files left behind */
    DIR *d = opendir(cache_dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL)
        files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1);
}

/* ------------------------------------------------------------------ faults */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_429_retry_after_then_ok(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "mode", "{\"mode\":\"429\",\"count\":1,\"retry_after\":1}");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct source_meta m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    double took = seconds_since(&t0);
    assert_true(took >= 0.9); /* Retry-After: 1 beat the 1 ms backoff */
    assert_true(took < 5.0);
    assert_int_equal(m.stars, 4200);
    cJSON *log = fake_server_log(&fake);
    assert_int_equal(cJSON_GetArraySize(log), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "status")->valueint, 429);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 1), "status")->valueint, 200);
    cJSON_Delete(log);
}

static void test_429_forever(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "mode", "{\"mode\":\"429\",\"count\":-1}");
    struct source_meta m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
    struct gw_error err = {0};
    assert_int_equal(fetch(&m, &err), -1);
    assert_false(m.fetched);
    char want[128];
    snprintf(want, sizeof want, "rate limited by %.60s; try again in 60 s", fake.base + 7);
    assert_int_equal(strncmp(m.error, want, strlen(want)), 0);
    assert_int_equal(logged("/api/models/"), 4); /* first try + 3 retries */
}

static void test_503_retry_after_zero(void **state)
{
    (void)state;
    NEED_FAKE();
    /* Retry-After: 0 is no reason to wait longer than the backoff */
    fake_server_control(&fake, "mode", "{\"mode\":\"503\",\"count\":2,\"retry_after\":0}");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct source_meta m = source(SOURCE_MODEL, "ACE-Step/Ace-Step1.5");
    assert_int_equal(fetch(&m, NULL), 0);
    assert_true(seconds_since(&t0) < 0.9);
    assert_int_equal(logged("/api/models/"), 3);
}

/* http.c reports the final answer's Retry-After, and only that answer's. */
static void test_http_reports_retry_after(void **state)
{
    (void)state;
    NEED_FAKE();
    struct http_options opt;
    http_options_default(&opt);
    opt.max_retries = 0;
    struct http_client *c = http_new(&opt);
    char url[128];
    snprintf(url, sizeof url, "%s/api/models/gpt2", fake.base);
    fake_server_control(&fake, "mode", "{\"mode\":\"429\",\"count\":1,\"retry_after\":7}");
    struct http_response r;
    assert_int_equal(http_request(c, "GET", url, NULL, NULL, &r, NULL), 0);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.retry_after_s, 7);
    http_response_free(&r);
    assert_int_equal(http_request(c, "GET", url, NULL, NULL, &r, NULL), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.retry_after_s, 0);
    http_response_free(&r);
    http_free(c);
}

static void test_malformed_body(void **state)
{
    (void)state;
    NEED_FAKE();
    fake_server_control(&fake, "mode", "{\"mode\":\"malformed\",\"count\":1}");
    struct source_meta m = source(SOURCE_IMAGE, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    struct gw_error err = {0};
    assert_int_equal(fetch(&m, &err), -1);
    char want[256];
    snprintf(want, sizeof want,
             "malformed response from %s/v2/namespaces/nvidia/repositories/cuda: not a JSON "
             "object",
             fake.base);
    assert_string_equal(err.msg, want);
    assert_string_equal(m.error, want);

    fake_server_control(&fake, "mode", "{\"mode\":\"html\",\"count\":1,\"path\":\"/repos/\"}");
    m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    assert_int_equal(fetch(&m, &err), -1);
    assert_non_null(strstr(err.msg, "malformed response from"));
    assert_non_null(strstr(err.msg, "/repos/ace-step/ACE-Step-1.5"));
}

static void test_cancelled(void **state)
{
    (void)state;
    NEED_FAKE();
    atomic_int cancel = 1;
    struct hub_config cfg = config();
    cfg.cancel = &cancel;
    struct source_meta m = source(SOURCE_REPO, "ace-step/ACE-Step-1.5");
    struct gw_error err = {0};
    assert_int_equal(fetch_with(&cfg, &m, &err), -1);
    assert_non_null(strstr(err.msg, "cancelled"));
}

static void test_config_default(void **state)
{
    (void)state;
    setenv("XDG_CACHE_HOME", "/tmp/gw-xdg-cache", 1);
    struct hub_config cfg;
    hub_config_default(&cfg);
    assert_string_equal(cfg.docker_url, "https://hub.docker.com");
    assert_string_equal(cfg.github_url, "https://api.github.com");
    assert_string_equal(cfg.hf_url, "https://huggingface.co");
    assert_string_equal(cfg.cache_dir, "/tmp/gw-xdg-cache/gpuwarden/hub");
    assert_int_equal(cfg.ttl_s, 24 * 3600);
    assert_null(cfg.cancel);
    unsetenv("XDG_CACHE_HOME");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_image_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_library_and_badges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_amd64_missing_uses_full_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_tag_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_digest_skips_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_docker_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_failure_not_fatal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repo_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_hit_no_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_cache_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_cache_when_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_cache_not_used_for_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_cache_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_retry_after_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_forever, setup, teardown),
        cmocka_unit_test_setup_teardown(test_503_retry_after_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_reports_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled, setup, teardown),
        cmocka_unit_test(test_config_default),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
