/* HTTP/1.0 spoken over a plain byte stream (the SSH tunnel of ssh_http, which has no libcurl):
 * the request bytes, when an answer is whole, and its status and body. Pure functions. */
#ifndef GPUWARDEN_RAWHTTP_H
#define GPUWARDEN_RAWHTTP_H

#include <stdbool.h>
#include <stddef.h>

/* "METHOD PATH HTTP/1.0" with Host: 127.0.0.1:port, User-Agent, Connection: close and, when
 * body is not NULL, Content-Type: application/json and Content-Length. Returns the request
 * (caller frees) with *len its length, or NULL when method or path is not usable (empty, spaces
 * or line breaks, a path not starting with '/'). */
char *rawhttp_request(const char *method, const char *path, int port, const char *body,
                      size_t *len);

/* True once an answer is whole by its own framing (Content-Length, or a chunked body's last
 * chunk): a server may keep the connection open despite Connection: close. raw holds the first
 * `len` of the `got` bytes received so far, NUL-terminated. */
bool rawhttp_complete(const char *raw, size_t len, size_t got);

/* Splits a whole answer (raw: len bytes, NUL-terminated; modified) into its status and body
 * (CRLF or bare LF head; a chunked body decoded). On 0 *status is set and *body (caller frees,
 * NUL-terminated, at most max_bytes; may be NULL) and *body_len (may be NULL) filled. -1 with
 * *why ("empty", "not HTTP", "incomplete") otherwise. */
int rawhttp_parse(char *raw, size_t len, size_t max_bytes, int *status, char **body,
                  size_t *body_len, const char **why);

#endif
