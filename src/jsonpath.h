/* Dotted paths into JSON answers, as recipes name them (SPEC §4 test): "data.0.result.0.file",
 * where a number indexes an array and a string that holds JSON is parsed and walked into (ACE-Step
 * returns its result list as a JSON string). */
#ifndef GPUWARDEN_JSONPATH_H
#define GPUWARDEN_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

/* The value at `path` in the JSON text as a string: strings as they are, numbers as printed
 * ("1", "0.5"), true/false; objects and arrays as compact JSON. false when the text does not
 * parse, the path is missing, or the value is null. */
bool jsonpath_get(const char *text, size_t len, const char *path, char *out, size_t size);

/* Builds `root` so that jsonpath_get would find `value` (a string) at `path`, creating objects
 * and arrays on the way (the demo's simulated service answers in any recipe's shape). Returns
 * false when the path conflicts with what root already holds. */
bool jsonpath_set(struct cJSON *root, const char *path, const char *value);

#endif
