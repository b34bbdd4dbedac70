/* A human sentence explaining why an operation failed, filled by the callee. */
#ifndef GPUWARDEN_ERROR_H
#define GPUWARDEN_ERROR_H

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

/* Sets the sentence (printf format) and kind. Safe with err == NULL. */
void error_set(struct gw_error *err, enum exit_code kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
