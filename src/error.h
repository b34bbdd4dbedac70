/* A human sentence explaining why an operation failed, filled by the callee. */
#ifndef GPUWARDEN_ERROR_H
#define GPUWARDEN_ERROR_H

#include <stddef.h>

/* Exit codes of SPEC §10, also used as error kinds. */
enum exit_code {
    EXIT_OK = 0,
    EXIT_CHECK_FAILED = 1, /* the thing checked failed */
    EXIT_USAGE = 2,        /* usage or input error */
    EXIT_PROVIDER = 3,     /* provider/network error after retries */
};

struct gw_error {
    enum exit_code kind;
    char msg[512];
};

/* Sets the sentence (printf format) and kind, with credentials in any URL it quotes redacted
 * (error_redact). Safe with err == NULL. */
void error_set(struct gw_error *err, enum exit_code kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a clause (printf format) to err's sentence. The clause is kept whole: when both do not
 * fit, the sentence is cut (at a character) to make room, since a clause like "vast created
 * instance 123 anyway" matters more than the end of a long error. Redacted like error_set. */
void error_append(struct gw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Replaces, in place, what a URL in `msg` could carry as a secret: the user:password of
 * "scheme://user:password@host" and the value of every query parameter whose name holds "key",
 * "token", "secret", "passw" or "auth" ("?api_key=abc" -> "?api_key=REDACTED"). */
void error_redact(char *msg, size_t size);

#endif
