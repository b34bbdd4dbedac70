/* The dashboard: the UI thread's loop, layout and input handling. */
#ifndef GPUWARDEN_APP_H
#define GPUWARDEN_APP_H

#include "cli.h"
#include "recipe.h"
#include "ui.h"

/* Runs the dashboard until the operator quits; returns the exit code. Restores the terminal on
 * every exit path. Needs a terminal on stdin and stdout. */
int app_run(const struct cli_options *o, const struct recipe *recipe);

/* Draws one whole frame of `ui` on stdscr and flushes it (wnoutrefresh + doupdate). */
void app_draw(struct ui *ui);

#endif
