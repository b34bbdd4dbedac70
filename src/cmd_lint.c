/* Prints lint findings as `FILE:LINE: LEVEL rule: message` lines with a fix hint, or JSON. */
#include "cmd_lint.h"

#include <cJSON.h>
#include <stdlib.h>

#include "i18n.h"
#include "lint.h"

static void print_json(const char *path, const struct lint_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", path);
    cJSON *list = cJSON_AddArrayToObject(root, "findings");
    for (size_t i = 0; i < r->count; i++) {
        const struct lint_finding *f = &r->findings[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "rule", lint_rule_name(f->rule));
        cJSON_AddStringToObject(j, "level", level_name(f->level));
        cJSON_AddNumberToObject(j, "line", f->line);
        cJSON_AddStringToObject(j, "message", f->message);
        cJSON_AddStringToObject(j, "hint", f->hint);
        cJSON_AddNumberToObject(j, "case", f->case_id);
        cJSON_AddItemToArray(list, j);
    }
    char *text = cJSON_Print(root);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(root);
}

int cmd_lint(const struct cli_options *o)
{
    struct lint_report r;
    struct gw_error err = {0};
    if (lint_file(o->file, &r, &err) < 0) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (o->json) {
        print_json(o->file, &r);
    } else {
        size_t blocks = 0;
        for (size_t i = 0; i < r.count; i++) {
            const struct lint_finding *f = &r.findings[i];
            blocks += f->level == LEVEL_BLOCK;
            /* TRANSLATORS: FILE:LINE: LEVEL rule: message, then the fix hint and the failure
               case; LEVEL (BLOCK or WARN) and the rule's name stay English */
            printf(_("%s:%d: %s %s: %s\n    fix: %s (case %d)\n"), o->file, f->line,
                   f->level == LEVEL_BLOCK ? "BLOCK" : "WARN", lint_rule_name(f->rule), f->message,
                   f->hint, f->case_id);
        }
        if (r.count)
            printf(r.count == 1 ? _("%zu finding, %zu blocking\n")
                                : _("%zu findings, %zu blocking\n"),
                   r.count, blocks);
        else
            printf(_("%s: no findings\n"), o->file);
    }
    int rc = lint_has_block(&r) ? EXIT_CHECK_FAILED : EXIT_OK;
    lint_report_free(&r);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gpuwarden: %s\n", _("cannot write the output"));
        return EXIT_USAGE;
    }
    return rc;
}
