/* Benchmark: one full dashboard frame at 200x60 with 10,000 offers (DESIGN §5: <= 5 ms), drawn
 * into a real curses screen whose output goes to /dev/null. Prints figures, never pass/fail. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "market_gen.h"
#include "offers_view.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(void)
{
    struct requirements req;
    requirements_default(&req);
    struct query q = {0};
    struct market_request mr = {.query = &q, .req = &req};
    size_t len;
    char *text = make_market(10000, &len);
    struct market_result m = {0};
    if (market_from_text(text, len, OFFER_PARSE_STRICT, &mr, &m, NULL) < 0)
        return 1;
    free(text);
    m.fetched_at = time(NULL);

    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    setenv("TERM", "xterm-256color", 1);
    SCREEN *screen = newterm(NULL, out, in);
    if (screen == NULL)
        return 1;
    resizeterm(60, 200);
    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.provider = "demo";
    ui.demo = true;
    ui.req = &req;
    ui.view = UI_VIEW_OFFERS;
    ui.utf8 = true;
    offers_view_replace(&ui, &m);
    market_result_free(&m);

    /* each frame moves the selection, so the table, the detail pane and the status all change */
    int frames = 300;
    double worst = 0, t0 = now_ms();
    for (int i = 0; i < frames; i++) {
        double f0 = now_ms();
        ui_select_move(&ui, i % 50 < 25 ? 1 : -1);
        app_draw(&ui);
        double f = now_ms() - f0;
        worst = f > worst ? f : worst;
    }
    double avg = (now_ms() - t0) / frames;
    endwin();
    delscreen(screen);
    fclose(out);
    fclose(in);
    printf("dashboard frame, 200x60, 10,000 offers (target <= 5 ms): average %.2f ms, worst %.2f ms "
           "over %d frames\n",
           avg, worst, frames);
    printf("  (log panes arrive with the launch pipeline; this frame has the offer table, the\n"
           "   detail pane with findings and cases, the status and hint bars)\n");
    offer_list_free(&ui.offers);
    free(ui.rows);
    return 0;
}
