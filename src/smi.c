/* nvidia-smi --query-gpu output, parsed and judged (SPEC §7 step 4). */
#include "smi.h"
#include "textwidth.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

/* "what the offer said" may differ from what the card reports by a little (ECC, driver,
 * SKU: an A100-40GB shows 40536 or 40960 MiB); a variant is gigabytes away, not percent. */
#define SMI_ADVERTISED_SLACK 0.97

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\0';
}

/* Copies [s, e) without surrounding blanks into out. */
static void trim_copy(const char *s, const char *e, char *out, size_t size)
{
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    size_t n = (size_t)(e - s);
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20)
            out[i] = ' '; /* NULs and control bytes from a hostile host stay printable */
}

/* A number, allowing a unit suffix ("24564 MiB"); NAN for "[N/A]", "[Not Supported]" or
 * anything else that is not a number. */
static double field_number(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0)
        return NAN;
    while (*end == ' ')
        end++;
    return *end == '\0' || !strcmp(end, "MiB") ? v : NAN;
}

static bool has(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(text + i, needle, n) == 0)
            return true;
    return false;
}

/* One GPU line: the name is everything before the last one (old query) or two fields, so a
 * name with a comma in it cannot shift the numbers. false when the line is not a GPU line. */
static bool parse_line(const char *s, const char *e, bool with_cc, struct smi_gpu *g)
{
    const char *cut[2] = {NULL, NULL};
    int want = with_cc ? 2 : 1, found = 0;
    for (const char *p = e; p > s && found < want; p--)
        if (p[-1] == ',')
            cut[found++] = p - 1;
    if (found < want)
        return false;
    const char *name_end = cut[want - 1];
    char mem[64], cc[64];
    trim_copy(s, name_end, g->name, sizeof g->name);
    trim_copy(name_end + 1, with_cc ? cut[0] : e, mem, sizeof mem);
    if (with_cc)
        trim_copy(cut[0] + 1, e, cc, sizeof cc);
    if (!g->name[0] || !strcmp(g->name, "name"))
        return false; /* empty, or the csv header */
    g->vram_mib = field_number(mem);
    g->cc = with_cc ? field_number(cc) : NAN;
    /* a line whose memory field is neither a number nor an N/A token is noise */
    return !isnan(g->vram_mib) || mem[0] == '[';
}

enum smi_status smi_parse(const char *text, size_t len, bool with_cc, struct smi_report *out,
                          struct gw_error *err)
{
    memset(out, 0, sizeof *out);
    if (with_cc && has(text, len, "is not a valid field to query")) {
        error_set(err, EXIT_CHECK_FAILED,
                  _("this driver's nvidia-smi has no compute_cap field (R470 or older)"));
        return SMI_NEEDS_FALLBACK;
    }
    const char *end = text + len;
    for (const char *s = text; s < end && out->count < SMI_MAX_GPUS;) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        if (parse_line(s, e, with_cc, &out->gpus[out->count]))
            out->count++;
        s = e + 1;
    }
    if (out->count > 0)
        return SMI_OK;
    if (has(text, len, "NVIDIA-SMI has failed") || has(text, len, "couldn't communicate"))
        error_set(err, EXIT_CHECK_FAILED,
                  _("nvidia-smi cannot talk to the driver: the host's GPU is not usable "
                    "(case 1)"));
    else if (has(text, len, "not found") || has(text, len, "No such file"))
        error_set(err, EXIT_CHECK_FAILED, _("nvidia-smi is not installed on the host"));
    else if (len == 0)
        error_set(err, EXIT_CHECK_FAILED, _("nvidia-smi printed nothing: no GPU visible"));
    else
        error_set(err, EXIT_CHECK_FAILED, _("nvidia-smi printed no GPU line that could be read"));
    return SMI_ERROR;
}

static void say(struct smi_verdict *v, enum level level, int case_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct smi_verdict *v, enum level level, int case_id, const char *fmt, ...)
{
    v->level = level;
    v->case_id = case_id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    textwidth_repair(v->message);
}

void smi_judge(const struct smi_report *r, const struct offer *advertised, double required_gb,
               const struct gpus_table *table, struct smi_verdict *out)
{
    memset(out, 0, sizeof *out);
    int want = advertised->num_gpus > 0 ? advertised->num_gpus : 1;
    if (r->count < (size_t)want) {
        say(out, LEVEL_BLOCK, 7,
            want == 1 ? _("the offer advertised %d GPU, nvidia-smi shows %zu")
                      : _("the offer advertised %d GPUs, nvidia-smi shows %zu"),
            want, r->count);
        return;
    }
    double adv_mib = advertised->gpu_ram_mib;
    for (size_t i = 0; i < r->count; i++) {
        const struct smi_gpu *g = &r->gpus[i];
        double gb = g->vram_mib / 1024.0;
        if (!isnan(required_gb) && !isnan(gb) && gb < required_gb) {
            say(out, LEVEL_BLOCK, 7,
                /* TRANSLATORS: GPU index and name, its memory, the recipe's need, the offer's */
                _("GPU %zu (%s) has %.1f GB, the recipe needs %.1f GB (offer said %.1f GB)"), i,
                g->name, gb, required_gb, adv_mib / 1024.0);
            return;
        }
        if (!isnan(adv_mib) && !isnan(gb) && g->vram_mib < adv_mib * SMI_ADVERTISED_SLACK) {
            say(out, LEVEL_BLOCK, 7,
                _("GPU %zu (%s) has %.1f GB but the offer advertised %.1f GB: a smaller "
                  "variant"),
                i, g->name, gb, adv_mib / 1024.0);
            return;
        }
        double cc = g->cc;
        if (isnan(cc)) {
            const struct gpu_model *m = table ? gpus_find(table, g->name) : NULL;
            cc = m ? m->cc : NAN;
        }
        if (!isnan(cc) && lround(cc * 100) < 700) {
            say(out, LEVEL_BLOCK, 1, _("GPU %zu (%s) is sm_%ld%ld: PyTorch 2.x needs sm_70+"), i,
                g->name, lround(cc * 100) / 100, lround(cc * 100) % 100 / 10);
            return;
        }
    }
    const struct smi_gpu *g = &r->gpus[0];
    double cc = g->cc;
    const struct gpu_model *m = table ? gpus_find(table, g->name) : NULL;
    if (isnan(cc) && m)
        cc = m->cc;
    if (isnan(g->vram_mib)) {
        say(out, LEVEL_WARN, 7,
            _("%zu x %s: VRAM not reported (unified memory?); check it by hand"), r->count,
            g->name);
        return;
    }
    if (isnan(cc)) {
        /* TRANSLATORS: count x GPU name, memory per GPU, what the offer said; CC is the compute
         * capability */
        say(out, LEVEL_PASS, 0, _("%zu x %s, %.1f GB each (offer said %.1f GB), CC unknown"),
            r->count, g->name, g->vram_mib / 1024.0, adv_mib / 1024.0);
        return;
    }
    /* sm_86, the compute capability */
    char ccs[64];
    snprintf(ccs, sizeof ccs, "sm_%ld%ld", lround(cc * 100) / 100, lround(cc * 100) % 100 / 10);
    if (isnan(g->cc))
        say(out, LEVEL_PASS, 0,
            /* TRANSLATORS: count x GPU name, memory per GPU, what the offer said, compute
             * capability (sm_86) known from gpuwarden's GPU table, not from nvidia-smi */
            _("%zu x %s, %.1f GB each (offer said %.1f GB), %s (from the GPU table)"), r->count,
            g->name, g->vram_mib / 1024.0, adv_mib / 1024.0, ccs);
    else
        /* TRANSLATORS: count x GPU name, memory per GPU, what the offer said, compute capability
         * (sm_86) */
        say(out, LEVEL_PASS, 0, _("%zu x %s, %.1f GB each (offer said %.1f GB), %s"), r->count,
            g->name, g->vram_mib / 1024.0, adv_mib / 1024.0, ccs);
}
