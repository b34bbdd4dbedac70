/* libFuzzer target: the query language (parse, merge a repeat, the vast JSON body) and the local
 * re-check against the demo market's offers and a few odd offer objects. */
#include <cJSON.h>
#include <stdlib.h>

#include "assets.h"
#include "fuzz.h"
#include "query.h"

static cJSON *offers;

static const char odd_offers[] =
    "[{\"id\":1},{\"id\":2,\"gpu_ram\":null,\"geolocation\":\"CN\",\"hosting_type\":\"1\","
    "\"verified\":\"yes\",\"driver_version\":\"x.y\",\"reliability2\":0.5,\"dph_total\":\"0.1\"},"
    "{\"id\":3,\"geolocation\":\"Quebec, CA\",\"hosting_type\":1,\"verification\":\"verified\","
    "\"driver_version\":\"535.86.05\",\"gpu_name\":\"RTX 4090\",\"rentable\":true,"
    "\"num_gpus\":1e308,\"gpu_ram\":-0.0,\"external\":null},"
    "{\"id\":4,\"geolocation\":\",\",\"driver_vers\":535086005,\"verified\":false,"
    "\"gpu_name\":[],\"compute_cap\":{}}]";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    size_t len = 0;
    const char *demo = assets_get("demo-offers.json", &len);
    offers = demo ? cJSON_ParseWithLength(demo, len) : NULL;
    cJSON *odd = cJSON_Parse(odd_offers);
    if (!cJSON_IsArray(offers) || !cJSON_IsArray(odd))
        abort();
    cJSON *o;
    while ((o = cJSON_DetachItemFromArray(odd, 0)) != NULL)
        cJSON_AddItemToArray(offers, o);
    cJSON_Delete(odd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct query q = {0};
    struct gw_error err;
    /* the CLI merges every --query into one: the second parse replaces terms of the first */
    if (query_parse(&q, text, &err) == 0 && query_parse(&q, text, &err) == 0) {
        cJSON *body = query_to_json(&q);
        char *json = cJSON_PrintUnformatted(body);
        cJSON_free(json);
        cJSON_Delete(body);
        const cJSON *o;
        cJSON_ArrayForEach(o, offers)
        {
            (void)query_match(&q, o);
        }
    }
    query_free(&q);
    free(text);
    return 0;
}
