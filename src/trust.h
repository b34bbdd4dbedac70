/* Source trust labels (SPEC §3): Docker images, GitHub repositories and Hugging Face models are
 * judged from their public metadata (fetched by `hub`). Pure functions, no I/O. */
#ifndef GPUWARDEN_TRUST_H
#define GPUWARDEN_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "rules.h"

/* Best first; UNKNOWN when the metadata could not be had (offline, rate limited, not found). */
enum trust_label { TRUST_OFFICIAL, TRUST_COMMUNITY, TRUST_LOW, TRUST_UNVERIFIED, TRUST_UNKNOWN };

enum source_kind { SOURCE_IMAGE, SOURCE_REPO, SOURCE_MODEL };

/* What is known about one source. `kind` and `id` are set by the caller; the rest by
 * hub_fetch() (or by tests). Plain data, copyable. */
struct source_meta {
    enum source_kind kind;
    char id[256];    /* image "nvidia/cuda:12.8.1-runtime-ubuntu22.04" ("ubuntu:22.04" means
                        library/ubuntu), repo "owner/name", model "org/name" */
    bool fetched;    /* false: nothing could be had; `error` says why */
    char error[256]; /* why not fetched; "" when fetched fresh; "cached N h ago; refresh
                        failed: ..." when fetched but a stale cache entry stood in */
    time_t fetched_at;
    /* image */
    bool official_badge; /* namespace `library`, or Docker Hub badge official/verified_publisher */
    char badge[32];      /* "official", "verified_publisher", "open_source", "" */
    long long pulls;
    long long stars;     /* images and repositories */
    time_t last_updated; /* image repository; 0 unknown */
    bool tag_found;      /* the tag exists on Docker Hub */
    double size_gb;      /* compressed linux/amd64 size of the tag in GB (1e9 bytes); NAN unknown */
    /* repository */
    bool archived;
    time_t pushed_at; /* 0 unknown */
    /* model */
    long long downloads; /* last 30 days */
    long long likes;
};

/* What the recipe says about its own sources (SPEC §3 "declared official by the recipe"). */
struct trust_context {
    const char
        *official_org;      /* GitHub / Hugging Face owner the recipe names official; may be NULL */
    bool image_recommended; /* the recipe's official docs recommend this image */
    time_t now;
};

#define TRUST_MAX_CHECKS 6

struct trust_check {
    enum level level;
    int case_id; /* SPEC §9 case, 0 none */
    char message[200];
};

struct trust_verdict {
    enum trust_label label;
    enum level level; /* worst of checks (PASS when none) */
    struct trust_check checks[TRUST_MAX_CHECKS];
    size_t nchecks;
    char summary[200]; /* one line: label + the figures it rests on, e.g.
                          "COMMUNITY: 104,857 pulls, 12 stars, 3.1 GB linux/amd64" */
};

/* Labels one source (SPEC §3; `ctx` may be NULL) and runs the checks beyond the label:
 * - not fetched: UNKNOWN, one WARN "metadata unavailable: <error>" (case 10 for images; plus
 *   the `devel` check, which needs only the tag); never OFFICIAL;
 * - image: OFFICIAL for namespace `library`, m->official_badge or ctx->image_recommended;
 *   compressed size (GB = 1e9 bytes) < 10 PASS, [10, 20) WARN, [20, 100] WARN (case 5),
 *   > 100 BLOCK (case 10), no check when NAN (the summary says "size unknown"); tag not found
 *   WARN; a tag containing "devel" WARN (case 5); UNVERIFIED BLOCK (case 10) unless
 *   recommended;
 * - repository: archived WARN; last push more than 365 days before ctx->now WARN;
 * - model: the label only;
 * - fetched with an error (stale cache): a PASS note, and " (stale)" after the summary.
 * Official orgs compare case-insensitively with the owner before '/'. */
void trust_evaluate(const struct source_meta *m, const struct trust_context *ctx,
                    struct trust_verdict *out);

/* "OFFICIAL", "COMMUNITY", "LOW", "UNVERIFIED", "UNKNOWN (offline)" */
const char *trust_label_name(enum trust_label label);
const char *source_kind_name(enum source_kind kind); /* "image", "repo", "model" */

/* Splits an image reference into Docker Hub namespace, repository and tag ("latest" when none;
 * namespace "library" for single-name images; a digest "@sha256:..." is the tag). A leading
 * docker.io/, index.docker.io/ or registry-1.docker.io/ is Docker Hub. -1 when it is not a
 * Docker Hub image (another registry: a first component with '.' or ':', or "localhost"), is
 * malformed (empty component, spaces, upper case in a name, more than namespace/name), or a
 * part does not fit its buffer. */
int trust_image_split(const char *ref, char *ns, size_t nsz, char *repo, size_t rsz, char *tag,
                      size_t tsz);

#endif
