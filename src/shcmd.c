/* What one shell command does, for lint (see shcmd.h): reads the words of a command past its
 * wrappers and recognises package managers, downloaders, checks, markers and services. */
#include "shcmd.h"

#include <stdio.h>
#include <string.h>

/* --- text ------------------------------------------------------------------------------ */

static bool eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Case-insensitive substring search; `needle` is lower case. */
static const char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && lower(p[i]) == needle[i])
            i++;
        if (i == n)
            return p;
    }
    return NULL;
}

static bool one_of(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (eq(w, *list))
            return true;
    return false;
}

static const char *base(const char *w)
{
    const char *s = strrchr(w, '/');
    return s ? s + 1 : w;
}

/* pip, pip3, pip3.11; python, python3, python3.11 */
static bool versioned(const char *name, const char *stem)
{
    if (!starts(name, stem))
        return false;
    for (const char *p = name + strlen(stem); *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
    return true;
}

bool shcmd_is_assignment(const char *w)
{
    if (!(*w == '_' || (*w >= 'A' && *w <= 'Z') || (*w >= 'a' && *w <= 'z')))
        return false;
    while (*w == '_' || is_alnum(*w))
        w++;
    if (*w == '[') {
        const char *e = strchr(w, ']');
        if (!e)
            return false;
        w = e + 1;
    }
    return *w == '=' || (w[0] == '+' && w[1] == '=');
}

static const char *word(const struct shlex_cmd *c, size_t i)
{
    return i < c->nwords ? c->words[i] : "";
}

static bool has_word(const struct shlex_cmd *c, size_t from, const char *w)
{
    for (size_t i = from; i < c->nwords; i++)
        if (eq(c->words[i], w))
            return true;
    return false;
}

/* --- reading a command ----------------------------------------------------------------- */

/* Skips options (words starting with '-'); those in `with_arg` take the next word too. */
static size_t skip_opts(const struct shlex_cmd *c, size_t i, const char *const *with_arg)
{
    while (i < c->nwords) {
        const char *w = c->words[i];
        if (eq(w, "--"))
            return i + 1;
        if (w[0] != '-' || w[1] == '\0')
            break;
        i++;
        if (with_arg && one_of(w, with_arg) && i < c->nwords)
            i++;
    }
    return i;
}

/* Index of the word naming the program, past assignments and wrappers (sudo, env, nohup,
 * timeout, `uv run` ...); nwords when there is none. */
size_t shcmd_start(const struct shlex_cmd *c)
{
    static const char *const sudo_args[] = {"-u", "-g", "-C", "-D", "-h", "-p",
                                            "-r", "-t", "-U", "-T", NULL};
    static const char *const env_args[] = {"-u", "-C", "-S", "--unset", "--chdir", NULL};
    static const char *const timeout_args[] = {"-s", "-k", "--signal", "--kill-after", NULL};
    static const char *const nice_args[] = {"-n", "-c", "-p", "-N", "-m", "-C", "-i", NULL};
    static const char *const xargs_args[] = {"-n", "-I", "-i", "-P", "-d",
                                             "-L", "-s", "-E", "-a", NULL};
    static const char *const sshpass_args[] = {"-p", "-f", "-P", "-d", NULL};
    static const char *const run_args[] = {
        "-n",          "-p",         "--name",  "--prefix", "--with",      "--python", "--project",
        "--directory", "--env-file", "--extra", "--group",  "--index-url", "-e",       NULL};
    static const char *const plain[] = {"nohup",  "time",    "builtin",    "stdbuf", "unbuffer",
                                        "setsid", "chronic", "caffeinate", NULL};
    static const char *const runners[] = {"uv",    "poetry",     "pipenv", "pixi",  "conda",
                                          "mamba", "micromamba", "pdm",    "hatch", NULL};
    size_t i = 0, n = c->nwords;
    for (int guard = 0; guard < 16 && i < n; guard++) {
        while (i < n && shcmd_is_assignment(c->words[i]))
            i++;
        if (i >= n)
            break;
        const char *w = base(c->words[i]);
        if (eq(w, "sudo") || eq(w, "doas"))
            i = skip_opts(c, i + 1, sudo_args);
        else if (eq(w, "env"))
            i = skip_opts(c, i + 1, env_args);
        else if (one_of(w, plain) ||
                 (eq(w, "command") && !eq(word(c, i + 1), "-v") && !eq(word(c, i + 1), "-V")))
            i = skip_opts(c, i + 1, NULL);
        else if (eq(w, "exec"))
            i = skip_opts(c, i + 1, (const char *const[]){"-a", NULL});
        else if (eq(w, "timeout"))
            i = skip_opts(c, i + 1, timeout_args) + 1; /* and the duration */
        else if (eq(w, "nice") || eq(w, "ionice") || eq(w, "numactl"))
            i = skip_opts(c, i + 1, nice_args);
        else if (eq(w, "taskset"))
            i = skip_opts(c, i + 1, NULL) + 1; /* and the CPU mask */
        else if (eq(w, "xargs"))
            i = skip_opts(c, i + 1, xargs_args);
        else if (eq(w, "sshpass"))
            i = skip_opts(c, i + 1, sshpass_args);
        else if (one_of(w, runners) && eq(word(c, i + 1), "run"))
            i = skip_opts(c, i + 2, run_args);
        else
            return i;
    }
    return i < n ? i : n;
}

/* How python was run: -c CODE, -m MODULE (args from margs), or a script. */
struct py {
    const char *code, *module, *script;
    size_t margs;
};

static bool py_parse(const struct shlex_cmd *c, size_t s, struct py *p)
{
    memset(p, 0, sizeof *p);
    if (!versioned(base(word(c, s)), "python"))
        return false;
    for (size_t i = s + 1; i < c->nwords; i++) {
        const char *w = c->words[i];
        if (eq(w, "-c")) {
            p->code = word(c, i + 1);
            break;
        }
        if (eq(w, "-m")) {
            p->module = word(c, i + 1);
            p->margs = i + 2;
            break;
        }
        if (eq(w, "-W") || eq(w, "-X")) {
            i++;
            continue;
        }
        if (w[0] == '-' && w[1])
            continue;
        p->script = w;
        break;
    }
    /* python - <<'EOF' ... EOF: the program is the heredoc */
    if (!p->code && !p->module && (!p->script || eq(p->script, "-")) && c->heredoc) {
        p->code = c->heredoc;
        p->script = NULL;
    }
    return true;
}

/* A script's file name says what it does: download_model.py, fetch_weights.sh, install.sh. */
static unsigned script_bits(const char *path)
{
    const char *b = base(path);
    unsigned k = 0;
    if (ci_find(b, "download") || ci_find(b, "fetch"))
        k |= SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (ci_find(b, "model"))
        k |= SHCMD_MODEL;
    if (ci_find(b, "install"))
        k |= SHCMD_INSTALL;
    return k;
}

static bool is_null_target(const char *t)
{
    return *t == '\0' || eq(t, "-") || eq(t, "/dev/null");
}

/* stdout goes to a file: `> FILE`, `>> FILE`, `&> FILE` (not 2>, not /dev/null). */
static bool stdout_to_file(const struct shlex_cmd *c)
{
    for (size_t r = 0; r < c->nredirs; r++) {
        const char *p = c->redirs[r];
        const char *d = p;
        while (*d >= '0' && *d <= '9')
            d++;
        if (d != p && !(d - p == 1 && *p == '1'))
            continue;
        if (starts(d, "&>>"))
            d += 3;
        else if (starts(d, "&>") || starts(d, ">>") || starts(d, ">|"))
            d += 2;
        else if (d[0] == '>' && d[1] != '&')
            d += 1;
        else
            continue;
        if (!is_null_target(d))
            return true;
    }
    return false;
}

static bool to_stderr(const struct shlex_cmd *c)
{
    for (size_t r = 0; r < c->nredirs; r++)
        if (eq(c->redirs[r], ">&2") || eq(c->redirs[r], "1>&2") ||
            ci_find(c->redirs[r], "/dev/stderr"))
            return true;
    return false;
}

static bool targets_local(const struct shlex_cmd *c, size_t s)
{
    static const char *const hosts[] = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", NULL};
    for (size_t i = s + 1; i < c->nwords; i++)
        for (const char *const *h = hosts; *h; h++)
            if (ci_find(c->words[i], *h))
                return true;
    return false;
}

/* The option letter `want` in a cluster of short options, stopping at the first letter that
 * takes an argument (the rest of the word is that argument). Returns what follows `want`. */
static const char *short_opt(const char *w, char want, const char *with_arg)
{
    if (w[0] != '-' || w[1] == '-' || w[1] == '\0')
        return NULL;
    for (const char *p = w + 1; *p; p++) {
        if (*p == want)
            return p + 1;
        if (strchr(with_arg, *p))
            return NULL;
    }
    return NULL;
}

#define CURL_ARGS "AbcCdDeEFHKmoPQrtTuUwxXyYz"
#define WGET_ARGS "oaeiBtTwQPlARDIXU"

static bool curl_to_disk(const struct shlex_cmd *c, size_t s)
{
    for (size_t i = s + 1; i < c->nwords; i++) {
        const char *w = c->words[i];
        if (eq(w, "--output") || eq(w, "-o"))
            return !is_null_target(word(c, i + 1));
        if (starts(w, "--output="))
            return !is_null_target(w + 9);
        if (starts(w, "--remote-name") || short_opt(w, 'O', CURL_ARGS))
            return true;
        const char *o = short_opt(w, 'o', CURL_ARGS);
        if (o)
            return !is_null_target(*o ? o : word(c, i + 1));
    }
    return stdout_to_file(c);
}

static bool curl_fails(const struct shlex_cmd *c, size_t s)
{
    for (size_t i = s + 1; i < c->nwords; i++)
        if (starts(c->words[i], "--fail") || short_opt(c->words[i], 'f', CURL_ARGS))
            return true;
    return false;
}

static bool wget_to_disk(const struct shlex_cmd *c, size_t s)
{
    for (size_t i = s + 1; i < c->nwords; i++) {
        const char *w = c->words[i], *o = NULL;
        if (starts(w, "--output-document="))
            o = w + 18;
        else if (eq(w, "-O") || eq(w, "--output-document") ||
                 ((o = short_opt(w, 'O', WGET_ARGS)) != NULL && *o == '\0'))
            o = word(c, i + 1);
        if (o)
            return !is_null_target(o) || stdout_to_file(c);
    }
    return true;
}

/* set -e, set -eu, set -Eeuo pipefail, set -o errexit */
static bool sets_errexit(const char *const *w, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++) {
        if (eq(w[i], "--") || w[i][0] != '-')
            break;
        for (const char *p = w[i] + 1; *p; p++) {
            if (*p == 'e')
                return true;
            if (*p == 'o') {
                const char *name = p[1] ? p + 1 : (i + 1 < n ? w[i + 1] : "");
                if (eq(name, "errexit"))
                    return true;
                i += p[1] ? 0 : 1; /* set -o nounset -o errexit */
                break;
            }
        }
    }
    return false;
}

/* #!/bin/bash -e, #!/usr/bin/env -S bash -eu */
bool shcmd_shebang_errexit(const char *text, size_t len)
{
    if (len < 2 || text[0] != '#' || text[1] != '!')
        return false;
    char line[256];
    size_t n = 0;
    for (size_t i = 2; i < len && text[i] != '\n' && n < sizeof line - 1; i++)
        line[n++] = text[i] ? text[i] : ' ';
    line[n] = '\0';
    const char *w[16];
    size_t nw = 0;
    for (char *p = line; *p && nw < 16;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            *p++ = '\0';
        if (*p)
            w[nw++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
    }
    size_t i = 0;
    if (nw && eq(base(w[0]), "env")) {
        i = 1;
        while (i < nw && w[i][0] == '-')
            i++;
    }
    if (i >= nw)
        return false;
    const char *interp = base(w[i]);
    size_t il = strlen(interp);
    if (il < 2 || !eq(interp + il - 2, "sh"))
        return false;
    return sets_errexit(w, nw, i + 1);
}

/* Splits text into alphanumeric words: a marker word ("done", "SETUP_COMPLETE") makes it a
 * success marker unless a word says otherwise ("not", "failed", "waiting"). */
static bool marker_text(const char *text, bool *neg)
{
    static const char *const yes[] = {"done",      "success", "successful", "successfully",
                                      "succeeded", "ready",   "complete",   "completed",
                                      "finished",  NULL};
    static const char *const no[] = {
        "not",    "no",     "fail",    "failed",     "failure", "fails",   "error",
        "errors", "fatal",  "warning", "warn",       "waiting", "wait",    "until",
        "unable", "cannot", "missing", "timeout",    "abort",   "aborted", "when",
        "once",   "if",     "will",    "incomplete", NULL};
    bool found = false;
    const char *p = text;
    while (*p) {
        while (*p && !is_alnum(*p))
            p++;
        char tok[16];
        size_t n = 0;
        while (is_alnum(*p)) {
            if (n < sizeof tok - 1)
                tok[n] = lower(*p);
            n++;
            p++;
        }
        if (n == 0 || n >= sizeof tok)
            continue;
        tok[n] = '\0';
        if (one_of(tok, yes))
            found = true;
        else if (one_of(tok, no))
            *neg = true;
    }
    return found;
}

static bool is_marker(const struct shlex_cmd *c, size_t s, const char *name)
{
    bool found = false, neg = false;
    if (eq(name, "echo") || eq(name, "printf")) {
        if (to_stderr(c))
            return false;
        for (size_t i = s + 1; i < c->nwords; i++)
            if (!(eq(name, "echo") && i == s + 1 && c->words[i][0] == '-'))
                found |= marker_text(c->words[i], &neg);
    } else if (eq(name, "touch")) {
        for (size_t i = s + 1; i < c->nwords; i++)
            if (c->words[i][0] != '-')
                found |= marker_text(base(c->words[i]), &neg);
    }
    return found && !neg;
}

/* test, [ and [[: what kind of check. */
static unsigned test_bits(const struct shlex_cmd *c, size_t s)
{
    static const char *const file_ops[] = {"-e", "-f", "-d", "-s", "-r", "-h", "-L", NULL};
    static const char *const num_ops[] = {"-lt", "-le", "-gt", "-ge", "-eq", "-ne", NULL};
    unsigned k = SHCMD_CHECK;
    for (size_t i = s + 1; i < c->nwords; i++) {
        if (one_of(c->words[i], file_ops))
            k |= SHCMD_EXISTS;
        if (one_of(c->words[i], num_ops))
            k |= SHCMD_NUMCMP;
    }
    return k;
}

static bool has_short_or_long(const struct shlex_cmd *c, size_t s, char opt, const char *lng,
                              const char *with_arg)
{
    for (size_t i = s + 1; i < c->nwords; i++)
        if (eq(c->words[i], lng) || short_opt(c->words[i], opt, with_arg))
            return true;
    return false;
}

/* The first word after s that is not an option. */
static const char *first_arg(const struct shlex_cmd *c, size_t s)
{
    for (size_t i = s + 1; i < c->nwords; i++)
        if (c->words[i][0] != '-')
            return c->words[i];
    return "";
}

static unsigned install_bits(const struct shlex_cmd *c, size_t s, const char *name)
{
    static const char *const apt[] = {"apt", "apt-get", "yum", "dnf", "microdnf", "zypper", NULL};
    static const char *const npm[] = {"npm", "pnpm", "yarn", "bun", NULL};
    static const char *const conda[] = {"conda", "mamba", "micromamba", NULL};
    static const char *const other[] = {"pipx",   "cargo", "gem", "brew",
                                        "poetry", "pdm",   "mim", NULL};
    const char *a1 = word(c, s + 1), *a2 = word(c, s + 2);
    if (versioned(name, "pip") && (eq(a1, "install") || eq(a1, "download")))
        return SHCMD_INSTALL;
    if (eq(name, "uv") &&
        ((eq(a1, "pip") && (eq(a2, "install") || eq(a2, "sync"))) || eq(a1, "sync") ||
         eq(a1, "add") || (eq(a1, "tool") && eq(a2, "install"))))
        return SHCMD_INSTALL;
    if (one_of(name, conda) && (eq(a1, "install") || eq(a1, "create") || eq(a1, "update") ||
                                (eq(a1, "env") && (eq(a2, "create") || eq(a2, "update")))))
        return SHCMD_INSTALL;
    if (one_of(name, apt) && (has_word(c, s + 1, "install") || has_word(c, s + 1, "reinstall")))
        return SHCMD_INSTALL;
    if (eq(name, "apk") && has_word(c, s + 1, "add"))
        return SHCMD_INSTALL;
    if (one_of(name, npm)) {
        const char *sub = first_arg(c, s);
        if (eq(sub, "install") || eq(sub, "i") || eq(sub, "ci") || eq(sub, "add"))
            return SHCMD_INSTALL;
    }
    if (one_of(name, other) && eq(a1, "install"))
        return SHCMD_INSTALL;
    return 0;
}

static unsigned python_bits(const struct shlex_cmd *c, const struct py *py)
{
    unsigned k = 0;
    if (py->module && eq(py->module, "pip") && eq(word(c, py->margs), "install"))
        k |= SHCMD_INSTALL;
    if (py->module && has_word(c, py->margs, "download")) /* python -m huggingface_hub... */
        k |= SHCMD_MODEL | SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (py->script)
        k |= script_bits(py->script);
    const char *code = py->code;
    if (!code)
        return k;
    if (ci_find(code, "snapshot_download") || ci_find(code, "hf_hub_download"))
        k |= SHCMD_MODEL | SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (ci_find(code, "from_pretrained"))
        k |= SHCMD_MODEL | SHCMD_DOWNLOAD;
    if (ci_find(code, "urlretrieve"))
        k |= SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (ci_find(code, "torch.cuda.is_available"))
        k |= SHCMD_CHECK;
    if (ci_find(code, "assert") || ci_find(code, "os.path.") || ci_find(code, ".exists(") ||
        ci_find(code, "getsize") || ci_find(code, ".stat("))
        k |= SHCMD_CHECK | SHCMD_EXISTS;
    return k;
}

static unsigned classify(const struct shlex_cmd *c, size_t s)
{
    static const char *const sizes[] = {"du", "stat", "ls", "wc", NULL};
    static const char *const sums[] = {"sha256sum", "sha1sum", "sha512sum", "md5sum",
                                       "b2sum",     "cksum",   NULL};
    static const char *const shells[] = {"bash", "sh", "dash", "zsh", "source", ".", NULL};
    if (s >= c->nwords)
        return 0;
    const char *name = base(c->words[s]);
    const char *a1 = word(c, s + 1), *a2 = word(c, s + 2);
    unsigned k = install_bits(c, s, name);
    struct py py;
    if (py_parse(c, s, &py))
        k |= python_bits(c, &py);

    if (eq(name, "set"))
        k |= SHCMD_SETUP |
             (sets_errexit((const char *const *)c->words, c->nwords, s + 1) ? SHCMD_SET_E : 0);
    else if (eq(name, "trap") || eq(name, "shopt"))
        k |= SHCMD_SETUP;
    if (eq(name, "true") || eq(name, ":") ||
        ((eq(name, "exit") || eq(name, "return")) && eq(a1, "0")))
        k |= SHCMD_SWALLOW;
    if (eq(name, "break") || eq(name, "exit") || eq(name, "return"))
        k |= SHCMD_LEAVE;

    if (eq(name, "curl") || eq(name, "wget")) {
        bool local = targets_local(c, s);
        bool spider = eq(name, "wget") && has_word(c, s + 1, "--spider");
        k |= SHCMD_PROBE;
        if (!local && !spider)
            k |= SHCMD_DOWNLOAD;
        if (!local && !spider && (eq(name, "curl") ? curl_to_disk(c, s) : wget_to_disk(c, s)))
            k |= SHCMD_TO_DISK;
        if (spider || (eq(name, "curl") && curl_fails(c, s)))
            k |= SHCMD_CHECK;
        if (local && eq(name, "curl") && has_word(c, s + 1, "--retry-connrefused"))
            k |= SHCMD_WAIT;
        for (size_t i = s + 1; i < c->nwords && local && eq(name, "curl"); i++)
            if (eq(c->words[i], "--retry") && i + 1 < c->nwords && c->words[i + 1][0] != '0')
                k |= SHCMD_WAIT;
    }
    if (eq(name, "nc") || eq(name, "ncat") || eq(name, "netcat"))
        k |= SHCMD_PROBE | (has_word(c, s + 1, "-z") ? SHCMD_CHECK : 0);
    if (eq(name, "aria2c") || eq(name, "gdown"))
        k |= SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (eq(name, "git")) {
        size_t i = skip_opts(c, s + 1, (const char *const[]){"-C", "-c", NULL});
        const char *sub = word(c, i), *next = word(c, i + 1);
        if (eq(sub, "clone") || (eq(sub, "submodule") && eq(next, "update")))
            k |= SHCMD_CLONE;
        if (eq(sub, "lfs") && (eq(next, "pull") || eq(next, "fetch")))
            k |= SHCMD_DOWNLOAD | SHCMD_TO_DISK | SHCMD_MODEL;
    }
    if ((eq(name, "huggingface-cli") || eq(name, "hf")) && eq(a1, "download"))
        k |= SHCMD_MODEL | SHCMD_DOWNLOAD | SHCMD_TO_DISK;
    if (eq(name, "ollama") && eq(a1, "pull"))
        k |= SHCMD_MODEL | SHCMD_DOWNLOAD;
    if (one_of(name, shells)) {
        if (!eq(a1, "-c"))
            k |= script_bits(first_arg(c, s));
        else if (s > 0 && has_word(c, 0, "timeout") && (ci_find(a2, "curl") || ci_find(a2, "wget")))
            k |= SHCMD_WAIT; /* timeout 300 bash -c 'until curl ...; do sleep 1; done' */
    } else if (strchr(c->words[s], '/') || ci_find(name, ".sh") || ci_find(name, ".py")) {
        k |= script_bits(name);
    }
    if (starts(name, "wait-for") || starts(name, "wait_for"))
        k |= SHCMD_WAIT;
    if ((k & SHCMD_PROBE) && s > 0 && has_word(c, 0, "timeout"))
        k |= SHCMD_WAIT;

    if (eq(name, "test") || eq(name, "[") || eq(name, "[["))
        k |= test_bits(c, s);
    if ((eq(name, "((") || eq(name, "let")) && (strpbrk(a1, "<>") || strstr(a1, "==")))
        k |= SHCMD_NUMCMP;
    if (one_of(name, sizes))
        k |= SHCMD_CHECK | SHCMD_EXISTS;
    if (one_of(name, sums))
        k |= SHCMD_EXISTS | (has_short_or_long(c, s, 'c', "--check", "") ? SHCMD_CHECK : 0);
    if (eq(name, "nvidia-smi"))
        k |= SHCMD_CHECK;
    if (eq(name, "grep") && has_short_or_long(c, s, 'q', "--quiet", "efmABCD"))
        k |= SHCMD_CHECK;
    if (is_marker(c, s, name))
        k |= SHCMD_MARKER;
    return k;
}

/* docker run -d, docker compose up -d, tmux new -d, screen -dm, setsid -f */
static bool detached(const struct shlex_cmd *c, size_t s, const char *name)
{
    const char *a1 = word(c, s + 1), *a2 = word(c, s + 2);
    if ((eq(name, "docker") && eq(a1, "run")) ||
        (eq(name, "docker") && eq(a1, "compose") && eq(a2, "up")) ||
        (eq(name, "docker-compose") && eq(a1, "up")) ||
        (eq(name, "tmux") && (eq(a1, "new") || eq(a1, "new-session"))))
        return has_word(c, s + 1, "--detach") || has_short_or_long(c, s, 'd', "-d", "pvecwnsx");
    if (eq(name, "screen"))
        return has_short_or_long(c, s, 'd', "-d", "") && has_short_or_long(c, s, 'm', "-m", "");
    for (size_t i = 0; i < s; i++)
        if (eq(base(c->words[i]), "setsid") &&
            (eq(word(c, i + 1), "-f") || eq(word(c, i + 1), "--fork")))
            return true;
    return false;
}

static bool is_service(const struct shlex_cmd *c, size_t s, unsigned k)
{
    static const char *const tools[] = {
        "sleep", "wait", "tail",   "cat",   "echo",    "printf", "tee",    "true", "false",
        ":",     "cd",   "export", "read",  "kill",    "logger", "watch",  "grep", "sed",
        "awk",   "head", "sort",   "ssh",   "autossh", "scp",    "rsync",  "tar",  "unzip",
        "cp",    "mv",   "rm",     "mkdir", "chmod",   "chown",  "ln",     "find", "wget",
        "curl",  "nc",   "test",   "[",     "[[",      "exit",   "return", "set",  NULL};
    if (s >= c->nwords || (c->flags & SHLEX_INSUBST))
        return false;
    const char *name = base(c->words[s]);
    if (detached(c, s, name))
        return true;
    if (!(c->flags & SHLEX_BG) || (k & (SHCMD_INSTALL | SHCMD_DOWNLOAD | SHCMD_CLONE)))
        return false;
    return !one_of(name, tools);
}

/* --- risky options ---------------------------------------------------------------------- */

/* An image reference with a devel tag on a CUDA image: nvidia/cuda:12.1.0-devel-ubuntu22.04,
 * pytorch/pytorch:2.3.0-cuda12.1-cudnn8-devel. Copies it to out. */
static bool devel_image(const char *w, char *out, size_t size)
{
    for (const char *p = ci_find(w, "devel"); p; p = ci_find(p + 1, "devel")) {
        const char *s = p, *e = p;
        while (s > w && p - s < 128 && (is_alnum(s[-1]) || strchr("._/:@-", s[-1])))
            s--;
        while (*e && e - p < 128 && (is_alnum(*e) || strchr("._/:@-", *e)))
            e++;
        size_t n = (size_t)(e - s);
        char tok[260];
        memcpy(tok, s, n);
        tok[n] = '\0';
        const char *colon = strchr(tok, ':');
        if (colon && colon < tok + (p - s) && ci_find(tok, "cuda")) {
            snprintf(out, size, "%s", tok);
            return true;
        }
    }
    return false;
}

static bool toolkit_package(const char *w)
{
    const char *p = strstr(w, "::");
    p = p ? p + 2 : w;
    char name[64] = {0}; /* zeroed so the analyzer sees name[5] set after starts("cuda-") */
    size_t n = 0;
    while (p[n] && !strchr("=<>~!", p[n]) && n < sizeof name - 1) {
        name[n] = lower(p[n]);
        n++;
    }
    name[n] = '\0';
    return eq(name, "cuda") || starts(name, "cuda-toolkit") || starts(name, "cuda-nvcc") ||
           starts(name, "cuda-compiler") || starts(name, "nvidia-cuda-toolkit") ||
           starts(name, "cudatoolkit-dev") ||
           (starts(name, "cuda-") && name[5] >= '0' && name[5] <= '9');
}

/* "StrictHostKeyChecking=no" (or " no", "=off") and "UserKnownHostsFile=/dev/null". */
static const char *insecure_option(const char *w)
{
    const char *p = ci_find(w, "stricthostkeychecking");
    if (p) {
        p += 21;
        while (*p == ' ' || *p == '\t' || *p == '=')
            p++;
        if ((lower(p[0]) == 'n' && lower(p[1]) == 'o' && !is_alnum(p[2])) ||
            (lower(p[0]) == 'o' && lower(p[1]) == 'f' && lower(p[2]) == 'f' && !is_alnum(p[3])))
            return "StrictHostKeyChecking=no";
    }
    p = ci_find(w, "userknownhostsfile");
    if (p) {
        p += 18;
        while (*p == ' ' || *p == '\t' || *p == '=')
            p++;
        if (starts(p, "/dev/null"))
            return "UserKnownHostsFile=/dev/null";
    }
    return NULL;
}

/* What `rm -r TARGET` would wipe: "/", "~", or a variable that may be empty. The variable's
 * name goes to var. */
static enum shcmd_danger rm_danger(const char *t, char *var, size_t size)
{
    if (eq(t, "/") || eq(t, "/*") || eq(t, "//"))
        return SHCMD_RM_ROOT;
    if (eq(t, "~") || eq(t, "~/") || eq(t, "~/*"))
        return SHCMD_RM_HOME;
    if (t[0] != '$')
        return SHCMD_SAFE;
    const char *p = t + 1, *name = p;
    size_t n;
    if (*p == '{') {
        name = ++p;
        while (*p && *p != '}')
            p++;
        if (*p != '}')
            return SHCMD_SAFE;
        n = (size_t)(p - name);
        p++;
        if (memchr(name, '?', n)) /* ${VAR:?} stops on empty */
            return SHCMD_SAFE;
    } else {
        while (*p == '_' || is_alnum(*p))
            p++;
        n = (size_t)(p - name);
    }
    if (n == 0)
        return SHCMD_SAFE;
    snprintf(var, size, "%.*s", (int)(n < 40 ? n : 40), name);
    bool home = n == 4 && memcmp(name, "HOME", 4) == 0;
    if (home && (eq(p, "") || eq(p, "/") || eq(p, "/*")))
        return SHCMD_RM_HOME;
    if (eq(p, "/") || eq(p, "/*"))
        return SHCMD_RM_EMPTY_VAR;
    return SHCMD_SAFE;
}

unsigned shcmd_classify(const struct shlex_cmd *c, size_t start)
{
    unsigned k = classify(c, start);
    return is_service(c, start, k) ? k | SHCMD_SERVICE : k;
}

static bool toolkit_install(const struct shlex_cmd *c, size_t s, char *what, size_t size)
{
    for (size_t i = s + 1; i < c->nwords; i++) {
        if (c->words[i][0] != '-' && toolkit_package(c->words[i])) {
            snprintf(what, size, "%s", c->words[i]);
            return true;
        }
    }
    return false;
}

enum shcmd_devel shcmd_devel(const struct shlex_cmd *c, size_t start, unsigned bits, char *what,
                             size_t size)
{
    for (size_t i = 0; i < c->nwords; i++)
        if (devel_image(c->words[i], what, size))
            return SHCMD_DEVEL_IMAGE;
    if ((bits & SHCMD_INSTALL) && toolkit_install(c, start, what, size))
        return SHCMD_TOOLKIT;
    return SHCMD_NO_DEVEL;
}

const char *shcmd_insecure_ssh(const struct shlex_cmd *c, size_t start)
{
    static const char *const family[] = {"ssh",     "scp",   "sftp", "rsync",
                                         "autossh", "sshfs", "mosh", NULL};
    const char *name = start < c->nwords ? base(c->words[start]) : "";
    bool ssh = one_of(name, family), config = false;
    for (size_t r = 0; r < c->nredirs; r++)
        config |= ci_find(c->redirs[r], ".ssh/config") || ci_find(c->redirs[r], "ssh_config");
    /* elsewhere only text that becomes an ssh command counts: GIT_SSH_COMMAND="ssh -o ...",
     * git -c core.sshCommand=...; an echo's text is data */
    for (size_t i = 0; i < c->nwords; i++) {
        const char *w = c->words[i], *bad = NULL;
        if (ssh || config || (shcmd_is_assignment(w) && ci_find(w, "ssh")) ||
            ci_find(w, "sshcommand"))
            bad = insecure_option(w);
        if (bad)
            return bad;
    }
    return NULL;
}

bool shcmd_plain_tunnel(const struct shlex_cmd *c, size_t start)
{
    if (start >= c->nwords || !eq(base(c->words[start]), "ssh"))
        return false;
    bool bg = (c->flags & SHLEX_BG) != 0, nocmd = false, fwd = false, keep = false;
    for (size_t i = start + 1; i < c->nwords; i++) {
        const char *w = c->words[i];
        if (w[0] != '-' || w[1] == '-' || w[1] == '\0')
            continue;
        for (const char *p = w + 1; *p; p++) {
            if (*p == 'f') {
                bg = true;
            } else if (*p == 'N') {
                nocmd = true;
            } else if (strchr("BbcDEeFIiJLlmOoPpQRSWw", *p)) {
                const char *arg = p[1] ? p + 1 : word(c, i + 1);
                fwd |= *p == 'L' || *p == 'R' || *p == 'D';
                keep |= *p == 'o' && ci_find(arg, "serveraliveinterval") != NULL;
                i += p[1] ? 0 : 1;
                break;
            }
        }
    }
    return bg && nocmd && fwd && !keep;
}

enum shcmd_danger shcmd_destructive(const struct shlex_cmd *c, size_t start, char *var, size_t size)
{
    size_t s = start;
    if (s >= c->nwords)
        return SHCMD_SAFE;
    const char *name = base(c->words[s]), *a1 = word(c, s + 1), *a2 = word(c, s + 2);
    if (eq(name, "vastai") && eq(a1, "destroy"))
        return SHCMD_VASTAI_DESTROY;
    if (eq(name, "runpodctl") && (eq(a1, "remove") || eq(a1, "terminate")))
        return SHCMD_RUNPOD_REMOVE;
    if (eq(name, "docker") && eq(a1, "system") && eq(a2, "prune"))
        return SHCMD_DOCKER_PRUNE;
    if (!eq(name, "rm") || !(has_short_or_long(c, s, 'r', "--recursive", "") ||
                             has_short_or_long(c, s, 'R', "--recursive", "")))
        return SHCMD_SAFE;
    bool opts = true;
    for (size_t i = s + 1; i < c->nwords; i++) {
        const char *w = c->words[i];
        if (opts && eq(w, "--")) {
            opts = false;
            continue;
        }
        if (opts && w[0] == '-' && w[1])
            continue;
        enum shcmd_danger d = rm_danger(w, var, size);
        if (d != SHCMD_SAFE)
            return d;
    }
    return SHCMD_SAFE;
}
