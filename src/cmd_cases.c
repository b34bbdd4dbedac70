/* Printing the failure cases. */
#include "cmd_cases.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"

static void print_case(const cJSON *c)
{
    static const char *const fields[] = {"symptom", "cause", "lesson", "countermeasure"};
    printf("Case %d: %s\n", cJSON_GetObjectItemCaseSensitive(c, "id")->valueint,
           cJSON_GetObjectItemCaseSensitive(c, "title")->valuestring);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, fields[i]);
        if (cJSON_IsString(v))
            printf("  %-15s %s\n", fields[i], v->valuestring);
    }
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(c, "rules"), *r;
    printf("  %-15s", "checked by");
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
            fprintf(stderr, "gpuwarden: no case '%s' (cases are numbered 1-%d)\n", o->case_id,
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
