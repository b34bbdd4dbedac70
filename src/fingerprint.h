/* Host key fingerprints as OpenSSH prints them ("SHA256:" + the SHA-256 of the key blob in base64
 * without '=' padding), with the SHA-256 and base64 they need. Pure functions. */
#ifndef GPUWARDEN_FINGERPRINT_H
#define GPUWARDEN_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

#define FINGERPRINT_DIGEST_LEN 32

void fingerprint_sha256(const void *data, size_t len, unsigned char out[FINGERPRINT_DIGEST_LEN]);

/* Standard base64 (RFC 4648) of data into out, '='-padded when pad is true. Returns the length
 * written (without the NUL), or 0 when out is too small (then out is ""). */
size_t fingerprint_base64(const void *data, size_t len, bool pad, char *out, size_t size);

/* Decodes standard base64 (padding optional; no whitespace). Returns the number of bytes written
 * to out, or -1 for a character outside the alphabet or an out too small. */
long fingerprint_unbase64(const char *text, unsigned char *out, size_t size);

/* "SHA256:<unpadded base64>" of a digest. out should hold 52 bytes. */
void fingerprint_format(const unsigned char digest[FINGERPRINT_DIGEST_LEN], char *out, size_t size);

/* The fingerprint of a key given as the base64 blob of a known_hosts line. 0, or -1 (out "")
 * when it is not base64. */
int fingerprint_of_base64_key(const char *b64, char *out, size_t size);

#endif
