/* Source metadata from Docker Hub, GitHub and Hugging Face (SPEC §3), through a private on-disk
 * cache. Only public, anonymous endpoints: no Authorization header is ever sent from here. */
#include "hub.h"

#include "atomicfile.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "i18n.h"
#include "textwidth.h"
#include "xalloc.h"

#define HUB_DEFAULT_TTL_S   (24L * 3600)
#define HUB_CACHE_MAX_BYTES ((size_t)64 * 1024)
/* Docker Hub's search answers at most 100 results a page. */
#define HUB_SEARCH_SIZE 100

struct hub {
    struct hub_config cfg;
    struct http_client *http;
};

void hub_config_default(struct hub_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->docker_url, sizeof cfg->docker_url, "https://hub.docker.com");
    snprintf(cfg->github_url, sizeof cfg->github_url, "https://api.github.com");
    snprintf(cfg->hf_url, sizeof cfg->hf_url, "https://huggingface.co");
    char dir[480];
    config_dir("CACHE", dir, sizeof dir);
    if (dir[0])
        snprintf(cfg->cache_dir, sizeof cfg->cache_dir, "%s/hub", dir);
    cfg->ttl_s = HUB_DEFAULT_TTL_S;
}

struct hub *hub_new(const struct hub_config *cfg)
{
    struct hub *h = xcalloc(1, sizeof *h);
    h->cfg = *cfg;
    struct http_options opt;
    http_options_default(&opt);
    opt.cancel = cfg->cancel;
    h->http = http_new(&opt);
    return h;
}

void hub_free(struct hub *h)
{
    if (h == NULL)
        return;
    http_free(h->http);
    free(h);
}

static bool cancelled(const struct hub *h)
{
    return h->cfg.cancel && atomic_load(h->cfg.cancel);
}

/* ------------------------------------------------------------------ JSON fields */

static long long json_count(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9e15)
        return 0;
    return (long long)v->valuedouble;
}

static bool json_bool(const cJSON *obj, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static const char *json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, long long m, long long d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "2025-06-20T10:44:45.459826Z" or with a "+hh:mm" offset → unix time; 0 when unreadable. */
static time_t iso8601(const char *s)
{
    if (s == NULL)
        return 0;
    int y, mo, d, hh, mi, ss, used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &hh, &mi, &ss, &used) != 6 || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60)
        return 0;
    const char *p = s + used;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    long long offset = 0;
    if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
        int oh = 0, om = 0;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
            offset = (*p == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
    }
    long long t = days_from_civil(y, mo, d) * 86400LL + hh * 3600LL + mi * 60LL + ss - offset;
    return t > 0 ? (time_t)t : 0;
}

/* ------------------------------------------------------------------ requests */

struct answer {
    long status;
    long retry_after_s;
    bool rate_limited;
    cJSON *json; /* status 200 only; caller deletes */
};

/* GETs url; 0 with the status (and, for 200, a JSON object) in `a`, or -1 with err set. */
static int get(struct hub *h, const char *url, const char *const *headers, struct answer *a,
               struct gw_error *err)
{
    memset(a, 0, sizeof *a);
    struct http_response r;
    if (http_request_headers(h->http, "GET", url, NULL, headers, NULL, &r, err) < 0)
        return -1;
    a->status = r.status;
    a->retry_after_s = r.retry_after_s;
    /* GitHub answers its rate limit with 403 and a sentence saying so */
    a->rate_limited =
        r.status == 429 || (r.status == 403 && r.body && strstr(r.body, "rate limit") != NULL);
    int rc = 0;
    if (r.status == 200) {
        const char *end = NULL;
        a->json = cJSON_ParseWithOpts(r.body, &end, 1);
        if (!cJSON_IsObject(a->json)) {
            cJSON_Delete(a->json);
            a->json = NULL;
            error_set(err, EXIT_PROVIDER, _("malformed response from %s: not a JSON object"), url);
            rc = -1;
        }
    }
    http_response_free(&r);
    return rc;
}

static void url_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    snprintf(out, size, "%.*s", (int)n, p);
}

/* The sentence for a non-200 answer; *definitive when retrying later will not help. */
static void describe(const char *service, const char *id, const char *url, const struct answer *a,
                     bool not_found_401, struct gw_error *err, bool *definitive)
{
    char host[128];
    url_host(url, host, sizeof host);
    if (a->status == 404 || (not_found_401 && a->status == 401)) {
        *definitive = true;
        /* TRANSLATORS: the service (Docker Hub, GitHub, Hugging Face), the image, repository or
           model id, and the URL asked */
        error_set(err, EXIT_PROVIDER, _("not found on %s: %s (%s)"), service, id, url);
    } else if (a->rate_limited) {
        error_set(err, EXIT_PROVIDER, _("rate limited by %s; try again in %ld s (%s)"), host,
                  a->retry_after_s > 0 ? a->retry_after_s : 60L, url);
    } else {
        error_set(err, EXIT_PROVIDER, _("%s answered HTTP %ld for %s"), host, a->status, url);
    }
}

/* ------------------------------------------------------------------ the three services */

static bool badge_official(const char *badge)
{
    return !strcmp(badge, "official") || !strcmp(badge, "verified_publisher");
}

/* The Docker Hub badge of ns/repo from the search API; a failure only means "no badge". */
static void docker_badge(struct hub *h, const char *ns, const char *repo, struct source_meta *m)
{
    char url[600], want[300];
    snprintf(url, sizeof url, "%s/api/search/v4?query=%s&size=%d", h->cfg.docker_url, repo,
             HUB_SEARCH_SIZE);
    snprintf(want, sizeof want, "%s/%s", ns, repo);
    struct answer a;
    if (get(h, url, NULL, &a, NULL) < 0 || a.json == NULL)
        return;
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(a.json, "results");
    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        const char *id = json_str(r, "id");
        if (id == NULL || strcmp(id, want) != 0)
            continue;
        const char *badge = json_str(r, "badge");
        if (badge && !strcmp(badge, "verfified_publisher")) /* the API spec's own typo */
            badge = "verified_publisher";
        if (badge && strcmp(badge, "none") != 0)
            snprintf(m->badge, sizeof m->badge, "%s", badge);
        m->official_badge = badge_official(m->badge);
        break;
    }
    cJSON_Delete(a.json);
}

/* Compressed size of the linux/amd64 image of a tag, else the tag's full_size; NAN unknown. */
static double tag_size_gb(const cJSON *tag)
{
    const cJSON *img;
    cJSON_ArrayForEach(img, cJSON_GetObjectItemCaseSensitive(tag, "images"))
    {
        const char *os = json_str(img, "os"), *arch = json_str(img, "architecture");
        if (os && arch && !strcmp(os, "linux") && !strcmp(arch, "amd64")) {
            long long size = json_count(img, "size");
            if (size > 0)
                return (double)size / 1e9;
        }
    }
    long long full = json_count(tag, "full_size");
    return full > 0 ? (double)full / 1e9 : NAN;
}

static int fetch_image(struct hub *h, const char *ns, const char *repo, const char *tag,
                       struct source_meta *m, struct gw_error *err, bool *definitive)
{
    char url[800], id[300];
    snprintf(id, sizeof id, "%s/%s", ns, repo);
    snprintf(url, sizeof url, "%s/v2/namespaces/%s/repositories/%s", h->cfg.docker_url, ns, repo);
    struct answer a;
    if (get(h, url, NULL, &a, err) < 0)
        return -1;
    if (a.status != 200) {
        describe("Docker Hub", id, url, &a, false, err, definitive);
        return -1;
    }
    m->pulls = json_count(a.json, "pull_count");
    m->stars = json_count(a.json, "star_count");
    m->last_updated = iso8601(json_str(a.json, "last_updated"));
    cJSON_Delete(a.json);

    if (strchr(tag, ':')) {
        /* a digest: the tag API cannot look it up, and it exists if the pull names it */
        m->tag_found = true;
    } else {
        snprintf(url, sizeof url, "%s/v2/namespaces/%s/repositories/%s/tags/%s", h->cfg.docker_url,
                 ns, repo, tag);
        if (get(h, url, NULL, &a, err) < 0)
            return -1;
        if (a.status == 200) {
            m->tag_found = true;
            m->size_gb = tag_size_gb(a.json);
            cJSON_Delete(a.json);
        } else if (a.status == 404) {
            m->tag_found = false;
        } else if ((a.status == 401 || a.status == 403) && !a.rate_limited) {
            m->tag_found = true; /* the tag API may want a token: size unknown, nothing worse */
        } else {
            char tid[460];
            snprintf(tid, sizeof tid, "%s:%s", id, tag);
            describe("Docker Hub", tid, url, &a, false, err, definitive);
            return -1;
        }
    }

    if (!strcmp(ns, "library")) {
        snprintf(m->badge, sizeof m->badge, "official");
        m->official_badge = true;
    } else {
        docker_badge(h, ns, repo, m);
    }
    return 0;
}

static const char *const github_headers[] = {"Accept: application/vnd.github+json",
                                             "X-GitHub-Api-Version: 2022-11-28", NULL};

static int fetch_repo(struct hub *h, struct source_meta *m, struct gw_error *err, bool *definitive)
{
    char url[800];
    snprintf(url, sizeof url, "%s/repos/%s", h->cfg.github_url, m->id);
    struct answer a;
    if (get(h, url, github_headers, &a, err) < 0)
        return -1;
    if (a.status != 200) {
        describe("GitHub", m->id, url, &a, false, err, definitive);
        return -1;
    }
    m->stars = json_count(a.json, "stargazers_count");
    m->archived = json_bool(a.json, "archived");
    m->pushed_at = iso8601(json_str(a.json, "pushed_at"));
    cJSON_Delete(a.json);
    return 0;
}

static int fetch_model(struct hub *h, struct source_meta *m, struct gw_error *err, bool *definitive)
{
    char url[800];
    snprintf(url, sizeof url, "%s/api/models/%s", h->cfg.hf_url, m->id);
    struct answer a;
    if (get(h, url, NULL, &a, err) < 0)
        return -1;
    if (a.status != 200) {
        /* anonymous requests for a missing (or private) model get 401 */
        describe("Hugging Face", m->id, url, &a, true, err, definitive);
        return -1;
    }
    m->downloads = json_count(a.json, "downloads");
    m->likes = json_count(a.json, "likes");
    cJSON_Delete(a.json);
    return 0;
}

/* "owner/name" (or a bare "name" when `bare_ok`) of [A-Za-z0-9._-], as the URL path needs. */
static bool valid_owner_name(const char *id, bool bare_ok)
{
    size_t slashes = 0, n = strlen(id);
    if (n == 0 || n > 200 || id[0] == '/' || id[n - 1] == '/')
        return false;
    for (const char *p = id; *p; p++) {
        if (*p == '/')
            slashes++;
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return false;
    }
    if (strstr(id, "..") || strstr(id, "/.") || id[0] == '.')
        return false;
    return slashes == 1 || (bare_ok && slashes == 0);
}

/* ------------------------------------------------------------------ cache */

/* The cache key: images as "ns/repo:tag" so "ubuntu" and "library/ubuntu:latest" share one
 * entry; GitHub names lower-cased (GitHub ignores their case). */
static void cache_key(const struct source_meta *m, const char *ns, const char *repo,
                      const char *tag, char *out, size_t size)
{
    if (m->kind == SOURCE_IMAGE) {
        snprintf(out, size, "%s/%s:%s", ns, repo, tag);
        return;
    }
    snprintf(out, size, "%s", m->id);
    if (m->kind == SOURCE_REPO)
        for (char *p = out; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
}

static uint32_t fnv1a(const char *a, const char *b)
{
    uint32_t hash = 2166136261u;
    for (const char *s = a; *s; s++)
        hash = (hash ^ (unsigned char)*s) * 16777619u;
    hash = (hash ^ 0u) * 16777619u;
    for (const char *s = b; *s; s++)
        hash = (hash ^ (unsigned char)*s) * 16777619u;
    return hash;
}

/* {dir}/{kind}-{key with anything but [A-Za-z0-9._-] as '_'}-{hash}.json */
static bool cache_path(const struct hub *h, enum source_kind kind, const char *key, char *out,
                       size_t size)
{
    char safe[128];
    size_t n = 0;
    for (const char *p = key; *p && n + 1 < sizeof safe; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        safe[n++] = ok ? c : '_';
    }
    safe[n] = '\0';
    const char *k = source_kind_name(kind);
    int w = snprintf(out, size, "%s/%s-%s-%08x.json", h->cfg.cache_dir, k, safe,
                     (unsigned)fnv1a(k, key));
    return w > 0 && (size_t)w < size;
}

/* mkdir -p, new folders 0700 (metadata of what the user runs is nobody else's business). */
/* Reads a cache entry for `key`; false when absent, unreadable, corrupt or for another key. */
static bool cache_load(const struct hub *h, enum source_kind kind, const char *key,
                       struct source_meta *out)
{
    char path[800];
    if (!h->cfg.cache_dir[0] || !cache_path(h, kind, key, path, sizeof path))
        return false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    char *buf = xmalloc(HUB_CACHE_MAX_BYTES + 1);
    size_t len = 0;
    ssize_t got;
    while (len < HUB_CACHE_MAX_BYTES && (got = read(fd, buf + len, HUB_CACHE_MAX_BYTES - len)) > 0)
        len += (size_t)got;
    close(fd);
    buf[len] = '\0';
    const char *end = NULL;
    cJSON *j = len < HUB_CACHE_MAX_BYTES ? cJSON_ParseWithOpts(buf, &end, 1) : NULL;
    free(buf);
    const char *k = json_str(j, "kind"), *id = json_str(j, "id");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "fetched_at");
    bool ok = cJSON_IsObject(j) && k && id && !strcmp(k, source_kind_name(kind)) &&
              !strcmp(id, key) && cJSON_IsNumber(at) && at->valuedouble > 0;
    if (ok) {
        memset(out, 0, sizeof *out);
        out->kind = kind;
        out->fetched = true;
        out->fetched_at = (time_t)at->valuedouble;
        const char *badge = json_str(j, "badge");
        snprintf(out->badge, sizeof out->badge, "%s", badge ? badge : "");
        out->official_badge = json_bool(j, "official_badge");
        out->pulls = json_count(j, "pulls");
        out->stars = json_count(j, "stars");
        out->last_updated = (time_t)json_count(j, "last_updated");
        out->tag_found = json_bool(j, "tag_found");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(j, "size_gb");
        out->size_gb = cJSON_IsNumber(size) && size->valuedouble >= 0 ? size->valuedouble : NAN;
        out->archived = json_bool(j, "archived");
        out->pushed_at = (time_t)json_count(j, "pushed_at");
        out->downloads = json_count(j, "downloads");
        out->likes = json_count(j, "likes");
    }
    cJSON_Delete(j);
    return ok;
}

/* Writes the entry atomically (temporary file in the same folder, fsync, rename). A cache that
 * cannot be written costs a refetch later, nothing more: failures are silent. */
static void cache_store(const struct hub *h, const char *key, const struct source_meta *m)
{
    char path[800];
    if (!h->cfg.cache_dir[0] || !cache_path(h, m->kind, key, path, sizeof path) ||
        atomicfile_mkdirs(h->cfg.cache_dir) != 0)
        return;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", source_kind_name(m->kind));
    cJSON_AddStringToObject(j, "id", key);
    cJSON_AddNumberToObject(j, "fetched_at", (double)m->fetched_at);
    cJSON_AddStringToObject(j, "badge", m->badge);
    cJSON_AddBoolToObject(j, "official_badge", m->official_badge);
    cJSON_AddNumberToObject(j, "pulls", (double)m->pulls);
    cJSON_AddNumberToObject(j, "stars", (double)m->stars);
    cJSON_AddNumberToObject(j, "last_updated", (double)m->last_updated);
    cJSON_AddBoolToObject(j, "tag_found", m->tag_found);
    if (isnan(m->size_gb))
        cJSON_AddNullToObject(j, "size_gb");
    else
        cJSON_AddNumberToObject(j, "size_gb", m->size_gb);
    cJSON_AddBoolToObject(j, "archived", m->archived);
    cJSON_AddNumberToObject(j, "pushed_at", (double)m->pushed_at);
    cJSON_AddNumberToObject(j, "downloads", (double)m->downloads);
    cJSON_AddNumberToObject(j, "likes", (double)m->likes);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text == NULL)
        return;
    (void)atomicfile_write(path, text, strlen(text));
    cJSON_free(text);
}

/* ------------------------------------------------------------------ hub_fetch */

int hub_fetch(struct hub *h, struct source_meta *m, struct gw_error *err)
{
    enum source_kind kind = m->kind;
    char id[sizeof m->id];
    memcpy(id, m->id, sizeof id);
    id[sizeof id - 1] = '\0';
    memset(m, 0, sizeof *m);
    m->kind = kind;
    memcpy(m->id, id, sizeof id);
    m->size_gb = NAN;

    struct gw_error ferr = {0};
    bool definitive = true; /* an invalid id: no request, and no cache to fall back on */
    char ns[128] = "", repo[128] = "", tag[160] = "";
    bool valid = true;
    if (kind == SOURCE_IMAGE) {
        valid = trust_image_split(id, ns, sizeof ns, repo, sizeof repo, tag, sizeof tag) == 0;
        if (!valid)
            error_set(&ferr, EXIT_USAGE,
                      _("%s is not a Docker Hub image (another registry, or malformed): its "
                        "publisher cannot be checked"),
                      id);
    } else if (!valid_owner_name(id, kind == SOURCE_MODEL)) {
        valid = false;
        if (kind == SOURCE_REPO)
            error_set(&ferr, EXIT_USAGE, _("'%s' is not a GitHub repository id (owner/name)"), id);
        else
            error_set(&ferr, EXIT_USAGE, _("'%s' is not a Hugging Face model id (org/name)"), id);
    }

    char key[sizeof ns + sizeof repo + sizeof tag + 8] = "";
    struct source_meta cached = {0};
    bool have_cached = false;
    time_t now = time(NULL);
    int rc = -1;
    if (valid) {
        cache_key(m, ns, repo, tag, key, sizeof key);
        have_cached = cache_load(h, kind, key, &cached);
        if (have_cached && now >= cached.fetched_at && now - cached.fetched_at < h->cfg.ttl_s) {
            *m = cached;
            memcpy(m->id, id, sizeof id);
            return 0;
        }
        struct source_meta got = *m;
        definitive = false;
        if (kind == SOURCE_IMAGE)
            rc = fetch_image(h, ns, repo, tag, &got, &ferr, &definitive);
        else if (kind == SOURCE_REPO)
            rc = fetch_repo(h, &got, &ferr, &definitive);
        else
            rc = fetch_model(h, &got, &ferr, &definitive);
        if (rc == 0) {
            *m = got;
            m->fetched = true;
            m->fetched_at = now;
            cache_store(h, key, m);
            return 0;
        }
    }

    if (have_cached && !definitive && !cancelled(h)) {
        *m = cached;
        memcpy(m->id, id, sizeof id);
        long long age = now > cached.fetched_at ? (long long)(now - cached.fetched_at) : 0;
        char note[sizeof ferr.msg + 96];
        if (age >= 3600)
            snprintf(note, sizeof note, _("cached %lld h ago; refresh failed: %s"), age / 3600,
                     ferr.msg);
        else
            snprintf(note, sizeof note, _("cached %lld min ago; refresh failed: %s"), age / 60,
                     ferr.msg);
        textwidth_copy(m->error, sizeof m->error, note);
        return 0;
    }
    m->fetched = false;
    textwidth_copy(m->error, sizeof m->error, ferr.msg);
    error_set(err, ferr.kind ? ferr.kind : EXIT_PROVIDER, "%s", ferr.msg);
    return -1;
}
