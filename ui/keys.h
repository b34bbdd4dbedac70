/* The key binding table: one place maps keys to actions, and the `?` help is generated from it. */
#ifndef GPUWARDEN_KEYS_H
#define GPUWARDEN_KEYS_H

enum action {
    ACT_NONE,
    ACT_HELP,
    ACT_QUIT,
    ACT_ESCAPE,
    ACT_FOCUS_NEXT,
    ACT_FOCUS_PREV,
    ACT_VIEW_OFFERS,
    ACT_VIEW_DETAIL,
    ACT_VIEW_LOGS,
    ACT_VIEW_INSTANCES,
    ACT_UP,
    ACT_DOWN,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_TOP,
    ACT_BOTTOM,
    ACT_FILTER,
    ACT_SORT_PREV,
    ACT_SORT_NEXT,
    ACT_REVERSE,
    ACT_DETAIL,
    ACT_REFRESH,
    ACT_REDRAW,
    ACT_RECIPE,
    ACT_CHECKLIST,
    ACT_LAUNCH,
    ACT_FOLLOW,
    ACT_WRAP,
    ACT_TIMESTAMPS,
    ACT_FULLSCREEN,
    ACT_JOB_PREV,
    ACT_JOB_NEXT,
    ACT_STOP,
    ACT_DESTROY,
};

struct key_binding {
    int key;          /* a curses key code or character */
    const char *name; /* as shown in help: "j", "PgDn", "Ctrl-R" */
    enum action action;
    const char *help; /* what it does; the first binding of an action carries it */
};

extern const struct key_binding keys_table[];
extern const int keys_count;

/* The action bound to a key, ACT_NONE when unbound. */
enum action keys_action(int key);

#endif
