/* Display width of UTF-8 text, for the dashboard and for the headless tables alike: a CJK
 * character takes two columns, a combining mark none, an ASCII byte one, and a byte that starts
 * no valid character one. Text is never cut inside a character. Uses the LC_CTYPE locale. */
#ifndef GPUWARDEN_TEXTWIDTH_H
#define GPUWARDEN_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Bytes (>= 1) of the character that starts s (not at its end), and its columns in *cols. */
int textwidth_next(const char *s, int *cols);

/* Display columns of `text`. */
int textwidth_cols(const char *text);

/* Bytes of the longest prefix of `text` that fits in `cols` columns (all of it when cols < 0). */
int textwidth_fit(const char *text, int cols);

/* Bytes of the next line when `text` is word-wrapped to w columns: breaks at a space (which the
 * caller skips), or between two characters either of which is wide but not before Japanese
 * closing punctuation; else, when nothing else can, anywhere. */
int textwidth_line(const char *text, int w);

/* Appends `text` padded to `width` columns (right-aligned when `right`) and a space to
 * line[used..size); returns the new length, clamped to the buffer. */
size_t textwidth_cell(char *line, size_t used, size_t size, const char *text, int width,
                      bool right);

/* Length of the valid UTF-8 sequence at p (1 for ASCII), 0 when none starts there (a stray or
 * overlong byte, a surrogate, a sequence cut short or by the string's end). */
size_t textwidth_utf8_len(const char *p);

/* Makes s valid UTF-8 in place, never longer: a character cut short by the end of the string
 * (a fixed buffer that filled up) is dropped; any other invalid byte becomes '?'. Every message
 * formatted into a fixed buffer goes through this, since a translated one is longer. */
void textwidth_repair(char *s);

/* Copies as much of src as fits in dst[size], cut at a character (then repaired as above):
 * a translated message takes more bytes than the English one. */
void textwidth_copy(char *dst, size_t size, const char *src);

/* Writes `text` padded with spaces to `width` columns (left-aligned) to `out`. */
void textwidth_print(FILE *out, const char *text, int width);

#endif
