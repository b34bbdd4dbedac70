/* jobs.json: a JSON object {"version": 1, "jobs": [...]}, rewritten whole on every change. */
#include "state.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "i18n.h"
#include "textfile.h"
#include "xalloc.h"

#define STATE_VERSION   1
#define STATE_MAX_BYTES (4u << 20)

/* flock keeps other processes out; this mutex keeps the threads of this one in line */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

static void copy_str(const cJSON *o, const char *key, char *out, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static double get_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool job_from_json(const cJSON *o, struct state_job *j)
{
    memset(j, 0, sizeof *j);
    double id = get_num(o, "instance_id");
    if (!cJSON_IsObject(o) || !(id > 0))
        return false;
    j->instance_id = (int64_t)id;
    double offer = get_num(o, "offer_id");
    j->offer_id = offer > 0 ? (int64_t)offer : 0;
    copy_str(o, "provider", j->provider, sizeof j->provider);
    copy_str(o, "recipe", j->recipe, sizeof j->recipe);
    copy_str(o, "label", j->label, sizeof j->label);
    copy_str(o, "gpu_name", j->gpu_name, sizeof j->gpu_name);
    copy_str(o, "step", j->step, sizeof j->step);
    copy_str(o, "state", j->state, sizeof j->state);
    copy_str(o, "message", j->message, sizeof j->message);
    copy_str(o, "ssh", j->ssh, sizeof j->ssh);
    copy_str(o, "instance_state", j->instance_state, sizeof j->instance_state);
    j->dph_total = get_num(o, "dph_total");
    j->gpu_ram_mib = get_num(o, "gpu_ram_mib");
    double g = get_num(o, "num_gpus");
    j->num_gpus = g >= 0 && g <= 64 ? (int)g : 0;
    j->created_at = get_num(o, "created_at");
    j->setup_s = get_num(o, "setup_s");
    double c = get_num(o, "case");
    j->case_id = c >= 0 && c < 100 ? (int)c : 0;
    return true;
}

static void add_num(cJSON *o, const char *key, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

static cJSON *job_to_json(const struct state_job *j)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "instance_id", (double)j->instance_id);
    cJSON_AddNumberToObject(o, "offer_id", (double)j->offer_id);
    cJSON_AddStringToObject(o, "provider", j->provider);
    cJSON_AddStringToObject(o, "recipe", j->recipe);
    cJSON_AddStringToObject(o, "label", j->label);
    cJSON_AddStringToObject(o, "gpu_name", j->gpu_name);
    cJSON_AddNumberToObject(o, "num_gpus", j->num_gpus);
    add_num(o, "gpu_ram_mib", j->gpu_ram_mib);
    add_num(o, "dph_total", j->dph_total);
    add_num(o, "created_at", j->created_at);
    cJSON_AddStringToObject(o, "step", j->step);
    cJSON_AddStringToObject(o, "state", j->state);
    cJSON_AddStringToObject(o, "message", j->message);
    cJSON_AddNumberToObject(o, "case", j->case_id);
    add_num(o, "setup_s", j->setup_s);
    cJSON_AddStringToObject(o, "ssh", j->ssh);
    cJSON_AddStringToObject(o, "instance_state", j->instance_state);
    return o;
}

static void file_path(const char *dir, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* Parses the file; -1 when it exists but is not ours (then the caller sets it aside). */
static int read_jobs(const char *path, struct state_job **jobs, size_t *n, char *why, size_t size)
{
    *jobs = NULL;
    *n = 0;
    struct gw_error err = {0};
    if (access(path, F_OK) != 0)
        return 0;
    size_t len = 0;
    char *text = textfile_read(path, STATE_MAX_BYTES, &len, &err);
    if (text == NULL) {
        snprintf(why, size, "%.290s", err.msg);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "jobs");
    if (!cJSON_IsObject(root) || !cJSON_IsNumber(ver) || ver->valueint != STATE_VERSION ||
        !cJSON_IsArray(list)) {
        snprintf(why, size, "%s",
                 root ? _("not a gpuwarden jobs file (version 1)") : _("not JSON"));
        cJSON_Delete(root);
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(list);
    *jobs = xcalloc(count ? count : 1, sizeof **jobs);
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (job_from_json(item, &(*jobs)[*n]))
            (*n)++;
    }
    cJSON_Delete(root);
    return 0;
}

/* Takes the folder's lock file; -1 with err when the folder cannot be made. */
static int lock_dir(const char *dir, struct gw_error *err)
{
    if (atomicfile_mkdirs(dir) != 0) {
        error_set(err, EXIT_USAGE, _("cannot create %s: %s"), dir, strerror(errno));
        return -1;
    }
    char path[1024];
    file_path(dir, "jobs.lock", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_set(err, EXIT_USAGE, _("cannot open %s: %s"), path, strerror(errno));
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    return fd;
}

static void unlock_dir(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/* Moves a bad file out of the way, keeping it for the operator to look at. */
static void set_aside(const char *path, const char *why, char *note, size_t size)
{
    char bad[1100];
    /* never over an earlier bad file: each one is kept */
    snprintf(bad, sizeof bad, "%s.bad-%lld", path, (long long)time(NULL));
    for (int i = 1; access(bad, F_OK) == 0 && i < 1000; i++)
        snprintf(bad, sizeof bad, "%s.bad-%lld-%d", path, (long long)time(NULL), i);
    if (rename(path, bad) == 0)
        /* TRANSLATORS: the jobs file, why it is not read, and the new name it was given */
        snprintf(note, size, _("%s: %s; set aside as %s"), path, why, bad);
    else
        snprintf(note, size, _("%s: %s; could not set it aside (%s)"), path, why, strerror(errno));
}

int state_load(const char *dir, struct state_job **jobs, size_t *n, char *note, size_t size,
               struct gw_error *err)
{
    note[0] = '\0';
    *jobs = NULL;
    *n = 0;
    pthread_mutex_lock(&state_lock);
    int fd = lock_dir(dir, err);
    if (fd < 0) {
        pthread_mutex_unlock(&state_lock);
        return -1;
    }
    char path[1024], why[300] = "";
    file_path(dir, "jobs.json", path, sizeof path);
    if (read_jobs(path, jobs, n, why, sizeof why) < 0)
        set_aside(path, why, note, size);
    unlock_dir(fd);
    pthread_mutex_unlock(&state_lock);
    return 0;
}

/* Read-modify-write under the locks: `j` replaces (or joins) the job of its instance; with j NULL,
 * the job of `id` only gets instance_state = mark. */
static int rewrite(const char *dir, const struct state_job *j, int64_t id, const char *mark,
                   struct gw_error *err)
{
    pthread_mutex_lock(&state_lock);
    int fd = lock_dir(dir, err);
    if (fd < 0) {
        pthread_mutex_unlock(&state_lock);
        return -1;
    }
    char path[1024], why[300], note[1200];
    file_path(dir, "jobs.json", path, sizeof path);
    struct state_job *jobs;
    size_t n;
    if (read_jobs(path, &jobs, &n, why, sizeof why) < 0)
        set_aside(path, why, note, sizeof note);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", STATE_VERSION);
    cJSON *list = cJSON_AddArrayToObject(root, "jobs");
    bool replaced = false;
    for (size_t i = 0; i < n; i++) {
        struct state_job *old = &jobs[i];
        if (old->instance_id == id && j == NULL) {
            snprintf(old->instance_state, sizeof old->instance_state, "%s", mark);
        } else if (old->instance_id == id) {
            struct state_job next = *j;
            /* what gpuwarden did to this very instance outlives the job's own updates */
            if (!next.instance_state[0] && old->created_at == next.created_at)
                memcpy(next.instance_state, old->instance_state, sizeof next.instance_state);
            *old = next;
        }
        cJSON_AddItemToArray(list, job_to_json(old));
        replaced = replaced || old->instance_id == id;
    }
    if (!replaced && j)
        cJSON_AddItemToArray(list, job_to_json(j));
    free(jobs);
    int rc = 0;
    if (replaced || j) {
        char *text = cJSON_Print(root);
        rc = atomicfile_write(path, text, strlen(text));
        if (rc != 0)
            error_set(err, EXIT_USAGE, _("cannot write %s: %s"), path, strerror(errno));
        cJSON_free(text);
    }
    cJSON_Delete(root);
    unlock_dir(fd);
    pthread_mutex_unlock(&state_lock);
    return rc;
}

int state_put(const char *dir, const struct state_job *j, struct gw_error *err)
{
    return rewrite(dir, j, j->instance_id, NULL, err);
}

int state_mark_instance(const char *dir, int64_t id, const char *what, struct gw_error *err)
{
    return rewrite(dir, NULL, id, what, err);
}
