/* Shared by the libFuzzer targets in fuzz/: the entry points and a NUL-terminated input copy. */
#ifndef GPUWARDEN_FUZZ_H
#define GPUWARDEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xalloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For APIs that take C strings: the input bytes plus a NUL (caller frees). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
