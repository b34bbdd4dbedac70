/* Starting worker threads the way DESIGN §2 asks: every asynchronous signal blocked in the
 * thread (they belong to the UI thread), the synchronous ones left open so a crash in a worker
 * still runs the terminal restorer. */
#ifndef GPUWARDEN_WORKER_H
#define GPUWARDEN_WORKER_H

#include <pthread.h>

/* pthread_create with that signal mask; returns 0 or the pthread error number. */
int worker_spawn(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
