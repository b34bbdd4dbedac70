/* Dispatch through the host interface, and the SSH host: ssh.c plus the connection it keeps. */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "xalloc.h"

int host_connect(struct host *h, struct ssh_hostkey_info *info, struct gw_error *err)
{
    return h->ops->connect(h, info, err);
}

int host_exec(struct host *h, const char *cmd, int timeout_s, size_t max_bytes, char **out,
              size_t *len, int *exit_status, struct gw_error *err)
{
    return h->ops->exec(h, cmd, timeout_s, max_bytes, out, len, exit_status, err);
}

int host_upload(struct host *h, const char *path, const char *data, size_t len, int mode,
                struct gw_error *err)
{
    return h->ops->upload(h, path, data, len, mode, err);
}

int host_stream_open(struct host *h, const char *cmd, struct host_stream **out,
                     struct gw_error *err)
{
    return h->ops->stream_open(h, cmd, out, err);
}

ssize_t host_stream_read(struct host *h, struct host_stream *st, char *buf, size_t size,
                         int timeout_ms, bool *eof, struct gw_error *err)
{
    return h->ops->stream_read(st, buf, size, timeout_ms, eof, err);
}

void host_stream_close(struct host *h, struct host_stream *st)
{
    if (st)
        h->ops->stream_close(st);
}

int host_http(struct host *h, int port, const char *method, const char *path, const char *body,
              int timeout_s, size_t max_bytes, int *status, char **resp_body, size_t *resp_len,
              struct gw_error *err)
{
    return h->ops->http(h, port, method, path, body, timeout_s, max_bytes, status, resp_body,
                        resp_len, err);
}

void host_disconnect(struct host *h)
{
    h->ops->disconnect(h);
}

void host_free(struct host *h)
{
    if (h)
        h->ops->free(h);
}

/* ------------------------------------------------------------------ over SSH */

struct host_ssh {
    struct host base;
    struct ssh_config cfg;
    char host[256], user[64], key_path[512], known_hosts[512];
    struct ssh *s; /* NULL while disconnected */
};

static struct host_ssh *as_ssh(struct host *h)
{
    return (struct host_ssh *)h;
}

static int not_connected(struct host_ssh *hs, struct gw_error *err)
{
    /* TRANSLATORS: %s is the host, user@address:port */
    error_set(err, EXIT_PROVIDER, _("not connected to %s"), hs->base.name);
    return SSH_LOST;
}

static int ssh_host_connect(struct host *h, struct ssh_hostkey_info *info, struct gw_error *err)
{
    struct host_ssh *hs = as_ssh(h);
    ssh_close(hs->s);
    hs->s = NULL;
    return ssh_connect(&hs->cfg, &hs->s, info, err);
}

static int ssh_host_exec(struct host *h, const char *cmd, int timeout_s, size_t max_bytes,
                         char **out, size_t *len, int *exit_status, struct gw_error *err)
{
    struct host_ssh *hs = as_ssh(h);
    if (hs->s == NULL)
        return not_connected(hs, err);
    return ssh_exec(hs->s, cmd, timeout_s, max_bytes, out, len, exit_status, err);
}

static int ssh_host_upload(struct host *h, const char *path, const char *data, size_t len, int mode,
                           struct gw_error *err)
{
    struct host_ssh *hs = as_ssh(h);
    if (hs->s == NULL)
        return not_connected(hs, err);
    return ssh_upload(hs->s, path, data, len, mode, 60, err);
}

static int ssh_host_stream_open(struct host *h, const char *cmd, struct host_stream **out,
                                struct gw_error *err)
{
    struct host_ssh *hs = as_ssh(h);
    if (hs->s == NULL)
        return not_connected(hs, err);
    return ssh_stream_open(hs->s, cmd, (struct ssh_stream **)out, err);
}

static ssize_t ssh_host_stream_read(struct host_stream *st, char *buf, size_t size, int timeout_ms,
                                    bool *eof, struct gw_error *err)
{
    return ssh_stream_read((struct ssh_stream *)st, buf, size, timeout_ms, eof, err);
}

static void ssh_host_stream_close(struct host_stream *st)
{
    ssh_stream_close((struct ssh_stream *)st, NULL);
}

static int ssh_host_http(struct host *h, int port, const char *method, const char *path,
                         const char *body, int timeout_s, size_t max_bytes, int *status,
                         char **resp_body, size_t *resp_len, struct gw_error *err)
{
    struct host_ssh *hs = as_ssh(h);
    if (hs->s == NULL)
        return not_connected(hs, err);
    return ssh_http(hs->s, port, method, path, body, timeout_s, max_bytes, status, resp_body,
                    resp_len, err);
}

static void ssh_host_disconnect(struct host *h)
{
    struct host_ssh *hs = as_ssh(h);
    ssh_close(hs->s);
    hs->s = NULL;
}

static void ssh_host_free(struct host *h)
{
    ssh_host_disconnect(h);
    free(h);
}

static const struct host_ops ssh_host_ops = {
    .connect = ssh_host_connect,
    .exec = ssh_host_exec,
    .upload = ssh_host_upload,
    .stream_open = ssh_host_stream_open,
    .stream_read = ssh_host_stream_read,
    .stream_close = ssh_host_stream_close,
    .http = ssh_host_http,
    .disconnect = ssh_host_disconnect,
    .free = ssh_host_free,
};

struct host *host_ssh_new(const struct ssh_config *cfg)
{
    struct host_ssh *hs = xcalloc(1, sizeof *hs);
    hs->base.ops = &ssh_host_ops;
    hs->cfg = *cfg;
    snprintf(hs->host, sizeof hs->host, "%s", cfg->host ? cfg->host : "");
    snprintf(hs->user, sizeof hs->user, "%s", cfg->user ? cfg->user : "root");
    snprintf(hs->key_path, sizeof hs->key_path, "%s", cfg->key_path ? cfg->key_path : "");
    snprintf(hs->known_hosts, sizeof hs->known_hosts, "%s",
             cfg->known_hosts ? cfg->known_hosts : "");
    hs->cfg.host = hs->host;
    hs->cfg.user = hs->user;
    hs->cfg.key_path = cfg->key_path ? hs->key_path : NULL;
    hs->cfg.known_hosts = hs->known_hosts;
    snprintf(hs->base.name, sizeof hs->base.name, "%.40s@%.100s:%d", hs->user, hs->host, cfg->port);
    return &hs->base;
}
