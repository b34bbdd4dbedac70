/* The seed's ten failure cases, shipped as assets/cases.json (SPEC §9). */
#ifndef GPUWARDEN_CASES_H
#define GPUWARDEN_CASES_H

struct cJSON;

/* The array of case objects ({id, title, symptom, cause, lesson, countermeasure, rules}),
 * loaded once (thread-safe); never freed. Aborts if the shipped asset is malformed. */
const struct cJSON *cases_all(void);

/* Case `id` or NULL. */
const struct cJSON *cases_find(int id);

/* A text field of case `id` ("title", "lesson", ...), or "" when absent. The pointer lives as
 * long as the process. In the language cases_set_language chose when the case has it (a case
 * object may carry {"ja": {"title": ..., ...}}), else the English one. */
const char *cases_field(int id, const char *field);

/* The language cases_field prefers ("ja"); NULL, "" or "en": English. Call before threads. */
void cases_set_language(const char *lang);

#endif
