/* Walks and builds dotted paths, one segment at a time. */
#include "jsonpath.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_MAX 128

/* Copies the segment starting at *p into seg and moves *p past it and its dot. */
static bool next_segment(const char **p, char *seg)
{
    if (**p == '\0')
        return false;
    size_t n = strcspn(*p, ".");
    if (n >= SEGMENT_MAX)
        n = SEGMENT_MAX - 1;
    memcpy(seg, *p, n);
    seg[n] = '\0';
    *p += strcspn(*p, ".");
    if (**p == '.')
        (*p)++;
    return true;
}

static bool is_index(const char *seg, int *index)
{
    if (!*seg || strlen(seg) > 6)
        return false;
    for (const char *c = seg; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    *index = atoi(seg);
    return true;
}

static void value_text(const cJSON *v, char *out, size_t size)
{
    if (cJSON_IsString(v)) {
        snprintf(out, size, "%s", v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -1e15 && d < 1e15)
            snprintf(out, size, "%lld", (long long)d);
        else
            snprintf(out, size, "%.17g", d);
    } else if (cJSON_IsBool(v)) {
        snprintf(out, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else {
        char *s = cJSON_PrintUnformatted(v);
        snprintf(out, size, "%s", s ? s : "");
        cJSON_free(s);
    }
}

bool jsonpath_get(const char *text, size_t len, const char *path, char *out, size_t size)
{
    out[0] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, len);
    /* strings holding JSON are parsed into trees we must free: keep them on a short list */
    cJSON *owned[8];
    size_t nowned = 0;
    const cJSON *at = root;
    const char *p = path;
    char seg[SEGMENT_MAX];
    bool ok = root != NULL;
    while (ok && next_segment(&p, seg)) {
        if (cJSON_IsString(at) && nowned < sizeof owned / sizeof owned[0]) {
            cJSON *inner = cJSON_Parse(at->valuestring);
            if (inner == NULL) {
                ok = false;
                break;
            }
            owned[nowned++] = inner;
            at = inner;
        }
        int index;
        if (cJSON_IsArray(at) && is_index(seg, &index))
            at = cJSON_GetArrayItem(at, index);
        else if (cJSON_IsObject(at))
            at = cJSON_GetObjectItemCaseSensitive(at, seg);
        else
            at = NULL;
        ok = at != NULL;
    }
    if (ok && !cJSON_IsNull(at))
        value_text(at, out, size);
    else
        ok = false;
    for (size_t i = 0; i < nowned; i++)
        cJSON_Delete(owned[i]);
    cJSON_Delete(root);
    return ok;
}

bool jsonpath_set(cJSON *root, const char *path, const char *value)
{
    cJSON *at = root;
    const char *p = path;
    char seg[SEGMENT_MAX];
    if (!next_segment(&p, seg))
        return false;
    for (;;) {
        char next[SEGMENT_MAX];
        const char *rest = p;
        bool last = !next_segment(&rest, next);
        int index = 0, next_index = 0;
        cJSON *child;
        if (cJSON_IsArray(at)) {
            if (!is_index(seg, &index))
                return false;
            while (cJSON_GetArraySize(at) <= index)
                cJSON_AddItemToArray(at, cJSON_CreateNull());
            child = cJSON_GetArrayItem(at, index);
        } else if (cJSON_IsObject(at)) {
            child = cJSON_GetObjectItemCaseSensitive(at, seg);
        } else {
            return false;
        }
        cJSON *made = NULL;
        if (last)
            made = cJSON_CreateString(value);
        else if (child == NULL || cJSON_IsNull(child))
            made = is_index(next, &next_index) ? cJSON_CreateArray() : cJSON_CreateObject();
        if (made) {
            if (cJSON_IsArray(at))
                cJSON_ReplaceItemInArray(at, index, made);
            else if (child)
                cJSON_ReplaceItemInObjectCaseSensitive(at, seg, made);
            else
                cJSON_AddItemToObject(at, seg, made);
            child = made;
        }
        if (last)
            return true;
        at = child;
        p = rest;
        memcpy(seg, next, sizeof seg);
    }
}
