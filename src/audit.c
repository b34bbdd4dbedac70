/* audit.jsonl: one JSON object per line, appended under an flock, fsync'd. */
#include "audit.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "config.h"
#include "i18n.h"
#include "textfile.h"
#include "textwidth.h"
#include "xalloc.h"

#define AUDIT_MAX_BYTES (64u << 20)

static const char *const outcome_names[] = {"cancelled", "sent", "succeeded", "failed"};

const char *audit_outcome_name(enum audit_outcome o)
{
    return (unsigned)o < 4 ? outcome_names[o] : "?";
}

void audit_path(char *out, size_t size)
{
    char dir[600];
    config_dir("STATE", dir, sizeof dir);
    if (!dir[0])
        out[0] = '\0';
    else
        snprintf(out, size, "%s/audit.jsonl", dir);
}

static char *entry_line(const struct audit_entry *e)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", stamp);
    cJSON_AddStringToObject(o, "action", e->action);
    cJSON_AddNumberToObject(o, "instance_id", (double)e->instance_id);
    cJSON_AddStringToObject(o, "label", e->label ? e->label : "");
    cJSON_AddStringToObject(o, "outcome", audit_outcome_name(e->outcome));
    if (e->reason && *e->reason)
        cJSON_AddStringToObject(o, "reason", e->reason);
    cJSON_AddStringToObject(o, "via", e->via ? e->via : "");
    /* pairs a "sent" line with its outcome when two processes write at once */
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Whether the file's last byte is not a newline: a line cut short by a crash. */
static bool torn_tail(int fd)
{
    struct stat st;
    char last = '\n';
    return fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
           last != '\n';
}

int audit_append(const char *path, const struct audit_entry *e, struct gw_error *err)
{
    if (path == NULL || !*path) {
        error_set(err, EXIT_USAGE, _("no audit log: set HOME or XDG_STATE_HOME"));
        return -1;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (atomicfile_mkdirs(dir) != 0) {
            error_set(err, EXIT_USAGE, _("cannot create %s: %s"), dir, strerror(errno));
            return -1;
        }
    }
    int fd =
        open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600); /* read: the torn-tail check */
    if (fd < 0) {
        error_set(err, EXIT_USAGE, _("cannot open the audit log %s: %s"), path, strerror(errno));
        return -1;
    }
    char *text = entry_line(e);
    size_t n = strlen(text);
    char *line = xmalloc(n + 3);
    flock(fd, LOCK_EX);
    size_t at = 0;
    if (torn_tail(fd))
        line[at++] = '\n';
    memcpy(line + at, text, n);
    at += n;
    line[at++] = '\n';
    cJSON_free(text);
    /* one write: a reader (or a crash) sees the whole line or none of it */
    int rc = atomicfile_write_all(fd, line, at) == 0 && fsync(fd) == 0 ? 0 : -1;
    if (rc < 0)
        error_set(err, EXIT_USAGE, _("cannot write the audit log %s: %s"), path, strerror(errno));
    free(line);
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

struct audit_line {
    cJSON *o; /* NULL: not a JSON object */
    size_t number;
};

/* Whether a "sent" line has its outcome later in the log (same process, action, instance). */
static bool has_outcome(const struct audit_line *lines, size_t n, size_t i)
{
    const cJSON *sent = lines[i].o;
    for (size_t k = i + 1; k < n; k++) {
        const cJSON *o = lines[k].o;
        const char *outcome = str_of(o, "outcome");
        if (o && num_of(o, "pid") == num_of(sent, "pid") &&
            num_of(o, "instance_id") == num_of(sent, "instance_id") &&
            !strcmp(str_of(o, "action"), str_of(sent, "action")) &&
            (!strcmp(outcome, "succeeded") || !strcmp(outcome, "failed")))
            return true;
    }
    return false;
}

int audit_print(const char *path, FILE *out, struct gw_error *err)
{
    size_t len = 0;
    struct gw_error rerr = {0};
    char *text = textfile_read(path, AUDIT_MAX_BYTES, &len, &rerr);
    if (text == NULL) {
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            fprintf(out, _("no audit entries yet (%s)\n"), path);
            return 0;
        }
        *err = rerr;
        return -1;
    }
    size_t cap = 0, n = 0, number = 0;
    struct audit_line *lines = NULL;
    for (char *p = text, *end; p < text + len; p = end + 1) {
        end = memchr(p, '\n', (size_t)(text + len - p));
        if (end == NULL)
            end = text + len;
        number++;
        if (end == p)
            continue;
        xgrow((void **)&lines, &cap, n + 1, sizeof *lines);
        cJSON *o = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), NULL, 0);
        if (!cJSON_IsObject(o)) {
            cJSON_Delete(o);
            o = NULL;
        }
        lines[n].o = o;
        lines[n++].number = number;
    }
    /* not translated: column headers, which stay English */
    fprintf(out, "%-20s  %-7s  %-12s  %-10s  %-24s  %s\n", "TIME (UTC)", "ACTION", "INSTANCE",
            "OUTCOME", "LABEL", "VIA / REASON");
    for (size_t i = 0; i < n; i++) {
        const cJSON *o = lines[i].o;
        if (o == NULL) {
            fprintf(out, _("line %zu of %s is not a JSON object: skipped\n"), lines[i].number,
                    path);
            continue;
        }
        const char *outcome = str_of(o, "outcome"), *reason = str_of(o, "reason");
        char stamp[32];
        snprintf(stamp, sizeof stamp, "%s", str_of(o, "time"));
        for (char *c = stamp; *c; c++)
            if (*c == 'T' || *c == 'Z')
                *c = *c == 'T' ? ' ' : '\0';
        fprintf(out, "%-20s  %-7s  %-12.0f  %-10s  ", stamp, str_of(o, "action"),
                num_of(o, "instance_id"), outcome);
        /* a label may be wide (Japanese): padded by display columns */
        textwidth_print(out, str_of(o, "label")[0] ? str_of(o, "label") : "-", 24);
        fprintf(out, "  %s%s%s%s\n", str_of(o, "via"), reason[0] ? ": " : "", reason,
                !strcmp(outcome, "sent") && !has_outcome(lines, n, i)
                    ? _(" (no outcome recorded: the program ended during the request; check the "
                        "instance)")
                    : "");
    }
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(lines[i].o);
    free(lines);
    free(text);
    return 0;
}
