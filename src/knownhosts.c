/* Our own known_hosts file (knownhosts.h): trust on first use, never re-trusting a changed
 * key. */
#include "knownhosts.h"

#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "i18n.h"
#include "xalloc.h"

/* One process-wide lock: fcntl locks do not exclude threads of the same process. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *last_error(LIBSSH2_SESSION *session)
{
    char *msg = NULL;
    libssh2_session_last_error(session, &msg, NULL, 0); /* owned by the session */
    return msg ? msg : "";
}

static int knownhost_key_bits(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return 0;
    }
}

/* The key's algorithm name, the first string of the blob ("ssh-ed25519"). */
static void key_type_name(const unsigned char *blob, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    if (len < 4)
        return;
    uint32_t n =
        (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3];
    if (n == 0 || n > len - 4 || n >= size)
        return;
    for (uint32_t i = 0; i < n; i++)
        if (blob[4 + i] < 0x21 || blob[4 + i] > 0x7e)
            return;
    memcpy(out, blob + 4, n);
    out[n] = '\0';
}

/* Writes every entry of nh to path atomically (a 0600 temporary file in the same folder, fsync,
 * rename, fsync of the folder). 0 or -1 with errno. */
static int known_hosts_save(LIBSSH2_KNOWNHOSTS *nh, const char *path)
{
    size_t cap = 4096, len = 0;
    char *text = xmalloc(cap);
    struct libssh2_knownhost *e = NULL, *prev = NULL;
    while (libssh2_knownhost_get(nh, &e, prev) == 0) {
        size_t n = 0;
        int rc;
        while ((rc = libssh2_knownhost_writeline(nh, e, text + len, cap - len, &n,
                                                 LIBSSH2_KNOWNHOST_FILE_OPENSSH)) ==
               LIBSSH2_ERROR_BUFFER_TOO_SMALL)
            xgrow((void **)&text, &cap, cap * 2, 1);
        if (rc != 0) {
            free(text);
            errno = EINVAL;
            return -1;
        }
        len += n;
        prev = e;
    }
    int rc = atomicfile_write(path, text, len);
    int saved = errno;
    free(text);
    errno = saved;
    return rc;
}

/* Under a lock, so that two workers (or two gpuwarden processes) adding hosts at once do not
 * lose one another's lines. */
int knownhosts_check(LIBSSH2_SESSION *session, const char *path, const char *host, int port,
                     const char *where, struct ssh_hostkey_info *info, struct gw_error *err)
{
    size_t len = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(session, &len, &type);
    if (key == NULL || len == 0) {
        /* TRANSLATORS: %s is host:port, in every known-hosts sentence */
        error_set(err, EXIT_PROVIDER, _("%s sent no host key"), where);
        return SSH_FAILED;
    }
    const char *hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
    unsigned char digest[FINGERPRINT_DIGEST_LEN];
    if (hash != NULL)
        memcpy(digest, hash, sizeof digest);
    else
        fingerprint_sha256(key, len, digest);
    fingerprint_format(digest, info->fingerprint, sizeof info->fingerprint);
    key_type_name((const unsigned char *)key, len, info->type, sizeof info->type);
    int bits = knownhost_key_bits(type);
    if (bits == 0) {
        error_set(err, EXIT_PROVIDER,
                  /* TRANSLATORS: host:port, then the key's algorithm (ssh-ed25519), or "unknown" */
                  _("%s offered a host key of a type libssh2 cannot store (%s)"), where,
                  info->type[0] ? info->type : "unknown");
        return SSH_FAILED;
    }

    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (atomicfile_mkdirs(dir) != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot create the folder of %s: %s"), path,
                  strerror(errno));
        return SSH_FAILED;
    }

    pthread_mutex_lock(&known_hosts_lock);
    char lock_path[1100];
    snprintf(lock_path, sizeof lock_path, "%s.lock", path);
    int lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd >= 0) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        while (fcntl(lock_fd, F_SETLKW, &fl) != 0 && errno == EINTR)
            ;
    }

    int result = SSH_OK;
    LIBSSH2_KNOWNHOSTS *nh = libssh2_knownhost_init(session);
    struct stat st;
    if (nh == NULL) {
        error_set(err, EXIT_PROVIDER, _("libssh2 could not allocate a known-hosts list"));
        result = SSH_FAILED;
    } else if (stat(path, &st) == 0 &&
               libssh2_knownhost_readfile(nh, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
        error_set(err, EXIT_PROVIDER, _("cannot read the known hosts file %s: %s"), path,
                  last_error(session));
        result = SSH_FAILED;
    }

    char name[300];
    ssh_known_hosts_name(host, port, name, sizeof name);
    if (result == SSH_OK) {
        struct libssh2_knownhost *entry = NULL;
        /* the full "[host]:port" name with port -1: libssh2 would otherwise fall back to the
         * plain host name, whose key belongs to port 22 (OpenSSH does not) */
        int check = libssh2_knownhost_checkp(
            nh, name, -1, key, len, LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW,
            &entry);
        switch (check) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: break;
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: {
            char stored[64] = "";
            if (entry == NULL || entry->key == NULL ||
                fingerprint_of_base64_key(entry->key, stored, sizeof stored) != 0)
                /* TRANSLATORS: in place of the stored key's fingerprint */
                snprintf(stored, sizeof stored, "%s", _("unreadable"));
            error_set(
                err, EXIT_CHECK_FAILED,
                /* TRANSLATORS: host:port, then the fingerprints (SHA256:...) stored and offered */
                _("host key changed for %s: possible MITM (stored %s, offered %s)"), where, stored,
                info->fingerprint);
            result = SSH_HOSTKEY;
            break;
        }
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            if (libssh2_knownhost_addc(nh, name, NULL, key, len, "gpuwarden", 9,
                                       LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                           bits,
                                       NULL) != 0) {
                error_set(err, EXIT_PROVIDER, _("cannot add %s to the known hosts: %s"), name,
                          last_error(session));
                result = SSH_FAILED;
            } else if (known_hosts_save(nh, path) != 0) {
                error_set(err, EXIT_PROVIDER, _("cannot write the known hosts file %s: %s"), path,
                          strerror(errno));
                result = SSH_FAILED;
            } else {
                info->first_use = true;
            }
            break;
        default:
            error_set(err, EXIT_PROVIDER, _("cannot check the host key of %s: %s"), where,
                      last_error(session));
            result = SSH_FAILED;
        }
    }
    if (nh != NULL)
        libssh2_knownhost_free(nh);
    if (lock_fd >= 0)
        close(lock_fd); /* releases the fcntl lock */
    pthread_mutex_unlock(&known_hosts_lock);
    return result;
}
