/* The SSH session of one worker over libssh2 (ssh.h): non-blocking, every wait a poll() with a
 * deadline, host keys trusted on first use in our own known_hosts, keepalives counted. */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "knownhosts.h"
#include "rawhttp.h"
#include "textwidth.h"
#include "xalloc.h"

#define SSH_SLICE_MS      200  /* the longest single poll: how late a cancel may be noticed */
#define SSH_CLEANUP_MS    2000 /* a polite close waits this long for the host at most */
#define SSH_CLOSE_WAIT_MS 200  /* ...and closing a still-running command not even that */
#define SSH_MAX_CLOSING   16   /* channels whose close the host has not confirmed yet */
#define SSH_HTTP_HEAD_MAX ((size_t)64 * 1024)

/* ssh_wait's answers besides the ssh_result errors. */
enum { WAIT_AGAIN = 1, WAIT_TIMEOUT = 2 };

/* auth_* answers besides the ssh_result ones: this key was not accepted, try the next; the
 * host hung up after refusing keys. */
enum { AUTH_REFUSED = 1, AUTH_HUNG_UP = 2 };

struct ssh {
    LIBSSH2_SESSION *session;
    int fd;
    char *host, *user, *key_path, *known_hosts;
    int port;
    int connect_timeout_s;
    int keepalive_s, keepalive_every_s, keepalive_max_missed;
    const atomic_int *cancel;
    char where[280];    /* "host:port", for sentences */
    bool handshaked;    /* a disconnect message may be sent */
    bool keepalive_on;  /* authenticated, keepalive_s > 0 */
    int64_t last_rx_ms; /* monotonic time of the last byte from the host */
    int ka_unanswered;  /* keepalives sent since that byte */
    time_t ka_sent_at;  /* libssh2's clock (time()) when we last saw one go out */
    bool dead;          /* the transport failed or was given up: every call is SSH_LOST */
    char dead_msg[400]; /* why, repeated by later calls */
    LIBSSH2_CHANNEL *closing[SSH_MAX_CLOSING]; /* closed by us, not yet confirmed by the host */
    int nclosing;
};

struct ssh_stream {
    struct ssh *s;
    LIBSSH2_CHANNEL *ch;
    bool eof;
};

/* One operation's deadline and what to call it in a timeout sentence. */
struct op {
    int64_t deadline;
    int timeout_s;
    char doing[320]; /* "running a command on H:P" */
};

/* ------------------------------------------------------------------ small helpers */

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static long env_seconds(const char *name, long fallback)
{
    const char *v = getenv(name);
    if (v == NULL || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' && n > 0 && n < 100000 ? n : fallback;
}

static bool cancelled(const struct ssh *s)
{
    return s->cancel && atomic_load(s->cancel);
}

static const char *last_error(const struct ssh *s)
{
    char *msg = NULL;
    if (s->session == NULL)
        return "";
    libssh2_session_last_error(s->session, &msg, NULL, 0); /* owned by the session */
    return msg ? msg : "";
}

/* libssh2 errors after which the transport cannot be trusted to carry anything more. */
static bool transport_error(int rc)
{
    switch (rc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_INVALID_MAC:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_BAD_SOCKET:
    /* a half-sent packet of an abandoned call blocks every later one (transport.c) */
    case LIBSSH2_ERROR_BAD_USE: return true;
    default: return false;
    }
}

/* Gives the connection up: shutting the socket down makes every later libssh2 call fail at once
 * instead of waiting for a host that will not answer (channel and session frees included). */
static int kill_transport(struct ssh *s, struct gw_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int kill_transport(struct ssh *s, struct gw_error *err, const char *fmt, ...)
{
    if (!s->dead) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->dead_msg, sizeof s->dead_msg, fmt, ap);
        va_end(ap);
        textwidth_repair(s->dead_msg);
        s->dead = true;
        if (s->fd >= 0)
            shutdown(s->fd, SHUT_RDWR);
    }
    error_set(err, EXIT_PROVIDER, "%s", s->dead_msg);
    return SSH_LOST;
}

/* The answer to a libssh2 error rc during `doing`: SSH_LOST when the transport is gone, else
 * SSH_FAILED; err names both. */
static int fail(struct ssh *s, int rc, struct gw_error *err, const char *doing)
{
    if (transport_error(rc))
        /* TRANSLATORS: host:port, what was being done ("opening a channel"), libssh2's error */
        return kill_transport(s, err, _("lost the connection to %s while %s (%s)"), s->where, doing,
                              last_error(s));
    /* TRANSLATORS: what was being done ("opening a channel"), host:port, libssh2's error */
    error_set(err, EXIT_PROVIDER, _("%s failed on %s: %s"), doing, s->where, last_error(s));
    return SSH_FAILED;
}

static int dead_result(const struct ssh *s, struct gw_error *err)
{
    error_set(err, EXIT_PROVIDER, "%s", s->dead_msg);
    return SSH_LOST;
}

/* Every operation starts here: SSH_OK, or why the session cannot be used (dead, cancelled). */
static int usable(const struct ssh *s, struct gw_error *err)
{
    if (s->dead)
        return dead_result(s, err);
    if (cancelled(s)) {
        /* TRANSLATORS: %s is host:port */
        error_set(err, EXIT_PROVIDER, _("cancelled (%s)"), s->where);
        return SSH_CANCELLED;
    }
    return SSH_OK;
}

static void op_start(struct op *op, int timeout_s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void op_start(struct op *op, int timeout_s, const char *fmt, ...)
{
    op->timeout_s = timeout_s > 0 ? timeout_s : 1;
    op->deadline = now_ms() + (int64_t)op->timeout_s * 1000;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->doing, sizeof op->doing, fmt, ap);
    va_end(ap);
    textwidth_repair(op->doing);
}

/* ------------------------------------------------------------------ socket I/O */

/* libssh2 reads through this so that any byte from the host counts as an answer to the
 * keepalives (libssh2 itself never says whether one was answered). Same contract as libssh2's
 * own _libssh2_recv: bytes, or -errno. */
static LIBSSH2_RECV_FUNC(on_recv)
{
    struct ssh *s = *abstract;
    ssize_t n = recv(socket, buffer, length, flags);
    if (n < 0)
        return -errno;
    if (n > 0 && s != NULL && socket == s->fd) {
        s->last_rx_ms = now_ms();
        s->ka_unanswered = 0;
    }
    return n;
}

static LIBSSH2_SEND_FUNC(on_send)
{
    (void)abstract;
    ssize_t n = send(socket, buffer, length, flags | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

/* libssh2_session_callback_set takes a void *; a union converts without a pedantic warning. */
static void set_callbacks(LIBSSH2_SESSION *session)
{
    union {
        LIBSSH2_RECV_FUNC((*fn));
        void *p;
    } r = {.fn = on_recv};
    union {
        LIBSSH2_SEND_FUNC((*fn));
        void *p;
    } w = {.fn = on_send};
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, r.p);
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_SEND, w.p);
}

/* Channels we closed whose confirmation had not come: any packet from the host lets libssh2
 * finish them (channel.c waits for "a" packet, not for the close itself). */
static void drain_closing(struct ssh *s)
{
    for (int i = 0; i < s->nclosing;) {
        if (libssh2_channel_free(s->closing[i]) == LIBSSH2_ERROR_EAGAIN) {
            i++;
            continue;
        }
        s->closing[i] = s->closing[--s->nclosing];
    }
}

/* Sends a keepalive when libssh2 says one is due and counts the unanswered ones. libssh2
 * reports nothing when it sends: a full interval to the next one means it just did. */
static int keepalive_step(struct ssh *s, struct gw_error *err)
{
    /* never while a packet is half-sent: libssh2 would drop or garble one of the two */
    if (!s->keepalive_on ||
        (libssh2_session_block_directions(s->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND))
        return 0;
    int next = 0;
    int rc = libssh2_keepalive_send(s->session, &next);
    if (rc != 0)
        return fail(s, rc, err, _("sending a keepalive"));
    time_t wall = time(NULL);
    if (next == s->keepalive_every_s && wall != s->ka_sent_at) {
        s->ka_sent_at = wall;
        if (++s->ka_unanswered >= s->keepalive_max_missed)
            return kill_transport(s, err, _("no answer from %s to %d keepalives (%d s apart)"),
                                  s->where, s->ka_unanswered, s->keepalive_every_s);
    }
    return 0;
}

/* One wait of at most SSH_SLICE_MS for the socket, in the directions libssh2 is blocked on,
 * never past deadline; sends keepalives when due. WAIT_AGAIN (call libssh2 again),
 * WAIT_TIMEOUT, or SSH_CANCELLED / SSH_LOST with err filled. `quiet` (cleanup) skips cancel
 * and keepalives. */
static int ssh_wait(struct ssh *s, int64_t deadline, bool quiet, struct gw_error *err)
{
    if (!quiet) {
        if (cancelled(s)) {
            error_set(err, EXIT_PROVIDER, _("cancelled (%s)"), s->where);
            return SSH_CANCELLED;
        }
        int rc = keepalive_step(s, err);
        if (rc != 0)
            return rc;
        if (s->nclosing)
            drain_closing(s);
    }
    int64_t left = deadline - now_ms();
    if (left <= 0)
        return WAIT_TIMEOUT;
    int dir = libssh2_session_block_directions(s->session);
    struct pollfd p = {.fd = s->fd, .events = 0};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
        p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        p.events |= POLLOUT;
    /* libssh2 waits on nothing it told us about: a short nap, then try again */
    int slice = p.events ? SSH_SLICE_MS : 10;
    int n = poll(&p, 1, (int)(left < slice ? left : slice));
    if (n < 0 && errno != EINTR)
        return kill_transport(s, err, _("lost the connection to %s (poll: %s)"), s->where,
                              strerror(errno));
    return WAIT_AGAIN;
}

/* ssh_wait for an operation: 0 to call libssh2 again, else an ssh_result with err filled. */
static int op_wait(struct ssh *s, const struct op *op, struct gw_error *err)
{
    int w = ssh_wait(s, op->deadline, false, err);
    if (w == WAIT_AGAIN)
        return 0;
    if (w == WAIT_TIMEOUT) {
        /* TRANSLATORS: seconds, then what was being done ("connecting to 1.2.3.4:22") */
        error_set(err, EXIT_PROVIDER, _("timed out after %d s %s"), op->timeout_s, op->doing);
        w = SSH_FAILED;
    }
    /* The caller abandons its call now. If libssh2 holds a half-sent packet for it, every
     * later packet would be refused (LIBSSH2_ERROR_BAD_USE): the session ends here. */
    if (w != SSH_LOST &&
        (libssh2_session_block_directions(s->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND))
        /* TRANSLATORS: host:port, then the error that ended the request */
        kill_transport(s, NULL, _("the connection to %s was given up after: %s"), s->where,
                       err ? err->msg : _("an abandoned request"));
    return w;
}

/* After a timeout or cancel inside a session-level request (opening a channel, starting SFTP),
 * libssh2 is left mid-request and would pair the next request with the old answer: the session
 * cannot be used again. Channel-level requests die with their channel and need nothing. */
static int poison(struct ssh *s, int rc, struct gw_error *err)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err ? err->msg : "");
    kill_transport(s, NULL, _("the connection to %s was given up after: %s"), s->where, why);
    error_set(err, EXIT_PROVIDER, "%s", why);
    return rc;
}

/* Closes and frees a channel. With `status` (the command finished: EOF seen) waits for the
 * host's close until `deadline` and reads the exit status (-1 for a signal or none); a
 * still-running command is not waited for. A close the host has not confirmed in time is
 * finished later, by any later wait (drain_closing) or by ssh_close. */
static void channel_finish(struct ssh *s, LIBSSH2_CHANNEL *ch, int64_t deadline, int *status)
{
    if (status)
        *status = -1;
    if (!s->dead && status) {
        int rc;
        while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN &&
               ssh_wait(s, deadline, true, NULL) == WAIT_AGAIN)
            ;
        if (rc == 0) {
            while ((rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN &&
                   ssh_wait(s, deadline, true, NULL) == WAIT_AGAIN)
                ;
        }
        if (rc == 0) {
            char *sig = NULL;
            size_t siglen = 0;
            *status = libssh2_channel_get_exit_status(ch);
            libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL, NULL);
            if (sig != NULL) {
                *status = -1;
                libssh2_free(s->session, sig);
            }
        }
    }
    int64_t until = now_ms() + SSH_CLOSE_WAIT_MS;
    int rc;
    while ((rc = libssh2_channel_free(ch)) == LIBSSH2_ERROR_EAGAIN && !s->dead &&
           ssh_wait(s, until, true, NULL) == WAIT_AGAIN)
        ;
    if (rc != LIBSSH2_ERROR_EAGAIN)
        return;
    if (s->nclosing < SSH_MAX_CLOSING && !s->dead) {
        s->closing[s->nclosing++] = ch;
        return;
    }
    /* too many unconfirmed closes: the host has stopped answering */
    kill_transport(s, NULL, _("%s stopped answering (channels not closed)"), s->where);
    for (int i = 0; i < 100 && libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN; i++)
        poll(NULL, 0, 1);
}

/* ------------------------------------------------------------------ config, init */

void ssh_config_default(struct ssh_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->connect_timeout_s = (int)env_seconds("GPUWARDEN_SSH_TIMEOUT_S", 30);
    cfg->keepalive_s = (int)env_seconds("GPUWARDEN_SSH_KEEPALIVE_S", 10);
    cfg->keepalive_max_missed = 3;
}

int ssh_global_init(void)
{
    return libssh2_init(0) == 0 ? 0 : -1;
}

void ssh_global_cleanup(void)
{
    libssh2_exit();
}

void ssh_known_hosts_name(const char *host, int port, char *out, size_t size)
{
    if (port == 22)
        snprintf(out, size, "%s", host);
    else
        snprintf(out, size, "[%s]:%d", host, port);
}

int ssh_idle_s(const struct ssh *s)
{
    if (s == NULL || s->last_rx_ms == 0)
        return 0;
    return (int)((now_ms() - s->last_rx_ms) / 1000);
}

/* ------------------------------------------------------------------ connect: TCP */

static int tcp_connect(struct ssh *s, struct op *op, struct gw_error *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    /* getaddrinfo cannot be bounded or cancelled; numeric addresses return at once */
    int g = getaddrinfo(s->host, port, &hints, &res);
    if (g != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot resolve %s: %s"), s->host, gai_strerror(g));
        return SSH_FAILED;
    }
    int last = 0, rc = SSH_FAILED;
    for (struct addrinfo *ai = res; ai != NULL && s->fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int e = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
        while (e == EINPROGRESS || e == EINTR) {
            if (cancelled(s)) {
                close(fd);
                freeaddrinfo(res);
                /* TRANSLATORS: what was being done ("connecting to 1.2.3.4:22") */
                error_set(err, EXIT_PROVIDER, _("cancelled while %s"), op->doing);
                return SSH_CANCELLED;
            }
            int64_t left = op->deadline - now_ms();
            if (left <= 0) {
                close(fd);
                freeaddrinfo(res);
                /* TRANSLATORS: seconds, then what was being done ("connecting to
                 * 1.2.3.4:22") */
                error_set(err, EXIT_PROVIDER, _("timed out after %d s %s (TCP connect)"),
                          op->timeout_s, op->doing);
                return SSH_FAILED;
            }
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int n = poll(&p, 1, (int)(left < SSH_SLICE_MS ? left : SSH_SLICE_MS));
            if (n > 0) {
                socklen_t len = sizeof e;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
                    e = errno;
            } else if (n < 0 && errno != EINTR) {
                e = errno;
            }
        }
        if (e == 0) {
            s->fd = fd;
            rc = SSH_OK;
        } else {
            last = e;
            close(fd);
        }
    }
    freeaddrinfo(res);
    if (rc == SSH_OK)
        return SSH_OK;
    if (last == ECONNREFUSED)
        error_set(err, EXIT_PROVIDER, _("connection refused by %s: nothing listens on port %d"),
                  s->where, s->port);
    else
        error_set(err, EXIT_PROVIDER, _("cannot connect to %s: %s"), s->where, strerror(last));
    return SSH_FAILED;
}

/* ------------------------------------------------------------------ connect: auth */

/* What authentication went through, for the SSH_AUTH sentence. */
struct auth_log {
    char tried[700]; /* "agent (2 keys), /root/.ssh/id_ed25519" */
    int refused;     /* keys the host said no to */
};

static void tried_add(struct auth_log *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tried_add(struct auth_log *a, const char *fmt, ...)
{
    size_t used = strlen(a->tried);
    if (used && used + 2 < sizeof a->tried) {
        memcpy(a->tried + used, ", ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->tried + used, sizeof a->tried - used, fmt, ap);
    va_end(ap);
    textwidth_repair(a->tried);
}

/* The answer to libssh2's verdict on one key: SSH_OK, AUTH_REFUSED (try the next), or an
 * error. A host that hangs up after refusing keys (MaxAuthTries) refused them all. */
static int auth_verdict(struct ssh *s, int lrc, struct auth_log *a, struct gw_error *err)
{
    switch (lrc) {
    case 0: return SSH_OK;
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
    case LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: a->refused++; return AUTH_REFUSED;
    default:
        if (transport_error(lrc) && a->refused > 0)
            return AUTH_HUNG_UP;
        error_set(err, EXIT_PROVIDER, _("authentication failed on %s: %s"), s->where,
                  last_error(s));
        return SSH_FAILED;
    }
}

static int auth_file(struct ssh *s, const char *path, const struct op *op, struct auth_log *a,
                     struct gw_error *err)
{
    if (access(path, R_OK) != 0) {
        /* TRANSLATORS: one entry of the list of what was tried: a key file, and why not */
        tried_add(a, _("%s (unreadable: %s)"), path, strerror(errno));
        return AUTH_REFUSED;
    }
    int lrc, w = 0;
    /* public key NULL: libssh2 derives it from the private key (OpenSSL backend) */
    while ((lrc = libssh2_userauth_publickey_fromfile_ex(s->session, s->user,
                                                         (unsigned)strlen(s->user), NULL, path,
                                                         NULL)) == LIBSSH2_ERROR_EAGAIN &&
           (w = op_wait(s, op, err)) == 0)
        ;
    if (w != 0)
        return w;
    if (lrc == LIBSSH2_ERROR_FILE) {
        /* TRANSLATORS: one entry of the list of what was tried: a key file, and why not */
        tried_add(a, _("%s (cannot be used: passphrase-protected or unknown format)"), path);
        return AUTH_REFUSED;
    }
    tried_add(a, "%s", path);
    return auth_verdict(s, lrc, a, err);
}

static int auth_agent(struct ssh *s, const struct op *op, struct auth_log *a, struct gw_error *err)
{
    const char *sock = getenv("SSH_AUTH_SOCK");
    if (sock == NULL || !*sock)
        return AUTH_REFUSED;
    LIBSSH2_AGENT *agent = libssh2_agent_init(s->session);
    if (agent == NULL) {
        /* TRANSLATORS: one entry of the list of what was tried: the ssh-agent */
        tried_add(a, _("agent (libssh2 could not start it)"));
        return AUTH_REFUSED;
    }
    int result = AUTH_REFUSED, keys = 0;
    if (libssh2_agent_connect(agent) != 0) {
        /* TRANSLATORS: one entry of the list of what was tried: the ssh-agent, %s its socket */
        tried_add(a, _("agent (not reachable at %s)"), sock);
    } else {
        struct libssh2_agent_publickey *id = NULL, *prev = NULL;
        if (libssh2_agent_list_identities(agent) == 0) {
            while (result == AUTH_REFUSED && libssh2_agent_get_identity(agent, &id, prev) == 0) {
                keys++;
                int lrc, w = 0;
                while ((lrc = libssh2_agent_userauth(agent, s->user, id)) == LIBSSH2_ERROR_EAGAIN &&
                       (w = op_wait(s, op, err)) == 0)
                    ;
                result = w != 0 ? w : auth_verdict(s, lrc, a, err);
                prev = id;
            }
        }
        /* TRANSLATORS: one entry of the list of what was tried: the ssh-agent and how many keys
         * it offered */
        tried_add(a, keys == 1 ? _("agent (%d key)") : _("agent (%d keys)"), keys);
        libssh2_agent_disconnect(agent);
    }
    libssh2_agent_free(agent);
    return result;
}

/* cfg->key_path alone, else the agent's keys, ~/.ssh/id_ed25519, ~/.ssh/id_rsa. */
static int authenticate(struct ssh *s, const struct op *op, struct gw_error *err)
{
    struct auth_log a = {.tried = "", .refused = 0};
    int rc;
    if (s->key_path != NULL) {
        rc = auth_file(s, s->key_path, op, &a, err);
    } else {
        rc = auth_agent(s, op, &a, err);
        const char *home = getenv("HOME");
        struct passwd *pw = NULL;
        if ((home == NULL || !*home) && (pw = getpwuid(getuid())) != NULL)
            home = pw->pw_dir;
        static const char *const names[] = {".ssh/id_ed25519", ".ssh/id_rsa"};
        for (size_t i = 0; rc == AUTH_REFUSED && home && i < 2; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", home, names[i]);
            if (access(path, F_OK) == 0)
                rc = auth_file(s, path, op, &a, err);
        }
    }
    if (rc != AUTH_REFUSED && rc != AUTH_HUNG_UP)
        return rc;
    if (!a.tried[0])
        snprintf(a.tried, sizeof a.tried, "%s",
                 _("nothing: no ssh-agent (SSH_AUTH_SOCK unset), no ~/.ssh/id_ed25519 or "
                   "~/.ssh/id_rsa"));
    /* TRANSLATORS: user@host:port, the list of what was tried, and "; then it hung up" when the
     * host closed the connection after refusing the keys */
    error_set(err, EXIT_PROVIDER, _("authentication refused for %s@%s (tried: %s)%s"), s->user,
              s->where, a.tried, rc == AUTH_HUNG_UP ? _("; then it hung up") : "");
    return SSH_AUTH;
}

/* ------------------------------------------------------------------ connect */

int ssh_connect(const struct ssh_config *cfg, struct ssh **out, struct ssh_hostkey_info *info,
                struct gw_error *err)
{
    struct ssh_hostkey_info scratch;
    if (info == NULL)
        info = &scratch;
    memset(info, 0, sizeof *info);
    *out = NULL;
    if (cfg->host == NULL || !*cfg->host || cfg->port <= 0 || cfg->port > 65535 ||
        cfg->user == NULL || !*cfg->user || cfg->known_hosts == NULL || !*cfg->known_hosts) {
        error_set(err, EXIT_USAGE, _("ssh: host, port (1-65535), user and known_hosts are needed"));
        return SSH_FAILED;
    }
    struct ssh *s = xcalloc(1, sizeof *s);
    s->fd = -1;
    s->host = xstrdup(cfg->host);
    s->user = xstrdup(cfg->user);
    s->key_path = cfg->key_path && *cfg->key_path ? xstrdup(cfg->key_path) : NULL;
    s->known_hosts = xstrdup(cfg->known_hosts);
    s->port = cfg->port;
    s->connect_timeout_s = cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 30;
    s->keepalive_s = cfg->keepalive_s > 0 ? cfg->keepalive_s : 0;
    s->keepalive_every_s = s->keepalive_s == 1 ? 2 : s->keepalive_s; /* libssh2 turns 1 into 2 */
    s->keepalive_max_missed = cfg->keepalive_max_missed > 0 ? cfg->keepalive_max_missed : 3;
    s->cancel = cfg->cancel;
    snprintf(s->where, sizeof s->where, "%s:%d", s->host, s->port);

    struct op op;
    /* TRANSLATORS: what is being done, put into "timed out after %d s %s" and "cancelled while
     * %s"; %s is host:port */
    op_start(&op, s->connect_timeout_s, _("connecting to %s"), s->where);
    int rc;
    if (cancelled(s)) {
        error_set(err, EXIT_PROVIDER, _("cancelled while connecting to %s"), s->where);
        rc = SSH_CANCELLED;
    } else {
        rc = tcp_connect(s, &op, err);
    }
    if (rc != SSH_OK)
        goto fail;
    s->last_rx_ms = now_ms();

    s->session = libssh2_session_init_ex(NULL, NULL, NULL, s);
    if (s->session == NULL) {
        error_set(err, EXIT_PROVIDER, _("libssh2 could not start a session"));
        rc = SSH_FAILED;
        goto fail;
    }
    set_callbacks(s->session);
    libssh2_session_set_blocking(s->session, 0);

    /* TRANSLATORS: what is being done, put into "timed out after %d s %s"; %s is host:port */
    snprintf(op.doing, sizeof op.doing, _("connecting to %s (SSH handshake)"), s->where);
    while ((rc = libssh2_session_handshake(s->session, s->fd)) == LIBSSH2_ERROR_EAGAIN)
        if ((rc = op_wait(s, &op, err)) != 0)
            goto fail;
    if (rc != 0) {
        error_set(err, EXIT_PROVIDER, _("SSH handshake with %s failed: %s"), s->where,
                  last_error(s));
        rc = SSH_FAILED;
        goto fail;
    }
    s->handshaked = true;

    if ((rc = knownhosts_check(s->session, s->known_hosts, s->host, s->port, s->where, info,
                               err)) != SSH_OK)
        goto fail;

    /* TRANSLATORS: what is being done, put into "timed out after %d s %s"; %s is host:port */
    snprintf(op.doing, sizeof op.doing, _("connecting to %s (authentication)"), s->where);
    if ((rc = authenticate(s, &op, err)) != SSH_OK)
        goto fail;

    if (s->keepalive_s > 0) {
        libssh2_keepalive_config(s->session, 1, (unsigned)s->keepalive_s);
        s->keepalive_on = true;
    }
    *out = s;
    return SSH_OK;

fail:
    if (rc == SSH_LOST) /* the connection was never established: retryable */
        rc = SSH_FAILED;
    ssh_close(s);
    return rc;
}

/* ------------------------------------------------------------------ channels */

/* Opens a session channel with stderr merged into stdout and starts cmd. */
static int open_exec(struct ssh *s, const char *cmd, struct op *op, LIBSSH2_CHANNEL **out,
                     struct gw_error *err)
{
    LIBSSH2_CHANNEL *ch;
    int lrc, res = SSH_OK; /* libssh2's codes and ours */
    while ((ch = libssh2_channel_open_session(s->session)) == NULL) {
        lrc = libssh2_session_last_errno(s->session);
        if (lrc != LIBSSH2_ERROR_EAGAIN)
            /* TRANSLATORS: what was being done, put into "%s failed on %s: %s" and "lost the
             * connection to %s while %s (%s)" */
            return fail(s, lrc, err, _("opening a channel"));
        if ((res = op_wait(s, op, err)) != 0)
            return poison(s, res, err);
    }
    /* merged before exec, so no stderr byte can arrive unmerged (and stall the window) */
    while ((lrc = libssh2_channel_handle_extended_data2(ch, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE)) ==
               LIBSSH2_ERROR_EAGAIN &&
           (res = op_wait(s, op, err)) == 0)
        ;
    if (res == SSH_OK && lrc == 0)
        while ((lrc = libssh2_channel_exec(ch, cmd)) == LIBSSH2_ERROR_EAGAIN &&
               (res = op_wait(s, op, err)) == 0)
            ;
    if (res == SSH_OK && lrc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
        error_set(err, EXIT_PROVIDER, _("%s refused to run the command"), s->where);
        res = SSH_FAILED;
    } else if (res == SSH_OK && lrc != 0) {
        res = fail(s, lrc, err, _("starting a command"));
    }
    if (res != SSH_OK) {
        channel_finish(s, ch, 0, NULL);
        return res;
    }
    *out = ch;
    return SSH_OK;
}

int ssh_exec(struct ssh *s, const char *cmd, int timeout_s, size_t max_bytes, char **out,
             size_t *len, int *exit_status, struct gw_error *err)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (exit_status)
        *exit_status = -1;
    int ready = usable(s, err);
    if (ready != SSH_OK)
        return ready;
    struct op op;
    /* TRANSLATORS: what is being done, put into "timed out after %d s %s"; %s is host:port */
    op_start(&op, timeout_s, _("running a command on %s"), s->where);
    LIBSSH2_CHANNEL *ch = NULL;
    int rc = open_exec(s, cmd, &op, &ch, err);
    if (rc != SSH_OK)
        return rc;

    size_t cap = 0, used = 0;
    char *buf = NULL;
    char chunk[16384];
    for (;;) {
        ssize_t n = libssh2_channel_read(ch, chunk, sizeof chunk);
        if (n > 0) {
            size_t keep = used < max_bytes ? max_bytes - used : 0;
            if (keep > (size_t)n)
                keep = (size_t)n;
            if (keep > 0 && out) {
                xgrow((void **)&buf, &cap, used + keep + 1, 1);
                memcpy(buf + used, chunk, keep);
            }
            used += keep;
            continue;
        }
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            rc = fail(s, (int)n, err, _("reading a command's output"));
            break;
        }
        if (n == 0 || libssh2_channel_eof(ch) == 1) /* 0: EOF, or closed without one */
            break;
        if ((rc = op_wait(s, &op, err)) != 0)
            break;
    }
    int status = -1;
    /* the exit status comes with the host's close, after EOF: wait for it within the timeout */
    int64_t grace = now_ms() + SSH_CLOSE_WAIT_MS;
    channel_finish(s, ch, op.deadline > grace ? op.deadline : grace, rc == SSH_OK ? &status : NULL);
    if (rc != SSH_OK) {
        free(buf);
        return rc;
    }
    if (out) {
        if (buf == NULL)
            buf = xcalloc(1, 1);
        buf[used] = '\0';
        *out = buf;
    }
    if (len)
        *len = used;
    if (exit_status)
        *exit_status = status;
    return SSH_OK;
}

/* ------------------------------------------------------------------ upload */

static const char *sftp_reason(unsigned long code)
{
    switch (code) {
    case LIBSSH2_FX_NO_SUCH_FILE:
    case LIBSSH2_FX_NO_SUCH_PATH: return _("no such file or folder");
    case LIBSSH2_FX_PERMISSION_DENIED: return _("permission denied");
    case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
    case LIBSSH2_FX_QUOTA_EXCEEDED: return _("no space left");
    case LIBSSH2_FX_NOT_A_DIRECTORY: return _("a parent is not a folder");
    case LIBSSH2_FX_WRITE_PROTECT: return _("read-only file system");
    default: return _("SFTP error");
    }
}

/* The steps of an upload, each in whole sentences: a verb alone does not translate. */
enum sftp_step { SFTP_CREATE, SFTP_WRITE, SFTP_SET_MODE, SFTP_CLOSE };

static const struct {
    const char *cannot; /* the file, host:port, why, the SFTP status code */
    const char *doing;  /* the file: put into "lost the connection to %s while %s (%s)" */
} sftp_steps[] = {
    [SFTP_CREATE] = {N_("cannot create %s on %s: %s (SFTP status %lu)"), N_("create %s over SFTP")},
    [SFTP_WRITE] = {N_("cannot write %s on %s: %s (SFTP status %lu)"), N_("write %s over SFTP")},
    [SFTP_SET_MODE] = {N_("cannot set the mode of %s on %s: %s (SFTP status %lu)"),
                       N_("set the mode of %s over SFTP")},
    [SFTP_CLOSE] = {N_("cannot close %s on %s: %s (SFTP status %lu)"), N_("close %s over SFTP")},
};

static int sftp_fail(struct ssh *s, LIBSSH2_SFTP *sftp, int rc, const char *path,
                     enum sftp_step step, struct gw_error *err)
{
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL) {
        unsigned long code = libssh2_sftp_last_error(sftp);
        error_set(err, EXIT_PROVIDER, _(sftp_steps[step].cannot), path, s->where, sftp_reason(code),
                  code);
        return SSH_FAILED;
    }
    char what[400];
    snprintf(what, sizeof what, _(sftp_steps[step].doing), path);
    return fail(s, rc, err, what);
}

int ssh_upload(struct ssh *s, const char *path, const char *data, size_t len, int mode,
               int timeout_s, struct gw_error *err)
{
    int ready = usable(s, err);
    if (ready != SSH_OK)
        return ready;
    struct op op;
    /* TRANSLATORS: what is being done, put into "timed out after %d s %s": a file, then
     * host:port */
    op_start(&op, timeout_s, _("uploading %s to %s"), path, s->where);
    LIBSSH2_SFTP *sftp;
    int rc;
    while ((sftp = libssh2_sftp_init(s->session)) == NULL) {
        rc = libssh2_session_last_errno(s->session);
        if (rc != LIBSSH2_ERROR_EAGAIN)
            return fail(s, rc, err, _("starting SFTP"));
        if ((rc = op_wait(s, &op, err)) != 0)
            return poison(s, rc, err);
    }
    LIBSSH2_SFTP_HANDLE *h;
    rc = SSH_OK;
    while ((h = libssh2_sftp_open_ex(sftp, path, (unsigned)strlen(path),
                                     LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
                                     mode, LIBSSH2_SFTP_OPENFILE)) == NULL) {
        int e = libssh2_session_last_errno(s->session);
        if (e != LIBSSH2_ERROR_EAGAIN) {
            rc = sftp_fail(s, sftp, e, path, SFTP_CREATE, err);
            break;
        }
        if ((rc = op_wait(s, &op, err)) != 0)
            break;
    }
    size_t off = 0;
    while (h != NULL && rc == SSH_OK && off < len) {
        ssize_t n = libssh2_sftp_write(h, data + off, len - off);
        if (n > 0)
            off += (size_t)n;
        else if (n == LIBSSH2_ERROR_EAGAIN)
            rc = op_wait(s, &op, err);
        else if (n < 0)
            rc = sftp_fail(s, sftp, (int)n, path, SFTP_WRITE, err);
        /* 0: sent, nothing acknowledged yet: ask again */
    }
    if (h != NULL && rc == SSH_OK) {
        /* the mode of an existing file, and the server's umask, would otherwise win */
        LIBSSH2_SFTP_ATTRIBUTES attrs = {.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS,
                                         .permissions = (unsigned long)mode & 07777};
        int e;
        while ((e = libssh2_sftp_fsetstat(h, &attrs)) == LIBSSH2_ERROR_EAGAIN)
            if ((rc = op_wait(s, &op, err)) != 0)
                break;
        if (rc == SSH_OK && e != 0)
            rc = sftp_fail(s, sftp, e, path, SFTP_SET_MODE, err);
    }
    int64_t until = rc == SSH_OK ? op.deadline : now_ms() + SSH_CLEANUP_MS;
    if (h != NULL) {
        int e;
        while ((e = libssh2_sftp_close_handle(h)) == LIBSSH2_ERROR_EAGAIN && !s->dead &&
               ssh_wait(s, until, true, NULL) == WAIT_AGAIN)
            ;
        if (e == LIBSSH2_ERROR_EAGAIN)
            kill_transport(s, NULL, _("%s stopped answering (SFTP close)"), s->where);
        /* a failed close may mean the last bytes were not written */
        else if (rc == SSH_OK && e != 0)
            rc = sftp_fail(s, sftp, e, path, SFTP_CLOSE, err);
    }
    int e;
    while ((e = libssh2_sftp_shutdown(sftp)) == LIBSSH2_ERROR_EAGAIN && !s->dead &&
           ssh_wait(s, until, true, NULL) == WAIT_AGAIN)
        ;
    if (e == LIBSSH2_ERROR_EAGAIN) {
        kill_transport(s, NULL, _("%s stopped answering (SFTP shutdown)"), s->where);
        for (int i = 0; i < 100 && libssh2_sftp_shutdown(sftp) == LIBSSH2_ERROR_EAGAIN; i++)
            poll(NULL, 0, 1);
    }
    return rc;
}

/* ------------------------------------------------------------------ streams */

int ssh_stream_open(struct ssh *s, const char *cmd, struct ssh_stream **out, struct gw_error *err)
{
    *out = NULL;
    int ready = usable(s, err);
    if (ready != SSH_OK)
        return ready;
    struct op op;
    /* TRANSLATORS: what is being done, put into "timed out after %d s %s"; %s is host:port */
    op_start(&op, s->connect_timeout_s, _("starting a command on %s"), s->where);
    LIBSSH2_CHANNEL *ch = NULL;
    int rc = open_exec(s, cmd, &op, &ch, err);
    if (rc != SSH_OK)
        return rc;
    struct ssh_stream *st = xcalloc(1, sizeof *st);
    st->s = s;
    st->ch = ch;
    *out = st;
    return SSH_OK;
}

ssize_t ssh_stream_read(struct ssh_stream *st, char *buf, size_t size, int timeout_ms, bool *eof,
                        struct gw_error *err)
{
    struct ssh *s = st->s;
    *eof = st->eof;
    if (st->eof || size == 0)
        return 0;
    if (s->dead)
        return dead_result(s, err);
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        ssize_t n = libssh2_channel_read(st->ch, buf, size);
        if (n > 0)
            return n;
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            /* whatever broke, this command's output is gone: the caller reconnects */
            if (transport_error((int)n))
                return fail(s, (int)n, err, _("reading a command's output"));
            return kill_transport(s, err, _("lost a command's output on %s: %s"), s->where,
                                  last_error(s));
        }
        if (n == 0 || libssh2_channel_eof(st->ch) == 1) { /* 0: EOF, or closed without one */
            st->eof = true;
            *eof = true;
            return 0;
        }
        int w = ssh_wait(s, deadline, false, err);
        if (w == WAIT_TIMEOUT)
            return 0;
        if (w != WAIT_AGAIN)
            return w;
    }
}

void ssh_stream_close(struct ssh_stream *st, int *exit_status)
{
    if (exit_status)
        *exit_status = -1;
    if (st == NULL)
        return;
    int status = -1;
    channel_finish(st->s, st->ch, now_ms() + SSH_CLEANUP_MS, st->eof ? &status : NULL);
    if (exit_status)
        *exit_status = status;
    free(st);
}

/* ------------------------------------------------------------------ HTTP through a tunnel */

int ssh_http(struct ssh *s, int port, const char *method, const char *path, const char *body,
             int timeout_s, size_t max_bytes, int *status, char **resp_body, size_t *resp_len,
             struct gw_error *err)
{
    *status = 0;
    if (resp_body)
        *resp_body = NULL;
    if (resp_len)
        *resp_len = 0;
    int ready = usable(s, err);
    if (ready != SSH_OK)
        return ready;
    size_t reqlen = 0;
    char *req = rawhttp_request(method, path, port, body, &reqlen);
    if (req == NULL) {
        /* TRANSLATORS: the method and path the recipe gave */
        error_set(err, EXIT_USAGE, _("not an HTTP request: %s %s"), method, path);
        return SSH_FAILED;
    }
    struct op op;
    /* TRANSLATORS: what is being done, put into "timed out after %d s %s": a port, host:port */
    op_start(&op, timeout_s, _("waiting for an HTTP answer from port %d of %s"), port, s->where);
    LIBSSH2_CHANNEL *ch;
    int rc;
    while ((ch = libssh2_channel_direct_tcpip_ex(s->session, "127.0.0.1", port, "127.0.0.1", 22)) ==
           NULL) {
        rc = libssh2_session_last_errno(s->session);
        if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
            /* an open failure leaves the session as it was (channel.c resets its state) */
            free(req);
            if (strstr(last_error(s), "prohibited"))
                error_set(err, EXIT_PROVIDER,
                          _("%s does not allow SSH port forwarding, so port %d cannot be "
                            "reached"),
                          s->where, port);
            else
                error_set(err, EXIT_PROVIDER, _("nothing answers on port %d of the host (%s)"),
                          port, s->where);
            return SSH_FAILED;
        }
        if (rc != LIBSSH2_ERROR_EAGAIN)
            rc = fail(s, rc, err, _("opening a tunnel"));
        else if ((rc = op_wait(s, &op, err)) != 0)
            rc = poison(s, rc, err);
        if (rc != 0) {
            free(req);
            return rc;
        }
    }

    size_t off = 0;
    rc = SSH_OK;
    while (off < reqlen && rc == SSH_OK) {
        ssize_t n = libssh2_channel_write(ch, req + off, reqlen - off);
        if (n >= 0)
            off += (size_t)n;
        else if (n == LIBSSH2_ERROR_EAGAIN)
            rc = op_wait(s, &op, err);
        else
            rc = fail(s, (int)n, err, _("sending an HTTP request"));
    }
    free(req);

    /* HTTP/1.0 and Connection: close: the answer ends when the server closes, or when it is
     * whole by its own framing */
    size_t cap_total = max_bytes < SIZE_MAX - SSH_HTTP_HEAD_MAX ? max_bytes + SSH_HTTP_HEAD_MAX
                                                                : SIZE_MAX - 1,
           cap = 0, used = 0, got = 0;
    char *raw = NULL;
    char chunk[16384];
    while (rc == SSH_OK) {
        ssize_t n = libssh2_channel_read(ch, chunk, sizeof chunk);
        if (n > 0) {
            size_t keep = used < cap_total ? cap_total - used : 0;
            if (keep > (size_t)n)
                keep = (size_t)n;
            xgrow((void **)&raw, &cap, used + keep + 1, 1);
            memcpy(raw + used, chunk, keep);
            used += keep;
            raw[used] = '\0';
            got += (size_t)n;
            if (rawhttp_complete(raw, used, got))
                break;
            continue;
        }
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            rc = fail(s, (int)n, err, _("reading an HTTP answer"));
            break;
        }
        if (n == 0 || libssh2_channel_eof(ch) == 1) /* 0: EOF, or closed without one */
            break;
        rc = op_wait(s, &op, err);
    }
    channel_finish(s, ch, 0, NULL);
    const char *why = NULL;
    if (rc == SSH_OK) {
        xgrow((void **)&raw, &cap, used + 1, 1);
        raw[used] = '\0';
        if (rawhttp_parse(raw, used, max_bytes, status, resp_body, resp_len, &why) != 0) {
            if (!strcmp(why, "empty"))
                error_set(err, EXIT_PROVIDER,
                          _("port %d of the host (%s) closed the connection without an answer"),
                          port, s->where);
            else if (!strcmp(why, "incomplete"))
                error_set(err, EXIT_PROVIDER,
                          _("port %d of the host (%s) gave an incomplete HTTP answer"), port,
                          s->where);
            else
                error_set(err, EXIT_PROVIDER, _("port %d of the host (%s) did not answer in HTTP"),
                          port, s->where);
            rc = SSH_FAILED;
        }
    }
    free(raw);
    return rc;
}

/* ------------------------------------------------------------------ close */

void ssh_close(struct ssh *s)
{
    if (s == NULL)
        return;
    if (s->session != NULL) {
        if (s->handshaked && !s->dead) {
            int64_t until = now_ms() + 1000;
            /* not translated: the disconnect reason is sent to the host */
            while (libssh2_session_disconnect_ex(s->session, SSH_DISCONNECT_BY_APPLICATION,
                                                 "closed by gpuwarden",
                                                 "") == LIBSSH2_ERROR_EAGAIN &&
                   ssh_wait(s, until, true, NULL) == WAIT_AGAIN)
                ;
        }
        /* nothing more will be sent or awaited: freeing must not wait for the host */
        if (s->fd >= 0)
            shutdown(s->fd, SHUT_RDWR);
        for (int i = 0; i < 100 && libssh2_session_free(s->session) == LIBSSH2_ERROR_EAGAIN; i++)
            poll(NULL, 0, 1);
    }
    if (s->fd >= 0)
        close(s->fd);
    free(s->host);
    free(s->user);
    free(s->key_path);
    free(s->known_hosts);
    free(s);
}
