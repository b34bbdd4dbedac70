/* The launch state machine of SPEC §7, one thread per job. Every wait is short and checks the
 * cancel flag; every failure names its step, its reason and its case, and leaves the instance
 * alone. */
#include "job.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "gpus.h"
#include "host.h"
#include "i18n.h"
#include "jsonpath.h"
#include "logring.h"
#include "smi.h"
#include "state.h"
#include "textwidth.h"
#include "worker.h"
#include "xalloc.h"

#define HTTP_MAX_BYTES (16u << 20) /* a test result (an audio file) can be a few MB */
#define SMI_MAX_BYTES  (64u << 10)
#define HEALTH_EVERY_S 2.0
#define HEALTH_TELL_S  15.0 /* how often a still-failing health check is mentioned */
#define READ_WAIT_MS   500
#define TAIL_LINES     6

struct job {
    struct job_spec spec;
    char remote_base[256];
    char state_dir[512];
    char demo_dir[512];
    char ssh_strings[3][512];  /* user, key path, known_hosts: spec.ssh points here */
    struct provider *provider; /* the thread's own clone */
    struct event_queue *q;
    pthread_t thread;
    atomic_int cancel;
    atomic_bool done;

    /* the worker's own state: touched by the worker thread only */
    struct job_status st;
    struct instance inst;
    struct host *host;
    char remote[320]; /* the job's folder on the host */
    char partial[LOGRING_LINE_MAX];
    size_t npartial;
    char tail[TAIL_LINES][200];
    unsigned ntail;
};

static const char *const step_names[JOB_STEPS] = {"create", "boot",   "connect", "verify",
                                                  "setup",  "health", "test"};
static const char *const state_names[] = {"running", "ready", "failed", "cancelled"};

const char *job_step_name(enum job_step s)
{
    return (unsigned)s < JOB_STEPS ? step_names[s] : "?";
}

const char *job_state_name(enum job_state s)
{
    return (unsigned)s <= JOB_CANCELLED ? state_names[s] : "?";
}

static double env_seconds(const char *name, double fallback)
{
    const char *v = getenv(name);
    char *end;
    double d = v && *v ? strtod(v, &end) : NAN;
    return v && *v && *end == '\0' && d >= 0 && d < 1e7 ? d : fallback;
}

void job_timing_default(struct job_timing *t)
{
    t->boot_poll_s = env_seconds("GPUWARDEN_BOOT_POLL_S", 10);
    t->boot_warn_s = env_seconds("GPUWARDEN_BOOT_WARN_S", 600);
    t->boot_timeout_s = env_seconds("GPUWARDEN_BOOT_TIMEOUT_S", 1800);
    t->connect_retry_s = env_seconds("GPUWARDEN_CONNECT_RETRY_S", 5);
    t->connect_attempts = 3;
    t->reconnect_attempts = 3;
}

bool job_parse_phase(const char *line, int *n, char *name, size_t size)
{
    int start = 0, num = 0;
    if (sscanf(line, "=== Phase %d:%n", &num, &start) != 1 || start == 0 || num < 0)
        return false;
    const char *p = line + start;
    while (*p == ' ')
        p++;
    const char *end = strstr(p, " ===");
    if (end == NULL || end == p)
        return false;
    *n = num;
    snprintf(name, size, "%.*s", (int)(end - p), p);
    return true;
}

/* ------------------------------------------------------------------ reporting */

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool cancelled(struct job *j)
{
    return atomic_load(&j->cancel) != 0;
}

/* Sleeps up to `s` seconds in short slices; false when cancelled meanwhile. */
static bool nap(struct job *j, double s)
{
    double until = wall_now() + s;
    while (!cancelled(j)) {
        double left = until - wall_now();
        if (left <= 0)
            return true;
        struct timespec ts = {0, (long)(fmin(left, 0.1) * 1e9)};
        nanosleep(&ts, NULL);
    }
    return false;
}

void job_status_free(void *payload)
{
    free(payload);
}

static void persist(struct job *j)
{
    if (!j->state_dir[0] || j->st.instance_id == 0)
        return;
    struct state_job s = {0};
    s.instance_id = j->st.instance_id;
    s.offer_id = j->st.offer_id;
    snprintf(s.provider, sizeof s.provider, "%s", provider_name(j->provider));
    snprintf(s.recipe, sizeof s.recipe, "%s", j->st.recipe);
    snprintf(s.label, sizeof s.label, "gpuwarden:%s", j->st.recipe);
    snprintf(s.gpu_name, sizeof s.gpu_name, "%s", j->st.gpu_name);
    s.dph_total = j->st.dph_total;
    s.num_gpus = j->spec.offer.num_gpus;
    s.gpu_ram_mib = j->spec.offer.gpu_ram_mib;
    s.created_at = j->st.started_at;
    snprintf(s.step, sizeof s.step, "%s", job_step_name(j->st.step));
    snprintf(s.state, sizeof s.state, "%s", job_state_name(j->st.state));
    snprintf(s.message, sizeof s.message, "%s", j->st.message);
    s.case_id = j->st.case_id;
    s.setup_s = j->st.setup_s;
    snprintf(s.ssh, sizeof s.ssh, "%s", j->host ? j->host->name : "");
    struct gw_error err = {0};
    if (state_put(j->state_dir, &s, &err) != 0) {
        /* losing the state file costs re-attach after a restart, not the launch: say so once */
        j->state_dir[0] = '\0';
        snprintf(j->st.message, sizeof j->st.message, _("job state not saved: %.350s"), err.msg);
        textwidth_repair(j->st.message);
    }
}

/* Posts the current status with a message line. */
static void say(struct job *j, bool warn, int case_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct job *j, bool warn, int case_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->st.message, sizeof j->st.message, fmt, ap);
    va_end(ap);
    textwidth_repair(j->st.message);
    j->st.warn = warn;
    if (case_id)
        j->st.case_id = case_id;
    struct event *ev = event_new(EVENT_JOB_STEP);
    ev->source = j->spec.id;
    event_set_text(ev, "%s", j->st.message);
    struct job_status *copy = xmalloc(sizeof *copy);
    *copy = j->st;
    ev->payload = copy;
    ev->payload_free = job_status_free;
    events_post(j->q, ev);
}

static void enter(struct job *j, enum job_step step)
{
    j->st.step = step;
    j->st.step_started_at = wall_now();
    j->st.case_id = 0;
}

/* Ends the job FAILED: the instance is left as it is. Returns -1 for the caller to return. */
static int fail(struct job *j, int case_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct job *j, int case_id, const char *fmt, ...)
{
    if (cancelled(j))
        return -1; /* the cancel path reports instead */
    char msg[sizeof j->st.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    textwidth_repair(msg);
    j->st.state = JOB_FAILED;
    say(j, false, case_id, "%s", msg);
    persist(j);
    return -1;
}

/* ------------------------------------------------------------------ log lines */

static void remember_tail(struct job *j, const char *line)
{
    snprintf(j->tail[j->ntail % TAIL_LINES], sizeof j->tail[0], "%s", line);
    j->ntail++;
}

/* One complete output line, made ready for the log: a progress bar redrawn with '\r' keeps what
 * a terminal would show. Returns the start of what is kept; *len is its length. */
static char *line_clean(char *line, size_t *len)
{
    while (*len > 0 && (line[*len - 1] == '\r' || line[*len - 1] == '\n'))
        line[--*len] = '\0';
    for (size_t i = *len; i > 0; i--) {
        if (line[i - 1] == '\r') {
            *len -= i;
            return line + i;
        }
    }
    return line;
}

/* Splits a chunk of setup output into lines and posts the complete ones in batches. A phase line
 * also moves the phase indicator, posted right after the batch that holds it, so the log shows
 * the script's line before gpuwarden's note about it. */
static void feed_output(struct job *j, const char *buf, size_t len)
{
    enum { BATCH = 256 };
    const char *lines[BATCH];
    size_t lens[BATCH], n = 0;
    /* complete lines are copied into one scratch buffer so the batch can point at them */
    char *scratch = xmalloc(len + sizeof j->partial + 1);
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c != '\n') {
            if (j->npartial < sizeof j->partial - 1)
                j->partial[j->npartial++] = c;
            continue;
        }
        char *raw = scratch + used;
        memcpy(raw, j->partial, j->npartial);
        raw[j->npartial] = '\0';
        used += j->npartial + 1;
        size_t n_len = j->npartial;
        char *line = line_clean(raw, &n_len);
        j->npartial = 0;
        remember_tail(j, line);
        lines[n] = line;
        lens[n++] = n_len;
        int phase;
        char name[sizeof j->st.phase_name];
        bool is_phase = job_parse_phase(line, &phase, name, sizeof name);
        if (n == BATCH || is_phase) {
            events_post(j->q, events_log_lines(j->spec.id, lines, lens, n));
            n = 0;
        }
        if (is_phase) {
            j->st.phase = phase;
            snprintf(j->st.phase_name, sizeof j->st.phase_name, "%s", name);
            /* TRANSLATORS: a phase of the setup script: its number and its name, as the
             * script prints them ("=== Phase 2: Install PyTorch ===") */
            say(j, false, 0, _("phase %d: %s"), phase, name);
        }
    }
    if (n > 0)
        events_post(j->q, events_log_lines(j->spec.id, lines, lens, n));
    free(scratch);
}

static void flush_output(struct job *j)
{
    if (j->npartial > 0)
        feed_output(j, "\n", 1);
}

/* ------------------------------------------------------------------ create, boot */

static int step_create(struct job *j)
{
    const struct recipe *r = j->spec.recipe;
    enter(j, JOB_CREATE);
    const char *keys[RECIPE_MAX_ENV], *values[RECIPE_MAX_ENV];
    for (size_t i = 0; i < r->nenv; i++) {
        keys[i] = r->env[i].key;
        values[i] = r->env[i].value;
    }
    char label[96];
    snprintf(label, sizeof label, "gpuwarden:%s", r->name);
    double disk = isnan(r->disk_gb) ? 32 : r->disk_gb;
    struct create_request req = {.offer_id = j->spec.offer.id,
                                 .image = r->image,
                                 .disk_gb = disk,
                                 .label = label,
                                 .env_keys = keys,
                                 .env_values = values,
                                 .nenv = r->nenv,
                                 .ports = r->ports,
                                 .nports = r->nports};
    /* TRANSLATORS: offer id, GPU name, price per hour, image, disk size, instance label */
    say(j, false, 0, _("renting offer %lld (%s, $%.3f/h) with %s, %.0f GB disk, label %s"),
        (long long)j->spec.offer.id, j->spec.offer.gpu_name, j->spec.offer.dph_total, r->image,
        disk, label);
    struct gw_error err = {0};
    int64_t id = 0;
    if (provider_create(j->provider, &req, &id, &err) != 0)
        return fail(j, 0, "%s", err.msg);
    j->st.instance_id = id;
    say(j, false, 0, _("instance %lld created: storage is billed from now, the GPU once it runs"),
        (long long)id);
    persist(j);
    return 0;
}

/* "45 s" or "12 min": boot limits are minutes by default, seconds when configured so. */
static void duration_text(double s, char *out, size_t size)
{
    if (s < 120)
        /* TRANSLATORS: a duration in seconds, put into the boot sentences */
        snprintf(out, size, _("%.0f s"), s);
    else
        /* TRANSLATORS: a duration in minutes, put into the boot sentences */
        snprintf(out, size, _("%.0f min"), s / 60);
}

static bool never_runs(const char *status)
{
    return !strcmp(status, "exited") || !strcmp(status, "unknown") || !strcmp(status, "offline");
}

static int step_boot(struct job *j)
{
    enter(j, JOB_BOOT);
    persist(j);
    say(j, false, 0, _("waiting for instance %lld to run (checked every %g s)"),
        (long long)j->st.instance_id, j->spec.timing.boot_poll_s);
    char last_msg[256] = "";
    bool warned = false;
    double start = wall_now();
    for (;;) {
        struct gw_error err = {0};
        int rc = provider_show(j->provider, j->st.instance_id, &j->inst, &err);
        if (cancelled(j))
            return -1;
        double waited = wall_now() - start;
        if (rc == 0)
            return fail(j, 0, _("instance %lld no longer exists at the provider"),
                        (long long)j->st.instance_id);
        if (rc < 0) {
            say(j, true, 0, _("cannot read the instance's status (will retry): %s"), err.msg);
        } else if (!strcmp(j->inst.actual_status, "running")) {
            say(j, false, 0, _("running after %.0f s: the GPU is billed from now"), waited);
            return 0;
        } else if (never_runs(j->inst.actual_status)) {
            return fail(
                j, 0,
                /* TRANSLATORS: %s is the provider's state of the instance (exited, offline...) */
                _("instance %lld is '%s': it will never reach running; it still bills "
                  "storage, so stop or destroy it and pick another offer"),
                (long long)j->st.instance_id, j->inst.actual_status);
        } else if (strcmp(last_msg, j->inst.status_msg) != 0 || last_msg[0] == '\0') {
            snprintf(last_msg, sizeof last_msg, "%s", j->inst.status_msg);
            /* the state is the provider's word, shown as it is ("provisioning" stands in) */
            say(j, false, 0, "%s: %s",
                j->inst.actual_status[0] ? j->inst.actual_status : "provisioning",
                j->inst.status_msg[0] ? j->inst.status_msg : _("(no status message yet)"));
            if (!last_msg[0])
                snprintf(last_msg, sizeof last_msg, "-");
        }
        char took[32];
        duration_text(waited, took, sizeof took);
        if (waited >= j->spec.timing.boot_timeout_s)
            return fail(j, 5,
                        /* TRANSLATORS: %s is a duration ("45 s", "30 min") */
                        _("instance %lld is still not running after %s (image pull too "
                          "slow?); it bills storage meanwhile"),
                        (long long)j->st.instance_id, took);
        if (waited >= j->spec.timing.boot_warn_s && !warned) {
            warned = true;
            /* TRANSLATORS: %s is a duration ("45 s", "30 min") */
            say(j, true, 5, _("image pull slow: %s and not running yet (case 5)"), took);
        }
        if (!nap(j, j->spec.timing.boot_poll_s))
            return -1;
    }
}

/* ------------------------------------------------------------------ connect */

static struct host *make_host(struct job *j, struct gw_error *err)
{
    if (!strcmp(provider_name(j->provider), "demo")) {
        struct demo_gpu gpu;
        if (!provider_demo_gpu(j->provider, j->st.instance_id, &gpu)) {
            error_set(err, EXIT_PROVIDER, _("the demo has no instance %lld"),
                      (long long)j->st.instance_id);
            return NULL;
        }
        char sandbox[700];
        snprintf(sandbox, sizeof sandbox, "%s/%lld", j->demo_dir, (long long)j->st.instance_id);
        return host_demo_new(&gpu, sandbox, j->spec.recipe);
    }
    char host[128];
    int port = 0;
    if (!instance_ssh_address(&j->inst, host, sizeof host, &port)) {
        error_set(err, EXIT_PROVIDER, _("instance %lld reports no SSH address yet"),
                  (long long)j->st.instance_id);
        return NULL;
    }
    struct ssh_config cfg = j->spec.ssh;
    cfg.host = host;
    cfg.port = port;
    cfg.cancel = &j->cancel;
    return host_ssh_new(&cfg);
}

/* Connects (or reconnects) with up to `attempts` tries: 0, -1 after reporting the failure. */
static int connect_host(struct job *j, int attempts)
{
    struct gw_error err = {0};
    if (j->host == NULL && (j->host = make_host(j, &err)) == NULL)
        return fail(j, 0, "%s", err.msg);
    double pause = j->spec.timing.connect_retry_s;
    for (int i = 1; i <= attempts; i++) {
        struct ssh_hostkey_info info = {0};
        memset(&err, 0, sizeof err);
        int rc = host_connect(j->host, &info, &err);
        if (rc == SSH_OK) {
            if (info.fingerprint[0]) {
                /* TRANSLATORS: host, key type (ssh-ed25519), fingerprint (SHA256:...), and
                 * whether the key was new or known */
                say(j, false, 0, _("connected to %s; host key %s %s (%s)"), j->host->name,
                    info.type, info.fingerprint,
                    info.first_use ? _("first use: stored in gpuwarden's known_hosts")
                                   : _("matches gpuwarden's known_hosts"));
            } else {
                say(j, false, 0, _("connected to %s"), j->host->name);
            }
            return 0;
        }
        if (rc == SSH_CANCELLED || cancelled(j))
            return -1;
        if (rc == SSH_HOSTKEY)
            return fail(j, 4,
                        /* TRANSLATORS: %s says whose host key changed, from what to what */
                        _("%s; not connecting: a changed key is never accepted "
                          "automatically"),
                        err.msg);
        say(j, true, 4, _("connection attempt %d of %d failed: %s"), i, attempts, err.msg);
        if (i < attempts && !nap(j, pause))
            return -1;
        pause *= 2;
    }
    return fail(j, 4,
                _("host abandoned after %d failed connection attempts (last: %s); pick another "
                  "offer"),
                attempts, err.msg);
}

static int step_connect(struct job *j)
{
    enter(j, JOB_CONNECT);
    persist(j);
    /* said before the first attempt: three silent ones can take minutes */
    struct gw_error err = {0};
    if (j->host == NULL && (j->host = make_host(j, &err)) == NULL)
        return fail(j, 0, "%s", err.msg);
    if (strcmp(provider_name(j->provider), "demo") != 0)
        say(j, false, 0, _("connecting to %s over SSH (%d attempts, %d s each)"), j->host->name,
            j->spec.timing.connect_attempts,
            j->spec.ssh.connect_timeout_s > 0 ? j->spec.ssh.connect_timeout_s : 30);
    return connect_host(j, j->spec.timing.connect_attempts);
}

/* After a lost connection: drop it and connect again, saying why. */
static int reconnect(struct job *j, const char *why)
{
    say(j, true, 4, _("connection lost (%s); reconnecting"), why);
    host_disconnect(j->host);
    return connect_host(j, j->spec.timing.reconnect_attempts);
}

/* ------------------------------------------------------------------ verify */

/* Runs a command, reconnecting once if the connection drops. */
static int run(struct job *j, const char *cmd, int timeout_s, char **out, int *status,
               struct gw_error *err)
{
    size_t len;
    for (int tries = 0;; tries++) {
        int rc = host_exec(j->host, cmd, timeout_s, SMI_MAX_BYTES, out, &len, status, err);
        if (rc != SSH_LOST || tries > 0)
            return rc;
        if (reconnect(j, err->msg) != 0)
            return SSH_CANCELLED;
    }
}

static int step_verify(struct job *j)
{
    enter(j, JOB_VERIFY);
    persist(j);
    say(j, false, 0, _("checking the GPU with nvidia-smi"));
    struct gw_error err = {0};
    char *out = NULL;
    int status = 0;
    struct smi_report rep;
    int rc = run(j, SMI_QUERY, 60, &out, &status, &err);
    enum smi_status ps = SMI_ERROR;
    if (rc == SSH_OK) {
        ps = smi_parse(out, strlen(out), true, &rep, &err);
        if (ps == SMI_NEEDS_FALLBACK) {
            free(out);
            out = NULL;
            say(j, false, 0, _("this driver's nvidia-smi has no compute_cap: asking without it"));
            rc = run(j, SMI_QUERY_OLD, 60, &out, &status, &err);
            ps = rc == SSH_OK ? smi_parse(out, strlen(out), false, &rep, &err) : SMI_ERROR;
        }
    }
    free(out);
    if (rc != SSH_OK) {
        j->st.row9 = CHECK_UNKNOWN;
        return cancelled(j) ? -1 : fail(j, 0, _("cannot run nvidia-smi: %s"), err.msg);
    }
    if (ps != SMI_OK) {
        j->st.row9 = CHECK_FAIL;
        return fail(j, 7, _("nvidia-smi gave no usable answer (exit %d): %s"), status, err.msg);
    }
    struct smi_verdict v;
    smi_judge(&rep, &j->spec.offer, j->spec.required_vram_gb, gpus_builtin(), &v);
    for (size_t i = 0; i < rep.count; i++) {
        char cc[24] = "";
        if (!isnan(rep.gpus[i].cc))
            snprintf(cc, sizeof cc, ", sm_%.0f", rep.gpus[i].cc * 10);
        /* TRANSLATORS: GPU index, name, memory, and ", sm_86" when the compute capability is
         * known */
        say(j, false, 0, _("GPU %zu: %s, %.0f MiB%s"), i, rep.gpus[i].name, rep.gpus[i].vram_mib,
            cc);
    }
    if (v.level == LEVEL_BLOCK) {
        j->st.row9 = CHECK_FAIL;
        j->st.ask_destroy = v.case_id == 7;
        return fail(j, v.case_id, "%s", v.message);
    }
    j->st.row9 = v.level == LEVEL_WARN ? CHECK_WARN : CHECK_PASS;
    say(j, v.level == LEVEL_WARN, v.case_id, "%s", v.message);
    return 0;
}

/* ------------------------------------------------------------------ setup */

/* 'text' for sh, with embedded single quotes closed, escaped and reopened. */
static void sh_quote(const char *s, char *out, size_t size)
{
    size_t n = 0;
    if (size < 3)
        return;
    out[n++] = '\'';
    for (; *s && n + 6 < size; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *s;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
}

/* The wrapper that runs the setup detached: its output goes to setup.log and its exit status to
 * setup.exit (written whole, by rename), so a reconnect finds both whatever happened meanwhile. */
static char *runner_script(const struct recipe *r)
{
    size_t size = 512 + r->nenv * 700;
    char *s = xmalloc(size);
    size_t n = (size_t)snprintf(s, size,
                                "#!/bin/sh\n# written by gpuwarden\ncd \"$(dirname "
                                "\"$0\")\" || exit 1\n");
    for (size_t i = 0; i < r->nenv; i++) {
        char q[600];
        sh_quote(r->env[i].value, q, sizeof q);
        n += (size_t)snprintf(s + n, size - n, "export %s=%s\n", r->env[i].key, q);
    }
    snprintf(s + n, size - n,
             "bash ./setup.sh >>setup.log 2>&1 </dev/null\n"
             "echo $? >setup.exit.tmp && mv setup.exit.tmp setup.exit\n");
    return s;
}

/* What the job's folder on the host says: "new", "started" or "exit N". */
static int probe_setup(struct job *j, char *state, size_t size, struct gw_error *err)
{
    char cmd[900];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cd %s && if [ -f setup.exit ]; then echo \"exit $(cat setup.exit)\"; "
             "elif [ -f setup.pid ]; then echo started; else echo new; fi",
             j->remote, j->remote);
    char *out = NULL;
    int status = 0;
    int rc = run(j, cmd, 30, &out, &status, err);
    if (rc == SSH_OK && status != 0) {
        /* TRANSLATORS: a folder on the host, then what the shell said */
        error_set(err, EXIT_PROVIDER, _("cannot create %s on the host: %.300s"), j->remote, out);
        rc = SSH_FAILED;
    }
    if (rc == SSH_OK)
        snprintf(state, size, "%.*s", (int)strcspn(out, "\r\n"), out);
    free(out);
    return rc;
}

static int start_setup(struct job *j, struct gw_error *err)
{
    const struct recipe *r = j->spec.recipe;
    size_t len = r->script_len;
    const char *script = r->script;
    if (!strcmp(provider_name(j->provider), "demo")) {
        /* the demo runs its own bundled script: the recipe's would download gigabytes */
        script = assets_get("demo/setup.sh", &len);
        if (script == NULL) {
            error_set(err, EXIT_PROVIDER, _("the demo setup script is missing from this build"));
            return SSH_FAILED;
        }
    }
    char path[400];
    snprintf(path, sizeof path, "%s/setup.sh", j->remote);
    int rc = host_upload(j->host, path, script, len, 0700, err);
    if (rc != SSH_OK)
        return rc;
    char *runner = runner_script(r);
    snprintf(path, sizeof path, "%s/run.sh", j->remote);
    rc = host_upload(j->host, path, runner, strlen(runner), 0700, err);
    free(runner);
    if (rc != SSH_OK)
        return rc;
    char cmd[900];
    /* setsid + nohup: the setup survives the SSH session; $! is its pid, for tail --pid */
    snprintf(cmd, sizeof cmd,
             "cd %s && : >setup.log && { setsid nohup sh ./run.sh >/dev/null 2>&1 </dev/null & "
             "echo $! >setup.pid; }",
             j->remote);
    char *out = NULL;
    int status = 0;
    rc = run(j, cmd, 30, &out, &status, err);
    if (rc == SSH_OK && status != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot start the setup (exit %d): %.300s"), status, out);
        rc = SSH_FAILED;
    }
    free(out);
    return rc;
}

/* Follows setup.log from byte `*offset` until the setup has ended; reconnects on a drop and
 * continues from the offset, so no line is lost and none repeated. */
static int follow_setup(struct job *j, unsigned long long *offset)
{
    char buf[16384];
    for (;;) {
        char cmd[900];
        snprintf(cmd, sizeof cmd,
                 "cd %s && exec tail -c +%llu -F --pid=\"$(cat setup.pid)\" setup.log "
                 "2>/dev/null",
                 j->remote, *offset + 1);
        struct gw_error err = {0};
        struct host_stream *st = NULL;
        int rc = host_stream_open(j->host, cmd, &st, &err);
        bool eof = false;
        while (rc == SSH_OK && !eof) {
            ssize_t n = host_stream_read(j->host, st, buf, sizeof buf, READ_WAIT_MS, &eof, &err);
            if (n < 0) {
                rc = (int)n;
                break;
            }
            if (n > 0) {
                *offset += (unsigned long long)n;
                feed_output(j, buf, (size_t)n);
            }
            if (cancelled(j))
                rc = SSH_CANCELLED;
        }
        host_stream_close(j->host, st);
        if (rc == SSH_OK)
            return 0; /* tail ended: the setup process has exited */
        if (rc == SSH_CANCELLED || cancelled(j))
            return -1;
        char why[512];
        snprintf(why, sizeof why,
                 _("%.200s; the setup keeps running on the host, log at byte %llu"), err.msg,
                 *offset);
        if (reconnect(j, why) != 0)
            return -1;
    }
}

static int step_setup(struct job *j)
{
    enter(j, JOB_SETUP);
    persist(j);
    struct gw_error err = {0};
    char state[64] = "";
    int rc = probe_setup(j, state, sizeof state, &err);
    if (rc != SSH_OK)
        return cancelled(j) ? -1 : fail(j, 0, "%s", err.msg);
    if (!strcmp(state, "new")) {
        /* TRANSLATORS: the script's file name, then the job's folder on the host */
        say(j, false, 0, _("uploading %s and starting it detached in %s on the host"),
            j->spec.recipe->script_name, j->remote);
        rc = start_setup(j, &err);
        if (rc != SSH_OK)
            return cancelled(j) ? -1 : fail(j, 0, "%s", err.msg);
    } else {
        /* TRANSLATORS: %s is what the job's folder says: "started" or "exit N" */
        say(j, false, 0, _("re-attaching to the setup already on the host (%s)"), state);
    }
    unsigned long long offset = 0;
    if (follow_setup(j, &offset) != 0)
        return -1;
    flush_output(j);
    char cmd[700];
    snprintf(cmd, sizeof cmd,
             "cd %s && cat setup.exit 2>/dev/null && echo $(( $(stat -c %%Y setup.exit) - "
             "$(stat -c %%Y setup.pid) ))",
             j->remote);
    char *out = NULL;
    int status = 0;
    rc = run(j, cmd, 30, &out, &status, &err);
    int code = -1;
    long took = -1;
    if (rc == SSH_OK && status == 0 && sscanf(out, "%d %ld", &code, &took) >= 1 && took >= 0)
        j->st.setup_s = (double)took;
    free(out);
    if (rc != SSH_OK)
        return cancelled(j) ? -1
                            : fail(j, 0, _("cannot read the setup's exit status: %s"), err.msg);
    if (status != 0)
        return fail(j, 0,
                    _("the setup stopped without an exit status (killed, or the host rebooted); "
                      "its log is %s/setup.log on the host"),
                    j->remote);
    if (code != 0) {
        unsigned n = j->ntail < TAIL_LINES ? j->ntail : TAIL_LINES;
        for (unsigned i = 0; i < n; i++)
            snprintf(j->st.last_lines[i], sizeof j->st.last_lines[i], "%s",
                     j->tail[(j->ntail - n + i) % TAIL_LINES]);
        double ran_s = isnan(j->st.setup_s) ? -1.0 : j->st.setup_s;
        if (n == 0)
            return fail(j, 3,
                        _("the setup script exited with status %d after %.0f s (last line: none)"),
                        code, ran_s);
        /* TRANSLATORS: the exit status, the seconds it ran, its last output line */
        return fail(j, 3, _("the setup script exited with status %d after %.0f s (last line: %s)"),
                    code, ran_s, j->tail[(j->ntail - 1) % TAIL_LINES]);
    }
    say(j, false, 0, _("setup finished with status 0 in %.0f s"), j->st.setup_s);
    return 0;
}

/* ------------------------------------------------------------------ health, test */

/* One HTTP request to the service, reconnecting once when the connection dropped. */
static int request(struct job *j, int port, const char *method, const char *path, const char *body,
                   int *status, char **resp, size_t *len, struct gw_error *err)
{
    for (int tries = 0;; tries++) {
        int rc = host_http(j->host, port, method, path, body, 30, HTTP_MAX_BYTES, status, resp, len,
                           err);
        if (rc != SSH_LOST || tries > 0)
            return rc;
        if (reconnect(j, err->msg) != 0)
            return SSH_CANCELLED;
    }
}

static int step_health(struct job *j)
{
    const struct recipe *r = j->spec.recipe;
    enter(j, JOB_HEALTH);
    persist(j);
    int limit = r->health_timeout_s > 0 ? r->health_timeout_s : 300;
    /* TRANSLATORS: the service's port and health path (http://127.0.0.1:8000/health), then the
     * time limit in seconds */
    say(j, false, 0, _("polling http://127.0.0.1:%d%s on the host (through SSH) for up to %d s"),
        r->health_port, r->health_path, limit);
    double start = wall_now(), told = start;
    char last[300];
    snprintf(last, sizeof last, "%s", _("no answer yet"));
    while (wall_now() - start < limit) {
        struct gw_error err = {0};
        int status = 0;
        char *body = NULL;
        size_t len = 0;
        int rc =
            request(j, r->health_port, "GET", r->health_path, NULL, &status, &body, &len, &err);
        free(body);
        if (rc == SSH_OK && status == 200) {
            say(j, false, 0,
                _("healthy after %.0f s (HTTP 200); not ready until the test passes "
                  "(case 8)"),
                wall_now() - start);
            return 0;
        }
        if (rc == SSH_CANCELLED || cancelled(j))
            return -1;
        if (rc == SSH_OK)
            snprintf(last, sizeof last, "HTTP %d", status);
        else
            snprintf(last, sizeof last, "%.290s", err.msg);
        if (wall_now() - told >= HEALTH_TELL_S) {
            told = wall_now();
            say(j, false, 0, _("not healthy yet: %s"), last);
        }
        if (!nap(j, HEALTH_EVERY_S))
            return -1;
    }
    /* TRANSLATORS: the health path (/health), the time limit, the last answer or error */
    return fail(j, 8, _("%s did not answer 200 within %d s (last: %s)"), r->health_path, limit,
                last);
}

/* A result URL as the service gave it, reduced to the path on the service. */
static const char *url_path(const char *url)
{
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
        const char *slash = strchr(strstr(url, "//") + 2, '/');
        return slash ? slash : "/";
    }
    return url;
}

/* Submits the recipe's test; fills id. 0 or -1 (reported). */
static int test_submit(struct job *j, char *id, size_t size)
{
    const struct recipe_test *t = &j->spec.recipe->test;
    int port = j->spec.recipe->health_port;
    struct gw_error err = {0};
    int status = 0;
    char *body = NULL;
    size_t len = 0;
    /* TRANSLATORS: the HTTP method and path of the recipe's test request */
    say(j, false, 0, _("submitting the test: %s %s"), t->submit.method, t->submit.path);
    int rc = request(j, port, t->submit.method, t->submit.path, t->submit.body, &status, &body,
                     &len, &err);
    bool ok = rc == SSH_OK && status >= 200 && status < 300;
    if (ok && t->id_field[0] && !jsonpath_get(body, len, t->id_field, id, size)) {
        free(body);
        /* TRANSLATORS: %s is the JSON field that should hold the task id */
        return fail(j, 8, _("the test submission answered without '%s'"), t->id_field);
    }
    free(body);
    if (rc == SSH_CANCELLED || cancelled(j))
        return -1;
    if (!ok)
        return rc == SSH_OK ? fail(j, 8, _("the test submission answered HTTP %d"), status)
                            : fail(j, 8, _("cannot submit the test: %s"), err.msg);
    return 0;
}

/* Fetches the result and checks it is real: HTTP 200 and at least result_min_bytes. */
static int test_fetch(struct job *j, const char *url, double started)
{
    const struct recipe_test *t = &j->spec.recipe->test;
    struct gw_error err = {0};
    int status = 0;
    char *body = NULL;
    size_t len = 0;
    int rc = request(j, j->spec.recipe->health_port, "GET", url_path(url), NULL, &status, &body,
                     &len, &err);
    free(body);
    if (rc == SSH_CANCELLED || cancelled(j))
        return -1;
    if (rc != SSH_OK)
        /* TRANSLATORS: the result's URL, then why */
        return fail(j, 8, _("cannot fetch the test result %s: %s"), url, err.msg);
    if (status != 200 || (long)len < t->result_min_bytes) {
        j->st.row10 = CHECK_FAIL;
        return fail(j, 8,
                    _("the test result %s is not real: HTTP %d, %zu bytes (at least %ld "
                      "expected)"),
                    url, status, len, t->result_min_bytes);
    }
    j->st.row10 = CHECK_PASS;
    /* TRANSLATORS: the result's URL, its size, the seconds since the test was submitted */
    say(j, false, 0, _("test passed: %s is %zu bytes, after %.0f s"), url, len,
        wall_now() - started);
    return 0;
}

static int step_test(struct job *j)
{
    const struct recipe_test *t = &j->spec.recipe->test;
    enter(j, JOB_TEST);
    persist(j);
    if (!t->submit.path[0]) {
        j->st.row10 = CHECK_WARN;
        say(j, true, 8, _("the recipe defines no test request: healthy is all that is known"));
        return 0;
    }
    double start = wall_now();
    char id[128] = "";
    if (test_submit(j, id, sizeof id) != 0)
        return -1;
    char *path = recipe_fill_id(t->poll.path, id), *body = recipe_fill_id(t->poll.body, id);
    int interval = t->interval_s > 0 ? t->interval_s : 2,
        limit = t->timeout_s > 0 ? t->timeout_s : 300;
    int rc = -2;
    char seen[64] = "";
    while (rc == -2) {
        if (!nap(j, interval)) {
            rc = -1;
            break;
        }
        struct gw_error err = {0};
        int status = 0;
        char *resp = NULL;
        size_t len = 0;
        char value[64] = "", url[512] = "";
        int hr = request(j, j->spec.recipe->health_port, t->poll.method, path, body, &status, &resp,
                         &len, &err);
        if (hr == SSH_OK && status == 200)
            jsonpath_get(resp, len, t->status_field, value, sizeof value);
        if (!strcmp(value, t->done) &&
            jsonpath_get(resp, len, t->result_url_field, url, sizeof url))
            rc = 1;
        free(resp);
        if (hr == SSH_CANCELLED || cancelled(j))
            rc = -1;
        else if (rc == 1)
            rc = test_fetch(j, url, start);
        else if (t->failed[0] && !strcmp(value, t->failed))
            /* TRANSLATORS: the recipe's status field and the value the service gave it */
            rc = fail(j, 8, _("the service reported the test generation failed (%s = %s)"),
                      t->status_field, value);
        else if (wall_now() - start > limit)
            /* TRANSLATORS: the time limit, then the last status the service gave (or why
             * none) */
            rc = fail(j, 8, _("no test result within %d s (last: %s): healthy, but not working"),
                      limit, hr == SSH_OK ? (value[0] ? value : _("no status")) : err.msg);
        else if (strcmp(seen, value) != 0) {
            snprintf(seen, sizeof seen, "%s", value);
            /* TRANSLATORS: the status the service reports for the test (queued, running...) */
            say(j, false, 0, _("test status: %s"), value[0] ? value : _("(none yet)"));
        }
    }
    free(path);
    free(body);
    if (rc != 0)
        j->st.row10 = j->st.row10 == CHECK_PASS ? CHECK_PASS : CHECK_FAIL;
    return rc;
}

/* ------------------------------------------------------------------ the thread */

static void *job_main(void *arg)
{
    struct job *j = arg;
    int rc = 0;
    if (j->spec.instance_id) {
        j->st.instance_id = j->spec.instance_id;
        say(j, false, 0, _("re-attaching to instance %lld"), (long long)j->st.instance_id);
    } else {
        rc = step_create(j);
    }
    if (rc == 0)
        rc = step_boot(j);
    if (rc == 0)
        rc = step_connect(j);
    if (rc == 0)
        rc = step_verify(j);
    if (rc == 0) {
        snprintf(j->remote, sizeof j->remote, "%s/%lld", j->remote_base,
                 (long long)j->st.instance_id);
        rc = step_setup(j);
    }
    if (rc == 0)
        rc = step_health(j);
    if (rc == 0)
        rc = step_test(j);
    if (rc == 0) {
        j->st.state = JOB_READY;
        /* TRANSLATORS: keep READY as it is: the word scripts look for. %s is the recipe */
        say(j, false, 0, _("READY: instance %lld runs %s and its test passed"),
            (long long)j->st.instance_id, j->spec.recipe->name);
        persist(j);
    } else if (cancelled(j) && j->st.state == JOB_RUNNING) {
        /* not persisted: the state file still says where the job was, so the next dashboard
         * re-attaches to the instance and to a setup still running there */
        j->st.state = JOB_CANCELLED;
        /* TRANSLATORS: %s is a step name (create, boot, connect, verify, setup, health, test),
         * which stays English */
        say(j, false, 0, _("stopped following during %s; instance %lld is left as it is"),
            job_step_name(j->st.step), (long long)j->st.instance_id);
    }
    if (j->host)
        host_free(j->host);
    j->host = NULL;
    atomic_store(&j->done, true);
    return NULL;
}

struct job *job_start(const struct job_spec *spec, struct event_queue *q, struct gw_error *err)
{
    struct job *j = xcalloc(1, sizeof *j);
    j->spec = *spec;
    j->q = q;
    const char *base = spec->remote_dir ? spec->remote_dir : getenv("GPUWARDEN_REMOTE_DIR");
    snprintf(j->remote_base, sizeof j->remote_base, "%s", base && *base ? base : "gpuwarden");
    snprintf(j->state_dir, sizeof j->state_dir, "%s", spec->state_dir ? spec->state_dir : "");
    snprintf(j->demo_dir, sizeof j->demo_dir, "%s", spec->demo_dir ? spec->demo_dir : "");
    const char *strs[3] = {spec->ssh.user, spec->ssh.key_path, spec->ssh.known_hosts};
    const char **dst[3] = {&j->spec.ssh.user, &j->spec.ssh.key_path, &j->spec.ssh.known_hosts};
    for (int i = 0; i < 3; i++) {
        snprintf(j->ssh_strings[i], sizeof j->ssh_strings[i], "%s", strs[i] ? strs[i] : "");
        *dst[i] = strs[i] ? j->ssh_strings[i] : NULL;
    }
    j->spec.remote_dir = NULL;
    j->spec.state_dir = NULL;
    j->spec.demo_dir = NULL;
    j->provider = provider_clone(spec->provider);
    j->st.job = spec->id;
    j->st.offer_id = spec->offer.id;
    snprintf(j->st.recipe, sizeof j->st.recipe, "%s", spec->recipe->name);
    snprintf(j->st.gpu_name, sizeof j->st.gpu_name, "%s", spec->offer.gpu_name);
    j->st.dph_total = spec->offer.dph_total;
    j->st.started_at = spec->created_at > 0 ? spec->created_at : wall_now();
    j->st.step_started_at = wall_now();
    j->st.setup_s = NAN;
    j->st.row9 = CHECK_PENDING;
    j->st.row10 = CHECK_PENDING;
    int rc = worker_spawn(&j->thread, job_main, j);
    if (rc != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot start the job's thread: %s"), strerror(rc));
        provider_free(j->provider);
        free(j);
        return NULL;
    }
    return j;
}

void job_cancel(struct job *j)
{
    if (j) {
        atomic_store(&j->cancel, 1);
        atomic_store(&j->provider->cancel, 1);
    }
}

bool job_done(const struct job *j)
{
    return atomic_load(&j->done);
}

void job_free(struct job *j)
{
    if (j == NULL)
        return;
    job_cancel(j);
    pthread_join(j->thread, NULL);
    provider_free(j->provider);
    free(j);
}
