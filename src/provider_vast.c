/* The vast.ai provider: search (POST /api/v0/bundles/), create (PUT /api/v0/asks/{id}/), show
 * (GET /api/v0/instances/{id}/), the paged v1 instance list, and stop (PUT) and destroy
 * (DELETE /api/v0/instances/{id}/), which only provider.c calls, after the gate's check. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "i18n.h"
#include "provider.h"
#include "xalloc.h"

struct vast {
    char *base;
    char *key; /* NULL: anonymous search */
    struct http_client *http;
    struct http_client *once; /* no automatic retries: for create, made on first use */
};

/* More pages than this is a token that does not advance, not an account (25 per page). */
#define VAST_MAX_PAGES 400

static void url_join(const char *base, const char *path, char *out, size_t size)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    snprintf(out, size, "%.*s%s", (int)n, base, path);
}

/* The vast error body's sentence: "msg", else "error", else "". */
static void body_msg(const struct http_response *r, char *out, size_t size, int *auth_error)
{
    out[0] = '\0';
    cJSON *j = cJSON_ParseWithLengthOpts(r->body, r->len, NULL, 0);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "msg");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (cJSON_IsString(msg))
        snprintf(out, size, "%s", msg->valuestring);
    else if (cJSON_IsString(error))
        snprintf(out, size, "%s", error->valuestring);
    else if (j == NULL && r->len > 0 && r->len < 200 && !strchr(r->body, '<'))
        snprintf(out, size, "%s", r->body);
    *auth_error = cJSON_IsString(error) && !strcmp(error->valuestring, "auth_error");
    if (cJSON_IsString(msg) && !strcmp(msg->valuestring, "Invalid user key"))
        *auth_error = 1;
    cJSON_Delete(j);
    for (char *c = out; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
}

/* Turns a non-200 answer into the sentence the operator sees. */
static void describe_status(const struct vast *v, const char *url, const struct http_response *r,
                            struct gw_error *err)
{
    char msg[200];
    int auth = 0;
    body_msg(r, msg, sizeof msg, &auth);
    if (r->status == 401 || r->status == 403 || auth) {
        /* TRANSLATORS: the second %s is " auth_error" or nothing, the last one of the two
           sentences that follow */
        error_set(err, EXIT_PROVIDER, _("authentication failed at %s (HTTP %ld%s): %s"), url,
                  r->status, auth ? " auth_error" : "",
                  v->key ? _("the API key was refused; check VAST_API_KEY or "
                             "~/.config/vastai/vast_api_key")
                         : _("this request needs an API key (set VAST_API_KEY)"));
    } else if (r->status == 429) {
        error_set(err, EXIT_PROVIDER,
                  _("rate limited by %s (HTTP 429) after %d attempts; wait a minute and refresh"),
                  url, r->attempts);
    } else {
        /* TRANSLATORS: %s answered HTTP 500, then " after retries" or nothing, then ": " and the
           provider's own message (English), or nothing */
        error_set(err, EXIT_PROVIDER, _("%s answered HTTP %ld%s%s%s"), url, r->status,
                  /* TRANSLATORS: see "%s answered HTTP %ld%s%s%s" */
                  r->attempts > 1 ? _(" after retries") : "", msg[0] ? ": " : "", msg);
    }
}

static int vast_search(struct provider *p, const struct search_request *req, char **body,
                       size_t *len, struct gw_error *err)
{
    struct vast *v = p->impl;
    char url[512];
    url_join(v->base, "/api/v0/bundles/", url, sizeof url);
    cJSON *q = query_to_json(req->query);
    /* order and type shape the answer, they filter nothing: no hidden default filters */
    cJSON *order = cJSON_AddArrayToObject(q, "order");
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateString(req->order_field ? req->order_field : "score"));
    cJSON_AddItemToArray(pair,
                         cJSON_CreateString(!req->order_field || req->order_desc ? "desc" : "asc"));
    cJSON_AddItemToArray(order, pair);
    cJSON_AddStringToObject(q, "type", "on-demand");
    if (req->limit > 0)
        cJSON_AddNumberToObject(q, "limit", req->limit);
    char *json = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    struct http_response r;
    int rc = http_request(v->http, "POST", url, v->key, json, &r, err);
    free(json);
    if (rc < 0)
        return -1;
    if (r.status != 200) {
        describe_status(v, url, &r, err);
        http_response_free(&r);
        return -1;
    }
    if (strncasecmp(r.content_type, "application/json", 16) != 0) {
        error_set(err, EXIT_PROVIDER, _("malformed response from %s: expected JSON, got '%s'"), url,
                  r.content_type[0] ? r.content_type : _("no content type"));
        http_response_free(&r);
        return -1;
    }
    *body = r.body;
    *len = r.len;
    return 0;
}

/* Appends " from URL" to a parser's sentence, which cannot know where the body came from. */
static void name_url(struct gw_error *err, const char *url)
{
    /* TRANSLATORS: appended to a sentence saying what is wrong with an answer; %s is its URL */
    error_append(err, _(" from %s"), url);
}

/* GET/PUT/DELETE /api/v0/instances/{id}/ */
static void instance_url(const struct vast *v, int64_t id, char *url, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v0/instances/%lld/", (long long)id);
    url_join(v->base, path, url, size);
}

/* Everything but search acts on the account: without a key nothing is sent. */
static int need_key(const struct vast *v, struct gw_error *err)
{
    if (v->key)
        return 0;
    error_set(err, EXIT_USAGE,
              _("this needs a vast.ai API key (set VAST_API_KEY or write it to "
                "~/.config/vastai/vast_api_key)"));
    return -1;
}

/* Percent-encodes all but RFC 3986's unreserved characters. */
static void url_quote(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && n + 4 < size; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.' || *c == '~') {
            out[n++] = (char)*c;
        } else {
            out[n++] = '%';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    out[n] = '\0';
}

/* Whether a 404/410 body says the offer is gone. */
static int no_such_ask(const struct http_response *r)
{
    cJSON *j = cJSON_ParseWithLengthOpts(r->body, r->len, NULL, 0);
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "msg");
    int gone = (cJSON_IsString(error) && !strcmp(error->valuestring, "no_such_ask")) ||
               (cJSON_IsString(msg) && strstr(msg->valuestring, "no_such_ask"));
    cJSON_Delete(j);
    return gone;
}

/* new_contract as an instance id, 0 when absent or not one. */
static int64_t contract_of(const cJSON *j)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "new_contract");
    double d = cJSON_IsNumber(c) ? c->valuedouble : NAN;
    return d >= 1 && d < 9e15 && d == floor(d) ? (int64_t)d : 0;
}

static char *create_body(const struct create_request *req, struct gw_error *err)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "client_id", "me");
    cJSON_AddStringToObject(b, "image", req->image);
    cJSON_AddNumberToObject(b, "disk", req->disk_gb);
    cJSON_AddStringToObject(b, "label", req->label ? req->label : "");
    /* vast wants env as an object; a Docker flag string is refused ("env must be a dict") */
    cJSON *env = cJSON_AddObjectToObject(b, "env");
    for (size_t i = 0; i < req->nenv; i++)
        cJSON_AddStringToObject(env, req->env_keys[i], req->env_values[i]);
    for (size_t i = 0; i < req->nports; i++) {
        if (req->ports[i] < 1 || req->ports[i] > 65535) {
            error_set(err, EXIT_USAGE, _("cannot map port %d: ports are 1-65535"), req->ports[i]);
            cJSON_Delete(b);
            return NULL;
        }
        char key[32];
        snprintf(key, sizeof key, "-p %d:%d", req->ports[i], req->ports[i]);
        cJSON_AddStringToObject(env, key, "1");
    }
    /* direct SSH when the host has open ports, the proxy otherwise; no "price": on-demand, and
     * cancel_unavail so a taken machine is an error rather than a stopped instance we pay for */
    cJSON_AddStringToObject(b, "runtype", "ssh_direc ssh_proxy");
    cJSON_AddBoolToObject(b, "cancel_unavail", 1);
    char *json = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return json;
}

/* PUT once, then again only on 429: any other failure may have rented the machine already,
 * and a second try could rent a second one. */
static int put_once(struct provider *p, const char *url, const char *json, struct http_response *r,
                    struct gw_error *err)
{
    struct vast *v = p->impl;
    struct http_options opt;
    http_options_default(&opt);
    if (v->once == NULL) {
        struct http_options once = opt;
        once.max_retries = 0;
        once.cancel = &p->cancel;
        v->once = http_new(&once);
    }
    long wait = opt.backoff_ms;
    for (int attempt = 0;; attempt++) {
        if (http_request(v->once, "PUT", url, v->key, json, r, err) < 0)
            return -1;
        r->attempts = attempt + 1;
        if (r->status != 429 || attempt >= opt.max_retries || atomic_load(&p->cancel))
            return 0;
        long ms = r->retry_after_s > 0 && r->retry_after_s * 1000 > wait
                      ? (r->retry_after_s < 60 ? r->retry_after_s : 60) * 1000
                      : wait;
        http_response_free(r);
        for (; ms > 0 && !atomic_load(&p->cancel); ms -= 50) {
            struct timespec ts = {0, (ms < 50 ? ms : 50) * 1000000L};
            nanosleep(&ts, NULL);
        }
        wait *= 2;
    }
}

static int vast_create(struct provider *p, const struct create_request *req, int64_t *instance_id,
                       struct gw_error *err)
{
    struct vast *v = p->impl;
    *instance_id = 0;
    if (need_key(v, err) < 0)
        return -1;
    if (req->image == NULL || !*req->image) {
        error_set(err, EXIT_USAGE, _("cannot rent offer %lld without an image"),
                  (long long)req->offer_id);
        return -1;
    }
    char path[64], url[512];
    snprintf(path, sizeof path, "/api/v0/asks/%lld/", (long long)req->offer_id);
    url_join(v->base, path, url, sizeof url);
    char *json = create_body(req, err);
    if (json == NULL)
        return -1;
    struct http_response r;
    int rc = put_once(p, url, json, &r, err);
    free(json);
    if (rc < 0)
        return -1;
    cJSON *j = cJSON_ParseWithLengthOpts(r.body, r.len, NULL, 0);
    const cJSON *success = cJSON_GetObjectItemCaseSensitive(j, "success");
    int64_t id = contract_of(j);
    rc = -1;
    if ((r.status == 404 || r.status == 410) && no_such_ask(&r)) {
        error_set(err, EXIT_USAGE,
                  _("offer %lld is no longer available (no_such_ask); pick another offer"),
                  (long long)req->offer_id);
    } else if (r.status != 200) {
        describe_status(v, url, &r, err);
    } else if (cJSON_IsTrue(success) && id > 0) {
        *instance_id = id;
        rc = 0;
    } else if (j == NULL) {
        error_set(err, EXIT_PROVIDER,
                  _("malformed create response from %s: not JSON; check your instances before "
                    "renting again"),
                  url);
    } else {
        char msg[200];
        int auth = 0;
        body_msg(&r, msg, sizeof msg, &auth);
        error_set(err, EXIT_PROVIDER, _("%s did not rent offer %lld: %s"), url,
                  (long long)req->offer_id, msg[0] ? msg : _("the answer has no new_contract"));
    }
    /* a refused rental can still have created a (stopped) contract: it bills until destroyed */
    if (rc < 0 && id > 0) {
        *instance_id = id;
        error_append(err, _(" (vast created instance %lld anyway)"), (long long)id);
    }
    cJSON_Delete(j);
    http_response_free(&r);
    return rc;
}

static int vast_show(struct provider *p, int64_t id, struct instance *out, struct gw_error *err)
{
    struct vast *v = p->impl;
    memset(out, 0, sizeof *out);
    if (need_key(v, err) < 0)
        return -1;
    char url[512];
    instance_url(v, id, url, sizeof url);
    struct http_response r;
    if (http_request(v->http, "GET", url, v->key, NULL, &r, err) < 0)
        return -1;
    int rc = -1;
    if (r.status != 200) {
        describe_status(v, url, &r, err);
    } else {
        rc = instance_parse_show(r.body, r.len, out, err);
        if (rc < 0)
            name_url(err, url);
    }
    http_response_free(&r);
    return rc;
}

/* One v1 list page's URL (caller frees): query values are JSON, then URL-quoted, so the
 * token "ab=" goes out as after_token=%22ab%3D%22. */
static char *page_url(const char *base, const char *token)
{
    if (!token[0])
        return xstrdup(base);
    cJSON *t = cJSON_CreateString(token);
    char *json = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    size_t size = strlen(json) * 3 + 1;
    char *quoted = xmalloc(size);
    url_quote(json, quoted, size);
    free(json);
    size = strlen(base) + strlen(quoted) + sizeof "&after_token=";
    char *url = xmalloc(size);
    snprintf(url, size, "%s&after_token=%s", base, quoted);
    free(quoted);
    return url;
}

static int vast_list(struct provider *p, struct instance_list *out, struct gw_error *err)
{
    struct vast *v = p->impl;
    if (need_key(v, err) < 0)
        return -1;
    size_t had = out->count;
    char base[512], token[512] = "";
    url_join(v->base, "/api/v1/instances/?limit=25", base, sizeof base);
    for (int page = 0; page < VAST_MAX_PAGES; page++) {
        char *url = page_url(base, token);
        struct http_response r;
        int rc = http_request(v->http, "GET", url, v->key, NULL, &r, err);
        free(url);
        if (rc < 0)
            goto fail;
        if (r.status != 200) {
            describe_status(v, base, &r, err);
            http_response_free(&r);
            goto fail;
        }
        rc = instance_parse_page(r.body, r.len, out, token, sizeof token, err);
        http_response_free(&r);
        if (rc < 0) {
            name_url(err, base);
            goto fail;
        }
        if (!token[0])
            return 0;
    }
    error_set(err, EXIT_PROVIDER, _("%s still had more instances after %d pages; gave up"), base,
              VAST_MAX_PAGES);
fail:
    out->count = had; /* all pages or none: a partial list would look like gone instances */
    return -1;
}

/* Whether a 404 body says the instance does not exist (vast: no_such_instance; not_found). */
static int no_such_instance(const struct http_response *r)
{
    cJSON *j = cJSON_ParseWithLengthOpts(r->body, r->len, NULL, 0);
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(j, "error");
    int gone = cJSON_IsString(error) && (!strcmp(error->valuestring, "no_such_instance") ||
                                         !strcmp(error->valuestring, "not_found"));
    cJSON_Delete(j);
    return gone;
}

/* Stop (PUT state=stopped) and destroy (DELETE) share everything but the request. Both are
 * idempotent, so the client's retries (429, 5xx, a dropped connection) are safe: a destroy that
 * landed before its answer was lost comes back as "no such instance". */
static int vast_manage(struct provider *p, const char *method, const char *body, int64_t id,
                       const char *what, struct gw_error *err)
{
    struct vast *v = p->impl;
    if (need_key(v, err) < 0)
        return -1;
    char url[512];
    instance_url(v, id, url, sizeof url);
    struct http_response r;
    if (http_request(v->http, method, url, v->key, body, &r, err) < 0)
        return -1;
    int rc = -1;
    cJSON *j = cJSON_ParseWithLengthOpts(r.body, r.len, NULL, 0);
    if (r.status == 404 && no_such_instance(&r)) {
        rc = 0;
    } else if (r.status != 200) {
        describe_status(v, url, &r, err);
    } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success"))) {
        rc = 1;
    } else {
        char msg[200];
        int auth = 0;
        body_msg(&r, msg, sizeof msg, &auth);
        error_set(err, EXIT_PROVIDER,
                  !strcmp(what, "destroy") ? _("%s did not destroy instance %lld: %s")
                                           : _("%s did not stop instance %lld: %s"),
                  url, (long long)id,
                  msg[0] ? msg
                  : j    ? _("the answer has no success")
                         : _("the answer is not JSON"));
    }
    cJSON_Delete(j);
    http_response_free(&r);
    return rc;
}

static int vast_stop_instance(struct provider *p, int64_t id, struct gw_error *err)
{
    return vast_manage(p, "PUT", "{\"state\":\"stopped\"}", id, "stop", err);
}

static int vast_destroy_instance(struct provider *p, int64_t id, struct gw_error *err)
{
    return vast_manage(p, "DELETE", "{}", id, "destroy", err);
}

static struct provider *vast_clone(const struct provider *p)
{
    const struct vast *v = p->impl;
    return provider_vast_new(v->base, v->key);
}

static void vast_destroy(struct provider *p)
{
    struct vast *v = p->impl;
    http_free(v->http);
    http_free(v->once);
    if (v->key) {
        memset(v->key, 0, strlen(v->key));
        free(v->key);
    }
    free(v->base);
    free(v);
    free(p);
}

static const struct provider_ops vast_ops = {
    .name = "vast",
    .search = vast_search,
    .create = vast_create,
    .show = vast_show,
    .list = vast_list,
    .clone = vast_clone,
    .stop_instance = vast_stop_instance,
    .destroy_instance = vast_destroy_instance,
    .destroy = vast_destroy,
};

struct provider *provider_vast_new(const char *base_url, const char *api_key)
{
    struct provider *p = xcalloc(1, sizeof *p);
    struct vast *v = xcalloc(1, sizeof *v);
    v->base = xstrdup(base_url);
    v->key = api_key && *api_key ? xstrdup(api_key) : NULL;
    struct http_options opt;
    http_options_default(&opt);
    opt.cancel = &p->cancel;
    v->http = http_new(&opt);
    p->ops = &vast_ops;
    p->impl = v;
    url_join(base_url, "/api/v0/bundles/", p->source, sizeof p->source);
    return p;
}
