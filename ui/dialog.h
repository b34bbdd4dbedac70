/* The one modal dialog every confirmation uses (SPEC §8, §11): it captures its target when it
 * opens, focus starts on Cancel, Esc / n / q cancel, Tab and the arrows move the focus, y or
 * Enter act on the focused button, and the key that opened it never confirms it. Drawn centred,
 * never larger than the screen, re-centred on every frame (so on resize too). A dialog may carry
 * one typed field (type-to-confirm): a guarded button then acts only when the text typed equals
 * the expected text, so a reflex Enter cannot destroy anything. */
#ifndef GPUWARDEN_DIALOG_H
#define GPUWARDEN_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#define DIALOG_MAX_BUTTONS 3

struct dialog {
    bool open;
    int kind;        /* the caller's: what the chosen button does */
    int64_t target;  /* what it is about (offer or instance id), captured at opening */
    int opening_key; /* ignored while open, so a repeated key cannot confirm */
    char title[96];
    char body[2048]; /* paragraphs separated by '\n', word-wrapped when drawn */
    char buttons[DIALOG_MAX_BUTTONS][48]; /* [0] is always the cancelling one */
    int nbuttons;
    int focus; /* 0 (Cancel) when it opens */
    /* the optional typed field: digits append, Backspace deletes */
    char field_label[128]; /* "" when the dialog has no field */
    char typed[24];
    char expected[24];
    int guarded;          /* the button that needs typed == expected; 0 none */
    char field_hint[160]; /* what to say when the guarded button is refused */
    char hint[160];       /* field_hint once the guarded button was refused, else "" */
};

enum dialog_result { DIALOG_OPEN, DIALOG_CANCELLED, DIALOG_CHOSEN };

/* Opens it: `buttons` is a '|'-separated list whose first is the cancelling button
 * ("Cancel|Launch"). The body is a printf format. */
void dialog_open(struct dialog *d, int kind, int64_t target, int opening_key, const char *title,
                 const char *buttons, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Adds the typed field to an open dialog: `label` before it, `button` guarded by `expected`,
 * `hint` shown (in the dialog) when that button is chosen with anything else typed. */
void dialog_field(struct dialog *d, const char *label, const char *expected, int button,
                  const char *hint);

/* Feeds one key. DIALOG_CHOSEN sets *button (>= 1) and closes the dialog, DIALOG_CANCELLED
 * closes it; DIALOG_OPEN: still waiting (a refused guarded button too: it shows the hint). Enter
 * arrives as CR, LF or KEY_ENTER: all three count as the opening key when one of them opened it. */
enum dialog_result dialog_key(struct dialog *d, int ch, int *button);

void dialog_draw(const struct dialog *d, int lines, int cols);

#endif
