/* Parsing vast.ai instances (show and the v1 list). Like offers, a field of the wrong type is
 * "unknown": a half-provisioned instance reports nulls, -1s and trailing newlines. */
#include "instance.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "xalloc.h"

static double num(const cJSON *v)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

static double nonneg(const cJSON *v)
{
    double d = num(v);
    return d >= 0 ? d : NAN;
}

static void str(const cJSON *v, char *out, size_t size)
{
    out[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(out, size, "%s", v->valuestring);
}

/* Control characters become spaces and the ends lose their whitespace: one line for the UI. */
static void flatten(char *s)
{
    for (char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    size_t n = strlen(s), start = 0;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    while (start < n && s[start] == ' ')
        start++;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

/* A TCP port as a number or a numeric string (HostPort is "43486"); 0 when neither. */
static int port_of(const cJSON *v)
{
    double d = NAN;
    if (cJSON_IsNumber(v)) {
        d = num(v);
    } else if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        char *end;
        d = strtod(v->valuestring, &end);
        if (*end != '\0')
            d = NAN;
    }
    return d >= 1 && d <= 65535 && d == floor(d) ? (int)d : 0;
}

/* `ports`: {"22/tcp": [{"HostIp": "0.0.0.0", "HostPort": "43486"}, ...], "5000/udp": ...};
 * the first entry with a usable HostPort wins, UDP and odd keys are skipped. */
static void parse_ports(const cJSON *ports, struct instance *in)
{
    if (!cJSON_IsObject(ports))
        return;
    for (const cJSON *c = ports->child; c && in->nports < INSTANCE_MAX_PORTS; c = c->next) {
        char *end;
        long container = strtol(c->string, &end, 10);
        if (end == c->string || strcmp(end, "/tcp") != 0 || container < 1 || container > 65535 ||
            !cJSON_IsArray(c))
            continue;
        const cJSON *m;
        int host = 0;
        cJSON_ArrayForEach(m, c)
        {
            host = cJSON_IsObject(m) ? port_of(cJSON_GetObjectItemCaseSensitive(m, "HostPort")) : 0;
            if (host > 0)
                break;
        }
        if (host > 0)
            in->ports[in->nports++] = (struct instance_port){(int)container, host};
    }
}

#define GET(key) cJSON_GetObjectItemCaseSensitive(obj, key)

bool instance_from_json(const cJSON *obj, struct instance *in)
{
    memset(in, 0, sizeof *in);
    in->gpu_ram_mib = in->dph_total = in->disk_space = in->start_date = in->uptime_mins = NAN;
    if (!cJSON_IsObject(obj))
        return false;
    double id = num(GET("id"));
    if (!(id >= 1 && id < 9e15) || id != floor(id))
        return false;
    in->id = (int64_t)id;
    str(GET("label"), in->label, sizeof in->label);
    str(GET("actual_status"), in->actual_status, sizeof in->actual_status);
    str(GET("intended_status"), in->intended_status, sizeof in->intended_status);
    str(GET("cur_state"), in->cur_state, sizeof in->cur_state);
    str(GET("status_msg"), in->status_msg, sizeof in->status_msg);
    flatten(in->status_msg);
    str(GET("image_uuid"), in->image, sizeof in->image);
    str(GET("gpu_name"), in->gpu_name, sizeof in->gpu_name);
    double n = num(GET("num_gpus"));
    in->num_gpus = n >= 1 && n <= 1024 ? (int)n : 0;
    /* gpu_totalram is the machine's sum (5 x 8192 = 40960 in a real sample): per GPU it is the
     * same unit as the offer's gpu_ram, which verify compares against nvidia-smi */
    double total = num(GET("gpu_totalram")), per = num(GET("gpu_ram"));
    if (total > 0 && in->num_gpus > 0)
        in->gpu_ram_mib = total / in->num_gpus;
    else if (per > 0)
        in->gpu_ram_mib = per;
    in->dph_total = nonneg(GET("dph_total"));
    in->disk_space = nonneg(GET("disk_space"));
    double start = num(GET("start_date"));
    in->start_date = start > 0 ? start : NAN;
    in->uptime_mins = nonneg(GET("uptime_mins"));
    str(GET("geolocation"), in->geolocation, sizeof in->geolocation);
    str(GET("public_ipaddr"), in->public_ipaddr, sizeof in->public_ipaddr);
    flatten(in->public_ipaddr);
    str(GET("ssh_host"), in->ssh_host, sizeof in->ssh_host);
    flatten(in->ssh_host);
    in->ssh_port = port_of(GET("ssh_port"));
    const cJSON *runtype = GET("image_runtype");
    in->jupyter_runtype =
        cJSON_IsString(runtype) && runtype->valuestring && strstr(runtype->valuestring, "jupyter");
    parse_ports(GET("ports"), in);
    return true;
}

#undef GET

/* Parses the whole body as one JSON value with only whitespace after it; NULL with err. */
static cJSON *parse_body(const char *text, size_t len, const char *what, struct gw_error *err)
{
    size_t pos = 0;
    while (pos < len && isspace((unsigned char)text[pos]))
        pos++;
    if (pos >= len) {
        /* TRANSLATORS: %s is "instance response" or "instance list", in every "malformed"
         * sentence */
        error_set(err, EXIT_PROVIDER, _("malformed %s: the body is empty"), what);
        return NULL;
    }
    if (text[pos] == '<') {
        error_set(err, EXIT_PROVIDER, _("malformed %s: HTML instead of JSON"), what);
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (j == NULL) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        error_set(err, EXIT_PROVIDER, _("malformed %s: invalid JSON near byte %zu of %zu"), what,
                  at, len);
        return NULL;
    }
    size_t after = (size_t)(end - text);
    while (after < len && (isspace((unsigned char)text[after]) || text[after] == '\0'))
        after++;
    if (after < len) {
        error_set(err, EXIT_PROVIDER, _("malformed %s: unexpected text at byte %zu of %zu"), what,
                  after, len);
        cJSON_Delete(j);
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        error_set(err, EXIT_PROVIDER, _("malformed %s: expected a JSON object"), what);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* The error body's sentence, for a body that lacks what we asked for. */
static const char *body_msg(const cJSON *j)
{
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "msg");
    if (!cJSON_IsString(msg))
        msg = cJSON_GetObjectItemCaseSensitive(j, "error");
    return cJSON_IsString(msg) && msg->valuestring ? msg->valuestring : NULL;
}

int instance_parse_show(const char *text, size_t len, struct instance *in, struct gw_error *err)
{
    /* TRANSLATORS: what was malformed, in "malformed %s: ..." */
    const char *what = _("instance response");
    memset(in, 0, sizeof *in);
    cJSON *j = parse_body(text, len, what, err);
    if (j == NULL)
        return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "instances");
    int rc = -1;
    if (cJSON_IsNull(v) || (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0)) {
        rc = 0; /* null, or an old list-shaped answer with nothing in it */
    } else {
        /* the per-id route has answered a one-element list in the past: take its element */
        const cJSON *obj = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, 0) : v;
        if (instance_from_json(obj, in)) {
            rc = 1;
        } else if (v == NULL) {
            const char *msg = body_msg(j);
            /* TRANSLATORS: "instances" is the JSON key; then ": " and the body's own message,
             * when it has one */
            error_set(err, EXIT_PROVIDER, _("malformed %s: no \"instances\"%s%s"), what,
                      msg ? ": " : "", msg ? msg : "");
        } else {
            error_set(err, EXIT_PROVIDER,
                      _("malformed %s: \"instances\" is not an instance with an id"), what);
        }
    }
    if (rc != 1)
        memset(in, 0, sizeof *in);
    cJSON_Delete(j);
    return rc;
}

int instance_parse_page(const char *text, size_t len, struct instance_list *out, char *next_token,
                        size_t size, struct gw_error *err)
{
    /* TRANSLATORS: what was malformed, in "malformed %s: ..." */
    const char *what = _("instance list");
    if (size > 0)
        next_token[0] = '\0';
    cJSON *j = parse_body(text, len, what, err);
    if (j == NULL)
        return -1;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "instances");
    if (!cJSON_IsArray(items)) {
        const char *msg = body_msg(j);
        /* TRANSLATORS: "instances" is the JSON key; then ": " and the body's own message, when
         * it has one */
        error_set(err, EXIT_PROVIDER, _("malformed %s: no \"instances\" array%s%s"), what,
                  msg ? ": " : "", msg ? msg : "");
        cJSON_Delete(j);
        return -1;
    }
    /* the token is opaque: a string is passed back as is, a number by its digits */
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "next_token");
    char token[512] = "";
    if (cJSON_IsString(tok) && tok->valuestring)
        snprintf(token, sizeof token, "%s", tok->valuestring);
    else if (cJSON_IsNumber(tok) && isfinite(tok->valuedouble))
        snprintf(token, sizeof token, "%.17g", tok->valuedouble);
    if (strlen(token) >= size || strlen(token) >= sizeof token - 1) {
        error_set(err, EXIT_PROVIDER, _("malformed %s: the paging token is too long"), what);
        cJSON_Delete(j);
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, items)
    {
        struct instance in;
        if (!instance_from_json(e, &in))
            continue; /* not an instance: nothing to show or act on */
        xgrow((void **)&out->items, &out->cap, out->count + 1, sizeof *out->items);
        out->items[out->count++] = in;
    }
    if (size > 0)
        snprintf(next_token, size, "%s", token);
    cJSON_Delete(j);
    return 0;
}

void instance_list_free(struct instance_list *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

int instance_port_for(const struct instance *in, int container)
{
    for (size_t i = 0; i < in->nports && i < INSTANCE_MAX_PORTS; i++)
        if (in->ports[i].container == container)
            return in->ports[i].host;
    return 0;
}

bool instance_ssh_address(const struct instance *in, char *host, size_t size, int *port)
{
    int direct = instance_port_for(in, 22);
    const char *h = NULL;
    int p = 0;
    if (direct > 0 && in->public_ipaddr[0]) {
        h = in->public_ipaddr, p = direct;
    } else if (in->ssh_host[0] && in->ssh_port > 0) {
        /* jupyter runtypes put their proxy on ssh_port and sshd one above (vast-cli #79) */
        h = in->ssh_host, p = in->ssh_port + (in->jupyter_runtype ? 1 : 0);
    }
    if (h == NULL || p > 65535 || size == 0 || (size_t)snprintf(host, size, "%s", h) >= size) {
        if (size > 0)
            host[0] = '\0';
        *port = 0;
        return false;
    }
    *port = p;
    return true;
}
