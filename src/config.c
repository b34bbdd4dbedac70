/* Paths and the API key. The key is read from the environment or a private file only: there is
 * deliberately no --api-key flag, which would leak it into `ps`. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

static const char *home(void)
{
    const char *h = getenv("HOME");
    return h && *h ? h : NULL;
}

void config_dir(const char *kind, char *out, size_t size)
{
    char var[32];
    snprintf(var, sizeof var, "XDG_%s_HOME", kind);
    const char *base = getenv(var);
    if (base && base[0] == '/') {
        snprintf(out, size, "%s/gpuwarden", base);
        return;
    }
    const char *fallback = !strcmp(kind, "STATE")   ? ".local/state"
                           : !strcmp(kind, "CACHE") ? ".cache"
                                                    : ".config";
    if (home())
        snprintf(out, size, "%s/%s/gpuwarden", home(), fallback);
    else
        out[0] = '\0';
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

/* 1 key read, 0 no such file, -1 refused or unreadable. */
static int read_key_file(const char *path, char **key, struct gw_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode)) {
        error_set(err, EXIT_USAGE, "API key file %s is not a regular file", path);
        return -1;
    }
    if (st.st_mode & (S_IRGRP | S_IROTH)) {
        error_set(err, EXIT_USAGE,
                  "API key file %s is readable by other users; refusing it (run: chmod 600 %s)",
                  path, path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        error_set(err, EXIT_USAGE, "cannot read API key file %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    *key = trimmed(buf);
    memset(buf, 0, sizeof buf);
    if (!**key) {
        free(*key);
        *key = NULL;
        return 0;
    }
    return 1;
}

int config_api_key(char **key, char *source, size_t size, struct gw_error *err)
{
    *key = NULL;
    const char *env = getenv("VAST_API_KEY");
    if (env && *env) {
        *key = trimmed(env);
        snprintf(source, size, "VAST_API_KEY");
        return 1;
    }
    char path[4096];
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        snprintf(path, sizeof path, "%s/vastai/vast_api_key", xdg);
    else if (home())
        snprintf(path, sizeof path, "%s/.config/vastai/vast_api_key", home());
    else
        path[0] = '\0';
    int rc = path[0] ? read_key_file(path, key, err) : 0;
    if (rc == 0 && home()) {
        snprintf(path, sizeof path, "%s/.vast_api_key", home());
        rc = read_key_file(path, key, err);
    }
    if (rc == 1)
        snprintf(source, size, "%s", path);
    return rc;
}
