/* Setup-script lint (SPEC §5): finds the seed's §5 anti-patterns in shell scripts. The script is
 * tokenised like a shell would (comments, quotes, heredocs, continuations, functions), so text
 * that is data (comments, quoted strings, heredoc bodies) never counts as a command. Pure
 * functions, no I/O except lint_file(). */
#ifndef GPUWARDEN_LINT_H
#define GPUWARDEN_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "rules.h"

/* In SPEC §5's table order. */
enum lint_rule {
    LINT_NO_ERREXIT,
    LINT_SWALLOWED_ERROR,
    LINT_UNVERIFIED_SUCCESS,
    LINT_UNCHECKED_DOWNLOAD,
    LINT_NO_HEALTH_WAIT,
    LINT_DEVEL_IMAGE,
    LINT_INSECURE_SSH,
    LINT_PLAIN_SSH_TUNNEL,
    LINT_DESTRUCTIVE_COMMAND,
    LINT_RULE_COUNT
};

struct lint_finding {
    enum lint_rule rule;
    enum level level; /* LEVEL_BLOCK or LEVEL_WARN, fixed per rule by SPEC §5 */
    int line;         /* 1-based line of the command the finding is about */
    int case_id;      /* failure case it prevents (SPEC §9) */
    char message[200];
    char hint[200];
};

struct lint_report {
    struct lint_finding *findings; /* owned; sorted by line, then rule */
    size_t count;
};

/* Lints `len` bytes of script text (need not be NUL-terminated; may contain NULs or invalid
 * UTF-8 — never crashes). Fills *out; caller frees with lint_report_free(). */
void lint_text(const char *text, size_t len, struct lint_report *out);

/* Reads and lints a file. -1 with err (kind EXIT_USAGE, naming the path) when it cannot be read
 * or is larger than 4 MiB. */
int lint_file(const char *path, struct lint_report *out, struct gw_error *err);

void lint_report_free(struct lint_report *r);

bool lint_has_block(const struct lint_report *r);
/* Findings of one rule (for the checklist rows). */
size_t lint_count(const struct lint_report *r, enum lint_rule rule);

const char *lint_rule_name(enum lint_rule rule); /* "no-errexit", ... */

#endif
