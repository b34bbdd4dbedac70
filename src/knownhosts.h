/* Our own known_hosts file for rented hosts (SPEC §7 step 3, reference trust-vram-ssh §5.4):
 * trust on first use with the SHA256 fingerprint shown, a changed key never re-trusted. Used by
 * ssh.c right after the handshake; it speaks libssh2, so other modules go through ssh.h. */
#ifndef GPUWARDEN_KNOWNHOSTS_H
#define GPUWARDEN_KNOWNHOSTS_H

#include <libssh2.h>

#include "error.h"
#include "ssh.h"

/* Checks the host key of a handshaked session against the file `path`, under the name
 * ssh_known_hosts_name(host, port) only (a plain "host" line does not vouch for another port,
 * as with OpenSSH). Returns SSH_OK for a match; SSH_OK with info->first_use for an unknown
 * name, whose key is then added (the file created 0600 and missing folders 0700, the whole file
 * rewritten atomically); SSH_HOSTKEY for a different key ("host key changed for WHERE: possible
 * MITM (stored SHA256:.., offered SHA256:..)", the file left as it was); SSH_FAILED when the
 * file cannot be read or written or the key type is unknown. info always gets the offered key's
 * fingerprint and type. `where` ("host:port") names the host in err. */
int knownhosts_check(LIBSSH2_SESSION *session, const char *path, const char *host, int port,
                     const char *where, struct ssh_hostkey_info *info, struct gw_error *err);

#endif
