/* Recipe loading and validation, and the VRAM arithmetic of SPEC §4. */
#include "recipe.h"

#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "config.h"
#include "i18n.h"
#include "textfile.h"
#include "xalloc.h"

#define RECIPE_MAX_FILE   ((size_t)1 << 20)
#define RECIPE_MAX_SCRIPT ((size_t)1 << 20)
#define BUNDLED_PREFIX    "recipes/"

/* The parse state: which file, and the first error found. */
struct ctx {
    const char *origin;
    struct gw_error *err;
    int failed;
};

static void fail(struct ctx *c, const char *field, const char *expected, const cJSON *got)
{
    if (c->failed++)
        return;
    char shown[64];
    snprintf(shown, sizeof shown, "%s", pgettext("a missing recipe field's value", "nothing"));
    if (got) {
        char *text = cJSON_PrintUnformatted(got);
        if (text) {
            size_t n = strlen(text);
            snprintf(shown, sizeof shown, "%.*s%s", n > 40 ? 40 : (int)n, text,
                     n > 40 ? "..." : "");
            cJSON_free(text);
        }
    }
    /* TRANSLATORS: the recipe's file, the field, what it must be (a phrase translated on its own:
       "present", "an object", "a number from 1 to 99", ...), then its JSON value or "nothing" */
    error_set(c->err, EXIT_USAGE, _("recipe %s: field '%s' must be %s, got %s"), c->origin, field,
              expected, shown);
}

static void failf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct ctx *c, const char *fmt, ...)
{
    if (c->failed++)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* TRANSLATORS: the recipe's file, then a message */
    error_set(c->err, EXIT_USAGE, _("recipe %s: %s"), c->origin, msg);
}

/* Refuses keys the format does not know, so a typo ("overhed") is an error, not a default. */
static void only_keys(struct ctx *c, const cJSON *obj, const char *where, const char *const *keys)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        bool known = false;
        for (const char *const *k = keys; *k; k++)
            known = known || strcmp(it->string, *k) == 0;
        if (!known) {
            char list[300] = "";
            for (const char *const *k = keys; *k; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         k == keys ? "" : ", ", *k);
            /* TRANSLATORS: the field's path (object "." key), then the keys that object takes */
            failf(c, _("unknown field '%s%s%s' (known: %s)"), where, *where ? "." : "", it->string,
                  list);
            return;
        }
    }
}

static const cJSON *member(struct ctx *c, const cJSON *obj, const char *key, const char *field,
                           bool required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v && required)
        fail(c, field, pgettext("a recipe field must be", "present"), NULL);
    return v;
}

/* A string of 1..size-1 bytes. */
static void text(struct ctx *c, const cJSON *obj, const char *key, const char *field, char *out,
                 size_t size, bool required)
{
    const cJSON *v = member(c, obj, key, field, required);
    if (!v)
        return;
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= size) {
        char what[64];
        snprintf(what, sizeof what, _("a non-empty string of at most %zu bytes"), size - 1);
        fail(c, field, what, v);
        return;
    }
    snprintf(out, size, "%s", v->valuestring);
}

static double number(struct ctx *c, const cJSON *obj, const char *key, const char *field,
                     double min, double max, bool required)
{
    const cJSON *v = member(c, obj, key, field, required);
    if (!v || cJSON_IsNull(v))
        return NAN;
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max) {
        char what[80];
        snprintf(what, sizeof what, _("a number from %g to %g"), min, max);
        fail(c, field, what, v);
        return NAN;
    }
    return v->valuedouble;
}

static int whole(struct ctx *c, const cJSON *obj, const char *key, const char *field, int min,
                 int max, int fallback)
{
    const cJSON *v = member(c, obj, key, field, fallback < 0);
    if (!v)
        return fallback;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < min ||
        v->valuedouble > max) {
        char what[80];
        snprintf(what, sizeof what, _("a whole number from %d to %d"), min, max);
        fail(c, field, what, v);
        return fallback;
    }
    return (int)v->valuedouble;
}

static const cJSON *object(struct ctx *c, const cJSON *obj, const char *key, const char *field,
                           bool required)
{
    const cJSON *v = member(c, obj, key, field, required);
    if (v && !cJSON_IsObject(v)) {
        fail(c, field, _("an object"), v);
        return NULL;
    }
    return v;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
              *s == '_'))
            return false;
    return true;
}

static void parse_official(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *o = object(c, root, "official", "official", true);
    if (!o)
        return;
    static const char *const keys[] = {"repo", "org", "docs", NULL};
    only_keys(c, o, "official", keys);
    text(c, o, "repo", "official.repo", r->official_repo, sizeof r->official_repo, true);
    text(c, o, "org", "official.org", r->official_org, sizeof r->official_org, true);
    text(c, o, "docs", "official.docs", r->official_docs, sizeof r->official_docs, true);
    if (!c->failed && !strchr(r->official_repo, '/'))
        fail(c, "official.repo", _("a GitHub \"owner/name\""), cJSON_GetObjectItem(o, "repo"));
    if (!c->failed && strncmp(r->official_docs, "https://", 8) != 0)
        fail(c, "official.docs", _("an https:// URL"), cJSON_GetObjectItem(o, "docs"));
}

static void parse_vram(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *v = object(c, root, "vram", "vram", true);
    if (!v)
        return;
    static const char *const keys[] = {"components", "overhead", NULL};
    only_keys(c, v, "vram", keys);
    const cJSON *list = member(c, v, "components", "vram.components", true);
    if (list && (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
                 cJSON_GetArraySize(list) > RECIPE_MAX_COMPONENTS)) {
        fail(c, "vram.components", _("a list of 1 to 16 {\"name\", \"gb\"} objects"), list);
        return;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        char field[64];
        snprintf(field, sizeof field, "vram.components[%zu]", r->ncomponents);
        if (!cJSON_IsObject(it)) {
            fail(c, field, _("an object {\"name\", \"gb\"}"), it);
            return;
        }
        static const char *const ckeys[] = {"name", "gb", NULL};
        only_keys(c, it, field, ckeys);
        struct recipe_component *comp = &r->components[r->ncomponents++];
        char sub[80];
        snprintf(sub, sizeof sub, "%s.name", field);
        text(c, it, "name", sub, comp->name, sizeof comp->name, true);
        snprintf(sub, sizeof sub, "%s.gb", field);
        comp->gb = number(c, it, "gb", sub, 0.001, 1024, true);
    }
    r->overhead = 0.20;
    if (cJSON_GetObjectItemCaseSensitive(v, "overhead"))
        r->overhead = number(c, v, "overhead", "vram.overhead", 0, 2, true);
}

static int request_parse(struct ctx *c, const cJSON *obj, const char *field,
                         struct recipe_request *q)
{
    if (!obj || !cJSON_IsObject(obj)) {
        fail(c, field, _("an object {\"method\", \"path\", \"body\"}"), obj);
        return -1;
    }
    static const char *const keys[] = {"method", "path", "body", "interval_s", "timeout_s", NULL};
    only_keys(c, obj, field, keys);
    char sub[80];
    snprintf(sub, sizeof sub, "%s.method", field);
    text(c, obj, "method", sub, q->method, sizeof q->method, true);
    if (!c->failed && strcmp(q->method, "GET") != 0 && strcmp(q->method, "POST") != 0)
        fail(c, sub, _("\"GET\" or \"POST\""), cJSON_GetObjectItem(obj, "method"));
    snprintf(sub, sizeof sub, "%s.path", field);
    text(c, obj, "path", sub, q->path, sizeof q->path, true);
    if (!c->failed && q->path[0] != '/')
        fail(c, sub, _("a path starting with '/'"), cJSON_GetObjectItem(obj, "path"));
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(obj, "body");
    if (body && !cJSON_IsNull(body)) {
        if (!cJSON_IsObject(body) && !cJSON_IsArray(body)) {
            snprintf(sub, sizeof sub, "%s.body", field);
            fail(c, sub, _("a JSON object or list"), body);
        } else {
            char *json = cJSON_PrintUnformatted(body);
            q->body = xstrdup(json ? json : "{}");
            cJSON_free(json);
        }
    }
    return c->failed ? -1 : 0;
}

static void parse_test(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *t = object(c, root, "test", "test", true);
    if (!t)
        return;
    static const char *const keys[] = {
        "submit",           "id_field",         "poll", "status_field", "done", "failed",
        "result_url_field", "result_min_bytes", NULL};
    only_keys(c, t, "test", keys);
    struct recipe_test *x = &r->test;
    if (request_parse(c, cJSON_GetObjectItemCaseSensitive(t, "submit"), "test.submit", &x->submit) <
        0)
        return;
    if (cJSON_GetObjectItemCaseSensitive(t, "id_field"))
        text(c, t, "id_field", "test.id_field", x->id_field, sizeof x->id_field, true);
    const cJSON *poll = cJSON_GetObjectItemCaseSensitive(t, "poll");
    if (request_parse(c, poll, "test.poll", &x->poll) < 0)
        return;
    x->interval_s = whole(c, poll, "interval_s", "test.poll.interval_s", 1, 600, 5);
    x->timeout_s = whole(c, poll, "timeout_s", "test.poll.timeout_s", 1, 86400, 600);
    text(c, t, "status_field", "test.status_field", x->status_field, sizeof x->status_field, true);
    text(c, t, "done", "test.done", x->done, sizeof x->done, true);
    text(c, t, "failed", "test.failed", x->failed, sizeof x->failed, true);
    text(c, t, "result_url_field", "test.result_url_field", x->result_url_field,
         sizeof x->result_url_field, true);
    const cJSON *min = member(c, t, "result_min_bytes", "test.result_min_bytes", true);
    if (min && (!cJSON_IsNumber(min) || min->valuedouble < 1 || min->valuedouble > 1e12))
        fail(c, "test.result_min_bytes", _("a number of bytes of at least 1"), min);
    else if (min)
        x->result_min_bytes = (long)min->valuedouble;
}

static void parse_env(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *env = object(c, root, "env", "env", false);
    const cJSON *it;
    cJSON_ArrayForEach(it, env)
    {
        char field[96];
        snprintf(field, sizeof field, "env.%s", it->string);
        bool name_ok = it->string[0] && strlen(it->string) < sizeof r->env[0].key &&
                       strspn(it->string, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_") == strlen(it->string) &&
                       !(it->string[0] >= '0' && it->string[0] <= '9');
        if (!name_ok) {
            failf(c, _("field 'env' has a bad variable name '%s' (letters, digits, '_')"),
                  it->string);
            return;
        }
        if (r->nenv == RECIPE_MAX_ENV) {
            failf(c, _("field 'env' has more than %d variables"), RECIPE_MAX_ENV);
            return;
        }
        struct recipe_env *e = &r->env[r->nenv++];
        snprintf(e->key, sizeof e->key, "%s", it->string);
        if (!cJSON_IsString(it) || strlen(it->valuestring) >= sizeof e->value) {
            fail(c, field, _("a string of at most 255 bytes"), it);
            return;
        }
        snprintf(e->value, sizeof e->value, "%s", it->valuestring);
    }
}

static void parse_ports(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *ports = member(c, root, "ports", "ports", true);
    if (!ports)
        return;
    if (!cJSON_IsArray(ports) || cJSON_GetArraySize(ports) < 1 ||
        cJSON_GetArraySize(ports) > RECIPE_MAX_PORTS) {
        fail(c, "ports", _("a list of 1 to 8 port numbers"), ports);
        return;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, ports)
    {
        if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) ||
            it->valuedouble < 1 || it->valuedouble > 65535) {
            fail(c, "ports", _("a list of port numbers from 1 to 65535"), it);
            return;
        }
        r->ports[r->nports++] = (int)it->valuedouble;
    }
}

static void parse_health(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *h = object(c, root, "health", "health", true);
    if (!h)
        return;
    static const char *const keys[] = {"port", "path", "timeout_s", NULL};
    only_keys(c, h, "health", keys);
    r->health_port = whole(c, h, "port", "health.port", 1, 65535, -1);
    text(c, h, "path", "health.path", r->health_path, sizeof r->health_path, true);
    if (!c->failed && r->health_path[0] != '/')
        fail(c, "health.path", _("a path starting with '/'"), cJSON_GetObjectItem(h, "path"));
    r->health_timeout_s = whole(c, h, "timeout_s", "health.timeout_s", 1, 86400, 600);
    bool listed = false;
    for (size_t i = 0; i < r->nports; i++)
        listed = listed || r->ports[i] == r->health_port;
    if (!c->failed && !listed)
        failf(c, _("field 'health.port' (%d) must be one of 'ports'"), r->health_port);
}

static void parse_models(struct ctx *c, const cJSON *root, struct recipe *r)
{
    const cJSON *models = member(c, root, "models", "models", false);
    if (!models)
        return;
    if (!cJSON_IsArray(models) || cJSON_GetArraySize(models) > RECIPE_MAX_MODELS) {
        fail(c, "models", _("a list of at most 8 Hugging Face ids \"org/name\""), models);
        return;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, models)
    {
        if (!cJSON_IsString(it) || !strchr(it->valuestring, '/') ||
            strlen(it->valuestring) >= sizeof r->models[0]) {
            fail(c, "models", _("a list of Hugging Face ids \"org/name\""), it);
            return;
        }
        snprintf(r->models[r->nmodels++], sizeof r->models[0], "%s", it->valuestring);
    }
}

/* Reads the setup script: from assets when bundled, else from beside the recipe file. */
static void load_script(struct ctx *c, const char *script_dir, struct recipe *r)
{
    if (strchr(r->script_name, '/') || !strcmp(r->script_name, "..")) {
        fail(c, "setup_script", _("a file name beside the recipe (no '/')"), NULL);
        return;
    }
    if (!script_dir) {
        char name[256];
        snprintf(name, sizeof name, BUNDLED_PREFIX "%s", r->script_name);
        size_t len;
        const char *data = assets_get(name, &len);
        if (!data) {
            failf(c, _("setup script '%s' is not bundled"), r->script_name);
            return;
        }
        r->script = xmalloc(len + 1);
        memcpy(r->script, data, len + 1);
        r->script_len = len;
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", script_dir, r->script_name);
    struct gw_error ferr = {0};
    r->script = textfile_read(path, RECIPE_MAX_SCRIPT, &r->script_len, &ferr);
    if (!r->script)
        failf(c, _("setup script: %s"), ferr.msg);
}

int recipe_parse(const char *json, size_t len, const char *origin, const char *script_dir,
                 struct recipe *r, struct gw_error *err)
{
    memset(r, 0, sizeof *r);
    struct ctx c = {.origin = origin, .err = err};
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, NULL, 0);
    if (!root || !cJSON_IsObject(root)) {
        error_set(err, EXIT_USAGE, _("recipe %s: not a JSON object (check brackets and commas)"),
                  origin);
        cJSON_Delete(root);
        return -1;
    }
    static const char *const keys[] = {"name",
                                       "title",
                                       "official",
                                       "image",
                                       "image_recommended",
                                       "models",
                                       "vram",
                                       "min_compute_capability",
                                       "min_cuda",
                                       "disk_gb",
                                       "max_dph",
                                       "setup_script",
                                       "env",
                                       "ports",
                                       "health",
                                       "test",
                                       NULL};
    only_keys(&c, root, "", keys);
    text(&c, root, "name", "name", r->name, sizeof r->name, true);
    if (!c.failed && !valid_name(r->name))
        fail(&c, "name", _("lower-case letters, digits, '-', '.' or '_'"),
             cJSON_GetObjectItem(root, "name"));
    text(&c, root, "title", "title", r->title, sizeof r->title, true);
    parse_official(&c, root, r);
    text(&c, root, "image", "image", r->image, sizeof r->image, true);
    const cJSON *rec = member(&c, root, "image_recommended", "image_recommended", false);
    if (rec && !cJSON_IsBool(rec))
        fail(&c, "image_recommended", _("true or false"), rec);
    r->image_recommended = rec && cJSON_IsTrue(rec);
    parse_models(&c, root, r);
    parse_vram(&c, root, r);
    r->min_cc = number(&c, root, "min_compute_capability", "min_compute_capability", 3, 20, false);
    r->min_cuda = number(&c, root, "min_cuda", "min_cuda", 1, 99, false);
    if (isnan(r->min_cuda))
        r->min_cuda = recipe_image_cuda(r->image);
    r->disk_gb = number(&c, root, "disk_gb", "disk_gb", 1, 1e5, false);
    r->max_dph = number(&c, root, "max_dph", "max_dph", 0.001, 1e4, false);
    text(&c, root, "setup_script", "setup_script", r->script_name, sizeof r->script_name, true);
    parse_env(&c, root, r);
    parse_ports(&c, root, r);
    parse_health(&c, root, r);
    parse_test(&c, root, r);
    if (!c.failed)
        load_script(&c, script_dir, r);
    cJSON_Delete(root);
    snprintf(r->origin, sizeof r->origin, "%s", script_dir ? origin : "bundled");
    if (c.failed) {
        recipe_free(r);
        return -1;
    }
    return 0;
}

void recipe_free(struct recipe *r)
{
    free(r->script);
    free(r->test.submit.body);
    free(r->test.poll.body);
    memset(r, 0, sizeof *r);
}

void recipe_user_dir(char *out, size_t size)
{
    char dir[512];
    config_dir("CONFIG", dir, sizeof dir);
    if (*dir)
        snprintf(out, size, "%s/recipes", dir);
    else if (size)
        *out = '\0';
}

double recipe_required_vram_gb(const struct recipe *r)
{
    double sum = 0;
    for (size_t i = 0; i < r->ncomponents; i++)
        sum += r->components[i].gb;
    return sum * (1 + r->overhead);
}

void recipe_apply(const struct recipe *r, struct requirements *req)
{
    if (isnan(req->min_vram_gb))
        req->min_vram_gb = recipe_required_vram_gb(r);
    if (isnan(req->min_cc))
        req->min_cc = r->min_cc;
    if (isnan(req->min_cuda))
        req->min_cuda = r->min_cuda;
    if (isnan(req->min_disk_gb))
        req->min_disk_gb = r->disk_gb;
    if (isnan(req->max_dph))
        req->max_dph = r->max_dph;
}

/* "12.8.1-runtime" or "2.7.1-cuda12.8-cudnn9": the CUDA major.minor after "cuda" in the tag,
 * or the tag's leading version for nvidia/cuda itself. */
double recipe_image_cuda(const char *image)
{
    const char *tag = strrchr(image, ':');
    const char *slash = strrchr(image, '/');
    if (!tag || (slash && tag < slash))
        return NAN;
    tag++;
    const char *at = strstr(tag, "cuda");
    const char *digits = at ? at + 4 : strstr(image, "nvidia/cuda:") == image ? tag : NULL;
    if (!digits)
        return NAN;
    int major, minor;
    if (sscanf(digits, "%d.%d", &major, &minor) != 2 || major < 1 || major > 99 || minor < 0 ||
        minor > 99)
        return NAN;
    return major + minor / (minor >= 10 ? 100.0 : 10.0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct recipe *)a)->name, ((const struct recipe *)b)->name);
}

/* Adds or replaces (same name) a recipe, taking ownership of its contents. */
static void list_put(struct recipe_list *l, struct recipe *r)
{
    for (size_t i = 0; i < l->count; i++) {
        if (!strcmp(l->items[i].name, r->name)) {
            recipe_free(&l->items[i]);
            l->items[i] = *r;
            return;
        }
    }
    l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count++] = *r;
}

/* A recipe file from disk; its setup script is read from the same folder. */
static int load_path(const char *path, struct recipe *r, struct gw_error *err)
{
    size_t len;
    char *json = textfile_read(path, RECIPE_MAX_FILE, &len, err);
    if (!json)
        return -1;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int rc = recipe_parse(json, len, path, slash == dir ? "/" : dir, r, err);
    free(json);
    return rc;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

int recipe_list_load(const char *user_dir, struct recipe_list *out, struct gw_error *err)
{
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < assets_count; i++) {
        const struct asset_entry *a = &assets_entries[i];
        if (strncmp(a->name, BUNDLED_PREFIX, strlen(BUNDLED_PREFIX)) != 0 ||
            !ends_with(a->name, ".json"))
            continue;
        struct recipe r;
        if (recipe_parse(a->data, a->len, a->name, NULL, &r, err) < 0) {
            recipe_list_free(out);
            return -1;
        }
        list_put(out, &r);
    }
    DIR *d = user_dir && *user_dir ? opendir(user_dir) : NULL;
    if (d) {
        /* sorted, so which file fails first does not depend on the directory order */
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !ends_with(e->d_name, ".json"))
                continue;
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup(e->d_name);
        }
        closedir(d);
        if (n > 1)
            qsort(names, n, sizeof *names, by_string);
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", user_dir, names[i]);
            struct recipe r;
            if (rc == 0 && load_path(path, &r, err) == 0)
                list_put(out, &r);
            else
                rc = -1;
            free(names[i]);
        }
        free(names);
        if (rc < 0) {
            recipe_list_free(out);
            return -1;
        }
    }
    if (out->count)
        qsort(out->items, out->count, sizeof *out->items, by_name);
    return 0;
}

void recipe_list_free(struct recipe_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        recipe_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

const struct recipe *recipe_list_find(const struct recipe_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i].name, name))
            return &l->items[i];
    return NULL;
}

int recipe_load(const char *name_or_file, const char *user_dir, struct recipe *r,
                struct gw_error *err)
{
    if (strchr(name_or_file, '/') || ends_with(name_or_file, ".json"))
        return load_path(name_or_file, r, err);
    struct recipe_list l;
    if (recipe_list_load(user_dir, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.count; i++) {
        if (!strcmp(l.items[i].name, name_or_file)) {
            *r = l.items[i]; /* moved out: the list no longer owns it */
            l.items[i] = l.items[--l.count];
            recipe_list_free(&l);
            return 0;
        }
    }
    char names[512] = "";
    for (size_t i = 0; i < l.count; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 l.items[i].name);
    error_set(err, EXIT_USAGE, _("unknown recipe '%s' (recipes: %s)"), name_or_file, names);
    recipe_list_free(&l);
    return -1;
}

char *recipe_fill_id(const char *s, const char *id)
{
    if (s == NULL)
        return NULL;
    size_t size = strlen(s) + 1, idn = strlen(id);
    for (const char *p = s; (p = strstr(p, "{id}")); p += 4)
        size += idn;
    char *out = xmalloc(size), *o = out;
    for (const char *p = s; *p;) {
        if (!strncmp(p, "{id}", 4)) {
            memcpy(o, id, idn);
            o += idn;
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}
