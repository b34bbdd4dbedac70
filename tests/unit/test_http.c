/* Tests the URL policy of every HTTP request (issue 7): https:// anywhere, plain http:// only to
 * loopback. Decisions only: a refused URL is refused before any connection is tried, so no test
 * here reaches a non-loopback address. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

static void test_url_decisions(void **state)
{
    (void)state;
    const struct {
        const char *url;
        int allowed;
    } cases[] = {
        {"https://console.vast.ai/api/v0/bundles/", 1},
        {"HTTPS://console.vast.ai", 1},
        {"https://203.0.113.9:8443/x", 1},
        {"http://127.0.0.1:8080/api/v0/bundles/", 1},
        {"http://127.1.2.3/", 1},
        {"http://localhost:9/", 1},
        {"http://[::1]:8000/", 1},
        {"http://console.vast.ai/api/v0/bundles/", 0},
        {"http://192.0.2.1/", 0},
        {"http://128.0.0.1/", 0},
        {"http://[::2]/", 0},
        {"http://127.0.0.1.nip.io/", 0},
        {"http://localhost.example.com/", 0},
        {"ftp://127.0.0.1/", 0},
        {"file:///etc/passwd", 0},
        {"not a url", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct gw_error err = {0};
        int rc = http_url_allowed(cases[i].url, &err);
        if ((rc == 0) != cases[i].allowed)
            fail_msg("%s: expected %s, got %s (%s)", cases[i].url,
                     cases[i].allowed ? "allowed" : "refused", rc == 0 ? "allowed" : "refused",
                     err.msg);
        if (!cases[i].allowed)
            assert_int_equal(err.kind, EXIT_USAGE);
    }
}

static void test_refused_before_connecting(void **state)
{
    (void)state;
    struct http_client *c = http_new(NULL);
    struct http_response r;
    struct gw_error err = {0};
    /* TEST-NET-1: nothing answers there; a connection attempt would take the connect timeout */
    assert_int_equal(
        http_request(c, "GET", "http://192.0.2.1/api/v0/bundles/", "key", NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "only for loopback"));
    assert_null(strstr(err.msg, "key"));
    assert_int_equal(r.attempts, 0);
    http_free(c);
}

static void test_redaction(void **state)
{
    (void)state;
    const struct {
        const char *in, *out;
    } cases[] = {
        {"https://console.vast.ai/api/v0/bundles/?api_key=abc123 answered HTTP 500",
         "https://console.vast.ai/api/v0/bundles/?api_key=REDACTED answered HTTP 500"},
        {"cannot connect to http://127.0.0.1:9/x?limit=25&token=s3cr3t&q=1: refused",
         "cannot connect to http://127.0.0.1:9/x?limit=25&token=REDACTED&q=1: refused"},
        {"request to https://me:hunter2@example.com/a failed",
         "request to https://REDACTED@example.com/a failed"},
        {"'https://h/?Authorization=Bearer%20x' is not a URL",
         "'https://h/?Authorization=REDACTED' is not a URL"},
        {"no URL here: key=value stays", "no URL here: key=value stays"},
        {"https://h/p?limit=5 and later ?api_key=zz", "https://h/p?limit=5 and later ?api_key=zz"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", cases[i].in);
        error_redact(msg, sizeof msg);
        assert_string_equal(msg, cases[i].out);
    }
    /* error_set redacts what it is given */
    struct gw_error err = {0};
    error_set(&err, EXIT_PROVIDER, "%s answered HTTP %d", "https://x/?secret=42", 503);
    assert_string_equal(err.msg, "https://x/?secret=REDACTED answered HTTP 503");
}

/* error_append keeps its clause whole, cutting the sentence before it (at a character), and
 * redacts it; a sentence made longer by a redaction is cut at a character too. */
static void test_append_and_cut(void **state)
{
    (void)state;
    struct gw_error err = {0};
    char long_ja[600] = "";
    for (int i = 0; i < 150; i++)
        strcat(long_ja, "\xe6\x97\xa5"); /* 日, 3 bytes: 450 bytes in all */
    error_set(&err, EXIT_PROVIDER, "%s%s", long_ja, long_ja);
    assert_true(strlen(err.msg) < sizeof err.msg);
    assert_int_equal(strlen(err.msg) % 3, 0); /* never inside a character */
    error_append(&err, " (vast created instance %lld anyway) from %s", 123456789LL,
                 "https://h/?api_key=abc");
    const char *tail = " (vast created instance 123456789 anyway) from https://h/?api_key=REDACTED";
    size_t n = strlen(err.msg), t = strlen(tail);
    assert_true(n >= t && n < sizeof err.msg);
    assert_string_equal(err.msg + n - t, tail);
    assert_int_equal((n - t) % 3, 0);
    /* a short sentence is kept whole */
    error_set(&err, EXIT_PROVIDER, "refused");
    error_append(&err, " (and %s)", "more");
    assert_string_equal(err.msg, "refused (and more)");
    /* redaction lengthens a message that already filled the buffer: still cut at a character */
    char full[520] = "https://h/?key=a ";
    while (strlen(full) < 505)
        strcat(full, "\xe6\x97\xa5");
    error_set(&err, EXIT_PROVIDER, "%s", full);
    assert_true(strncmp(err.msg, "https://h/?key=REDACTED ", 24) == 0);
    assert_int_equal((strlen(err.msg) - 24) % 3, 0);
}

static void test_request_error_keeps_a_key_in_the_url_out(void **state)
{
    (void)state;
    setenv("GPUWARDEN_HTTP_BACKOFF_MS", "1", 1);
    struct http_client *c = http_new(NULL);
    struct http_response r;
    struct gw_error err = {0};
    /* port 9 (discard) on loopback: nothing listens, the connection is refused at once */
    assert_int_equal(
        http_request(c, "GET", "http://127.0.0.1:9/api?api_key=TOPSECRET", NULL, NULL, &r, &err),
        -1);
    assert_non_null(strstr(err.msg, "api_key=REDACTED"));
    assert_null(strstr(err.msg, "TOPSECRET"));
    http_free(c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_decisions),
        cmocka_unit_test(test_refused_before_connecting),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_append_and_cut),
        cmocka_unit_test(test_request_error_keeps_a_key_in_the_url_out),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
