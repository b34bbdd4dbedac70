/* Whole-file reads with a cap. */
#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "xalloc.h"

char *textfile_read(const char *path, size_t max, size_t *len, struct gw_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, EXIT_USAGE, _("cannot read %s: %s"), path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        error_set(err, EXIT_USAGE, _("cannot read %s: %s"), path, strerror(EISDIR));
        fclose(f);
        return NULL;
    }
    /* read one byte past the cap to tell "exactly max" from "larger" */
    char *buf = xmalloc(max + 2);
    size_t n = fread(buf, 1, max + 1, f);
    int rerr = ferror(f) ? errno : 0;
    fclose(f);
    if (rerr || n > max) {
        if (rerr)
            error_set(err, EXIT_USAGE, _("cannot read %s: %s"), path, strerror(rerr));
        else if (max >= 1u << 20)
            error_set(err, EXIT_USAGE, _("%s is larger than %zu MiB"), path, max >> 20);
        else
            error_set(err, EXIT_USAGE, _("%s is larger than %zu KiB"), path, max >> 10);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
