/* Printing the failure cases. */
#include "cmd_cases.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"

static cJSON *cases;
static pthread_once_t cases_once = PTHREAD_ONCE_INIT;

static void cases_load(void)
{
    size_t len = 0;
    const char *text = assets_get("cases.json", &len);
    cases = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (!cJSON_IsArray(cases)) {
        fprintf(stderr, "gpuwarden: built-in cases.json is unusable\n");
        abort();
    }
}

static const cJSON *case_find(int id)
{
    pthread_once(&cases_once, cases_load);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
        if (cJSON_IsNumber(cid) && cid->valueint == id)
            return c;
    }
    return NULL;
}

const char *cases_title(int id)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(case_find(id), "title");
    return cJSON_IsString(t) ? t->valuestring : "";
}

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
    pthread_once(&cases_once, cases_load);
    const cJSON *one = NULL;
    if (o->case_id) {
        char *end;
        long id = strtol(o->case_id, &end, 10);
        one = *end || end == o->case_id ? NULL : case_find((int)id);
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
