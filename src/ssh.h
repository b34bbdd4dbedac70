/* An SSH connection to a rented host with libssh2 (SPEC §7 step 3, reference trust-vram-ssh §5):
 * non-blocking, every wait a poll() with a deadline, host keys trusted on first use in our own
 * known_hosts and never re-trusted when they change, keepalives whose missing answers are
 * counted. One session belongs to one thread (libssh2's rule); call libssh2_init() once in main
 * before any thread (ssh_global_init). */
#ifndef GPUWARDEN_SSH_H
#define GPUWARDEN_SSH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Results besides 0; every failure also fills err with a sentence naming host:port (err->kind:
 * EXIT_CHECK_FAILED for SSH_HOSTKEY, EXIT_USAGE for a bad config or request, else
 * EXIT_PROVIDER). */
enum ssh_result {
    SSH_OK = 0,
    SSH_FAILED = -1,    /* connection refused/reset/timed out, protocol error: retryable */
    SSH_HOSTKEY = -2,   /* the host key differs from the stored one: hard stop, never retried;
                           err: "host key changed for H:P: possible MITM (stored SHA256:..,
                           offered SHA256:..)" */
    SSH_AUTH = -3,      /* no key was accepted ("authentication refused for root@H:P (tried:
                           agent (2 keys), /root/.ssh/id_ed25519)") */
    SSH_CANCELLED = -4, /* *cancel became non-zero */
    SSH_LOST = -5,      /* an established connection died (read/write error, EOF of the
                           transport, or `keepalive_max_missed` keepalives unanswered) */
};

struct ssh_config {
    const char *host;
    int port;
    const char *user;         /* "root" on vast.ai */
    const char *key_path;     /* private key file, the only one tried; NULL: ssh-agent (when
                                 SSH_AUTH_SOCK is set), then ~/.ssh/id_ed25519, then
                                 ~/.ssh/id_rsa (public key derived by OpenSSL; no
                                 passphrases) */
    const char *known_hosts;  /* our own file, created 0600 in a 0700 folder if missing */
    int connect_timeout_s;    /* per attempt: TCP + handshake + auth (SPEC: 30) */
    int keepalive_s;          /* interval (SPEC: 10); 0 disables; libssh2 makes 1 into 2 */
    int keepalive_max_missed; /* SPEC: 3; a keepalive counts as answered when any byte arrives
                                 after it; the connection is SSH_LOST once this many went out
                                 with nothing since the first */
    const atomic_int *cancel; /* may be NULL */
};

/* The defaults of SPEC §7 (30 s, keepalive 10 s, 3 missed), with GPUWARDEN_SSH_TIMEOUT_S and
 * GPUWARDEN_SSH_KEEPALIVE_S overriding the first two (tests use short ones). host/port/user/
 * key_path/known_hosts are left NULL/0. */
void ssh_config_default(struct ssh_config *cfg);

/* libssh2_init(0); once in main before threads. 0 or -1. */
int ssh_global_init(void);
/* libssh2_exit(); once in main after every session is closed and every worker has ended. */
void ssh_global_cleanup(void);

struct ssh;

/* What the host key check found, for the step's log line. */
struct ssh_hostkey_info {
    char fingerprint[64]; /* "SHA256:<base64 without padding>", as OpenSSH prints it */
    char type[24];        /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ... */
    bool first_use;       /* not known before: stored now (trust on first use) */
};

/* Connects, handshakes, checks the host key and authenticates, all within
 * cfg->connect_timeout_s. On SSH_OK *out is the caller's (ssh_close) and *info is filled. On
 * SSH_HOSTKEY info has the offered key. cfg is copied (its strings too). info may be NULL.
 * Failures: SSH_FAILED ("connection refused by H:P: nothing listens on port P", "timed out
 * after N s connecting to H:P (TCP connect|SSH handshake|authentication)", handshake errors),
 * SSH_HOSTKEY, SSH_AUTH, SSH_CANCELLED; *out stays NULL. The host name is resolved with
 * getaddrinfo, which no timeout or cancel can interrupt. */
int ssh_connect(const struct ssh_config *cfg, struct ssh **out, struct ssh_hostkey_info *info,
                struct gw_error *err);

/* Runs `cmd` (a shell command line, run by the login shell) to completion within timeout_s;
 * stdout and stderr merged into *out (NUL-terminated, caller frees; at most max_bytes, the rest
 * read and dropped) and *exit_status set (-1 when killed by a signal, or when no status came).
 * Returns SSH_OK even for a non-zero exit; SSH_LOST/SSH_FAILED/SSH_CANCELLED otherwise (then
 * *out is NULL). out, len and exit_status may each be NULL.
 * For every call on a session: a timeout or cancel usually leaves the session usable, but one
 * that strikes while a channel is being opened (or with a request half-sent) ends it, and the
 * next call answers SSH_LOST; after SSH_LOST, only ssh_close. */
int ssh_exec(struct ssh *s, const char *cmd, int timeout_s, size_t max_bytes, char **out,
             size_t *len, int *exit_status, struct gw_error *err);

/* Writes data to `path` on the host (relative paths are under the login's home) with `mode`
 * (also when the file existed, whatever the server's umask), through SFTP, creating nothing but
 * the file (the folder must exist: else SSH_FAILED "... no such file or folder ..."). SSH_OK or
 * an error. */
int ssh_upload(struct ssh *s, const char *path, const char *data, size_t len, int mode,
               int timeout_s, struct gw_error *err);

/* A long-running command whose output is read as it comes (the job's `tail -F` of the setup
 * log). Merged stdout/stderr. Caller closes it with ssh_stream_close, before ssh_close of its
 * session. */
struct ssh_stream;
int ssh_stream_open(struct ssh *s, const char *cmd, struct ssh_stream **out, struct gw_error *err);
/* Waits at most timeout_ms for output, sending keepalives when due. Returns the number of bytes
 * put in buf (> 0), or 0 when the wait ended with nothing new; *eof is set once the command has
 * finished and all its output was read. Errors: SSH_LOST (the connection is dead: reconnect;
 * also after keepalive_max_missed unanswered keepalives: "no answer from H:P to N keepalives
 * (K s apart); reconnecting"), SSH_CANCELLED. */
ssize_t ssh_stream_read(struct ssh_stream *st, char *buf, size_t size, int timeout_ms, bool *eof,
                        struct gw_error *err);
/* Closes the channel (the remote command gets EOF/SIGPIPE at its next write) and frees st;
 * *exit_status (may be NULL) as in ssh_exec when it had finished, else -1. Waits at most about
 * 2 s for the host. NULL-safe. */
void ssh_stream_close(struct ssh_stream *st, int *exit_status);

/* One HTTP/1.0 request to 127.0.0.1:port as seen from the host, through a direct-tcpip channel
 * (no local socket; the bytes are rawhttp.c's). body may be NULL (then no Content-Type; else
 * Content-Type: application/json). path starts with '/'; neither it nor method may hold spaces
 * or line breaks (else SSH_FAILED, EXIT_USAGE). Within timeout_s; the answer ends when the
 * server closes or when it is whole by its Content-Length or last chunk (a chunked body is
 * decoded). On SSH_OK *status is the HTTP status and *resp_body (caller frees, NUL-terminated,
 * at most max_bytes) the body; resp_body and resp_len may be NULL. A refused tunnel (nothing
 * listens there yet) is SSH_FAILED with err "nothing answers on port N of the host (H:P)", and
 * the session stays usable; so it does after "port N of the host (H:P) did not answer in HTTP"
 * (or "closed the connection without an answer"). */
int ssh_http(struct ssh *s, int port, const char *method, const char *path, const char *body,
             int timeout_s, size_t max_bytes, int *status, char **resp_body, size_t *resp_len,
             struct gw_error *err);

/* Seconds since the last byte arrived from the host (for "missed keepalives" display). */
int ssh_idle_s(const struct ssh *s);

/* Disconnects (waiting at most 1 s) and frees. NULL-safe. */
void ssh_close(struct ssh *s);

/* The known_hosts line key for host:port: "host" when port is 22, else "[host]:port". */
void ssh_known_hosts_name(const char *host, int port, char *out, size_t size);

#endif
