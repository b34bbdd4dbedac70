/* Files that are always whole: the state, the audit log's folder, known_hosts, the cache. A write
 * goes to a temp file in the same folder, is fsync'd, then renamed over the target, and the
 * folder is fsync'd; a crash at any point leaves the old file or the new one, never a mix. */
#ifndef GPUWARDEN_ATOMICFILE_H
#define GPUWARDEN_ATOMICFILE_H

#include <stddef.h>

/* mkdir -p with mode 0700 for every folder it creates. 0, or -1 with errno. */
int atomicfile_mkdirs(const char *path);

/* Replaces `path` with data[0..len), mode 0600. 0, or -1 with errno (the old file is kept). */
int atomicfile_write(const char *path, const char *data, size_t len);

/* write(2) until done, retrying EINTR. 0 or -1. */
int atomicfile_write_all(int fd, const char *data, size_t len);

#endif
