/* Display width of UTF-8 text (see textwidth.h). */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth */
#endif
#include "textwidth.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int textwidth_next(const char *s, int *cols)
{
    if ((unsigned char)*s < 0x80) { /* ASCII, nearly every byte of a log: no decoding */
        *cols = 1;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        return 1;
    }
    int w = wcwidth(wc);
    *cols = w < 0 ? 1 : w;
    return (int)n;
}

int textwidth_cols(const char *text)
{
    int cols = 0, w;
    for (const char *p = text; *p;) {
        p += textwidth_next(p, &w);
        cols += w;
    }
    return cols;
}

int textwidth_fit(const char *text, int cols)
{
    if (cols < 0)
        return (int)strlen(text);
    int used = 0, off = 0, w;
    while (text[off]) {
        int n = textwidth_next(text + off, &w);
        if (used + w > cols)
            break;
        used += w;
        off += n;
    }
    return off;
}

/* Japanese punctuation that must not start a line. */
static bool closing_punct(const char *s)
{
    static const char *const marks[] = {"\u3001", "\u3002", "\uff0c", "\uff0e", "\uff09",
                                        "\u300d", "\u300f", "\u3011", "\uff01", "\uff1f",
                                        "\u30fc", "\u30fb", "\u2026"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (!strncmp(s, marks[i], strlen(marks[i])))
            return true;
    return false;
}

int textwidth_line(const char *text, int w)
{
    int col = 0, off = 0, brk = 0, cw;
    bool prev_wide = false;
    while (text[off]) {
        bool space = text[off] == ' ';
        int n = textwidth_next(text + off, &cw);
        bool wide = cw > 1;
        if (off > 0 && (space || ((wide || prev_wide) && !closing_punct(text + off))))
            brk = off; /* a break may come before this character */
        if (col + cw > w) {
            if (space)
                return off;
            if (brk > 0)
                return brk;
            return off > 0 ? off : n; /* a character wider than the line goes alone */
        }
        col += cw;
        off += n;
        prev_wide = wide;
    }
    return off;
}

size_t textwidth_cell(char *line, size_t used, size_t size, const char *text, int width, bool right)
{
    int cols = textwidth_cols(text);
    int pad = width > cols ? width - cols : 0;
    int n = snprintf(line + used, size - used, "%*s%s%*s ", right ? pad : 0, "", text,
                     right ? 0 : pad, "");
    return n > 0 && used + (size_t)n < size ? used + (size_t)n : size - 1;
}

size_t textwidth_utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
               : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
               : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
        (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

/* Whether s is the start of a multi-byte character that the string's end cut short. */
static bool cut_by_end(const unsigned char *s)
{
    if (s[0] < 0xC2 || s[0] > 0xF4)
        return false;
    size_t i = 1;
    while ((s[i] & 0xC0) == 0x80)
        i++;
    return s[i] == '\0';
}

void textwidth_repair(char *s)
{
    size_t i = 0;
    while (s[i]) {
        size_t n = textwidth_utf8_len(s + i);
        if (n > 0) {
            i += n;
        } else if (cut_by_end((const unsigned char *)s + i)) {
            s[i] = '\0';
        } else {
            s[i++] = '?';
        }
    }
}

void textwidth_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
    textwidth_repair(dst);
}

void textwidth_print(FILE *out, const char *text, int width)
{
    int cols = textwidth_cols(text);
    fprintf(out, "%s%*s", text, width > cols ? width - cols : 0, "");
}
