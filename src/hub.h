/* Fetches source metadata (SPEC §3) from Docker Hub, GitHub and Hugging Face with libcurl,
 * through an on-disk cache with a TTL. One `struct hub` per thread (it owns a curl handle);
 * call it from worker threads, never the UI thread. */
#ifndef GPUWARDEN_HUB_H
#define GPUWARDEN_HUB_H

#include <stdatomic.h>

#include "error.h"
#include "trust.h"

/* Base URLs without a trailing slash. Defaults https://hub.docker.com, https://api.github.com,
 * https://huggingface.co (the environment is not read here: the CLI applies its flags and
 * GPUWARDEN_HUB_URL / GPUWARDEN_GITHUB_URL / GPUWARDEN_HF_URL); tests point them at loopback. */
struct hub_config {
    char docker_url[256];
    char github_url[256];
    char hf_url[256];
    char cache_dir[512];      /* "" disables the cache; created 0700 (with missing parents) on the
                                 first write */
    long ttl_s;               /* cache entries younger than this are used without a request */
    const atomic_int *cancel; /* may be NULL; non-zero aborts transfers and backoff waits */
};

/* cache_dir = config_dir("CACHE") + "/hub" (~/.cache/gpuwarden/hub), ttl 24 h, no cancel. */
void hub_config_default(struct hub_config *cfg);

struct hub;

/* Caller frees with hub_free(). */
struct hub *hub_new(const struct hub_config *cfg);
void hub_free(struct hub *h);

/* Fills `m` (kind and id already set; every other field is overwritten).
 *
 * Requests (GET, anonymous: never an Authorization header; User-Agent gpuwarden/VERSION):
 *   image  {docker}/v2/namespaces/{ns}/repositories/{repo}   pulls, stars, last_updated
 *          {docker}/v2/namespaces/{ns}/repositories/{repo}/tags/{tag}: size of the linux/amd64
 *            entry of images[], else full_size; 404 → tag_found false, size NAN; 401/403 →
 *            size unknown; skipped for a digest reference (tag_found true, size NAN)
 *          {docker}/api/search/v4?query={repo}&size=100 (not for `library`): the badge of the
 *            result whose id is ns/repo; a failed search means no badge, not an error
 *   repo   {github}/repos/{owner}/{name} with Accept: application/vnd.github+json
 *   model  {hf}/api/models/{id}
 * 429 and 5xx are retried by http.c (honouring Retry-After).
 *
 * Cache: one file per source, {cache_dir}/{kind}-{key}-{fnv1a32 hex}.json (key: images as
 * "ns/repo:tag", GitHub ids lower-cased; characters outside [A-Za-z0-9._-] become '_'), mode
 * 0600, written atomically; it holds the fields above and fetched_at. A corrupt entry is
 * ignored and overwritten. An entry younger than ttl_s answers without a request.
 *
 * Returns 0 with m->fetched true and m->error "" on success. On failure returns -1 with
 * m->fetched false and m->error and err set to one sentence: "not found on Docker Hub|GitHub|
 * Hugging Face: ID (URL)" (Hugging Face's 401 counts as not found), "rate limited by HOST; try
 * again in N s (URL)" (429, or GitHub's 403 rate limit; N from Retry-After, else 60),
 * "malformed response from URL: not a JSON object", "HOST answered HTTP N for URL", http.c's
 * transport sentences (naming the URL), or "ID is not a Docker Hub image ..." / "'ID' is not
 * a GitHub repository id ..." without any request. The caller labels the source UNKNOWN.
 * Exception: when a refresh fails for any reason but "not found", an invalid id or
 * cancellation, and an older cache entry exists, that entry is returned with 0, fetched true
 * and m->error "cached N h ago; refresh failed: REASON" ("N min" under an hour); trust_evaluate
 * marks such a verdict stale. */
int hub_fetch(struct hub *h, struct source_meta *m, struct gw_error *err);

#endif
