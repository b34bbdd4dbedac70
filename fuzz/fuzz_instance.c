/* libFuzzer target: vast.ai instance bodies (show and v1 list page), then the SSH address and
 * port mapping a launch and the fleet view take from them. */
#include "fuzz.h"
#include "instance.h"

static void use(const struct instance *in)
{
    char host[128];
    int port = 0;
    (void)instance_ssh_address(in, host, sizeof host, &port);
    (void)instance_port_for(in, 22);
    (void)instance_port_for(in, 8000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct gw_error err;
    struct instance in;
    if (instance_parse_show(text, size, &in, &err) == 1)
        use(&in);
    struct instance_list list = {0};
    char token[512]; /* as the provider's pager */
    if (instance_parse_page(text, size, &list, token, sizeof token, &err) == 0)
        for (size_t i = 0; i < list.count; i++)
            use(&list.items[i]);
    instance_list_free(&list);
    return 0;
}
