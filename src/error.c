/* Filling error sentences. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

void error_set(struct gw_error *err, enum exit_code kind, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->kind = kind;
}
