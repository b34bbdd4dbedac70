/* Key bindings (SPEC §11). */
#include "keys.h"

#include <curses.h>

#include "i18n.h"

#define CTRL(c) ((c)&0x1f)

const struct key_binding keys_table[] = {
    {'?', "?", ACT_HELP, N_("help (this screen)")},
    {'q', "q", ACT_QUIT, N_("quit (asks first while instances bill or jobs run)")},
    {27, "Esc", ACT_ESCAPE, N_("close overlay, clear the filter")},
    {'\t', "Tab", ACT_FOCUS_NEXT, N_("next view")},
    {KEY_BTAB, "Shift-Tab", ACT_FOCUS_PREV, N_("previous view")},
    {'1', "1", ACT_VIEW_OFFERS, N_("offers")},
    {'2', "2", ACT_VIEW_DETAIL, N_("detail and findings of the selected offer")},
    {'3', "3", ACT_VIEW_LOGS, N_("logs")},
    {'4', "4", ACT_VIEW_INSTANCES, N_("instances")},
    {KEY_UP, "Up", ACT_UP, N_("move up")},
    {'k', "k", ACT_UP, NULL},
    {KEY_DOWN, "Down", ACT_DOWN, N_("move down")},
    {'j', "j", ACT_DOWN, NULL},
    {KEY_PPAGE, "PgUp", ACT_PAGE_UP, N_("page up")},
    {KEY_NPAGE, "PgDn", ACT_PAGE_DOWN, N_("page down")},
    {'g', "g", ACT_TOP, N_("first row")},
    {KEY_HOME, "Home", ACT_TOP, NULL},
    {'G', "G", ACT_BOTTOM, N_("last row")},
    {KEY_END, "End", ACT_BOTTOM, NULL},
    {'/', "/", ACT_FILTER, N_("filter the table (typing narrows it; Enter keeps, Esc clears)")},
    {'<', "<", ACT_SORT_PREV, N_("sort by the previous column")},
    {'>', ">", ACT_SORT_NEXT, N_("sort by the next column")},
    {'r', "r", ACT_REVERSE, N_("reverse the sort")},
    {'\n', "Enter", ACT_DETAIL, N_("details of the selected offer")},
    {'\r', "Enter", ACT_DETAIL, NULL}, /* nonl(): Enter arrives as CR */
    {KEY_ENTER, "Enter", ACT_DETAIL, NULL},
    {'p', "p", ACT_RECIPE, N_("pick a recipe: its needs re-judge the table at once")},
    {'c', "c", ACT_CHECKLIST, N_("preflight checklist of the selected offer for the recipe")},
    {'L', "L", ACT_LAUNCH,
     N_("launch the selected offer with the recipe (dialog, Cancel focused)")},
    {'S', "S", ACT_STOP, N_("instances: stop the selected one (dialog, Cancel focused)")},
    {'D', "D", ACT_DESTROY, N_("instances: destroy the selected one (dialog, type its id)")},
    {'F', "F", ACT_FOLLOW, N_("logs: follow the newest line again (End too)")},
    {'w', "w", ACT_WRAP, N_("logs: wrap long lines")},
    {'t', "t", ACT_TIMESTAMPS, N_("logs: show time stamps")},
    {'f', "f", ACT_FULLSCREEN, N_("logs: the pane takes the whole view")},
    {'[', "[", ACT_JOB_PREV, N_("logs: previous job")},
    {']', "]", ACT_JOB_NEXT, N_("logs: next job")},
    {CTRL('r'), "Ctrl-R", ACT_REFRESH, N_("refresh offers now (and the instances)")},
    {CTRL('l'), "Ctrl-L", ACT_REDRAW, N_("redraw the screen")},
};

const int keys_count = (int)(sizeof keys_table / sizeof keys_table[0]);

enum action keys_action(int key)
{
    for (int i = 0; i < keys_count; i++)
        if (keys_table[i].key == key)
            return keys_table[i].action;
    return ACT_NONE;
}
