/* libcurl wrapper: one client per thread, timeouts, retries with backoff on 429/5xx/connection
 * errors, cancellation, and errors as sentences that name the URL. */
#ifndef GPUWARDEN_HTTP_H
#define GPUWARDEN_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "error.h"

struct http_options {
    long connect_timeout_s;   /* per attempt */
    long stall_timeout_s;     /* give up when no byte arrives for this long */
    int max_retries;          /* extra attempts after the first */
    long backoff_ms;          /* first wait; doubles each retry */
    const atomic_int *cancel; /* non-zero aborts the transfer; may be NULL */
};

struct http_response {
    long status;
    char *body; /* owned, NUL-terminated */
    size_t len;
    char content_type[64];
    int attempts;
    long retry_after_s; /* the final answer's Retry-After in seconds (an HTTP date or an
                           X-Retry-After unix time made relative), 0 when absent */
};

struct http_client;

/* Defaults (10 s connect, 30 s stall, 3 retries from 500 ms), overridable for tests and slow
 * links by GPUWARDEN_HTTP_TIMEOUT (seconds) and GPUWARDEN_HTTP_BACKOFF_MS. */
void http_options_default(struct http_options *opt);

/* Caller frees with http_free(). Call curl_global_init() once in main before any thread. */
struct http_client *http_new(const struct http_options *opt);
void http_free(struct http_client *c);

/* Sends one request, retrying 429, 5xx and connection failures with a doubling backoff; on 429
 * and 503 a Retry-After longer than the backoff is waited instead (at most 60 s). `bearer` (may
 * be NULL) goes only into the Authorization header. Returns 0 with any final HTTP status in resp
 * (the caller interprets 4xx/5xx bodies), or -1 with err set when no response could be had.
 * resp is the caller's; free with http_response_free(). */
int http_request(struct http_client *c, const char *method, const char *url, const char *bearer,
                 const char *body, struct http_response *resp, struct gw_error *err);

/* The same with extra request headers: `headers` is a NULL-terminated list of "Name: value"
 * lines (may be NULL); an "Accept:" line replaces the default "Accept: application/json".
 * Never pass credentials here: `bearer` is the one way a key leaves the program. */
int http_request_headers(struct http_client *c, const char *method, const char *url,
                         const char *bearer, const char *const *headers, const char *body,
                         struct http_response *resp, struct gw_error *err);

void http_response_free(struct http_response *resp);

/* Whether a request may go to `url` (SPEC §10, issue 7): https:// anywhere, with certificate
 * verification always on; plain http:// only to a loopback address (127.0.0.0/8, ::1,
 * localhost), so tests can use local fakes while a real key never travels unencrypted. Every
 * request is checked; this is the check alone, for messages and tests. 0, or -1 with err
 * (EXIT_USAGE) naming the URL. */
int http_url_allowed(const char *url, struct gw_error *err);

#endif
