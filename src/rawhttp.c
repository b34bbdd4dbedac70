/* HTTP/1.0 over a plain byte stream (rawhttp.h). */
#include "rawhttp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

char *rawhttp_request(const char *method, const char *path, int port, const char *body, size_t *len)
{
    if (!*method || !*path || path[0] != '/' || strpbrk(method, " \t\r\n") ||
        strpbrk(path, " \t\r\n"))
        return NULL;
    size_t blen = body ? strlen(body) : 0;
    char type[96] = "";
    if (body)
        snprintf(type, sizeof type, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                 blen);
    const char *fmt = "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nUser-Agent: gpuwarden/%s\r\n"
                      "Accept: */*\r\nConnection: close\r\n%s\r\n";
    int hn = snprintf(NULL, 0, fmt, method, path, port, GPUWARDEN_VERSION, type);
    char *req = xmalloc((size_t)hn + blen + 1);
    snprintf(req, (size_t)hn + 1, fmt, method, path, port, GPUWARDEN_VERSION, type);
    if (blen)
        memcpy(req + hn, body, blen);
    req[(size_t)hn + blen] = '\0';
    *len = (size_t)hn + blen;
    return req;
}

/* Decodes a chunked body in place (an HTTP/1.1 server may answer our 1.0 request that way).
 * Returns the decoded length. */
static size_t dechunk(char *body, size_t len)
{
    size_t in = 0, out = 0;
    while (in < len) {
        char *end;
        unsigned long n = strtoul(body + in, &end, 16);
        char *nl = memchr(body + in, '\n', len - in);
        if (nl == NULL || end == body + in)
            break;
        in = (size_t)(nl - body) + 1;
        if (n == 0)
            break;
        if (n > len - in) /* cut short (max_bytes): keep what came */
            n = len - in;
        memmove(body + out, body + in, n);
        out += n;
        in += n;
        if (in < len && body[in] == '\r')
            in++;
        if (in < len && body[in] == '\n')
            in++;
    }
    return out;
}

/* The value of header `name` ("content-length") in the head raw..end, or NULL. */
static const char *http_header(const char *raw, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = strchr(raw, '\n'); line != NULL && line < end;
         line = strchr(line + 1, '\n'))
        if (strncasecmp(line + 1, name, n) == 0 && line[1 + n] == ':')
            return line + 2 + n;
    return NULL;
}

static bool http_chunked(const char *raw, const char *end)
{
    const char *te = http_header(raw, end, "transfer-encoding");
    const char *eol = te ? strchr(te, '\n') : NULL;
    for (const char *p = te; p && *p && p + 7 <= (eol ? eol : end); p++)
        if (strncasecmp(p, "chunked", 7) == 0)
            return true;
    return false;
}

bool rawhttp_complete(const char *raw, size_t len, size_t got)
{
    const char *end = strstr(raw, "\r\n\r\n");
    if (end == NULL)
        return false;
    size_t head = (size_t)(end - raw) + 4;
    if (http_chunked(raw, end))
        return len == got && len >= head + 5 && memcmp(raw + len - 5, "0\r\n\r\n", 5) == 0;
    const char *cl = http_header(raw, end, "content-length");
    if (cl == NULL)
        return false;
    char *stop;
    unsigned long long want = strtoull(cl, &stop, 10);
    return stop != cl && got >= head && got - head >= want;
}

int rawhttp_parse(char *raw, size_t len, size_t max_bytes, int *status, char **body,
                  size_t *body_len, const char **why)
{
    if (len == 0) {
        *why = "empty";
        return -1;
    }
    int code = 0;
    if (len < 12 || strncmp(raw, "HTTP/", 5) != 0 || sscanf(raw + 5, "%*s %3d", &code) != 1 ||
        code < 100 || code > 999) {
        *why = "not HTTP";
        return -1;
    }
    char *head_end = strstr(raw, "\r\n\r\n");
    size_t skip = 4;
    char *alt = strstr(raw, "\n\n");
    if (head_end == NULL || (alt != NULL && alt < head_end)) {
        head_end = alt;
        skip = 2;
    }
    if (head_end == NULL) {
        *why = "incomplete";
        return -1;
    }
    char *b = head_end + skip;
    size_t blen = len - (size_t)(b - raw);
    if (http_chunked(raw, head_end))
        blen = dechunk(b, blen);
    if (blen > max_bytes)
        blen = max_bytes;
    *status = code;
    if (body) {
        *body = xmalloc(blen + 1);
        memcpy(*body, b, blen);
        (*body)[blen] = '\0';
    }
    if (body_len)
        *body_len = blen;
    return 0;
}
