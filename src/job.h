/* One launch (SPEC §7): a worker thread per job walks create → boot → connect → verify → setup →
 * health → test and reports every step change, message and setup log line to the UI's event
 * queue. A failure leaves the instance as it is and says which step, why and which case; the
 * operator then chooses keep / stop / destroy (each gated, SPEC §8). */
#ifndef GPUWARDEN_JOB_H
#define GPUWARDEN_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "events.h"
#include "offer.h"
#include "preflight.h"
#include "provider.h"
#include "recipe.h"
#include "ssh.h"

enum job_step {
    JOB_CREATE,
    JOB_BOOT,
    JOB_CONNECT,
    JOB_VERIFY,
    JOB_SETUP,
    JOB_HEALTH,
    JOB_TEST,
    JOB_STEPS /* count */
};

enum job_state { JOB_RUNNING, JOB_READY, JOB_FAILED, JOB_CANCELLED };

/* Timings of SPEC §7, with test overrides read by job_timing_default from the environment:
 * GPUWARDEN_BOOT_POLL_S, GPUWARDEN_BOOT_WARN_S, GPUWARDEN_BOOT_TIMEOUT_S,
 * GPUWARDEN_CONNECT_RETRY_S. Fractions are allowed. */
struct job_timing {
    double boot_poll_s;     /* 10 */
    double boot_warn_s;     /* 600: "image pull slow" (case 5) */
    double boot_timeout_s;  /* 1800 */
    double connect_retry_s; /* 5: pause between connection attempts (doubles) */
    int connect_attempts;   /* 3 consecutive failures abandon the host */
    int reconnect_attempts; /* during setup, after a lost connection: 3 */
};
void job_timing_default(struct job_timing *t);

/* What a job needs; job_start copies all of it except the recipe, which is borrowed. */
struct job_spec {
    int id;                      /* the job's number; events carry it as `source` */
    struct provider *provider;   /* borrowed: job_start clones it for the thread */
    struct offer offer;          /* as advertised (verify compares with it) */
    const struct recipe *recipe; /* borrowed: must outlive the job */
    double required_vram_gb;     /* NAN: none */
    struct ssh_config ssh;       /* user, key, known_hosts, timeouts; host/port filled later */
    struct job_timing timing;
    const char *remote_dir; /* where on the host: "<remote_dir>/<instance>"; relative to the
                               login's home; NULL: "gpuwarden" (GPUWARDEN_REMOTE_DIR) */
    const char *state_dir;  /* jobs.json lives here; NULL: do not persist */
    const char *demo_dir;   /* demo sandboxes live here (demo provider only) */
    int64_t instance_id;    /* non-zero: re-attach to this instance (skip create) */
    double created_at;      /* unix time the job was first started (re-attach keeps it) */
};

/* The payload of EVENT_JOB_STEP: a snapshot after a change, plus one message line. */
struct job_status {
    int job;
    int64_t instance_id; /* 0 until created */
    int64_t offer_id;
    char recipe[64];
    char gpu_name[48];
    double dph_total;
    enum job_step step;
    enum job_state state;
    bool warn;         /* the message is a warning (slow pull, reconnect) */
    char message[400]; /* this event's line, without the step prefix */
    int case_id;       /* the failure case of a warning or failure, 0 when none */
    int phase;         /* setup phase number from "=== Phase N: NAME ===", 0 before any */
    char phase_name[96];
    enum check_status row9;  /* GPU verified: PENDING until verify decides */
    enum check_status row10; /* test generation: PENDING until test decides */
    bool ask_destroy;        /* a case-7 failure: ask (Cancel focused) whether to destroy */
    double started_at;       /* unix time the job started */
    double step_started_at;  /* unix time the current step started */
    double setup_s;          /* seconds the setup took, once it has finished; NAN before */
    char last_lines[6][200]; /* a failed setup's last lines (empty strings when none) */
};

/* "create", "boot", ... */
const char *job_step_name(enum job_step s);
/* "running", "ready", "failed", "cancelled" */
const char *job_state_name(enum job_state s);

struct job;

/* Starts the worker. Returns NULL with err when the thread cannot start. The job posts
 * EVENT_JOB_STEP (payload struct job_status) and EVENT_LOG_LINES (source = spec->id, the setup's
 * output lines) until it ends in READY, FAILED or CANCELLED; its last event has that state. */
struct job *job_start(const struct job_spec *spec, struct event_queue *q, struct gw_error *err);

/* Asks the worker to stop waiting and end as CANCELLED; the instance is left as it is, a setup
 * already started on the host keeps running there, and the state file keeps the last step, so a
 * later dashboard re-attaches. Any thread. */
void job_cancel(struct job *j);

/* Whether the worker has finished (its last event is posted). Any thread. */
bool job_done(const struct job *j);

/* Cancels if still running, joins the thread and frees. NULL-safe. */
void job_free(struct job *j);

/* Frees an EVENT_JOB_STEP payload. */
void job_status_free(void *payload);

/* "=== Phase 3: Download model ===" → 3 and "Download model"; false for any other line. */
bool job_parse_phase(const char *line, int *n, char *name, size_t size);

#endif
