/* Modal dialog: the key rules live in dialog_key, the only way a dialog closes. */
#include "dialog.h"

#include <curses.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "theme.h"

void dialog_open(struct dialog *d, int kind, int64_t target, int opening_key, const char *title,
                 const char *buttons, const char *fmt, ...)
{
    memset(d, 0, sizeof *d);
    d->open = true;
    d->kind = kind;
    d->target = target;
    d->opening_key = opening_key;
    snprintf(d->title, sizeof d->title, "%s", title);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->body, sizeof d->body, fmt, ap);
    va_end(ap);
    for (const char *p = buttons; *p && d->nbuttons < DIALOG_MAX_BUTTONS;) {
        size_t n = strcspn(p, "|");
        snprintf(d->buttons[d->nbuttons++], sizeof d->buttons[0], "%.*s", (int)n, p);
        p += n + (p[n] == '|');
    }
}

void dialog_field(struct dialog *d, const char *label, const char *expected, int button,
                  const char *hint)
{
    snprintf(d->field_label, sizeof d->field_label, "%s", label);
    snprintf(d->expected, sizeof d->expected, "%s", expected);
    d->guarded = button;
    d->typed[0] = '\0';
    d->hint[0] = '\0';
    /* kept aside until the button is refused: an empty hint row is the normal state */
    snprintf(d->field_hint, sizeof d->field_hint, "%s", hint);
}

static bool is_enter(int ch)
{
    return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

/* Digits and Backspace edit the field; true when the key was one of them. */
static bool field_key(struct dialog *d, int ch)
{
    size_t n = strlen(d->typed);
    if (ch >= '0' && ch <= '9') {
        if (n + 1 < sizeof d->typed) {
            d->typed[n] = (char)ch;
            d->typed[n + 1] = '\0';
        }
        return true;
    }
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0)
            d->typed[n - 1] = '\0';
        return true;
    }
    return false;
}

enum dialog_result dialog_key(struct dialog *d, int ch, int *button)
{
    if (!d->open || ch == d->opening_key || ch == KEY_RESIZE ||
        (is_enter(ch) && is_enter(d->opening_key)))
        return DIALOG_OPEN;
    if (d->field_label[0] && field_key(d, ch))
        return DIALOG_OPEN;
    switch (ch) {
    case 27:
    case 'n':
    case 'q': d->open = false; return DIALOG_CANCELLED;
    case '\t':
    case KEY_RIGHT:
    case 'l': d->focus = (d->focus + 1) % d->nbuttons; return DIALOG_OPEN;
    case KEY_BTAB:
    case KEY_LEFT:
    case 'h': d->focus = (d->focus + d->nbuttons - 1) % d->nbuttons; return DIALOG_OPEN;
    case 'y':
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (d->focus != 0 && d->focus == d->guarded && strcmp(d->typed, d->expected) != 0) {
            snprintf(d->hint, sizeof d->hint, "%s", d->field_hint);
            return DIALOG_OPEN;
        }
        d->open = false;
        if (d->focus == 0)
            return DIALOG_CANCELLED;
        *button = d->focus;
        return DIALOG_CHOSEN;
    default: return DIALOG_OPEN;
    }
}

/* Rows the body takes when drawn in width w, paragraph by paragraph. */
static int body_lines(const char *body, int w)
{
    char para[sizeof((struct dialog *)0)->body];
    int n = 0;
    for (const char *p = body; *p;) {
        size_t len = strcspn(p, "\n");
        snprintf(para, sizeof para, "%.*s", (int)len, p);
        n += len == 0 ? 1 : draw_wrap_rows(w, para);
        p += len + (p[len] == '\n');
    }
    return n;
}

void dialog_draw(const struct dialog *d, int lines, int cols)
{
    if (!d->open)
        return;
    int w = cols - 4 < 76 ? cols - 4 : 76;
    int extra = d->field_label[0] ? 2 : 0;          /* the field and its hint row */
    int h = body_lines(d->body, w - 4) + 4 + extra; /* borders, a blank row, the buttons */
    if (h > lines - 2)
        h = lines - 2;
    if (w < 20 || h < 5 + extra)
        return;
    int y0 = (lines - h) / 2, x0 = (cols - w) / 2;
    draw_box(y0, x0, h, w, d->title);
    int y = y0 + 1, bottom = y0 + h - 2 - extra;
    char para[sizeof d->body];
    for (const char *p = d->body; *p && y < bottom;) {
        size_t len = strcspn(p, "\n");
        snprintf(para, sizeof para, "%.*s", (int)len, p);
        if (len == 0)
            y++;
        else
            draw_wrap(&y, x0 + 2, w - 4, bottom, para, A_NORMAL);
        p += len + (p[len] == '\n');
    }
    if (extra) {
        /* the box is as wide as the id, with a cursor after what was typed */
        char field[160];
        int width = (int)strlen(d->expected) + 1;
        snprintf(field, sizeof field, "%s [%s_%*s]", d->field_label, d->typed,
                 width - 1 - (int)strlen(d->typed) > 0 ? width - 1 - (int)strlen(d->typed) : 0, "");
        draw_text(y0 + h - 4, x0 + 2, field, w - 4);
        if (d->hint[0]) {
            attron(theme_attr(THEME_ERROR));
            draw_text(y0 + h - 3, x0 + 2, d->hint, w - 4);
            attroff(theme_attr(THEME_ERROR));
        }
    }
    /* buttons on the last inner row, right-aligned; the focused one in reverse with brackets */
    int bx = x0 + w - 2;
    for (int i = d->nbuttons - 1; i >= 0; i--) {
        char label[80];
        snprintf(label, sizeof label, i == d->focus ? "[ %s ]" : "  %s  ", d->buttons[i]);
        bx -= textwidth_cols(label) + 1;
        if (bx <= x0)
            break;
        if (i == d->focus)
            attron(theme_attr(THEME_SELECTED));
        mvaddstr(y0 + h - 2, bx, label);
        if (i == d->focus)
            attroff(theme_attr(THEME_SELECTED));
    }
}
