/* libFuzzer target: offer JSON through the market path (parse, query re-check, rules, sort) and
 * the table's per-row text, as a provider body (strict) and as a dump file (salvage). */
#include <stdlib.h>

#include "fuzz.h"
#include "market.h"

static struct requirements req;
static struct query query;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    requirements_default(&req);
    struct gw_error err;
    if (query_parse(&query,
                    "gpu_ram>=8 geolocation notin [CN,VN] reliability>0.9 verified=true "
                    "driver_version>=535.86.05 gpu_name in [RTX_4090,RTX_3090] datacenter=any",
                    &err) < 0)
        abort();
    return 0;
}

static void run(const char *text, size_t len, enum offer_parse_mode mode, const struct query *q)
{
    struct market_request r = {.query = q, .req = &req};
    struct market_result res = {0};
    struct gw_error err;
    if (market_from_text(text, len, mode, &r, &res, &err) == 0) {
        market_sort(&res.offers, market_sort_key("country"), true);
        for (size_t i = 0; i < res.offers.count && i < 32; i++) {
            char row[256], why[256];
            offer_format_row(&res.offers.items[i], row, sizeof row);
            rules_reasons(&res.offers.items[i], &req, gpus_builtin(), why, sizeof why);
        }
    }
    market_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, OFFER_PARSE_STRICT, &query);
    run((const char *)data, size, OFFER_PARSE_SALVAGE, NULL);
    return 0;
}
