/* Printing the failure cases, in the language of the messages (cases_field picks it). */
#include "cmd_cases.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "i18n.h"
#include "textwidth.h"

/* "  label" padded to 15 display columns (a translated label may be wide). */
static void print_label(const char *label)
{
    printf("  ");
    textwidth_print(stdout, label, 15);
}

static void print_case(const cJSON *c)
{
    static const char *const fields[] = {"symptom", "cause", "lesson", "countermeasure"};
    static const char *const labels[] = {N_("symptom"), N_("cause"), N_("lesson"),
                                         N_("countermeasure")};
    int id = cJSON_GetObjectItemCaseSensitive(c, "id")->valueint;
    printf(_("Case %d: %s\n"), id, cases_field(id, "title"));
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = cases_field(id, fields[i]);
        if (*v) {
            print_label(_(labels[i]));
            printf(" %s\n", v);
        }
    }
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(c, "rules"), *r;
    print_label(_("checked by"));
    cJSON_ArrayForEach(r, rules) printf(" %s", cJSON_IsString(r) ? r->valuestring : "?");
    printf("\n");
}

int cmd_cases(const struct cli_options *o)
{
    const cJSON *cases = cases_all();
    const cJSON *one = NULL;
    if (o->case_id) {
        char *end;
        long id = strtol(o->case_id, &end, 10);
        one = *end || end == o->case_id ? NULL : cases_find((int)id);
        if (one == NULL) {
            fprintf(stderr, _("gpuwarden: no case '%s' (cases are numbered 1-%d)\n"), o->case_id,
                    cJSON_GetArraySize(cases));
            return EXIT_USAGE;
        }
    }
    if (o->json) {
        char *text = cJSON_Print(one ? one : cases);
        puts(text);
        free(text);
        return EXIT_OK;
    }
    if (one) {
        print_case(one);
        return EXIT_OK;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        print_case(c);
        printf("\n");
    }
    return EXIT_OK;
}
