/* Where a job runs its commands: a rented machine over SSH (host_ssh.c, over ssh.c), or the demo
 * provider's simulated machine (host_demo.c: a local sandbox folder, a fixture nvidia-smi and a
 * simulated service), so the demo walks the same pipeline code as a real launch. The results are
 * ssh.h's (SSH_OK, SSH_LOST, ...). One host belongs to one thread. */
#ifndef GPUWARDEN_HOST_H
#define GPUWARDEN_HOST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "provider.h"
#include "ssh.h"

struct host;
struct host_stream;

struct host_ops {
    /* (Re)connects; on SSH_OK *info says how the host key was judged (demo: zeroed). */
    int (*connect)(struct host *h, struct ssh_hostkey_info *info, struct gw_error *err);
    int (*exec)(struct host *h, const char *cmd, int timeout_s, size_t max_bytes, char **out,
                size_t *len, int *exit_status, struct gw_error *err);
    int (*upload)(struct host *h, const char *path, const char *data, size_t len, int mode,
                  struct gw_error *err);
    int (*stream_open)(struct host *h, const char *cmd, struct host_stream **out,
                       struct gw_error *err);
    ssize_t (*stream_read)(struct host_stream *st, char *buf, size_t size, int timeout_ms,
                           bool *eof, struct gw_error *err);
    void (*stream_close)(struct host_stream *st);
    int (*http)(struct host *h, int port, const char *method, const char *path, const char *body,
                int timeout_s, size_t max_bytes, int *status, char **resp_body, size_t *resp_len,
                struct gw_error *err);
    /* Drops the connection (before a reconnect, or at the end); the host stays usable. */
    void (*disconnect)(struct host *h);
    void (*free)(struct host *h);
};

struct host {
    const struct host_ops *ops;
    char name[160]; /* "root@1.2.3.4:22" or "demo sandbox", for messages */
};

/* A host reached over SSH; cfg's strings are copied. Caller frees with host_free(). */
struct host *host_ssh_new(const struct ssh_config *cfg);

/* The demo's simulated machine for instance `gpu` (what nvidia-smi reports there): commands run
 * locally with /bin/sh in `sandbox` (created 0700), a fixture nvidia-smi first on PATH, and HTTP
 * answered by a simulated service shaped after `test` (the recipe's test spec) once the setup in
 * that sandbox has finished with status 0. */
struct recipe;
struct host *host_demo_new(const struct demo_gpu *gpu, const char *sandbox,
                           const struct recipe *recipe);

int host_connect(struct host *h, struct ssh_hostkey_info *info, struct gw_error *err);
int host_exec(struct host *h, const char *cmd, int timeout_s, size_t max_bytes, char **out,
              size_t *len, int *exit_status, struct gw_error *err);
int host_upload(struct host *h, const char *path, const char *data, size_t len, int mode,
                struct gw_error *err);
int host_stream_open(struct host *h, const char *cmd, struct host_stream **out,
                     struct gw_error *err);
ssize_t host_stream_read(struct host *h, struct host_stream *st, char *buf, size_t size,
                         int timeout_ms, bool *eof, struct gw_error *err);
void host_stream_close(struct host *h, struct host_stream *st);
int host_http(struct host *h, int port, const char *method, const char *path, const char *body,
              int timeout_s, size_t max_bytes, int *status, char **resp_body, size_t *resp_len,
              struct gw_error *err);
void host_disconnect(struct host *h);
void host_free(struct host *h);

#endif
