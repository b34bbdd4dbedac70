/* The audit log of destructive requests (SPEC §8): $XDG_STATE_HOME/gpuwarden/audit.jsonl,
 * append-only JSON lines, each written in one write(2) and fsync'd before the function returns,
 * so a line is whole or absent whatever kills the process. A confirmed request writes a "sent"
 * line before it goes out and a "succeeded" / "failed" line after it returns; a cancelled one
 * writes one "cancelled" line. Never a secret: the fields are listed below and nothing else. */
#ifndef GPUWARDEN_AUDIT_H
#define GPUWARDEN_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

enum audit_outcome { AUDIT_CANCELLED, AUDIT_SENT, AUDIT_SUCCEEDED, AUDIT_FAILED };

struct audit_entry {
    const char *action; /* "stop", "destroy" */
    int64_t instance_id;
    const char *label; /* the instance's label, may be NULL or "" */
    enum audit_outcome outcome;
    const char *reason; /* why it was cancelled or failed; NULL or "" for none */
    const char *via;    /* "dashboard", "command line" */
};

const char *audit_outcome_name(enum audit_outcome o);

/* $XDG_STATE_HOME/gpuwarden/audit.jsonl; "" when no home can be found. */
void audit_path(char *out, size_t size);

/* Appends one line (with the current UTC time), creating the file 0600 in 0700 folders. A file
 * whose last line was cut short by a crash gets a newline first, so the torn line never
 * swallows this one. 0, or -1 with err. */
int audit_append(const char *path, const struct audit_entry *e, struct gw_error *err);

/* Prints the log readably, one request per line, oldest first; a line that is not JSON is named
 * with its number and skipped. A missing file prints "no audit entries yet". 0, or -1 with err
 * when the file cannot be read. */
int audit_print(const char *path, FILE *out, struct gw_error *err);

#endif
