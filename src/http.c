/* HTTP over libcurl for the provider and metadata workers. */
#include "http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "i18n.h"
#include "xalloc.h"

/* A response larger than this is not an offer list: refuse rather than exhaust memory. */
#define HTTP_MAX_BODY ((size_t)32 * 1024 * 1024) /* 8x the whole vast market; more is no answer */

struct http_client {
    CURL *curl;
    struct http_options opt;
};

struct sink {
    char *buf;
    size_t len, cap;
    int overflow;
};

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    if (v == NULL || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' && n >= 0 ? n : fallback;
}

void http_options_default(struct http_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->connect_timeout_s = 10;
    opt->stall_timeout_s = env_long("GPUWARDEN_HTTP_TIMEOUT", 30);
    opt->max_retries = 3;
    opt->backoff_ms = env_long("GPUWARDEN_HTTP_BACKOFF_MS", 500);
}

struct http_client *http_new(const struct http_options *opt)
{
    struct http_client *c = xcalloc(1, sizeof *c);
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        fprintf(stderr, _("gpuwarden: libcurl could not start\n"));
        abort();
    }
    if (opt)
        c->opt = *opt;
    else
        http_options_default(&c->opt);
    return c;
}

void http_free(struct http_client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

/* Statuses worth retrying: 429 and 5xx. */
static int http_retryable(long status)
{
    return status == 429 || (status >= 500 && status <= 599);
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    struct sink *s = userp;
    size_t bytes = size * n;
    if (s->len + bytes > HTTP_MAX_BODY) {
        s->overflow = 1;
        return 0;
    }
    xgrow((void **)&s->buf, &s->cap, s->len + bytes + 1, 1);
    memcpy(s->buf + s->len, data, bytes);
    s->len += bytes;
    s->buf[s->len] = '\0';
    return bytes;
}

/* Progress state of one attempt: libcurl's own low-speed check averages over the upload too
 * and fires late, so a stall is measured here as time without a new downloaded byte. */
struct progress {
    const atomic_int *cancel;
    long stall_s;
    curl_off_t last_dl;
    struct timespec last_change;
    int stalled;
};

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)ultotal, (void)ulnow;
    struct progress *pr = userp;
    if (pr->cancel && atomic_load(pr->cancel))
        return 1;
    if (dlnow != pr->last_dl) {
        pr->last_dl = dlnow;
        clock_gettime(CLOCK_MONOTONIC, &pr->last_change);
    } else if (since(&pr->last_change) >= (double)pr->stall_s) {
        pr->stalled = 1;
        return 1;
    }
    return 0;
}

static int cancelled(const struct http_client *c)
{
    return c->opt.cancel && atomic_load(c->opt.cancel);
}

/* Sleeps in slices so a cancel request is honoured during backoff. */
static void backoff(const struct http_client *c, long ms)
{
    while (ms > 0 && !cancelled(c)) {
        long slice = ms < 50 ? ms : 50;
        struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static void describe_curl_error(CURLcode rc, const char *url, const struct http_client *c,
                                int attempts, struct gw_error *err)
{
    /* TRANSLATORS: appended to the sentences below when the request was tried more than once */
    const char *tries = attempts > 1 ? _(" (after retries)") : "";
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        error_set(err, EXIT_PROVIDER, _("cannot connect to %s: connection refused%s"), url, tries);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        error_set(err, EXIT_PROVIDER, _("cannot resolve the host of %s%s"), url, tries);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        error_set(err, EXIT_PROVIDER, _("%s did not answer within %ld s%s"), url,
                  c->opt.stall_timeout_s, tries);
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        error_set(err, EXIT_PROVIDER, _("request to %s cancelled"), url);
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        error_set(err, EXIT_PROVIDER, _("%s closed the connection mid-response%s"), url, tries);
        break;
    default:
        error_set(err, EXIT_PROVIDER, _("request to %s failed: %s%s"), url, curl_easy_strerror(rc),
                  tries);
    }
}

/* Connection-level failures worth another try. */
static int curl_retryable(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
           rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
           rc == CURLE_SEND_ERROR;
}

/* Longest wait a Retry-After may impose on one retry. */
#define HTTP_RETRY_AFTER_MAX_S 60

/* Seconds the server asked us to wait: Retry-After (seconds or an HTTP date, parsed by
 * libcurl), else Docker Hub's older X-Retry-After (a unix time); 0 when neither is there. */
static long retry_after(CURL *h)
{
    curl_off_t ra = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        return ra > 86400 ? 86400L : (long)ra;
    struct curl_header *hdr = NULL;
    if (curl_easy_header(h, "X-Retry-After", 0, CURLH_HEADER, -1, &hdr) == CURLHE_OK && hdr) {
        char *end;
        long long v = strtoll(hdr->value, &end, 10);
        if (end != hdr->value && v > 0) {
            long long now = (long long)time(NULL);
            long long left = v > 1000000000LL ? v - now : v; /* a unix time, or seconds */
            return left <= 0 ? 0 : left > 86400 ? 86400L : (long)left;
        }
    }
    return 0;
}

static int has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (; headers && *headers; headers++)
        if (strncasecmp(*headers, name, n) == 0 && (*headers)[n] == ':')
            return 1;
    return 0;
}

static bool loopback_host(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (!strcasecmp(host, "localhost"))
        return true;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    /* curl gives IPv6 hosts in brackets */
    char bare[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        snprintf(bare, sizeof bare, "%.*s", (int)(n - 2), host + 1);
        return inet_pton(AF_INET6, bare, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
    }
    return false;
}

int http_url_allowed(const char *url, struct gw_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    int rc = -1;
    if (!ok)
        error_set(err, EXIT_USAGE, _("'%s' is not a URL"), url);
    else if (strcasecmp(scheme, "https") == 0 ||
             (strcasecmp(scheme, "http") == 0 && loopback_host(host)))
        rc = 0;
    else if (!strcasecmp(scheme, "http"))
        error_set(
            err, EXIT_USAGE,
            _("refused %s: plain http:// is only for loopback addresses (tests); use https://"),
            url);
    else
        error_set(err, EXIT_USAGE, _("refused %s: only https:// URLs are used"), url);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int http_request(struct http_client *c, const char *method, const char *url, const char *bearer,
                 const char *body, struct http_response *resp, struct gw_error *err)
{
    return http_request_headers(c, method, url, bearer, NULL, body, resp, err);
}

int http_request_headers(struct http_client *c, const char *method, const char *url,
                         const char *bearer, const char *const *extra, const char *body,
                         struct http_response *resp, struct gw_error *err)
{
    memset(resp, 0, sizeof *resp);
    if (http_url_allowed(url, err) < 0)
        return -1;
    CURL *h = c->curl;
    struct curl_slist *headers = NULL;
    if (!has_header(extra, "Accept"))
        headers = curl_slist_append(headers, "Accept: application/json");
    for (const char *const *x = extra; x && *x; x++)
        headers = curl_slist_append(headers, *x);
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    char auth[512];
    if (bearer && *bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        headers = curl_slist_append(headers, auth);
    }
    long wait = c->opt.backoff_ms;
    int rc = -1;
    for (int attempt = 0; attempt <= c->opt.max_retries; attempt++) {
        struct sink s = {0};
        struct progress pr = {.cancel = c->opt.cancel, .stall_s = c->opt.stall_timeout_s};
        clock_gettime(CLOCK_MONOTONIC, &pr.last_change);
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "gpuwarden/" GPUWARDEN_VERSION);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->opt.connect_timeout_s);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &pr);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
        if (body) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        }
        CURLcode cc = curl_easy_perform(h);
        if (cc == CURLE_ABORTED_BY_CALLBACK && pr.stalled)
            cc = CURLE_OPERATION_TIMEDOUT;
        resp->attempts = attempt + 1;
        if (cc != CURLE_OK) {
            free(s.buf);
            if (s.overflow) {
                error_set(err, EXIT_PROVIDER, _("%s sent more than %zu MB; refused"), url,
                          HTTP_MAX_BODY >> 20);
                break;
            }
            describe_curl_error(cc, url, c, attempt + 1, err);
            if (!curl_retryable(cc) || cancelled(c) || attempt == c->opt.max_retries)
                break;
        } else {
            long status = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            long ra = retry_after(h);
            if (http_retryable(status) && attempt < c->opt.max_retries && !cancelled(c)) {
                free(s.buf);
                long sleep_ms = wait;
                if ((status == 429 || status == 503) && ra > 0) {
                    long asked = (ra < HTTP_RETRY_AFTER_MAX_S ? ra : HTTP_RETRY_AFTER_MAX_S) * 1000;
                    if (asked > sleep_ms)
                        sleep_ms = asked;
                }
                backoff(c, sleep_ms);
                wait *= 2;
                continue;
            }
            resp->retry_after_s = ra;
            char *ctype = NULL;
            curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
            snprintf(resp->content_type, sizeof resp->content_type, "%s", ctype ? ctype : "");
            resp->status = status;
            resp->body = s.buf ? s.buf : xstrdup("");
            resp->len = s.len;
            rc = 0;
            break;
        }
        backoff(c, wait);
        wait *= 2;
    }
    curl_slist_free_all(headers);
    /* the key was in a stack buffer: wipe it */
    memset(auth, 0, sizeof auth);
    return rc;
}
