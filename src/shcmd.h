/* What one shell command does, for the setup-script lint (SPEC §5): reads the words shlex
 * produced, past wrappers such as sudo, nohup or `uv run`, and says whether the command installs,
 * downloads, checks, prints a success marker, starts a service, or uses a risky option. Pure
 * functions on one command; the script-level rules live in lint.c. */
#ifndef GPUWARDEN_SHCMD_H
#define GPUWARDEN_SHCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "shlex.h"

/* What a command does, as far as the lint rules care (shcmd_classify). */
enum {
    SHCMD_INSTALL = 1u << 0,  /* pip/uv/conda/apt/npm ... install */
    SHCMD_DOWNLOAD = 1u << 1, /* curl, wget, aria2c, hf download, a download*.py ... */
    SHCMD_CLONE = 1u << 2,    /* git clone, git submodule update */
    SHCMD_MODEL = 1u << 3,    /* a model step: snapshot_download, a *model* script ... */
    SHCMD_TO_DISK = 1u << 4,  /* a download that writes a file */
    SHCMD_CHECK = 1u << 5,    /* verifies something: test, du, curl -f, assert ... */
    SHCMD_EXISTS = 1u << 6,   /* checks a file's existence or size */
    SHCMD_PROBE = 1u << 7,    /* curl, wget, nc: a health probe when inside a loop */
    SHCMD_WAIT = 1u << 8,     /* a bounded health wait by itself: timeout N ... curl */
    SHCMD_NUMCMP = 1u << 9,   /* a numeric comparison: a loop counter */
    SHCMD_LEAVE = 1u << 10,   /* break, exit, return */
    SHCMD_MARKER = 1u << 11,  /* prints (or touches) a success marker */
    SHCMD_SETUP = 1u << 12,   /* set, trap, shopt: may come before set -e */
    SHCMD_SET_E = 1u << 13,   /* turns errexit on */
    SHCMD_SWALLOW = 1u << 14, /* true, :, exit 0: the right side of `|| true` */
    SHCMD_SERVICE = 1u << 15, /* starts a service in the background */
};
#define SHCMD_STEP (SHCMD_INSTALL | SHCMD_DOWNLOAD | SHCMD_CLONE | SHCMD_MODEL)

enum shcmd_devel { SHCMD_NO_DEVEL, SHCMD_DEVEL_IMAGE, SHCMD_TOOLKIT };

enum shcmd_danger {
    SHCMD_SAFE,
    SHCMD_VASTAI_DESTROY,
    SHCMD_RUNPOD_REMOVE,
    SHCMD_DOCKER_PRUNE,
    SHCMD_RM_ROOT,
    SHCMD_RM_HOME,
    SHCMD_RM_EMPTY_VAR, /* rm -rf "$VAR/": `/` when VAR is empty */
};

/* Index of the word naming the program, past assignments and wrappers (sudo, env, nohup,
 * timeout, `uv run` ...); nwords when there is none. */
size_t shcmd_start(const struct shlex_cmd *c);

/* The SHCMD_* bits of a command whose program word is at `start`. */
unsigned shcmd_classify(const struct shlex_cmd *c, size_t start);

/* NAME=value, NAME+=value, NAME[i]=value */
bool shcmd_is_assignment(const char *w);

/* The shebang line turns errexit on: #!/bin/bash -e, #!/usr/bin/env -S bash -eu. */
bool shcmd_shebang_errexit(const char *text, size_t len);

/* A CUDA devel image in any word, or a CUDA toolkit package in an install (`bits` from
 * shcmd_classify); the image or package goes to what (raw, cut to size). */
enum shcmd_devel shcmd_devel(const struct shlex_cmd *c, size_t start, unsigned bits, char *what,
                             size_t size);

/* "StrictHostKeyChecking=no" or "UserKnownHostsFile=/dev/null" when the command turns host-key
 * checking off (an ssh-family command, GIT_SSH_COMMAND=..., a write to ~/.ssh/config), else
 * NULL. */
const char *shcmd_insecure_ssh(const struct shlex_cmd *c, size_t start);

/* ssh -N with -L/-R/-D, sent to the background (-f or &), without ServerAliveInterval. */
bool shcmd_plain_tunnel(const struct shlex_cmd *c, size_t start);

/* vastai destroy, runpodctl remove/terminate, docker system prune, or rm -r of /, ~ or "$VAR/";
 * for SHCMD_RM_EMPTY_VAR the variable's name goes to var. */
enum shcmd_danger shcmd_destructive(const struct shlex_cmd *c, size_t start, char *var,
                                    size_t size);

#endif
