/* Trust labels of SPEC §3 with its exact thresholds, and the image checks beyond the label. */
#include "trust.h"
#include "textwidth.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

#define IMAGE_COMMUNITY_PULLS 10000LL
#define IMAGE_LOW_PULLS       1000LL
#define REPO_COMMUNITY_STARS  100LL
#define MODEL_COMMUNITY_DL    10000LL
#define MODEL_LOW_DL          1000LL
#define SIZE_SLOW_GB          10.0
#define SIZE_AVOID_GB         20.0
#define SIZE_FORBIDDEN_GB     100.0
#define STALE_PUSH_S          (365LL * 24 * 3600)

const char *trust_label_name(enum trust_label label)
{
    switch (label) {
    case TRUST_OFFICIAL: return "OFFICIAL";
    case TRUST_COMMUNITY: return "COMMUNITY";
    case TRUST_LOW: return "LOW";
    case TRUST_UNVERIFIED: return "UNVERIFIED";
    case TRUST_UNKNOWN: break;
    }
    return "UNKNOWN (offline)";
}

const char *source_kind_name(enum source_kind kind)
{
    return kind == SOURCE_IMAGE ? "image" : kind == SOURCE_REPO ? "repo" : "model";
}

/* ------------------------------------------------------------------ image references */

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of a Docker reference: lower-case alphanumerics separated by ".", "_",
 * "__" or runs of "-" (the distribution/reference grammar). */
static bool valid_component(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i < n;) {
        if (is_lower_alnum(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_lower_alnum(s[j]))
            j++;
        size_t run = j - i;
        bool dashes = strspn(s + i, "-") >= run;
        bool ok = (run == 1 && (s[i] == '.' || s[i] == '_')) ||
                  (run == 2 && s[i] == '_' && s[i + 1] == '_') || dashes;
        if (!ok)
            return false;
        i = j;
    }
    return true;
}

static bool valid_tag(const char *s, size_t n)
{
    if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

/* "algorithm:hex" with a lower-case algorithm and at least 32 hex digits. */
static bool valid_digest(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (colon == NULL || colon == s)
        return false;
    for (const char *p = s; p < colon; p++)
        if (!is_lower_alnum(*p) && *p != '+' && *p != '.' && *p != '_' && *p != '-')
            return false;
    size_t hex = n - (size_t)(colon + 1 - s);
    if (hex < 32)
        return false;
    for (const char *p = colon + 1; p < s + n; p++)
        if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
            return false;
    return true;
}

static bool copy_out(char *out, size_t size, const char *s, size_t n)
{
    if (n >= size)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* Registries that are Docker Hub under another name. */
static bool is_docker_hub_registry(const char *s, size_t n)
{
    static const char *const names[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return true;
    return false;
}

int trust_image_split(const char *ref, char *ns, size_t nsz, char *repo, size_t rsz, char *tag,
                      size_t tsz)
{
    if (ref == NULL || !*ref || strlen(ref) >= 512)
        return -1;
    for (const char *p = ref; *p; p++)
        if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
            return -1;

    size_t len = strlen(ref);
    const char *digest = strchr(ref, '@');
    size_t name_len = digest ? (size_t)(digest - ref) : len;
    if (digest && !valid_digest(digest + 1, len - name_len - 1))
        return -1;

    /* path components */
    const char *comp[8];
    size_t clen[8];
    size_t ncomp = 0;
    for (const char *p = ref; p <= ref + name_len;) {
        const char *slash = memchr(p, '/', (size_t)(ref + name_len - p));
        const char *end = slash ? slash : ref + name_len;
        if (ncomp == 8)
            return -1;
        comp[ncomp] = p;
        clen[ncomp++] = (size_t)(end - p);
        if (!slash)
            break;
        p = slash + 1;
    }

    /* an explicit registry: only Docker Hub's own names are ours */
    size_t first = 0;
    if (ncomp > 1) {
        bool registry = memchr(comp[0], '.', clen[0]) || memchr(comp[0], ':', clen[0]) ||
                        (clen[0] == 9 && memcmp(comp[0], "localhost", 9) == 0);
        if (registry) {
            if (!is_docker_hub_registry(comp[0], clen[0]))
                return -1;
            first = 1;
        }
    }
    size_t n = ncomp - first;
    if (n < 1 || n > 2)
        return -1; /* Docker Hub repositories are namespace/name */

    /* the tag is after a ':' in the last component */
    const char *last = comp[ncomp - 1];
    size_t last_len = clen[ncomp - 1];
    const char *colon = memchr(last, ':', last_len);
    const char *tag_s = NULL;
    size_t tag_n = 0;
    if (colon) {
        tag_s = colon + 1;
        tag_n = last_len - (size_t)(colon + 1 - last);
        clen[ncomp - 1] = (size_t)(colon - last);
        if (!valid_tag(tag_s, tag_n))
            return -1;
    }
    for (size_t i = first; i < ncomp; i++)
        if (!valid_component(comp[i], clen[i]))
            return -1;

    bool ok = n == 1
                  ? copy_out(ns, nsz, "library", 7) && copy_out(repo, rsz, comp[first], clen[first])
                  : copy_out(ns, nsz, comp[first], clen[first]) &&
                        copy_out(repo, rsz, comp[first + 1], clen[first + 1]);
    if (digest)
        ok = ok && copy_out(tag, tsz, digest + 1, len - name_len - 1);
    else if (tag_s)
        ok = ok && copy_out(tag, tsz, tag_s, tag_n);
    else
        ok = ok && copy_out(tag, tsz, "latest", 6);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ verdict building */

static void add_check(struct trust_verdict *v, enum level level, int case_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_check(struct trust_verdict *v, enum level level, int case_id, const char *fmt, ...)
{
    if (v->nchecks == TRUST_MAX_CHECKS)
        return;
    struct trust_check *c = &v->checks[v->nchecks++];
    c->level = level;
    c->case_id = case_id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    textwidth_repair(c->message);
    if (level > v->level)
        v->level = level;
}

/* "104,857"; negative counts (never expected) print as "?". */
static const char *grouped(long long n, char *buf, size_t size)
{
    if (n < 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *gb(double size, char *buf, size_t n)
{
    snprintf(buf, n, size < 1.0 ? "%.2f GB" : "%.1f GB", size);
    return buf;
}

/* The owner part of "owner/name" equals `org`, ignoring case (GitHub and Hugging Face treat
 * owner names case-insensitively). */
static bool owned_by(const char *id, const char *org)
{
    if (org == NULL || !*org)
        return false;
    const char *slash = strchr(id, '/');
    size_t n = slash ? (size_t)(slash - id) : 0;
    return n > 0 && n == strlen(org) && strncasecmp(id, org, n) == 0;
}

/* The tag of an image reference, even one trust_image_split refuses (another registry). */
static const char *image_tag(const char *id)
{
    const char *at = strchr(id, '@');
    if (at)
        return at + 1;
    const char *slash = strrchr(id, '/');
    const char *colon = strrchr(slash ? slash : id, ':');
    return colon ? colon + 1 : "latest";
}

static void devel_check(const struct source_meta *m, struct trust_verdict *v)
{
    const char *tag = image_tag(m->id);
    if (strstr(tag, "devel"))
        add_check(v, LEVEL_WARN, 5,
                  _("tag '%.80s': inference needs `runtime`, ~4 GB, not `devel`, ~10 GB"), tag);
}

static void size_check(double size, struct trust_verdict *v)
{
    char s[32];
    gb(size, s, sizeof s);
    if (size < SIZE_SLOW_GB)
        add_check(v, LEVEL_PASS, 5, _("compressed linux/amd64 size %s, under 10 GB"), s);
    else if (size < SIZE_AVOID_GB)
        add_check(v, LEVEL_WARN, 5,
                  _("compressed linux/amd64 size %s (10-20 GB): slow pull on P2P hosts"), s);
    else if (size <= SIZE_FORBIDDEN_GB)
        add_check(
            v, LEVEL_WARN, 5,
            _("compressed linux/amd64 size %s (20-100 GB): avoid: cache misses, 15+ min pulls"), s);
    else
        add_check(v, LEVEL_BLOCK, 10, _("compressed linux/amd64 size %s (over 100 GB): forbidden"),
                  s);
}

static void evaluate_image(const struct source_meta *m, const struct trust_context *ctx,
                           struct trust_verdict *v)
{
    char ns[128], repo[128], tag[160];
    bool split = trust_image_split(m->id, ns, sizeof ns, repo, sizeof repo, tag, sizeof tag) == 0;
    bool library = split && strcmp(ns, "library") == 0;
    const char *why = NULL;
    if (library)
        why = _("Docker Official Image");
    else if (m->official_badge)
        why = strcmp(m->badge, "official") == 0 ? _("Docker Official Image")
                                                : _("verified publisher");
    else if (ctx->image_recommended)
        why = _("recommended by the recipe");

    if (why)
        v->label = TRUST_OFFICIAL;
    else if (m->pulls > IMAGE_COMMUNITY_PULLS && m->stars > 0)
        v->label = TRUST_COMMUNITY;
    else if (m->pulls > IMAGE_LOW_PULLS && m->stars > 0)
        v->label = TRUST_LOW;
    else
        v->label = TRUST_UNVERIFIED;

    char pulls[32], stars[32], size[32];
    grouped(m->pulls, pulls, sizeof pulls);
    grouped(m->stars, stars, sizeof stars);
    const char *size_text = !m->tag_found       ? _("tag not found")
                            : isnan(m->size_gb) ? _("size unknown")
                                                : gb(m->size_gb, size, sizeof size);
    const char *platform = m->tag_found && !isnan(m->size_gb) ? " linux/amd64" : "";
    if (why)
        /* TRANSLATORS: the trust label (OFFICIAL, ...), why it is official, the pull and star
           counts, then the size ("1.2 GB", "tag not found", "size unknown") and " linux/amd64"
           or nothing */
        snprintf(v->summary, sizeof v->summary, _("%s (%s): %s pulls, %s stars, %s%s"),
                 trust_label_name(v->label), why, pulls, stars, size_text, platform);
    else
        /* TRANSLATORS: the trust label (COMMUNITY, LOW, UNVERIFIED), the pull and star counts,
           then the size ("1.2 GB", "tag not found", "size unknown") and " linux/amd64" or
           nothing */
        snprintf(v->summary, sizeof v->summary, _("%s: %s pulls, %s stars, %s%s"),
                 trust_label_name(v->label), pulls, stars, size_text, platform);

    if (m->tag_found && !isnan(m->size_gb))
        size_check(m->size_gb, v);
    if (!m->tag_found)
        add_check(v, LEVEL_WARN, 0, _("tag '%.80s' not found on Docker Hub: the pull will fail"),
                  image_tag(m->id));
    devel_check(m, v);
    if (v->label == TRUST_UNVERIFIED && !ctx->image_recommended)
        add_check(v, LEVEL_BLOCK, 10,
                  _("UNVERIFIED image (%s pulls, %s stars): not run unless the recipe's official "
                    "source recommends it"),
                  pulls, stars);
}

static void evaluate_repo(const struct source_meta *m, const struct trust_context *ctx,
                          struct trust_verdict *v)
{
    bool official = owned_by(m->id, ctx->official_org);
    if (official)
        v->label = TRUST_OFFICIAL;
    else if (m->stars > REPO_COMMUNITY_STARS)
        v->label = TRUST_COMMUNITY;
    else if (m->stars > 0)
        v->label = TRUST_LOW;
    else
        v->label = TRUST_UNVERIFIED;

    char stars[32], pushed[64] = "";
    grouped(m->stars, stars, sizeof stars);
    if (m->pushed_at > 0) {
        struct tm tm;
        char date[16];
        gmtime_r(&m->pushed_at, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        /* TRANSLATORS: appended to a GitHub repository's star count; %s is a date, 2025-06-20 */
        snprintf(pushed, sizeof pushed, _(", last push %s"), date);
    }
    /* TRANSLATORS: the trust label (OFFICIAL, ...), " (the recipe's org)" or nothing, the star
       count, then ", last push DATE" and ", archived", each or nothing */
    snprintf(v->summary, sizeof v->summary, _("%s%s: %s stars%s%s"), trust_label_name(v->label),
             official ? _(" (the recipe's org)") : "", stars, pushed,
             m->archived ? _(", archived") : "");

    if (m->archived)
        add_check(v, LEVEL_WARN, 0, _("repository %.120s is archived: no fixes will come"), m->id);
    if (m->pushed_at > 0 && (long long)(ctx->now - m->pushed_at) > STALE_PUSH_S)
        add_check(v, LEVEL_WARN, 0, _("last push %lld days ago (over a year): likely unmaintained"),
                  (long long)(ctx->now - m->pushed_at) / 86400);
}

static void evaluate_model(const struct source_meta *m, const struct trust_context *ctx,
                           struct trust_verdict *v)
{
    bool official = owned_by(m->id, ctx->official_org);
    if (official)
        v->label = TRUST_OFFICIAL;
    else if (m->downloads > MODEL_COMMUNITY_DL)
        v->label = TRUST_COMMUNITY;
    else if (m->downloads > MODEL_LOW_DL)
        v->label = TRUST_LOW;
    else
        v->label = TRUST_UNVERIFIED;
    char dl[32], likes[32];
    /* TRANSLATORS: the trust label (OFFICIAL, ...), " (the recipe's org)" or nothing, then a
       Hugging Face model's download and like counts */
    snprintf(v->summary, sizeof v->summary, _("%s%s: %s downloads (30 days), %s likes"),
             trust_label_name(v->label), official ? _(" (the recipe's org)") : "",
             grouped(m->downloads, dl, sizeof dl), grouped(m->likes, likes, sizeof likes));
}

void trust_evaluate(const struct source_meta *m, const struct trust_context *ctx,
                    struct trust_verdict *out)
{
    static const struct trust_context none = {0};
    if (ctx == NULL)
        ctx = &none;
    memset(out, 0, sizeof *out);
    out->level = LEVEL_PASS;

    if (!m->fetched) {
        out->label = TRUST_UNKNOWN;
        const char *why = m->error[0] ? m->error : _("no reason given");
        snprintf(out->summary, sizeof out->summary, "%s: %.150s", trust_label_name(out->label),
                 why);
        textwidth_repair(out->summary);
        add_check(out, LEVEL_WARN, m->kind == SOURCE_IMAGE ? 10 : 0,
                  _("metadata unavailable: %.170s"), why);
        if (m->kind == SOURCE_IMAGE)
            devel_check(m, out); /* the tag alone tells this much */
        return;
    }
    switch (m->kind) {
    case SOURCE_IMAGE: evaluate_image(m, ctx, out); break;
    case SOURCE_REPO: evaluate_repo(m, ctx, out); break;
    case SOURCE_MODEL: evaluate_model(m, ctx, out); break;
    }
    /* fetched with an error: a stale cache entry stood in for a failed refresh */
    if (m->error[0]) {
        size_t n = strlen(out->summary);
        /* TRANSLATORS: appended to a source's summary when its metadata came from an old cache
           entry because the refresh failed */
        snprintf(out->summary + n, sizeof out->summary - n, "%s", _(" (stale)"));
        add_check(out, LEVEL_PASS, 0, _("stale metadata: %.180s"), m->error);
    }
}
