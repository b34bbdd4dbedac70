/* The queue through which worker threads hand events to the UI thread (DESIGN §2): any thread
 * posts, one consumer drains, and a wake fd lets the consumer poll() it beside stdin. */
#ifndef GPUWARDEN_EVENTS_H
#define GPUWARDEN_EVENTS_H

#include <stddef.h>

enum event_type {
    EVENT_OFFERS_READY,
    EVENT_FETCH_STARTED,
    EVENT_ERROR,
    EVENT_LOG_LINES,
    EVENT_JOB_STEP,
    EVENT_META_READY,      /* payload: struct meta_batch (metawork.h); source: its generation */
    EVENT_INSTANCES_READY, /* payload: struct instance_list (instance.h), the whole account */
    EVENT_INSTANCES_ERROR, /* text: why the instance list could not be had */
    EVENT_GATE_DONE,       /* payload: struct gate_outcome (gate.h); source: the caller's */
    EVENT_QUIT,
};

struct event {
    enum event_type type;
    struct event *next;           /* queue link; owned by the queue while queued */
    int source;                   /* e.g. job id; 0 when unused */
    char text[256];               /* a short sentence (error message, step name) */
    void *payload;                /* owned by the event */
    void (*payload_free)(void *); /* called by event_free when payload != NULL */
};

struct event_queue;

/* NULL when the wake pipe cannot be created; caller frees with events_free(). */
struct event_queue *events_new(void);
/* Frees the queue and every event still queued. The consumer must be the only user left. */
void events_free(struct event_queue *q);

/* A zeroed event of `type`; the caller owns it until it is posted. */
struct event *event_new(enum event_type type);
/* Frees the payload through payload_free (when both are set), then the event. NULL-safe. */
void event_free(struct event *ev);
/* Sets ev->text (printf format), truncating to fit. */
void event_set_text(struct event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Any thread. Takes ownership of ev. Only the post that makes the queue non-empty touches the
 * wake fd (one byte, non-blocking), so a busy producer pays a lock and no syscall. */
void events_post(struct event_queue *q, struct event *ev);
/* The consumer's side: takes every queued event at once and clears the wake fd. Returns them in
 * posting order (follow ->next; the last has next == NULL), or NULL when none are queued. The
 * caller frees each with event_free(). */
struct event *events_drain(struct event_queue *q);
/* Readable while events are waiting; for poll(). The queue keeps ownership of the fd. */
int events_wake_fd(const struct event_queue *q);

/* The payload of EVENT_LOG_LINES: lines travel in batches because one event per line cannot
 * reach DESIGN §5's 2,000,000 lines/s through one lock. */
struct log_batch {
    size_t count; /* lines in data */
    size_t bytes; /* size of data, terminators included */
    char *data;   /* count NUL-terminated lines back to back; part of the batch's allocation */
};

/* One EVENT_LOG_LINES event from `source` carrying lines[0..n) copied into one allocation; the
 * caller keeps the lines. lens[i] is the length of lines[i] (lens NULL: use strlen). A line is
 * carried verbatim up to its first NUL byte, if it has one, so that count stays exact. The
 * event owns the struct log_batch in its payload. */
struct event *events_log_lines(int source, const char *const *lines, const size_t *lens, size_t n);
/* Iterates a batch: prev NULL gives the first line, and each line gives the next; NULL after
 * the last. The strings live as long as the batch. */
const char *log_batch_next(const struct log_batch *b, const char *prev);

#endif
