/* Parser for the vastai CLI query text, its JSON form, and the local re-check. The grammar and
 * the unit conversions follow the CLI's parse_query() (reference/vast-api.md §2.4), except that
 * numbers go on the wire as JSON numbers. */
#include "query.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "offer.h"
#include "xalloc.h"

static const char *const op_names[] = {"eq", "neq", "gt", "gte", "lt", "lte", "in", "notin"};

const char *query_op_name(enum query_op op)
{
    return op_names[op];
}

static const struct {
    const char *from, *to;
} aliases[] = {
    {"cuda_vers", "cuda_max_good"},        {"display_active", "gpu_display_active"},
    {"dlperf_usd", "dlperf_per_dphtotal"}, {"dph", "dph_total"},
    {"flops_usd", "flops_per_dphtotal"},
};

/* The CLI's offers_fields list: others are warned about but still sent, as the CLI does. */
static const char *const known_fields[] = {
    "bw_nvlink",
    "compute_cap",
    "cpu_arch",
    "cpu_cores",
    "cpu_cores_effective",
    "cpu_ghz",
    "cpu_ram",
    "cuda_max_good",
    "datacenter",
    "direct_port_count",
    "driver_version",
    "disk_bw",
    "disk_space",
    "dlperf",
    "dlperf_per_dphtotal",
    "dph_total",
    "duration",
    "external",
    "flops_per_dphtotal",
    "gpu_arch",
    "gpu_display_active",
    "gpu_frac",
    "gpu_mem_bw",
    "gpu_name",
    "gpu_ram",
    "gpu_total_ram",
    "gpu_max_power",
    "gpu_max_temp",
    "has_avx",
    "host_id",
    "id",
    "inet_down",
    "inet_down_cost",
    "inet_up",
    "inet_up_cost",
    "machine_id",
    "min_bid",
    "mobo_name",
    "num_gpus",
    "pci_gen",
    "pcie_bw",
    "reliability",
    "rentable",
    "rented",
    "storage_cost",
    "static_ip",
    "total_flops",
    "ubuntu_version",
    "verification",
    "verified",
    "vms_enabled",
    "geolocation",
    "cluster_id",
};

/* Fields whose values stay strings even when they look numeric ("22.04", "3090"). */
static const char *const string_fields[] = {
    "gpu_name",  "geolocation", "verification", "cpu_arch",       "gpu_arch",      "cpu_name",
    "mobo_name", "disk_name",   "os_version",   "ubuntu_version", "public_ipaddr",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_set(const char *const *set, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], s) == 0)
            return true;
    return false;
}

const char *query_alias(const char *field)
{
    for (size_t i = 0; i < COUNT(aliases); i++)
        if (strcmp(aliases[i].from, field) == 0)
            return aliases[i].to;
    return field;
}

/* Typed in GB or days, sent in "MB" or seconds (the CLI's offers_mult). */
static double multiplier(const char *field)
{
    if (!strcmp(field, "gpu_ram") || !strcmp(field, "cpu_ram") || !strcmp(field, "gpu_total_ram"))
        return 1000;
    if (!strcmp(field, "duration"))
        return 86400;
    return 0;
}

static void value_free(struct query_value *v)
{
    free(v->str);
}

static void term_free(struct query_term *t)
{
    for (size_t i = 0; i < t->nvalues; i++)
        value_free(&t->values[i]);
    free(t->values);
    free(t->field);
}

void query_free(struct query *q)
{
    for (size_t i = 0; i < q->count; i++)
        term_free(&q->terms[i]);
    free(q->terms);
    memset(q, 0, sizeof *q);
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return false;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* "535.86.05" -> 535086005, the driver_vers column. */
static bool parse_driver(const char *s, double *out)
{
    long parts[3] = {0, 0, 0};
    int n = 0;
    const char *p = s;
    while (n < 3) {
        if (!isdigit((unsigned char)*p))
            return false;
        char *end;
        parts[n++] = strtol(p, &end, 10);
        if (parts[n - 1] > 999)
            return false;
        p = end;
        if (*p == '\0')
            break;
        if (*p != '.')
            return false;
        p++;
    }
    if (*p)
        return false;
    *out = (double)(parts[0] * 1000000 + parts[1] * 1000 + parts[2]);
    return true;
}

/* One value as the CLI reads it: '_' is a space, surrounding quotes go, then typed. */
static int make_value(const char *field, const char *raw, size_t len, struct query_value *v,
                      struct gw_error *err)
{
    char *s = xstrndup(raw, len);
    for (char *c = s; *c; c++)
        if (*c == '_')
            *c = ' ';
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    char *start = s;
    while (isspace((unsigned char)*start))
        start++;
    n = strlen(start);
    if (n >= 2 &&
        ((start[0] == '"' && start[n - 1] == '"') || (start[0] == '\'' && start[n - 1] == '\''))) {
        start[n - 1] = '\0';
        start++;
    }
    memset(v, 0, sizeof *v);
    double mult = multiplier(field), num;
    if (!strcmp(start, "true") || !strcmp(start, "True")) {
        v->type = QV_BOOL;
        v->boolean = true;
    } else if (!strcmp(start, "false") || !strcmp(start, "False")) {
        v->type = QV_BOOL;
    } else if (!strcmp(start, "None") || !strcmp(start, "null")) {
        v->type = QV_NULL;
    } else if (mult > 0) {
        if (!parse_number(start, &num)) {
            /* TRANSLATORS: a query field (gpu_ram, duration), then the value given */
            error_set(err, EXIT_USAGE,
                      mult == 86400 ? _("%s needs a number (days), got '%s'")
                                    : _("%s needs a number (GB), got '%s'"),
                      field, start);
            free(s);
            return -1;
        }
        v->type = QV_NUMBER;
        v->num = num * mult;
    } else if (!strcmp(field, "driver_version") && strchr(start, '.')) {
        if (!parse_driver(start, &num)) {
            error_set(err, EXIT_USAGE, _("driver_version must look like 535.86.05, got '%s'"),
                      start);
            free(s);
            return -1;
        }
        v->type = QV_NUMBER;
        v->num = num;
    } else if (!in_set(string_fields, COUNT(string_fields), field) && parse_number(start, &num)) {
        v->type = QV_NUMBER;
        v->num = num;
    } else {
        v->type = QV_STRING;
        v->str = xstrdup(start);
    }
    free(s);
    return 0;
}

/* Reads the operator after a field; *plain_eq tells a single '=' (the only one that takes the
 * `any` wildcard in the CLI) from '==' and 'eq'. */
static int parse_op(const char *text, size_t *pos, enum query_op *op, bool *plain_eq,
                    struct gw_error *err, const char *field)
{
    *plain_eq = false;
    size_t p = *pos;
    while (text[p] == ' ')
        p++;
    if (strchr("=><!", text[p]) && text[p]) {
        size_t start = p;
        while (text[p] && strchr("=><!", text[p]))
            p++;
        size_t n = p - start;
        static const struct {
            const char *sym;
            enum query_op op;
        } syms[] = {{">=", QOP_GTE}, {">", QOP_GT},  {"<=", QOP_LTE}, {"<", QOP_LT},
                    {"!=", QOP_NEQ}, {"==", QOP_EQ}, {"=", QOP_EQ}};
        for (size_t i = 0; i < COUNT(syms); i++) {
            if (strlen(syms[i].sym) == n && !strncmp(syms[i].sym, text + start, n)) {
                *op = syms[i].op;
                *plain_eq = n == 1 && text[start] == '=';
                *pos = p;
                return 0;
            }
        }
        /* TRANSLATORS: the operator typed, then the field before it */
        error_set(err, EXIT_USAGE, _("unknown operator '%.*s' after '%s'"), (int)n, text + start,
                  field);
        return -1;
    }
    /* word operators need a space on both sides, as in the CLI's regex */
    if (p > *pos) {
        static const struct {
            const char *word;
            enum query_op op;
        } words[] = {{"not eq", QOP_NEQ},  {"not in", QOP_NOTIN}, {"noteq", QOP_NEQ},
                     {"notin", QOP_NOTIN}, {"neq", QOP_NEQ},      {"nin", QOP_NOTIN},
                     {"gte", QOP_GTE},     {"lte", QOP_LTE},      {"gt", QOP_GT},
                     {"lt", QOP_LT},       {"eq", QOP_EQ},        {"in", QOP_IN}};
        for (size_t i = 0; i < COUNT(words); i++) {
            size_t n = strlen(words[i].word);
            if (!strncmp(text + p, words[i].word, n) && text[p + n] == ' ') {
                *op = words[i].op;
                *pos = p + n;
                return 0;
            }
        }
    }
    size_t n = strcspn(text + p, " ");
    if (n == 0)
        error_set(err, EXIT_USAGE, _("'%s' has no operator and value"), field);
    else
        error_set(err, EXIT_USAGE, _("unknown operator '%.*s' after '%s'"), (int)n, text + p,
                  field);
    return -1;
}

/* Adds or replaces the term for (field, op); takes ownership of values. */
static void put_term(struct query *q, char *field, enum query_op op, struct query_value *values,
                     size_t nvalues)
{
    for (size_t i = 0; i < q->count; i++) {
        struct query_term *t = &q->terms[i];
        if (t->op == op && !strcmp(t->field, field)) {
            term_free(t);
            *t = (struct query_term){field, op, values, nvalues};
            return;
        }
    }
    xgrow((void **)&q->terms, &q->cap, q->count + 1, sizeof *q->terms);
    q->terms[q->count++] = (struct query_term){field, op, values, nvalues};
}

static void drop_field(struct query *q, const char *field)
{
    size_t keep = 0;
    for (size_t i = 0; i < q->count; i++) {
        if (!strcmp(q->terms[i].field, field))
            term_free(&q->terms[i]);
        else
            q->terms[keep++] = q->terms[i];
    }
    q->count = keep;
}

static void warn(struct query *q, const char *fmt, const char *arg)
{
    char one[sizeof q->warnings];
    snprintf(one, sizeof one, fmt, arg);
    size_t used = strlen(q->warnings), len = strlen(one);
    if (used + 2 + len >= sizeof q->warnings)
        return; /* whole warnings only: the first ones are the ones to read */
    if (used) {
        memcpy(q->warnings + used, "; ", 2);
        used += 2;
    }
    memcpy(q->warnings + used, one, len + 1);
}

/* Reads the value token: [list], "quoted", or a run of non-spaces. */
static int read_value(const char *text, size_t *pos, size_t *vstart, size_t *vlen,
                      const char *field, struct gw_error *err)
{
    size_t p = *pos;
    while (text[p] == ' ')
        p++;
    char close = text[p] == '[' ? ']' : text[p] == '"' ? '"' : 0;
    if (close) {
        const char *end = strchr(text + p + 1, close);
        if (end == NULL) {
            error_set(err, EXIT_USAGE, _("unclosed '%c' in the value of '%s'"), text[p], field);
            return -1;
        }
        *vstart = p;
        *vlen = (size_t)(end - (text + p)) + 1;
    } else {
        *vstart = p;
        *vlen = strcspn(text + p, " ");
    }
    if (*vlen == 0 || (close == ']' && *vlen == 2)) {
        error_set(err, EXIT_USAGE, _("missing value after '%s'"), field);
        return -1;
    }
    *pos = p + *vlen;
    return 0;
}

static int parse_values(const char *field, enum query_op op, const char *raw, size_t len,
                        struct query_value **out, size_t *nout, struct gw_error *err)
{
    /* the CLI strips ",[]" from both ends, then splits lists on ',' */
    while (len > 0 && strchr(",[]", raw[0])) {
        raw++;
        len--;
    }
    while (len > 0 && strchr(",[]", raw[len - 1]))
        len--;
    struct query_value *values = NULL;
    size_t n = 0, cap = 0;
    bool list = op == QOP_IN || op == QOP_NOTIN;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && !(list && raw[i] == ','))
            continue;
        xgrow((void **)&values, &cap, n + 1, sizeof *values);
        if (make_value(field, raw + start, i - start, &values[n], err) < 0) {
            for (size_t k = 0; k < n; k++)
                value_free(&values[k]);
            free(values);
            return -1;
        }
        n++;
        start = i + 1;
    }
    *out = values;
    *nout = n;
    return 0;
}

static int parse_into(struct query *q, const char *text, struct gw_error *err)
{
    size_t pos = 0;
    for (;;) {
        while (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n')
            pos++;
        if (!text[pos])
            return 0;
        size_t fstart = pos;
        while (isalnum((unsigned char)text[pos]) || text[pos] == '_')
            pos++;
        if (pos == fstart) {
            error_set(err, EXIT_USAGE, _("unexpected '%c' at position %zu: expected a field name"),
                      text[pos], pos + 1);
            return -1;
        }
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(pos - fstart), text + fstart);
        const char *field = query_alias(name);
        enum query_op op;
        bool plain_eq;
        if (parse_op(text, &pos, &op, &plain_eq, err, name) < 0)
            return -1;
        size_t vstart, vlen;
        if (read_value(text, &pos, &vstart, &vlen, name, err) < 0)
            return -1;
        if (text[pos] && text[pos] != ' ' && text[pos] != '\t' && text[pos] != '\n') {
            error_set(err, EXIT_USAGE, _("unexpected '%c' after the value of '%s'"), text[pos],
                      name);
            return -1;
        }
        /* the request's own keys: a filter by these names would be sent twice, or overwrite them */
        if (!strcmp(field, "order") || !strcmp(field, "type") || !strcmp(field, "limit")) {
            if (!strcmp(field, "type"))
                error_set(err, EXIT_USAGE,
                          _("'%s' is not a filter (use nothing: offers are always on-demand)"),
                          field);
            else
                /* TRANSLATORS: a request key (order, limit), then the flag to use instead */
                error_set(err, EXIT_USAGE, _("'%s' is not a filter (use %s)"), field,
                          !strcmp(field, "order") ? "--sort FIELD[-]" : "--limit N");
            return -1;
        }
        if (!in_set(known_fields, COUNT(known_fields), field))
            warn(q, _("unrecognized field '%s' (sent anyway)"), field);
        /* field=any, field=* and field=? lift the filter, as in the CLI */
        if (plain_eq && ((vlen == 3 && !strncmp(text + vstart, "any", 3)) ||
                         (vlen == 1 && (text[vstart] == '*' || text[vstart] == '?')))) {
            drop_field(q, field);
            continue;
        }
        struct query_value *values;
        size_t nvalues;
        if (parse_values(field, op, text + vstart, vlen, &values, &nvalues, err) < 0)
            return -1;
        put_term(q, xstrdup(field), op, values, nvalues);
    }
}

static struct query_value value_copy(const struct query_value *v)
{
    struct query_value c = *v;
    c.str = v->str ? xstrdup(v->str) : NULL;
    return c;
}

int query_parse(struct query *q, const char *text, struct gw_error *err)
{
    /* parse into a copy so a syntax error leaves q as it was */
    struct query tmp = {0};
    for (size_t i = 0; i < q->count; i++) {
        const struct query_term *t = &q->terms[i];
        struct query_value *values = xcalloc(t->nvalues, sizeof *values);
        for (size_t k = 0; k < t->nvalues; k++)
            values[k] = value_copy(&t->values[k]);
        put_term(&tmp, xstrdup(t->field), t->op, values, t->nvalues);
    }
    memcpy(tmp.warnings, q->warnings, sizeof tmp.warnings);
    if (parse_into(&tmp, text, err) < 0) {
        query_free(&tmp);
        return -1;
    }
    query_free(q);
    *q = tmp;
    return 0;
}

void query_add_number(struct query *q, const char *field, enum query_op op, double value)
{
    struct query_value *v = xcalloc(1, sizeof *v);
    v->type = QV_NUMBER;
    v->num = value;
    put_term(q, xstrdup(field), op, v, 1);
}

static cJSON *value_json(const struct query_value *v)
{
    switch (v->type) {
    case QV_NUMBER: return cJSON_CreateNumber(v->num);
    case QV_STRING: return cJSON_CreateString(v->str);
    case QV_BOOL: return cJSON_CreateBool(v->boolean);
    case QV_NULL: break;
    }
    return cJSON_CreateNull();
}

cJSON *query_to_json(const struct query *q)
{
    cJSON *root = cJSON_CreateObject();
    for (size_t i = 0; i < q->count; i++) {
        const struct query_term *t = &q->terms[i];
        cJSON *ops = cJSON_GetObjectItemCaseSensitive(root, t->field);
        if (ops == NULL)
            ops = cJSON_AddObjectToObject(root, t->field);
        cJSON *val;
        if (t->op == QOP_IN || t->op == QOP_NOTIN) {
            val = cJSON_CreateArray();
            for (size_t k = 0; k < t->nvalues; k++)
                cJSON_AddItemToArray(val, value_json(&t->values[k]));
        } else {
            val = value_json(&t->values[0]);
        }
        cJSON_AddItemToObject(ops, op_names[t->op], val);
    }
    return root;
}

/* --- the local predicate --- */

/* The offer's value for a query field, as a scratch cJSON node when it must be derived. */
static const cJSON *offer_value(const cJSON *offer, const char *field, cJSON *scratch, char *buf,
                                size_t size)
{
    if (!strcmp(field, "geolocation")) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(offer, "geolocation");
        char code[4];
        offer_country(cJSON_IsString(g) ? g->valuestring : NULL, code);
        if (!code[0])
            return NULL;
        snprintf(buf, size, "%s", code);
        scratch->type = cJSON_String;
        scratch->valuestring = buf;
        return scratch;
    }
    if (!strcmp(field, "datacenter")) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(offer, "hosting_type");
        if (!cJSON_IsNumber(h))
            return NULL;
        scratch->type = h->valuedouble == 1 ? cJSON_True : cJSON_False;
        return scratch;
    }
    if (!strcmp(field, "verified")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(offer, "verified");
        if (cJSON_IsBool(v))
            return v;
        v = cJSON_GetObjectItemCaseSensitive(offer, "verification");
        if (!cJSON_IsString(v))
            return NULL;
        scratch->type = !strcmp(v->valuestring, "verified") ? cJSON_True : cJSON_False;
        return scratch;
    }
    if (!strcmp(field, "driver_version")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(offer, "driver_vers");
        if (cJSON_IsNumber(d))
            return d;
        d = cJSON_GetObjectItemCaseSensitive(offer, "driver_version");
        double num;
        if (!cJSON_IsString(d) || !parse_driver(d->valuestring, &num))
            return d;
        scratch->type = cJSON_Number;
        scratch->valuedouble = num;
        return scratch;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(offer, field);
    if (v == NULL && !strcmp(field, "reliability"))
        v = cJSON_GetObjectItemCaseSensitive(offer, "reliability2");
    return v;
}

/* -1 / 0 / 1 like strcmp, or 2 when the two cannot be compared. */
static int compare(const cJSON *have, const struct query_value *want)
{
    if (want->type == QV_NUMBER) {
        double h;
        if (cJSON_IsNumber(have))
            h = have->valuedouble;
        else if (cJSON_IsBool(have))
            h = cJSON_IsTrue(have) ? 1 : 0;
        else
            return 2;
        return (h > want->num) - (h < want->num);
    }
    if (want->type == QV_BOOL) {
        bool h;
        if (cJSON_IsBool(have))
            h = cJSON_IsTrue(have);
        else if (cJSON_IsNumber(have))
            h = have->valuedouble != 0;
        else
            return 2;
        return h == want->boolean ? 0 : 1;
    }
    if (want->type == QV_STRING && cJSON_IsString(have)) {
        int c = strcasecmp(have->valuestring, want->str);
        return (c > 0) - (c < 0);
    }
    return 2;
}

static bool term_match(const struct query_term *t, const cJSON *offer)
{
    /* vast ignores `external` in results (always null): it cannot be re-checked */
    if (!strcmp(t->field, "external"))
        return true;
    cJSON scratch;
    memset(&scratch, 0, sizeof scratch);
    char buf[8];
    const cJSON *have = offer_value(offer, t->field, &scratch, buf, sizeof buf);
    bool null = have == NULL || cJSON_IsNull(have);
    if (t->nvalues == 1 && t->values[0].type == QV_NULL) {
        if (t->op == QOP_EQ)
            return null;
        if (t->op == QOP_NEQ)
            return !null;
        return false;
    }
    if (null)
        return false;
    if (t->op == QOP_IN || t->op == QOP_NOTIN) {
        bool found = false;
        for (size_t i = 0; i < t->nvalues && !found; i++)
            found = compare(have, &t->values[i]) == 0;
        return t->op == QOP_IN ? found : !found;
    }
    int c = compare(have, &t->values[0]);
    if (c == 2)
        return false;
    switch (t->op) {
    case QOP_EQ: return c == 0;
    case QOP_NEQ: return c != 0;
    case QOP_GT: return c > 0;
    case QOP_GTE: return c >= 0;
    case QOP_LT: return c < 0;
    case QOP_LTE: return c <= 0;
    case QOP_IN:
    case QOP_NOTIN: break;
    }
    return false;
}

bool query_match(const struct query *q, const cJSON *offer)
{
    for (size_t i = 0; i < q->count; i++)
        if (!term_match(&q->terms[i], offer))
            return false;
    return true;
}
