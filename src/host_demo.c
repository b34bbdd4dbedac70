/* The demo's simulated machine: commands really run, locally, with /bin/sh in a sandbox folder
 * (so the detached setup, the log file followed by byte offset and the exit file all work as on
 * a rented host); nvidia-smi is a fixture script reporting the demo GPU; HTTP is answered by a
 * simulated service in the recipe's own shape once the demo setup has "started the server". */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "host.h"
#include "i18n.h"
#include "jsonpath.h"
#include "recipe.h"
#include "xalloc.h"

extern char **environ;

#define DEMO_TASK   "demo-1"
#define DEMO_RESULT "/gpuwarden-demo/result.bin"

struct host_demo {
    struct host base;
    struct demo_gpu gpu;
    char sandbox[700];
    const struct recipe *recipe;
};

struct host_stream {
    pid_t pid;
    int fd;
    bool eof;
};

static struct host_demo *as_demo(struct host *h)
{
    return (struct host_demo *)h;
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The fixture nvidia-smi: one line per GPU, with or without compute_cap as asked. */
static int write_fixture(const struct host_demo *d, struct gw_error *err)
{
    char bin[800], path[820];
    snprintf(bin, sizeof bin, "%s/bin", d->sandbox);
    if (atomicfile_mkdirs(bin) != 0) {
        error_set(err, EXIT_USAGE, _("cannot create the demo sandbox %s: %s"), bin,
                  strerror(errno));
        return SSH_FAILED;
    }
    char with_cc[256], without[256], script[2048];
    snprintf(with_cc, sizeof with_cc, "%s, %.0f, %.1f", d->gpu.name, d->gpu.vram_mib, d->gpu.cc);
    snprintf(without, sizeof without, "%s, %.0f", d->gpu.name, d->gpu.vram_mib);
    int count = d->gpu.count > 0 && d->gpu.count <= 16 ? d->gpu.count : 1;
    snprintf(script, sizeof script,
             "#!/bin/sh\n# the demo GPU, as nvidia-smi --query-gpu would report it\n"
             "i=0\nwhile [ $i -lt %d ]; do\n  case \"$*\" in\n"
             "    *compute_cap*) echo '%s' ;;\n    *) echo '%s' ;;\n  esac\n"
             "  i=$((i + 1))\ndone\n",
             count, with_cc, without);
    snprintf(path, sizeof path, "%s/nvidia-smi", bin);
    if (atomicfile_write(path, script, strlen(script)) != 0 || chmod(path, 0700) != 0) {
        /* TRANSLATORS: a file in the demo's sandbox folder, then why */
        error_set(err, EXIT_USAGE, _("cannot write %s: %s"), path, strerror(errno));
        return SSH_FAILED;
    }
    return SSH_OK;
}

static int demo_connect(struct host *h, struct ssh_hostkey_info *info, struct gw_error *err)
{
    memset(info, 0, sizeof *info);
    return write_fixture(as_demo(h), err);
}

/* Starts `sh -c 'cd "$0" && { cmd }' SANDBOX` with its output on a pipe; the pid and the read end.
 */
static int spawn_shell(struct host_demo *d, const char *cmd, pid_t *pid, int *fd,
                       struct gw_error *err)
{
    /* the sandbox travels as $0, so no quoting of it can go wrong */
    size_t n = strlen(cmd) + 32;
    char *script = xmalloc(n);
    snprintf(script, n, "cd \"$0\" && {\n%s\n}", cmd);
    /* the sandbox's bin first on PATH, and the sandbox named for the demo script */
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = xcalloc(nenv + 3, sizeof *envp);
    size_t k = 0;
    /* and never the API key: a child has no business with it (SPEC §10) */
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "PATH=", 5) != 0 &&
            strncmp(environ[i], "GPUWARDEN_DEMO_SANDBOX=", 23) != 0 &&
            strncmp(environ[i], "VAST_API_KEY=", 13) != 0)
            envp[k++] = environ[i];
    const char *path = getenv("PATH");
    char *path_var = xmalloc(strlen(d->sandbox) + (path ? strlen(path) : 20) + 16);
    sprintf(path_var, "PATH=%s/bin:%s", d->sandbox, path ? path : "/usr/bin:/bin");
    char *sandbox_var = xmalloc(strlen(d->sandbox) + 32);
    sprintf(sandbox_var, "GPUWARDEN_DEMO_SANDBOX=%s", d->sandbox);
    envp[k++] = path_var;
    envp[k++] = sandbox_var;

    int p[2] = {-1, -1};
    int rc = SSH_OK;
    if (pipe(p) != 0) {
        error_set(err, EXIT_USAGE, _("cannot run a demo command: %s"), strerror(errno));
        rc = SSH_FAILED;
    } else {
        fcntl(p[0], F_SETFD, FD_CLOEXEC);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        posix_spawn_file_actions_adddup2(&fa, p[1], 2);
        posix_spawn_file_actions_addclose(&fa, p[1]);
        char *argv[] = {"/bin/sh", "-c", script, d->sandbox, NULL};
        int e = posix_spawn(pid, "/bin/sh", &fa, NULL, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        if (e != 0) {
            close(p[0]);
            error_set(err, EXIT_USAGE, _("cannot run /bin/sh: %s"), strerror(e));
            rc = SSH_FAILED;
        } else {
            fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
            *fd = p[0];
        }
    }
    free(path_var);
    free(sandbox_var);
    free(envp);
    free(script);
    return rc;
}

static int reap(pid_t pid, bool kill_first)
{
    if (kill_first)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int demo_exec(struct host *h, const char *cmd, int timeout_s, size_t max_bytes, char **out,
                     size_t *len, int *exit_status, struct gw_error *err)
{
    pid_t pid;
    int fd;
    int rc = spawn_shell(as_demo(h), cmd, &pid, &fd, err);
    if (rc != SSH_OK)
        return rc;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    long long deadline = ms_now() + (long long)timeout_s * 1000;
    bool timed_out = false;
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        long long left = deadline - ms_now();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        if (poll(&pfd, 1, (int)(left > 200 ? 200 : left)) <= 0)
            continue;
        char chunk[4096];
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            break;
        if (r < 0)
            continue;
        size_t keep = n + (size_t)r > max_bytes ? (max_bytes > n ? max_bytes - n : 0) : (size_t)r;
        if (n + keep + 1 > cap) {
            cap = (n + keep + 1) * 2;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + n, chunk, keep);
        n += keep;
    }
    close(fd);
    *exit_status = reap(pid, timed_out);
    buf[n] = '\0';
    if (timed_out) {
        free(buf);
        error_set(err, EXIT_PROVIDER, _("a demo command took longer than %d s"), timeout_s);
        return SSH_FAILED;
    }
    *out = buf;
    *len = n;
    return SSH_OK;
}

static int demo_upload(struct host *h, const char *path, const char *data, size_t len, int mode,
                       struct gw_error *err)
{
    char full[1200];
    snprintf(full, sizeof full, "%s/%s", as_demo(h)->sandbox, path);
    if (atomicfile_write(full, data, len) != 0 || chmod(full, (mode_t)mode) != 0) {
        error_set(err, EXIT_USAGE, _("cannot write %s: %s"), full, strerror(errno));
        return SSH_FAILED;
    }
    return SSH_OK;
}

static int demo_stream_open(struct host *h, const char *cmd, struct host_stream **out,
                            struct gw_error *err)
{
    struct host_stream *st = xcalloc(1, sizeof *st);
    int rc = spawn_shell(as_demo(h), cmd, &st->pid, &st->fd, err);
    if (rc != SSH_OK) {
        free(st);
        return rc;
    }
    *out = st;
    return SSH_OK;
}

static ssize_t demo_stream_read(struct host_stream *st, char *buf, size_t size, int timeout_ms,
                                bool *eof, struct gw_error *err)
{
    (void)err;
    *eof = st->eof;
    if (st->eof)
        return 0;
    struct pollfd pfd = {st->fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    ssize_t r = read(st->fd, buf, size);
    if (r > 0)
        return r;
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    st->eof = *eof = true;
    return 0;
}

static void demo_stream_close(struct host_stream *st)
{
    close(st->fd);
    reap(st->pid, !st->eof);
    free(st);
}

/* ------------------------------------------------------------------ the simulated service */

static int reply(int code, const char *body, size_t len, int *status, char **resp, size_t *n)
{
    *status = code;
    *resp = xmalloc(len + 1);
    memcpy(*resp, body, len);
    (*resp)[len] = '\0';
    *n = len;
    return SSH_OK;
}

static int reply_json(cJSON *root, int *status, char **resp, size_t *n)
{
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    int rc = reply(200, text, strlen(text), status, resp, n);
    cJSON_free(text);
    return rc;
}

static int demo_http(struct host *h, int port, const char *method, const char *path,
                     const char *body, int timeout_s, size_t max_bytes, int *status,
                     char **resp_body, size_t *resp_len, struct gw_error *err)
{
    (void)body, (void)timeout_s, (void)max_bytes;
    struct host_demo *d = as_demo(h);
    const struct recipe *r = d->recipe;
    const struct recipe_test *t = &r->test;
    char up[800];
    snprintf(up, sizeof up, "%s/service.up", d->sandbox);
    if (port != r->health_port || access(up, F_OK) != 0) {
        error_set(err, EXIT_PROVIDER, _("nothing answers on port %d of the host"), port);
        return SSH_FAILED;
    }
    if (!strcmp(path, r->health_path))
        return reply(200, "{\"status\":\"ok\"}", 15, status, resp_body, resp_len);
    if (!strcmp(method, t->submit.method) && !strcmp(path, t->submit.path)) {
        cJSON *root = cJSON_CreateObject();
        if (t->id_field[0])
            jsonpath_set(root, t->id_field, DEMO_TASK);
        return reply_json(root, status, resp_body, resp_len);
    }
    char *poll_path = recipe_fill_id(t->poll.path, DEMO_TASK);
    bool is_poll = !strcmp(method, t->poll.method) && !strcmp(path, poll_path);
    free(poll_path);
    if (is_poll) {
        cJSON *root = cJSON_CreateObject();
        jsonpath_set(root, t->status_field, t->done);
        jsonpath_set(root, t->result_url_field, DEMO_RESULT);
        return reply_json(root, status, resp_body, resp_len);
    }
    if (!strcmp(path, DEMO_RESULT)) {
        size_t n = t->result_min_bytes > 0 ? (size_t)t->result_min_bytes * 2 : 4096;
        char *data = xmalloc(n);
        memset(data, 'x', n);
        int rc = reply(200, data, n, status, resp_body, resp_len);
        free(data);
        return rc;
    }
    return reply(404, "{\"detail\":\"not found\"}", 22, status, resp_body, resp_len);
}

static void demo_disconnect(struct host *h)
{
    (void)h;
}

static void demo_free(struct host *h)
{
    free(h);
}

static const struct host_ops demo_ops = {
    .connect = demo_connect,
    .exec = demo_exec,
    .upload = demo_upload,
    .stream_open = demo_stream_open,
    .stream_read = demo_stream_read,
    .stream_close = demo_stream_close,
    .http = demo_http,
    .disconnect = demo_disconnect,
    .free = demo_free,
};

struct host *host_demo_new(const struct demo_gpu *gpu, const char *sandbox,
                           const struct recipe *recipe)
{
    struct host_demo *d = xcalloc(1, sizeof *d);
    d->base.ops = &demo_ops;
    d->gpu = *gpu;
    d->recipe = recipe;
    snprintf(d->sandbox, sizeof d->sandbox, "%s", sandbox);
    /* TRANSLATORS: the demo's simulated host, named in "connected to %s"; %s is a folder */
    snprintf(d->base.name, sizeof d->base.name, _("the demo sandbox %s"), sandbox);
    return &d->base;
}
