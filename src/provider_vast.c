/* The vast.ai provider: POST {base}/api/v0/bundles/ with the query as JSON. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "provider.h"
#include "xalloc.h"

struct vast {
    char *base;
    char *key; /* NULL: anonymous search */
    struct http_client *http;
};

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
        error_set(err, EXIT_PROVIDER, "authentication failed at %s (HTTP %ld%s): %s", url,
                  r->status, auth ? " auth_error" : "",
                  v->key ? "the API key was refused; check VAST_API_KEY or "
                           "~/.config/vastai/vast_api_key"
                         : "this request needs an API key (set VAST_API_KEY)");
    } else if (r->status == 429) {
        error_set(err, EXIT_PROVIDER,
                  "rate limited by %s (HTTP 429) after %d attempts; wait a minute and refresh", url,
                  r->attempts);
    } else {
        error_set(err, EXIT_PROVIDER, "%s answered HTTP %ld%s%s%s", url, r->status,
                  r->attempts > 1 ? " after retries" : "", msg[0] ? ": " : "", msg);
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
        error_set(err, EXIT_PROVIDER, "malformed response from %s: expected JSON, got '%s'", url,
                  r.content_type[0] ? r.content_type : "no content type");
        http_response_free(&r);
        return -1;
    }
    *body = r.body;
    *len = r.len;
    return 0;
}

static void vast_destroy(struct provider *p)
{
    struct vast *v = p->impl;
    http_free(v->http);
    if (v->key) {
        memset(v->key, 0, strlen(v->key));
        free(v->key);
    }
    free(v->base);
    free(v);
    free(p);
}

static const struct provider_ops vast_ops = {
    .name = "vast", .search = vast_search, .destroy = vast_destroy};

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
