/* libFuzzer target: recipe JSON, with the setup script from the embedded assets and from a temp
 * folder (under $TMPDIR), then what a launch derives from a recipe. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "lint.h"
#include "recipe.h"

static char dir[512];
static char script[sizeof dir + 16];

static void cleanup(void)
{
    unlink(script);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gpuwarden-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(script, sizeof script, "%s/setup.sh", dir);
    FILE *f = fopen(script, "w");
    if (f == NULL)
        abort();
    fputs("#!/bin/sh\nset -eu\npip install torch\n", f);
    fclose(f);
    atexit(cleanup);
    return 0;
}

static void run(const char *text, size_t len, const char *script_dir)
{
    struct recipe r;
    struct gw_error err;
    if (recipe_parse(text, len, "fuzz.json", script_dir, &r, &err) < 0)
        return;
    struct requirements req;
    requirements_default(&req);
    recipe_apply(&r, &req);
    (void)recipe_required_vram_gb(&r);
    free(recipe_fill_id(r.test.submit.path, "task-42"));
    free(recipe_fill_id(r.test.poll.body, "task-42"));
    struct lint_report lint;
    lint_text(r.script, r.script_len, &lint);
    lint_report_free(&lint);
    recipe_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, NULL);
    run((const char *)data, size, dir);
    return 0;
}
