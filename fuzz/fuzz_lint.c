/* libFuzzer target: the setup-script linter on any bytes (its input need not be NUL-terminated). */
#include "fuzz.h"
#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lint_report r;
    lint_text((const char *)data, size, &r);
    (void)lint_has_block(&r);
    lint_report_free(&r);
    return 0;
}
