/* Paths and the API key. The key is read from the environment or a private file only: there is
 * deliberately no --api-key flag, which would leak it into `ps`. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
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

/* Blanks off both ends of s, in place. */
static char *trimmed_in_place(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
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
        error_set(err, EXIT_USAGE, _("API key file %s is not a regular file"), path);
        return -1;
    }
    if (st.st_mode & (S_IRGRP | S_IROTH)) {
        error_set(err, EXIT_USAGE,
                  _("API key file %s is readable by other users; refusing it (run: chmod 600 "
                    "%s)"),
                  path, path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        error_set(err, EXIT_USAGE, _("cannot read API key file %s: %s"), path, strerror(errno));
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

/* "key = value" with blanks around either; false when the line is not that. */
static bool split_line(char *text, char **key, char **value)
{
    char *eq = strchr(text, '=');
    if (eq == NULL)
        return false;
    *eq = '\0';
    char *k = trimmed_in_place(text), *v = trimmed_in_place(eq + 1);
    if (!*k)
        return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    *key = k;
    *value = v;
    return true;
}

int config_file_load(struct config_file *cf, struct gw_error *err)
{
    if (!cf->path[0]) {
        char dir[600];
        config_dir("CONFIG", dir, sizeof dir);
        if (dir[0])
            snprintf(cf->path, sizeof cf->path, "%s/config", dir);
    }
    cf->found = false;
    cf->count = 0;
    if (!cf->path[0])
        return 0;
    FILE *f = fopen(cf->path, "r");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        error_set(err, EXIT_USAGE, _("cannot read %s: %s"), cf->path, strerror(errno));
        return -1;
    }
    cf->found = true;
    char buf[1024];
    int line = 0, rc = 0;
    while (rc == 0 && fgets(buf, sizeof buf, f)) {
        line++;
        if (strchr(buf, '\n') == NULL && !feof(f)) {
            error_set(err, EXIT_USAGE, _("%s:%d: line too long"), cf->path, line);
            rc = -1;
            break;
        }
        char *text = trimmed_in_place(buf);
        if (!*text || *text == '#')
            continue;
        char *key, *value;
        if (!split_line(text, &key, &value)) {
            error_set(err, EXIT_USAGE, _("%s:%d: expected `key = value` (keys: a-z, 0-9, _)"),
                      cf->path, line);
            rc = -1;
        } else if (strlen(key) >= sizeof cf->lines[0].key ||
                   strlen(value) >= sizeof cf->lines[0].value) {
            error_set(err, EXIT_USAGE, _("%s:%d: '%s' is too long"), cf->path, line, key);
            rc = -1;
        } else if (cf->count == CONFIG_MAX_LINES) {
            error_set(err, EXIT_USAGE, _("%s:%d: more than %d settings"), cf->path, line,
                      CONFIG_MAX_LINES);
            rc = -1;
        } else {
            for (size_t i = 0; i < cf->count && rc == 0; i++)
                if (!strcmp(cf->lines[i].key, key)) {
                    error_set(err, EXIT_USAGE, _("%s:%d: '%s' is already set on line %d"), cf->path,
                              line, key, cf->lines[i].line);
                    rc = -1;
                }
            if (rc == 0) {
                struct config_line *l = &cf->lines[cf->count++];
                l->line = line;
                snprintf(l->key, sizeof l->key, "%s", key);
                snprintf(l->value, sizeof l->value, "%s", value);
            }
        }
    }
    fclose(f);
    return rc;
}
