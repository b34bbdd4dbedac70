/* Filling error sentences, and keeping credentials out of them. */
#include "error.h"
#include "textwidth.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REDACTED "REDACTED"

void error_set(struct gw_error *err, enum exit_code kind, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->kind = kind;
    error_redact(err->msg, sizeof err->msg);
    textwidth_repair(err->msg); /* last: a redaction can lengthen, and so cut, the sentence */
}

void error_append(struct gw_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char clause[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(clause, sizeof clause, fmt, ap);
    va_end(ap);
    error_redact(clause, sizeof clause);
    textwidth_repair(clause);
    size_t len = strlen(clause), room = sizeof err->msg - 1 - len;
    if (strlen(err->msg) > room) {
        err->msg[room] = '\0';
        textwidth_repair(err->msg);
    }
    size_t n = strlen(err->msg);
    memcpy(err->msg + n, clause, len + 1); /* fits: room was made above */
}

static bool secret_name(const char *name, size_t n)
{
    static const char *const words[] = {"key", "token", "secret", "passw", "auth"};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        size_t wl = strlen(words[w]);
        for (size_t i = 0; i + wl <= n; i++)
            if (!strncasecmp(name + i, words[w], wl))
                return true;
    }
    return false;
}

/* Where a URL token ends in a sentence. */
static bool url_end(char c)
{
    return c == '\0' || isspace((unsigned char)c) || c == '\'' || c == '"' || c == ')' ||
           c == ',' || c == ';';
}

void error_redact(char *msg, size_t size)
{
    char out[1024];
    size_t o = 0;
    bool in_url = false, in_query = false;
    for (size_t i = 0; msg[i] && o + sizeof REDACTED < sizeof out;) {
        if (!in_url && !strncmp(msg + i, "://", 3)) {
            in_url = true;
            memcpy(out + o, "://", 3);
            o += 3;
            i += 3;
            /* user:password@ before the host */
            size_t at = i;
            while (!url_end(msg[at]) && msg[at] != '/' && msg[at] != '@' && msg[at] != '?')
                at++;
            if (msg[at] == '@') {
                memcpy(out + o, REDACTED "@", sizeof REDACTED);
                o += sizeof REDACTED;
                i = at + 1;
            }
            continue;
        }
        if (in_url && url_end(msg[i]))
            in_url = in_query = false;
        if (in_url && (msg[i] == '?' || (in_query && msg[i] == '&'))) {
            in_query = true;
            out[o++] = msg[i++];
            size_t name = i;
            while (!url_end(msg[i]) && msg[i] != '=' && msg[i] != '&')
                i++;
            if (msg[i] == '=' && secret_name(msg + name, i - name)) {
                size_t n = i + 1 - name;
                if (o + n + sizeof REDACTED >= sizeof out)
                    break;
                memcpy(out + o, msg + name, n);
                o += n;
                memcpy(out + o, REDACTED, sizeof REDACTED - 1);
                o += sizeof REDACTED - 1;
                i++;
                while (!url_end(msg[i]) && msg[i] != '&')
                    i++;
            } else {
                i = name;
            }
            continue;
        }
        out[o++] = msg[i++];
    }
    out[o] = '\0';
    snprintf(msg, size, "%s", out);
}
