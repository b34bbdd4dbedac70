/* The `?` overlay: page 0 is generated from the key binding table, page 1 lists the failure
 * cases the guardrails come from (assets/cases.json), each with its lesson. */
#ifndef GPUWARDEN_HELP_H
#define GPUWARDEN_HELP_H

void help_draw(int page, int lines, int cols);

#endif
