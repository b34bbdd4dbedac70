/* Recipes (SPEC §4): what a workload needs and how to set it up, as data. Bundled recipes are
 * embedded from assets/recipes/; user recipes live in $XDG_CONFIG_HOME/gpuwarden/recipes/ and
 * shadow bundled ones of the same name. Every field is validated on load: a bad recipe is an
 * error naming the file, the field and what was expected, never a half-read recipe. */
#ifndef GPUWARDEN_RECIPE_H
#define GPUWARDEN_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "rules.h"

#define RECIPE_MAX_COMPONENTS 16
#define RECIPE_MAX_MODELS     8
#define RECIPE_MAX_PORTS      8
#define RECIPE_MAX_ENV        32

struct recipe_component {
    char name[96];
    double gb;
};

struct recipe_request {
    char method[8]; /* GET or POST */
    char path[256]; /* may hold "{id}", replaced by the submitted task's id */
    char *body;     /* owned JSON text, NULL for none; may hold "{id}" */
};

/* The test generation (SPEC §7): submit, poll until done, fetch the result. Field paths are
 * dotted ("data.0.result.0.file"; numbers index arrays); a string that holds JSON is parsed and
 * the path continues inside it (ACE-Step returns its result list as a JSON string). */
struct recipe_test {
    struct recipe_request submit;
    char id_field[128]; /* where the submit response names the task; "" when none */
    struct recipe_request poll;
    int interval_s;
    int timeout_s;
    char status_field[128];
    char done[64];              /* status value meaning success (compared as text) */
    char failed[64];            /* status value meaning failure */
    char result_url_field[128]; /* path (on the service) of the result to fetch */
    long result_min_bytes;      /* a smaller result is not a real one (case 8) */
};

struct recipe_env {
    char key[64];
    char value[256];
};

struct recipe {
    char name[64];
    char title[160];
    char official_repo[128]; /* GitHub owner/name of the official project */
    char official_org[64];   /* owner whose sources count as OFFICIAL (SPEC §3) */
    char official_docs[256];
    char image[256];
    bool image_recommended;              /* the official docs recommend this image */
    char models[RECIPE_MAX_MODELS][128]; /* Hugging Face model ids */
    size_t nmodels;
    struct recipe_component components[RECIPE_MAX_COMPONENTS];
    size_t ncomponents;
    double overhead; /* fraction, default 0.20 */
    double min_cc;   /* e.g. 7.5; NAN when the recipe does not say */
    double min_cuda; /* from "min_cuda", else the image tag ("12.8.1-runtime" -> 12.8); NAN */
    double disk_gb;  /* NAN when not set */
    double max_dph;  /* NAN when not set */
    char script_name[128];
    char *script; /* owned: the setup script's text */
    size_t script_len;
    struct recipe_env env[RECIPE_MAX_ENV];
    size_t nenv;
    int ports[RECIPE_MAX_PORTS];
    size_t nports;
    int health_port;
    char health_path[128];
    int health_timeout_s;
    struct recipe_test test;
    char origin[512]; /* "bundled" or the recipe file's path */
};

struct recipe_list {
    struct recipe *items; /* owned, sorted by name */
    size_t count;
};

/* Parses recipe JSON text. `origin` names the file in errors; `script_dir` is where the setup
 * script is read from (NULL: the embedded assets/recipes/). -1 with err (kind EXIT_USAGE):
 * "recipe FILE: field 'vram.overhead' must be a number from 0 to 2, got \"x\"". On success the
 * caller frees with recipe_free(). */
int recipe_parse(const char *text, size_t len, const char *origin, const char *script_dir,
                 struct recipe *r, struct gw_error *err);
void recipe_free(struct recipe *r);

/* Loads bundled recipes, then every *.json in `user_dir` (may be NULL or missing), a user
 * recipe replacing a bundled one of the same name. The first bad recipe file fails the whole
 * load (-1 with err) so a typo is never silently skipped. Caller frees with recipe_list_free(). */
int recipe_list_load(const char *user_dir, struct recipe_list *out, struct gw_error *err);
void recipe_list_free(struct recipe_list *l);
const struct recipe *recipe_list_find(const struct recipe_list *l, const char *name);

/* `name_or_file`: a recipe name (looked up in bundled + user recipes) or a path to a .json file
 * (contains '/' or ends in .json). Caller frees with recipe_free(). */
int recipe_load(const char *name_or_file, const char *user_dir, struct recipe *r,
                struct gw_error *err);

/* "$XDG_CONFIG_HOME/gpuwarden/recipes" (see config_dir); "" when there is no home. */
void recipe_user_dir(char *out, size_t size);

/* sum(components) x (1 + overhead), in GB (SPEC §4). */
double recipe_required_vram_gb(const struct recipe *r);

/* Fills the requirements the recipe sets (VRAM, CC, CUDA, disk, price) wherever `req` has none
 * yet, so explicit flags win over the recipe. */
void recipe_apply(const struct recipe *r, struct requirements *req);

/* The CUDA version an image tag needs: "nvidia/cuda:12.8.1-runtime-ubuntu22.04" -> 12.8,
 * "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime" -> 12.8; NAN when the tag does not say. */
double recipe_image_cuda(const char *image);

/* A copy of a test request's path or body with every "{id}" replaced by `id` (the submitted task's
 * id); NULL for NULL. Caller frees. */
char *recipe_fill_id(const char *s, const char *id);

#endif
