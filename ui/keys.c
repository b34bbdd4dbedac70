/* Key bindings (SPEC §11). */
#include "keys.h"

#include <curses.h>

#define CTRL(c) ((c)&0x1f)

const struct key_binding keys_table[] = {
    {'?', "?", ACT_HELP, "help (this screen)"},
    {'q', "q", ACT_QUIT, "quit (asks first while instances bill or jobs run)"},
    {27, "Esc", ACT_ESCAPE, "close overlay, clear the filter"},
    {'\t', "Tab", ACT_FOCUS_NEXT, "next view"},
    {KEY_BTAB, "Shift-Tab", ACT_FOCUS_PREV, "previous view"},
    {'1', "1", ACT_VIEW_OFFERS, "offers"},
    {'2', "2", ACT_VIEW_DETAIL, "detail and findings of the selected offer"},
    {'3', "3", ACT_VIEW_LOGS, "logs"},
    {'4', "4", ACT_VIEW_INSTANCES, "instances"},
    {KEY_UP, "Up", ACT_UP, "move up"},
    {'k', "k", ACT_UP, NULL},
    {KEY_DOWN, "Down", ACT_DOWN, "move down"},
    {'j', "j", ACT_DOWN, NULL},
    {KEY_PPAGE, "PgUp", ACT_PAGE_UP, "page up"},
    {KEY_NPAGE, "PgDn", ACT_PAGE_DOWN, "page down"},
    {'g', "g", ACT_TOP, "first row"},
    {KEY_HOME, "Home", ACT_TOP, NULL},
    {'G', "G", ACT_BOTTOM, "last row"},
    {KEY_END, "End", ACT_BOTTOM, NULL},
    {'/', "/", ACT_FILTER, "filter the table (typing narrows it; Enter keeps, Esc clears)"},
    {'<', "<", ACT_SORT_PREV, "sort by the previous column"},
    {'>', ">", ACT_SORT_NEXT, "sort by the next column"},
    {'r', "r", ACT_REVERSE, "reverse the sort"},
    {'\n', "Enter", ACT_DETAIL, "details of the selected offer"},
    {'\r', "Enter", ACT_DETAIL, NULL}, /* nonl(): Enter arrives as CR */
    {KEY_ENTER, "Enter", ACT_DETAIL, NULL},
    {'p', "p", ACT_RECIPE, "pick a recipe: its needs re-judge the table at once"},
    {'c', "c", ACT_CHECKLIST, "preflight checklist of the selected offer for the recipe"},
    {'L', "L", ACT_LAUNCH, "launch the selected offer with the recipe (dialog, Cancel focused)"},
    {'S', "S", ACT_STOP, "instances: stop the selected one (dialog, Cancel focused)"},
    {'D', "D", ACT_DESTROY, "instances: destroy the selected one (dialog, type its id)"},
    {'F', "F", ACT_FOLLOW, "logs: follow the newest line again (End too)"},
    {'w', "w", ACT_WRAP, "logs: wrap long lines"},
    {'t', "t", ACT_TIMESTAMPS, "logs: show time stamps"},
    {'f', "f", ACT_FULLSCREEN, "logs: the pane takes the whole view"},
    {'[', "[", ACT_JOB_PREV, "logs: previous job"},
    {']', "]", ACT_JOB_NEXT, "logs: next job"},
    {CTRL('r'), "Ctrl-R", ACT_REFRESH, "refresh offers now (and the instances)"},
    {CTRL('l'), "Ctrl-L", ACT_REDRAW, "redraw the screen"},
};

const int keys_count = (int)(sizeof keys_table / sizeof keys_table[0]);

enum action keys_action(int key)
{
    for (int i = 0; i < keys_count; i++)
        if (keys_table[i].key == key)
            return keys_table[i].action;
    return ACT_NONE;
}
