/* GPU table loading and name matching (longest token-prefix over normalised aliases). */
#include "gpus.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "i18n.h"
#include "xalloc.h"

struct gpu_alias {
    char *norm;
    size_t len;
    size_t model;
};

struct gpus_table {
    struct gpu_model *models;
    char **names; /* owned strings the models point into */
    size_t nmodels, nnames;
    struct gpu_alias *aliases; /* longest first, so the first hit is the best */
    size_t naliases;
};

/* Lower-case, '-'/'_' to spaces, single spaces, and drop the vendor words that vast omits. */
static void normalise(const char *in, char *out, size_t size)
{
    size_t o = 0;
    const char *p = in;
    while (*p && o + 1 < size) {
        while (*p == ' ' || *p == '-' || *p == '_' || *p == '\t')
            p++;
        if (!*p)
            break;
        char word[64];
        size_t w = 0;
        while (*p && *p != ' ' && *p != '-' && *p != '_' && *p != '\t') {
            if (w + 1 < sizeof word)
                word[w++] = (char)tolower((unsigned char)*p);
            p++;
        }
        word[w] = '\0';
        if (strcmp(word, "nvidia") == 0 || strcmp(word, "geforce") == 0)
            continue;
        if (o > 0 && o + 1 < size)
            out[o++] = ' ';
        for (size_t i = 0; i < w && o + 1 < size; i++)
            out[o++] = word[i];
    }
    out[o] = '\0';
}

static int alias_cmp(const void *a, const void *b)
{
    const struct gpu_alias *x = a, *y = b;
    return (x->len < y->len) - (x->len > y->len);
}

static char *next_field(char **cursor)
{
    char *start = *cursor;
    if (start == NULL)
        return NULL;
    char *tab = strchr(start, '\t');
    if (tab) {
        *tab = '\0';
        *cursor = tab + 1;
    } else {
        *cursor = NULL;
    }
    return start;
}

static int parse_line(struct gpus_table *t, char *line, int lineno, size_t *cap_m, size_t *cap_n,
                      size_t *cap_a, struct gw_error *err)
{
    char *cur = line;
    char *names = next_field(&cur), *cc = next_field(&cur), *vram = next_field(&cur),
         *arch = next_field(&cur);
    if (!names || !cc || !vram || !arch || cur != NULL) {
        error_set(err, EXIT_USAGE, _("gpus.tsv line %d: expected 4 tab-separated columns"), lineno);
        return -1;
    }
    char *end;
    double ccv = strtod(cc, &end);
    if (end == cc || *end || ccv <= 0 || ccv > 20) {
        error_set(err, EXIT_USAGE, _("gpus.tsv line %d: bad compute capability '%s'"), lineno, cc);
        return -1;
    }
    xgrow((void **)&t->models, cap_m, t->nmodels + 1, sizeof *t->models);
    struct gpu_model *m = &t->models[t->nmodels];
    memset(m, 0, sizeof *m);
    m->cc = ccv;
    char *vsave = NULL;
    for (char *v = strtok_r(vram, ";", &vsave); v; v = strtok_r(NULL, ";", &vsave)) {
        long gb = strtol(v, &end, 10);
        if (end == v || *end || gb <= 0 || gb > 4096 || m->nvram == GPUS_MAX_VARIANTS) {
            error_set(err, EXIT_USAGE, _("gpus.tsv line %d: bad VRAM size '%s'"), lineno, v);
            return -1;
        }
        /* kept ascending so "8/12 GB" reads the same whatever order the table uses */
        int k = m->nvram++;
        while (k > 0 && m->vram_gb[k - 1] > gb) {
            m->vram_gb[k] = m->vram_gb[k - 1];
            k--;
        }
        m->vram_gb[k] = (int)gb;
    }
    xgrow((void **)&t->names, cap_n, t->nnames + 1, sizeof *t->names);
    m->arch = t->names[t->nnames++] = xstrdup(arch);
    char *nsave = NULL;
    for (char *a = strtok_r(names, "|", &nsave); a; a = strtok_r(NULL, "|", &nsave)) {
        char norm[128];
        normalise(a, norm, sizeof norm);
        if (!norm[0])
            continue;
        xgrow((void **)&t->names, cap_n, t->nnames + 1, sizeof *t->names);
        char *copy = t->names[t->nnames++] = xstrdup(a);
        if (m->name == NULL)
            m->name = copy;
        xgrow((void **)&t->aliases, cap_a, t->naliases + 1, sizeof *t->aliases);
        t->aliases[t->naliases++] =
            (struct gpu_alias){.norm = xstrdup(norm), .len = strlen(norm), .model = t->nmodels};
    }
    if (m->name == NULL) {
        error_set(err, EXIT_USAGE, _("gpus.tsv line %d: no name"), lineno);
        return -1;
    }
    t->nmodels++;
    return 0;
}

struct gpus_table *gpus_parse(const char *text, size_t len, struct gw_error *err)
{
    struct gpus_table *t = xcalloc(1, sizeof *t);
    size_t cap_m = 0, cap_n = 0, cap_a = 0;
    char *copy = xstrndup(text, len);
    int lineno = 0;
    for (char *line = copy, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (parse_line(t, line, lineno, &cap_m, &cap_n, &cap_a, err) < 0) {
            free(copy);
            gpus_free(t);
            return NULL;
        }
    }
    free(copy);
    qsort(t->aliases, t->naliases, sizeof *t->aliases, alias_cmp);
    for (size_t i = 1; i < t->naliases; i++) {
        for (size_t j = i; j-- > 0 && t->aliases[j].len == t->aliases[i].len;) {
            if (t->aliases[j].model != t->aliases[i].model &&
                strcmp(t->aliases[j].norm, t->aliases[i].norm) == 0) {
                error_set(err, EXIT_USAGE, _("gpus.tsv: alias '%s' names two models"),
                          t->aliases[i].norm);
                gpus_free(t);
                return NULL;
            }
        }
    }
    return t;
}

void gpus_free(struct gpus_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nnames; i++)
        free(t->names[i]);
    for (size_t i = 0; i < t->naliases; i++)
        free(t->aliases[i].norm);
    free(t->names);
    free(t->aliases);
    free(t->models);
    free(t);
}

static struct gpus_table *builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_load(void)
{
    size_t len = 0;
    const char *text = assets_get("gpus.tsv", &len);
    struct gw_error err = {0};
    builtin = text ? gpus_parse(text, len, &err) : NULL;
    if (builtin == NULL) {
        fprintf(stderr, _("gpuwarden: built-in GPU table unusable: %s\n"),
                text ? err.msg : _("asset missing"));
        abort();
    }
}

const struct gpus_table *gpus_builtin(void)
{
    pthread_once(&builtin_once, builtin_load);
    return builtin;
}

const struct gpu_model *gpus_find(const struct gpus_table *t, const char *name)
{
    if (t == NULL || name == NULL)
        return NULL;
    char norm[128];
    normalise(name, norm, sizeof norm);
    if (!norm[0])
        return NULL;
    for (size_t i = 0; i < t->naliases; i++) {
        const struct gpu_alias *a = &t->aliases[i];
        if (strncmp(norm, a->norm, a->len) == 0 && (norm[a->len] == '\0' || norm[a->len] == ' '))
            return &t->models[a->model];
    }
    return NULL;
}

size_t gpus_count(const struct gpus_table *t)
{
    return t ? t->nmodels : 0;
}

void gpus_format_variants(const struct gpu_model *m, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->nvram && o < size; i++) {
        int n = snprintf(buf + o, size - o, "%s%d", i ? "/" : "", m->vram_gb[i]);
        if (n < 0)
            return;
        o += (size_t)n;
    }
    if (o < size)
        snprintf(buf + o, size - o, " GB");
}
