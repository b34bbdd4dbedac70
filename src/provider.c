/* Dispatch through the provider interface, and the demo provider. */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "xalloc.h"

int provider_search(struct provider *p, const struct search_request *req, char **body, size_t *len,
                    struct gw_error *err)
{
    return p->ops->search(p, req, body, len, err);
}

const char *provider_name(const struct provider *p)
{
    return p->ops->name;
}

void provider_free(struct provider *p)
{
    if (p)
        p->ops->destroy(p);
}

/* The demo market is served whole: filtering and sorting happen in the same client-side pass
 * that re-checks a real provider's answer, so the demo exercises the real path. */
static int demo_search(struct provider *p, const struct search_request *req, char **body,
                       size_t *len, struct gw_error *err)
{
    (void)p, (void)req;
    size_t n = 0;
    const char *text = assets_get("demo-offers.json", &n);
    if (text == NULL) {
        error_set(err, EXIT_PROVIDER, "the demo market is missing from this build");
        return -1;
    }
    *body = xstrndup(text, n);
    *len = n;
    return 0;
}

static void demo_destroy(struct provider *p)
{
    free(p);
}

static const struct provider_ops demo_ops = {
    .name = "demo", .search = demo_search, .destroy = demo_destroy};

struct provider *provider_demo_new(void)
{
    struct provider *p = xcalloc(1, sizeof *p);
    p->ops = &demo_ops;
    snprintf(p->source, sizeof p->source, "the demo market");
    return p;
}
