/* libFuzzer target: nvidia-smi output as a hostile host could print it, with and without the
 * compute_cap column, then judged against an advertised offer as the verify step does. */
#include <math.h>

#include "fuzz.h"
#include "smi.h"

static void run(const char *text, size_t len, bool with_cc)
{
    struct offer o = {.id = 1, .gpu_name = "RTX 3060", .num_gpus = 1, .gpu_ram_mib = 12288};
    struct smi_report rep;
    struct gw_error err;
    if (smi_parse(text, len, with_cc, &rep, &err) != SMI_OK)
        return;
    struct smi_verdict v;
    smi_judge(&rep, &o, 11.4, gpus_builtin(), &v);
    smi_judge(&rep, &o, NAN, NULL, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, true);
    run((const char *)data, size, false);
    return 0;
}
