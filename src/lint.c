/* Setup-script lint (SPEC §5): the nine rules over the commands shlex finds and shcmd classifies,
 * in script order, following function calls; each finding gets a message and a fix hint. */
#include "lint.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "shcmd.h"
#include "shlex.h"
#include "textfile.h"
#include "textwidth.h"
#include "xalloc.h"

#define LINT_MAX_FILE     ((size_t)4 * 1024 * 1024)
#define LINT_MAX_FINDINGS 10000 /* bounds memory on machine-made input */
#define CALL_DEPTH        16    /* how deep function calls are followed */
#define SUMMARY_MAX       60    /* bytes of a command quoted in a message */

static const char *const rule_names[LINT_RULE_COUNT] = {
    "no-errexit",  "swallowed-error", "unverified-success", "unchecked-download",  "no-health-wait",
    "devel-image", "insecure-ssh",    "plain-ssh-tunnel",   "destructive-command",
};

static const enum level rule_levels[LINT_RULE_COUNT] = {
    LEVEL_BLOCK, LEVEL_BLOCK, LEVEL_BLOCK, LEVEL_WARN, LEVEL_WARN,
    LEVEL_WARN,  LEVEL_WARN,  LEVEL_WARN,  LEVEL_WARN,
};

/* Failure case each rule prevents (SPEC §9). */
static const int rule_cases[LINT_RULE_COUNT] = {3, 3, 3, 3, 8, 5, 4, 4, 6};

/* Set by lint on the first command of a loop around a health probe (above the SHCMD_ bits). */
#define HW_BOUNDED   (1u << 24)
#define HW_UNBOUNDED (1u << 25)
/* What a call to a function inherits from the function's body. */
#define DEEP                                                                                       \
    (SHCMD_STEP | SHCMD_CHECK | SHCMD_EXISTS | SHCMD_PROBE | SHCMD_WAIT | HW_BOUNDED | HW_UNBOUNDED)

/* What a function body leaves behind for unverified-success. */
struct vsum {
    unsigned char state; /* 0 unknown, 1 being computed, 2 known */
    unsigned risk;       /* SHCMD_STEP/SHCMD_SERVICE bits of its last risky step, 0 when none */
    bool checked;        /* that step was checked before the body ends */
    bool check_seen;     /* it checks something */
    bool marker_first;   /* it prints a success marker before any step or check */
};

struct lint {
    const struct shlex_script *sh;
    const struct shlex_cmd *cmd;
    size_t n;
    size_t *start;      /* per command: index of the program's word, past wrappers */
    unsigned *base;     /* per command: its own SHCMD_* bits, and HW_* */
    unsigned *eff;      /* base plus the DEEP bits of the function it calls */
    int *call;          /* per command: the function block it calls, -1 */
    size_t *first_call; /* per block: the first command calling that function, n when none */
    unsigned *fbits;    /* per block: deep bits of a function body */
    unsigned char *fstate;
    struct vsum *vs;
    int *efirst; /* per block: errexit_first() memo, INT_MIN unknown */
    struct lint_report *out;
    size_t cap;
};

/* --- text helpers ---------------------------------------------------------------------- */

/* The command as one short line for a message: valid UTF-8, no control characters or
 * backticks, cut with "..." past SUMMARY_MAX bytes. */
static void summarize(const char *const *words, size_t nwords, char *buf, size_t size)
{
    size_t n = 0, limit = size - 4 < SUMMARY_MAX ? size - 4 : SUMMARY_MAX;
    bool cut = false;
    for (size_t w = 0; w < nwords && !cut; w++) {
        const unsigned char *p = (const unsigned char *)words[w];
        if (w && n < limit && n && buf[n - 1] != ' ')
            buf[n++] = ' ';
        while (*p) {
            size_t len = textwidth_utf8_len((const char *)p);
            char c = len ? (char)*p : '?';
            if (!len)
                len = 1;
            if (len == 1 && ((unsigned char)c < 0x20 || c == 0x7f))
                c = ' ';
            if (c == '`')
                c = '\'';
            if (len == 1 && c == ' ' && (n == 0 || buf[n - 1] == ' ')) {
                p++;
                continue;
            }
            if (n + len > limit) {
                cut = true;
                break;
            }
            if (len == 1)
                buf[n++] = c;
            else
                memcpy(buf + n, p, len), n += len;
            p += len;
        }
    }
    while (n && buf[n - 1] == ' ')
        n--;
    if (cut) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
}

/* Words then redirections ("curl -L URL >m.bin"); heredocs stay out. */
static void cmd_text(const struct shlex_cmd *c, char *buf, size_t size)
{
    const char *parts[64];
    size_t n = 0;
    for (size_t i = 0; i < c->nwords && n < 64; i++)
        parts[n++] = c->words[i];
    for (size_t i = 0; i < c->nredirs && n < 64; i++)
        if (!strstr(c->redirs[i], "<<"))
            parts[n++] = c->redirs[i];
    summarize(parts, n, buf, size);
}

static void fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, size, f, ap);
    va_end(ap);
    textwidth_repair(buf);
}

static void add(struct lint *L, enum lint_rule rule, int line, const char *msg, const char *hint)
{
    struct lint_report *r = L->out;
    if (r->count >= LINT_MAX_FINDINGS)
        return;
    xgrow((void **)&r->findings, &L->cap, r->count + 1, sizeof *r->findings);
    struct lint_finding *f = &r->findings[r->count++];
    memset(f, 0, sizeof *f);
    f->rule = rule;
    f->level = rule_levels[rule];
    f->line = line;
    f->case_id = rule_cases[rule];
    textwidth_copy(f->message, sizeof f->message, msg);
    textwidth_copy(f->hint, sizeof f->hint, hint);
}

/* --- functions ------------------------------------------------------------------------- */

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Which function each command calls (the last definition of a name wins). */
static void find_calls(struct lint *L)
{
    const struct shlex_script *sh = L->sh;
    size_t cap = 16;
    while (cap < 2 * sh->nblocks)
        cap *= 2;
    int *table = xmalloc(cap * sizeof *table);
    for (size_t i = 0; i < cap; i++)
        table[i] = -1;
    for (size_t b = 0; b < sh->nblocks; b++) {
        if (sh->blocks[b].kind != SHLEX_FUNC || !sh->blocks[b].name[0])
            continue;
        size_t h = (size_t)hash_name(sh->blocks[b].name) & (cap - 1);
        while (table[h] >= 0 && strcmp(sh->blocks[table[h]].name, sh->blocks[b].name) != 0)
            h = (h + 1) & (cap - 1);
        table[h] = (int)b;
    }
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        size_t i = 0;
        while (i < c->nwords && shcmd_is_assignment(c->words[i]))
            i++;
        L->call[j] = -1;
        if (i >= c->nwords)
            continue;
        size_t h = (size_t)hash_name(c->words[i]) & (cap - 1);
        while (table[h] >= 0) {
            if (strcmp(sh->blocks[table[h]].name, c->words[i]) == 0) {
                L->call[j] = table[h];
                if (L->first_call[table[h]] == L->n && c->func != table[h])
                    L->first_call[table[h]] = j;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
    }
    free(table);
}

static unsigned fn_bits(struct lint *L, int f, int depth);

static unsigned eff_bits(struct lint *L, size_t j, int depth)
{
    unsigned k = L->base[j];
    if (L->call[j] >= 0)
        k |= fn_bits(L, L->call[j], depth + 1) & DEEP;
    return k;
}

/* Everything a function's body does, following the calls it makes. */
static unsigned fn_bits(struct lint *L, int f, int depth)
{
    if (L->fstate[f] == 2)
        return L->fbits[f];
    if (L->fstate[f] == 1 || depth > CALL_DEPTH)
        return 0;
    L->fstate[f] = 1;
    const struct shlex_block *b = &L->sh->blocks[f];
    unsigned k = 0;
    for (size_t j = b->first; j < b->end; j++)
        if (L->cmd[j].func == f)
            k |= eff_bits(L, j, depth);
    L->fbits[f] = k;
    L->fstate[f] = 2;
    return k;
}

static void compute_eff(struct lint *L)
{
    memset(L->fstate, 0, L->sh->nblocks);
    for (size_t j = 0; j < L->n; j++)
        L->eff[j] = eff_bits(L, j, 0);
}

/* A loop around a probe is a health wait; it is bounded when it cannot spin forever. */
static void mark_health_loops(struct lint *L)
{
    for (size_t b = 0; b < L->sh->nblocks; b++) {
        const struct shlex_block *bl = &L->sh->blocks[b];
        if (bl->kind != SHLEX_FOR && bl->kind != SHLEX_WHILE && bl->kind != SHLEX_UNTIL)
            continue;
        if (bl->first >= bl->end)
            continue;
        unsigned cond = 0, body = 0;
        for (size_t j = bl->first; j < bl->end; j++) {
            if (j < bl->body)
                cond |= L->eff[j];
            else
                body |= L->eff[j];
        }
        if (!((cond | body) & SHCMD_PROBE))
            continue;
        bool bounded =
            bl->kind == SHLEX_FOR
                ? !bl->endless
                : (cond & SHCMD_NUMCMP) || ((body & SHCMD_LEAVE) && ((cond | body) & SHCMD_NUMCMP));
        L->base[bl->first] |= bounded ? HW_BOUNDED : HW_UNBOUNDED;
    }
}

/* --- rules ----------------------------------------------------------------------------- */

/* A set -e counts when it runs unconditionally in the script's own shell. */
static bool unconditional(const struct lint *L, const struct shlex_cmd *c, int scope)
{
    for (int b = c->block; b >= 0 && b != scope; b = L->sh->blocks[b].parent)
        if (L->sh->blocks[b].kind != SHLEX_BRACE)
            return false;
    return true;
}

/* 1: errexit is on before any other command of the scope runs; 0: command *first runs first;
 * -1: the scope runs nothing. A call runs the function's body (`main "$@"`). */
static int errexit_first(struct lint *L, int scope, int depth, size_t *first)
{
    size_t lo = scope < 0 ? 0 : L->sh->blocks[scope].first;
    size_t hi = scope < 0 ? L->n : L->sh->blocks[scope].end;
    for (size_t j = lo; j < hi; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        if (c->func != scope)
            continue;
        if (L->base[j] & SHCMD_SETUP) {
            if ((L->base[j] & SHCMD_SET_E) && unconditional(L, c, scope))
                return 1;
            continue;
        }
        int f = L->call[j];
        if (f >= 0 && f != scope && depth < CALL_DEPTH) {
            int r = L->efirst[f];
            if (r == INT_MIN) {
                size_t inner;
                L->efirst[f] = -1; /* recursion reads as "runs nothing" */
                r = errexit_first(L, f, depth + 1, &inner);
                L->efirst[f] = r;
            }
            if (r < 0)
                continue;
            if (r == 1)
                return 1;
        }
        *first = j;
        return 0;
    }
    return -1;
}

static void rule_no_errexit(struct lint *L, const char *text, size_t len)
{
    if (shcmd_shebang_errexit(text, len))
        return;
    size_t first = 0;
    if (errexit_first(L, -1, 0, &first) != 0)
        return;
    char cmd[SUMMARY_MAX + 8], msg[400];
    cmd_text(&L->cmd[first], cmd, sizeof cmd);
    int later = 0;
    for (size_t j = first; j < L->n && !later; j++)
        if ((L->base[j] & SHCMD_SET_E) && L->cmd[j].func < 0)
            later = L->cmd[j].line;
    if (later)
        fmt(msg, sizeof msg, _("`set -e` comes only at line %d, after the first command `%s`"),
            later, cmd);
    else
        fmt(msg, sizeof msg,
            _("no `set -e` before the first command `%s`: a failed step does not "
              "stop the script"),
            cmd);
    add(L, LINT_NO_ERREXIT, L->cmd[first].line, msg,
        later ? _("move `set -euo pipefail` up to the line after the shebang")
              : _("add `set -euo pipefail` on the line after the shebang"));
}

/* What kind of step a command is, translated. */
static const char *step_noun(unsigned k)
{
    return (k & SHCMD_INSTALL) ? pgettext("kind of setup step", "install")
           : (k & SHCMD_MODEL)
               ? ((k & SHCMD_DOWNLOAD) ? pgettext("kind of setup step", "model download")
                                       : pgettext("kind of setup step", "model step"))
           : (k & SHCMD_DOWNLOAD) ? pgettext("kind of setup step", "download")
           : (k & SHCMD_CLONE)    ? pgettext("kind of setup step", "clone")
           : (k & SHCMD_SERVICE)  ? pgettext("kind of setup step", "service start")
                                  : pgettext("kind of setup step", "step");
}

static void rule_swallowed(struct lint *L)
{
    size_t *scanned = xmalloc((L->n ? L->n : 1) * sizeof *scanned);
    bool *reported = xcalloc(L->n ? L->n : 1, sizeof *reported);
    for (size_t j = 0; j < L->n; j++)
        scanned[j] = j;
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *t = &L->cmd[j];
        if (!(L->base[j] & SHCMD_SWALLOW) || t->prev_op != SHLEX_OP_OR || t->chain >= j)
            continue;
        char handler[SUMMARY_MAX + 8], cmd[SUMMARY_MAX + 8], msg[400], hint[400];
        cmd_text(t, handler, sizeof handler);
        /* each and-or list is scanned once, however many `|| true` it has */
        for (size_t k = scanned[t->chain]; k < j; k++) {
            const struct shlex_cmd *c = &L->cmd[k];
            if (reported[k] || c->subst != t->subst || !(L->eff[k] & SHCMD_STEP) ||
                ((c->flags & SHLEX_COND) && !(t->flags & SHLEX_COND)))
                continue;
            reported[k] = true;
            cmd_text(c, cmd, sizeof cmd);
            const char *noun = step_noun(L->eff[k]);
            bool an = (L->eff[k] & SHCMD_INSTALL) != 0; /* "an install", "a download" */
            /* TRANSLATORS: the command, the handler after ||, and a kind of step ("install",
               "model download", ... translated on their own) */
            if (L->call[k] >= 0 && !(L->base[k] & SHCMD_STEP))
                fmt(msg, sizeof msg,
                    an ? _("`%s` failure is swallowed by `|| %s` (the function runs an %s)")
                       : _("`%s` failure is swallowed by `|| %s` (the function runs a %s)"),
                    cmd, handler, noun);
            else
                fmt(msg, sizeof msg, _("`%s` failure is swallowed by `|| %s`"), cmd, handler);
            /* TRANSLATORS: the handler after ||, then a kind of step ("install", ...) */
            fmt(hint, sizeof hint,
                _("remove `|| %s`; with `set -euo pipefail` a failed %s stops "
                  "the script"),
                handler, noun);
            add(L, LINT_SWALLOWED_ERROR, c->line, msg, hint);
        }
        scanned[t->chain] = j;
    }
    free(scanned);
    free(reported);
}

static const char *verify_hint(unsigned k)
{
    if (k & (SHCMD_MODEL | SHCMD_DOWNLOAD))
        return _("check the result before the marker: `[ -d DIR ]` and a size check such as "
                 "`du -sm DIR`, exiting 1 when it fails");
    if (k & SHCMD_INSTALL)
        return _("check the install before the marker, e.g. `python -c \"import torch; assert "
                 "torch.cuda.is_available()\"`");
    if (k & SHCMD_SERVICE)
        return _("poll the service before the marker: `curl -sf http://localhost:PORT/health` in "
                 "a bounded loop");
    return _("check what the step produced (`test -f FILE`, `du -sm DIR`) before the marker");
}

static void fn_vsum(struct lint *L, int f, int depth, struct vsum *out);

/* marker: the command prints a success marker itself (else a function it calls does). */
static void unverified(struct lint *L, size_t j, long r, unsigned risk, bool marker)
{
    char cmd[SUMMARY_MAX + 8], msg[400];
    cmd_text(&L->cmd[j], cmd, sizeof cmd);
    /* TRANSLATORS: the command, a kind of step ("install", ...), the step's line */
    fmt(msg, sizeof msg,
        marker ? _("`%s` reports success with no check after the %s at line %d")
               : _("`%s` prints a success marker with no check after the %s at line %d"),
        cmd, step_noun(risk), L->cmd[r].line);
    add(L, LINT_UNVERIFIED_SUCCESS, L->cmd[j].line, msg, verify_hint(risk));
}

/* Walks one scope (the top level or a function body) in order: a risky step opens a stretch
 * that a check closes; a success marker inside an open stretch is a finding. */
static void vscan(struct lint *L, int scope, int depth, struct vsum *res)
{
    size_t lo = scope < 0 ? 0 : L->sh->blocks[scope].first;
    size_t hi = scope < 0 ? L->n : L->sh->blocks[scope].end;
    long r = -1;
    unsigned risk = 0;
    bool checked = false, reported = false, any = false;
    memset(res, 0, sizeof *res);
    for (size_t j = lo; j < hi; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        if (c->func != scope)
            continue;
        unsigned k = L->base[j];
        if (L->call[j] >= 0 && !(k & SHCMD_SERVICE)) {
            struct vsum g;
            fn_vsum(L, L->call[j], depth + 1, &g);
            if (g.marker_first) {
                if (r >= 0 && !checked && !reported) {
                    unverified(L, j, r, risk, false);
                    reported = true;
                }
                res->marker_first |= !any;
                any = true;
            }
            if (g.risk) {
                r = (long)j, risk = g.risk, checked = g.checked, reported = false, any = true;
            } else if (g.check_seen) {
                checked = res->check_seen = any = true;
            }
            continue;
        }
        if (k & (SHCMD_STEP | SHCMD_SERVICE)) {
            r = (long)j, risk = k & (SHCMD_STEP | SHCMD_SERVICE), reported = false, any = true;
            checked = (c->flags & SHLEX_COND) != 0; /* `if pip install ...; then` checks it */
        } else if ((k & SHCMD_CHECK) || (c->flags & SHLEX_COND)) {
            checked = res->check_seen = any = true;
        } else if (k & SHCMD_MARKER) {
            if (r >= 0 && !checked && !reported) {
                unverified(L, j, r, risk, true);
                reported = true;
            }
            res->marker_first |= !any;
            any = true;
        }
    }
    res->risk = r >= 0 ? risk : 0;
    res->checked = checked;
}

static void fn_vsum(struct lint *L, int f, int depth, struct vsum *out)
{
    struct vsum *v = &L->vs[f];
    if (v->state == 2) {
        *out = *v;
        return;
    }
    memset(out, 0, sizeof *out);
    if (v->state == 1 || depth > CALL_DEPTH)
        return;
    v->state = 1;
    vscan(L, f, depth, out);
    *v = *out;
    v->state = 2;
}

static void rule_unverified(struct lint *L)
{
    struct vsum v;
    for (size_t b = 0; b < L->sh->nblocks; b++)
        if (L->sh->blocks[b].kind == SHLEX_FUNC)
            fn_vsum(L, (int)b, 0, &v);
    vscan(L, -1, 0, &v);
}

/* next[i]: the first command at or after i whose eff bits match, n when none. */
static size_t *next_with(const struct lint *L, unsigned bits)
{
    size_t *next = xmalloc((L->n + 1) * sizeof *next);
    next[L->n] = L->n;
    for (size_t j = L->n; j-- > 0;)
        next[j] = (L->eff[j] & bits) ? j : next[j + 1];
    return next;
}

/* A check after j, or after the first call of the function j is in. */
static bool later(const struct lint *L, const size_t *next, size_t j)
{
    if (next[j + 1] < L->n)
        return true;
    int f = L->cmd[j].func;
    if (f >= 0 && L->first_call[f] < L->n)
        return next[L->first_call[f] + 1] < L->n;
    return false;
}

static void rule_unchecked_download(struct lint *L)
{
    size_t *next = next_with(L, SHCMD_EXISTS);
    for (size_t j = 0; j < L->n; j++) {
        if (!(L->base[j] & SHCMD_TO_DISK) || later(L, next, j))
            continue;
        char cmd[SUMMARY_MAX + 8], msg[400];
        cmd_text(&L->cmd[j], cmd, sizeof cmd);
        fmt(msg, sizeof msg, _("`%s` downloads with no existence or size check after it"), cmd);
        add(L, LINT_UNCHECKED_DOWNLOAD, L->cmd[j].line, msg,
            _("check the result, e.g. `test -s FILE` or `[ \"$(du -sm DIR | cut -f1)\" -ge MIN_MB "
              "]`"
              ", and exit 1 when it is missing"));
    }
    free(next);
}

static void rule_health_wait(struct lint *L)
{
    size_t *bounded = next_with(L, HW_BOUNDED | SHCMD_WAIT);
    size_t *any = next_with(L, HW_UNBOUNDED);
    size_t last_job = SIZE_MAX;
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        if (!(L->base[j] & SHCMD_SERVICE) || later(L, bounded, j))
            continue;
        if ((c->flags & SHLEX_BG) && c->job == last_job)
            continue; /* one finding per background job */
        if (c->flags & SHLEX_BG)
            last_job = c->job;
        char cmd[SUMMARY_MAX + 8], msg[400];
        cmd_text(c, cmd, sizeof cmd);
        size_t u = any[j + 1];
        if (u < L->n) {
            fmt(msg, sizeof msg,
                _("`%s` starts in the background; the health-wait loop at line %d "
                  "is unbounded"),
                cmd, L->cmd[u].line);
            add(L, LINT_NO_HEALTH_WAIT, c->line, msg,
                _("bound the loop (`for i in $(seq 1 60)` or a counter) and `exit 1` when it runs "
                  "out"));
        } else {
            fmt(msg, sizeof msg,
                _("`%s` starts in the background with no health-wait loop after it"), cmd);
            add(L, LINT_NO_HEALTH_WAIT, c->line, msg,
                _("wait in a bounded loop: `for i in $(seq 1 60); do curl -sf "
                  "http://localhost:PORT/health && break; sleep 5; done`"));
        }
    }
    free(bounded);
    free(any);
}

static void rule_devel_image(struct lint *L)
{
    char cmd[SUMMARY_MAX + 8], raw[SUMMARY_MAX + 8], what[SUMMARY_MAX + 8], msg[400];
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        enum shcmd_devel d = shcmd_devel(c, L->start[j], L->base[j], raw, sizeof raw);
        if (d == SHCMD_NO_DEVEL)
            continue;
        cmd_text(c, cmd, sizeof cmd);
        summarize((const char *const[]){raw}, 1, what, sizeof what);
        if (d == SHCMD_DEVEL_IMAGE) {
            fmt(msg, sizeof msg, _("`%s` uses the CUDA devel image `%s`"), cmd, what);
            add(L, LINT_DEVEL_IMAGE, c->line, msg,
                _("use the matching `-runtime` image unless the script compiles CUDA code; devel "
                  "images are GBs larger and slow to pull"));
        } else {
            fmt(msg, sizeof msg, _("`%s` installs the CUDA toolkit (`%s`)"), cmd, what);
            add(L, LINT_DEVEL_IMAGE, c->line, msg,
                _("the CUDA runtime that ships with PyTorch or the image usually suffices; "
                  "install the toolkit only to compile CUDA code"));
        }
    }
}

static void rule_ssh(struct lint *L)
{
    char cmd[SUMMARY_MAX + 8], msg[400];
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        const char *bad = shcmd_insecure_ssh(c, L->start[j]);
        bool tunnel = shcmd_plain_tunnel(c, L->start[j]);
        if (!bad && !tunnel)
            continue;
        cmd_text(c, cmd, sizeof cmd);
        if (bad) {
            fmt(msg, sizeof msg, _("`%s` turns off host-key checking (`%s`)"), cmd, bad);
            add(L, LINT_INSECURE_SSH, c->line, msg,
                _("pin the host key instead (`ssh-keyscan -H HOST >> ~/.ssh/known_hosts`) or use "
                  "`StrictHostKeyChecking=accept-new`"));
        }
        if (tunnel) {
            fmt(msg, sizeof msg,
                _("`%s` opens a tunnel with no keepalive; it dies silently when the link drops"),
                cmd);
            add(L, LINT_PLAIN_SSH_TUNNEL, c->line, msg,
                _("add `-o ServerAliveInterval=30 -o ServerAliveCountMax=3 -o "
                  "ExitOnForwardFailure=yes`, or use `autossh -M 0`"));
        }
    }
}

static void rule_destructive(struct lint *L)
{
    static const char *const no_confirm =
        N_("destroy instances from gpuwarden, which asks first (SPEC §8), never from a script");
    char cmd[SUMMARY_MAX + 8], msg[400], hint[400], var[48];
    for (size_t j = 0; j < L->n; j++) {
        const struct shlex_cmd *c = &L->cmd[j];
        var[0] = '\0';
        enum shcmd_danger d = shcmd_destructive(c, L->start[j], var, sizeof var);
        if (d == SHCMD_SAFE)
            continue;
        cmd_text(c, cmd, sizeof cmd);
        const char *h = _(no_confirm);
        switch (d) {
        case SHCMD_VASTAI_DESTROY:
            fmt(msg, sizeof msg, _("`%s` destroys the instance and its data"), cmd);
            break;
        case SHCMD_RUNPOD_REMOVE:
            fmt(msg, sizeof msg, _("`%s` removes the pod and its data"), cmd);
            break;
        case SHCMD_DOCKER_PRUNE:
            fmt(msg, sizeof msg, _("`%s` deletes every unused image, container and network"), cmd);
            h = _("remove named containers or images instead; a prune also drops cached images "
                  "you will pull again (case 5)");
            break;
        case SHCMD_RM_EMPTY_VAR:
            /* TRANSLATORS: the command, then the variable's name */
            fmt(msg, sizeof msg, _("`%s` deletes `/` when `$%s` is empty or unset"), cmd, var);
            fmt(hint, sizeof hint,
                _("write `\"${%s:?}\"/...` so an empty variable stops the script"), var);
            h = hint;
            break;
        default:
            fmt(msg, sizeof msg,
                d == SHCMD_RM_ROOT ? _("`%s` deletes the whole file system")
                                   : _("`%s` deletes the home directory"),
                cmd);
            h = _("delete the specific path you mean");
            break;
        }
        add(L, LINT_DESTRUCTIVE_COMMAND, c->line, msg, h);
    }
}

/* --- API ------------------------------------------------------------------------------- */

static int finding_cmp(const void *a, const void *b)
{
    const struct lint_finding *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return strcmp(x->message, y->message);
}

void lint_text(const char *text, size_t len, struct lint_report *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        len = 0;
    struct shlex_script sh;
    shlex_parse(text, len, &sh);
    struct lint L;
    memset(&L, 0, sizeof L);
    L.sh = &sh;
    L.cmd = sh.cmds;
    L.n = sh.ncmds;
    L.out = out;
    size_t n = L.n ? L.n : 1, nb = sh.nblocks ? sh.nblocks : 1;
    L.start = xmalloc(n * sizeof *L.start);
    L.base = xcalloc(n, sizeof *L.base);
    L.eff = xcalloc(n, sizeof *L.eff);
    L.call = xmalloc(n * sizeof *L.call);
    L.first_call = xmalloc(nb * sizeof *L.first_call);
    L.fbits = xcalloc(nb, sizeof *L.fbits);
    L.fstate = xcalloc(nb, 1);
    L.vs = xcalloc(nb, sizeof *L.vs);
    L.efirst = xmalloc(nb * sizeof *L.efirst);
    for (size_t b = 0; b < nb; b++) {
        L.first_call[b] = L.n;
        L.efirst[b] = INT_MIN;
    }
    for (size_t j = 0; j < L.n; j++) {
        L.start[j] = shcmd_start(&sh.cmds[j]);
        L.base[j] = shcmd_classify(&sh.cmds[j], L.start[j]);
    }
    find_calls(&L);
    /* probes reached through calls decide which loops are health waits, so twice */
    compute_eff(&L);
    mark_health_loops(&L);
    compute_eff(&L);

    rule_no_errexit(&L, text ? text : "", len);
    rule_swallowed(&L);
    rule_unverified(&L);
    rule_unchecked_download(&L);
    rule_health_wait(&L);
    rule_devel_image(&L);
    rule_ssh(&L);
    rule_destructive(&L);
    if (out->count > 1)
        qsort(out->findings, out->count, sizeof *out->findings, finding_cmp);

    free(L.start);
    free(L.base);
    free(L.eff);
    free(L.call);
    free(L.first_call);
    free(L.fbits);
    free(L.fstate);
    free(L.vs);
    free(L.efirst);
    shlex_free(&sh);
}

int lint_file(const char *path, struct lint_report *out, struct gw_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n;
    char *buf = textfile_read(path, LINT_MAX_FILE, &n, err);
    if (!buf)
        return -1;
    lint_text(buf, n, out);
    free(buf);
    return 0;
}

void lint_report_free(struct lint_report *r)
{
    if (!r)
        return;
    free(r->findings);
    r->findings = NULL;
    r->count = 0;
}

bool lint_has_block(const struct lint_report *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->findings[i].level == LEVEL_BLOCK)
            return true;
    return false;
}

size_t lint_count(const struct lint_report *r, enum lint_rule rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += r->findings[i].rule == rule;
    return n;
}

const char *lint_rule_name(enum lint_rule rule)
{
    return (unsigned)rule < LINT_RULE_COUNT ? rule_names[rule] : "?";
}
