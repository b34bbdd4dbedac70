/* Tests HTTP/1.0 over a byte stream (src/rawhttp.c), as ssh_http speaks it through an SSH
 * tunnel: the request bytes, when an answer is whole, and status/body splitting (CRLF and bare
 * LF heads, chunked bodies, truncation, garbage). */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawhttp.h"

static void test_request(void **state)
{
    (void)state;
    size_t len = 0;
    char *r = rawhttp_request("GET", "/health", 8000, NULL, &len);
    assert_string_equal(r, "GET /health HTTP/1.0\r\nHost: 127.0.0.1:8000\r\n"
                           "User-Agent: gpuwarden/" GPUWARDEN_VERSION "\r\nAccept: */*\r\n"
                           "Connection: close\r\n\r\n");
    assert_int_equal(len, strlen(r));
    free(r);

    r = rawhttp_request("POST", "/v1/generate?x=1", 7860, "{\"a\":1}", &len);
    assert_string_equal(r, "POST /v1/generate?x=1 HTTP/1.0\r\nHost: 127.0.0.1:7860\r\n"
                           "User-Agent: gpuwarden/" GPUWARDEN_VERSION "\r\nAccept: */*\r\n"
                           "Connection: close\r\nContent-Type: application/json\r\n"
                           "Content-Length: 7\r\n\r\n{\"a\":1}");
    assert_int_equal(len, strlen(r));
    free(r);

    assert_null(rawhttp_request("GET", "health", 80, NULL, &len));
    assert_null(rawhttp_request("GET", "/a b", 80, NULL, &len));
    assert_null(rawhttp_request("GET", "/a\r\nX-Injected: 1", 80, NULL, &len));
    assert_null(rawhttp_request("GE T", "/", 80, NULL, &len));
    assert_null(rawhttp_request("", "/", 80, NULL, &len));
}

static void test_complete(void **state)
{
    (void)state;
    const char *full = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    size_t n = strlen(full);
    char buf[128];
    for (size_t cut = 0; cut < n; cut++) {
        memcpy(buf, full, cut);
        buf[cut] = '\0';
        assert_false(rawhttp_complete(buf, cut, cut));
    }
    assert_true(rawhttp_complete(full, n, n));
    /* kept only the head, but every byte was received */
    const char *head = "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n";
    assert_true(rawhttp_complete(head, strlen(head), strlen(head) + 1000));
    assert_false(rawhttp_complete(head, strlen(head), strlen(head) + 999));

    const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
    assert_false(rawhttp_complete(chunked, strlen(chunked), strlen(chunked)));
    snprintf(buf, sizeof buf, "%s0\r\n\r\n", chunked);
    assert_true(rawhttp_complete(buf, strlen(buf), strlen(buf)));

    /* no framing: only the server's close ends it */
    const char *bare = "HTTP/1.0 200 OK\r\n\r\nhello";
    assert_false(rawhttp_complete(bare, strlen(bare), strlen(bare)));
}

static int parse(const char *text, size_t max, int *status, char **body, size_t *len,
                 const char **why)
{
    char *raw = strdup(text);
    int rc = rawhttp_parse(raw, strlen(raw), max, status, body, len, why);
    free(raw);
    return rc;
}

static void test_parse(void **state)
{
    (void)state;
    int status = 0;
    char *body = NULL;
    size_t len = 0;
    const char *why = NULL;

    assert_int_equal(
        parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"ok\":true}", 100, &status, &body, &len, &why),
        0);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{\"ok\":true}");
    assert_int_equal(len, 11);
    free(body);

    assert_int_equal(
        parse("HTTP/1.1 503 Service Unavailable\n\nloading", 100, &status, &body, &len, &why), 0);
    assert_int_equal(status, 503);
    assert_string_equal(body, "loading");
    free(body);

    assert_int_equal(parse("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                           "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
                           100, &status, &body, &len, &why),
                     0);
    assert_string_equal(body, "hello, world");
    assert_int_equal(len, 12);
    free(body);

    /* a chunk cut short keeps what came */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nhel", 100,
                           &status, &body, &len, &why),
                     0);
    assert_string_equal(body, "hel");
    free(body);

    assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\n0123456789", 4, &status, &body, &len, &why), 0);
    assert_string_equal(body, "0123");
    assert_int_equal(len, 4);
    free(body);

    assert_int_equal(parse("HTTP/1.0 204 No Content\r\n\r\n", 4, &status, NULL, NULL, &why), 0);
    assert_int_equal(status, 204);

    assert_int_equal(parse("", 100, &status, &body, &len, &why), -1);
    assert_string_equal(why, "empty");
    assert_int_equal(parse("SSH-2.0-OpenSSH_9.2\r\n", 100, &status, &body, &len, &why), -1);
    assert_string_equal(why, "not HTTP");
    assert_int_equal(parse("HTTP/1.0 abc\r\n\r\n", 100, &status, &body, &len, &why), -1);
    assert_string_equal(why, "not HTTP");
    assert_int_equal(parse("HTTP/1.0 200 OK\r\nServer: x\r\n", 100, &status, &body, &len, &why),
                     -1);
    assert_string_equal(why, "incomplete");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
