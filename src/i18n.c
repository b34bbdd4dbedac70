/* Binding the gettext text domain to the catalogues (see i18n.h for the search order). */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"

#ifndef GPUWARDEN_LOCALEDIR
#define GPUWARDEN_LOCALEDIR "/usr/local/share/locale"
#endif

static char bound[PATH_MAX + 32];

bool i18n_active;

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of the running binary, or "" when /proc cannot say. */
static void exe_dir(char *out, size_t size)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    out[0] = '\0';
    if (n <= 0)
        return;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    snprintf(out, size, "%s", path);
}

static const char *pick(void)
{
    const char *env = getenv("GPUWARDEN_LOCALEDIR");
    if (env && *env) {
        snprintf(bound, sizeof bound, "%s", env);
        return bound;
    }
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir);
    static const char *const below[] = {"/build/locale", "/../locale", "/../share/locale"};
    for (size_t i = 0; dir[0] && i < sizeof below / sizeof below[0]; i++) {
        snprintf(bound, sizeof bound, "%s%s", dir, below[i]);
        if (is_dir(bound))
            return bound;
    }
    snprintf(bound, sizeof bound, "%s", GPUWARDEN_LOCALEDIR);
    return bound;
}

void i18n_init(void)
{
    bindtextdomain("gpuwarden", pick());
    textdomain("gpuwarden");
    /* the catalogue's own language code: "en" means no catalogue answers for this locale */
    i18n_active = strcmp(gettext("en"), "en") != 0;
    /* TRANSLATORS: the language code of this translation, as the failure cases in
       assets/cases.json name it ("ja"); "en" keeps the English cases. */
    cases_set_language(_("en"));
}

const char *i18n_context_gettext(const char *key, const char *id)
{
    if (!i18n_active)
        return id;
    const char *t = gettext(key);
    return t == key ? id : t;
}

void i18n_use_english(void)
{
    /* gettext answers the msgid itself under the C locale, and ignores LANGUAGE there */
    setlocale(LC_MESSAGES, "C");
    i18n_active = false;
    cases_set_language("en");
}

const char *i18n_localedir(void)
{
    return bound;
}
