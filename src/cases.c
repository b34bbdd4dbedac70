/* Loading the failure cases from the embedded asset. */
#include "cases.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "i18n.h"

static cJSON *cases;
static pthread_once_t cases_once = PTHREAD_ONCE_INIT;
static char language[8];

static void cases_load(void)
{
    size_t len = 0;
    const char *text = assets_get("cases.json", &len);
    cases = text ? cJSON_ParseWithLengthOpts(text, len, NULL, 0) : NULL;
    if (!cJSON_IsArray(cases)) {
        fprintf(stderr, _("gpuwarden: built-in cases.json is unusable\n"));
        abort();
    }
}

const cJSON *cases_all(void)
{
    pthread_once(&cases_once, cases_load);
    return cases;
}

const cJSON *cases_find(int id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases_all())
    {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
        if (cJSON_IsNumber(cid) && cid->valueint == id)
            return c;
    }
    return NULL;
}

void cases_set_language(const char *lang)
{
    snprintf(language, sizeof language, "%s", lang && strcmp(lang, "en") != 0 ? lang : "");
}

const char *cases_field(int id, const char *field)
{
    const cJSON *c = cases_find(id);
    if (language[0]) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, language);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, field);
        if (cJSON_IsString(v))
            return v->valuestring;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, field);
    return cJSON_IsString(v) ? v->valuestring : "";
}
