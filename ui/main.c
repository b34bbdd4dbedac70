/* gpuwarden: entry point; parses the command line and runs the dashboard or a headless
 * command (the engine in src/ knows nothing of this file). */
#include <curl/curl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "cmd_cases.h"
#include "cmd_check.h"
#include "cmd_instances.h"
#include "cmd_launch.h"
#include "cmd_lint.h"
#include "cmd_offers.h"
#include "cmd_recipes.h"
#include "i18n.h"
#include "jsonarena.h"
#include "ssh.h"

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    i18n_init();
    /* before the parse: its own errors (flags, config file, query) are English too */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--json"))
            i18n_use_english();
    struct cli_options o;
    struct gw_error err = {0};
    if (cli_parse(argc, argv, &o, &err) < 0) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        cli_free(&o);
        return EXIT_USAGE;
    }
    if (o.version) {
        printf("gpuwarden %s\n", GPUWARDEN_VERSION);
        cli_free(&o);
        return EXIT_OK;
    }
    if (o.help) {
        cli_usage(o.command, stdout);
        cli_free(&o);
        return EXIT_OK;
    }
    /* once, before any thread (DESIGN §2) */
    json_arena_install();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || ssh_global_init() != 0) {
        fprintf(stderr, "gpuwarden: libcurl or libssh2 could not start\n");
        cli_free(&o);
        return EXIT_PROVIDER;
    }
    /* --recipe sets requirements wherever no flag did (flags win) */
    struct recipe recipe = {0};
    bool have_recipe = false;
    if (o.recipe) {
        char dir[600];
        recipe_user_dir(dir, sizeof dir);
        if (recipe_load(o.recipe, dir, &recipe, &err) < 0) {
            fprintf(stderr, "gpuwarden: %s\n", err.msg);
            ssh_global_cleanup();
            curl_global_cleanup();
            cli_free(&o);
            return EXIT_USAGE;
        }
        have_recipe = true;
        recipe_apply(&recipe, &o.req);
    }
    int rc;
    switch (o.command) {
    case CLI_CASES: rc = cmd_cases(&o); break;
    case CLI_OFFERS: rc = cmd_offers(&o); break;
    case CLI_LINT: rc = cmd_lint(&o); break;
    case CLI_RECIPES: rc = cmd_recipes(&o); break;
    case CLI_CHECK: rc = cmd_check(&o, &recipe); break;
    case CLI_LAUNCH: rc = cmd_launch(&o, &recipe); break;
    case CLI_INSTANCES: rc = cmd_instances(&o); break;
    case CLI_STOP:
    case CLI_DESTROY: rc = cmd_instances_manage(&o); break;
    case CLI_AUDIT: rc = cmd_instances_audit(&o); break;
    case CLI_CONFIG:
        cli_print_config(&o, stdout);
        rc = EXIT_OK;
        break;
    case CLI_DASHBOARD:
    default: rc = app_run(&o, have_recipe ? &recipe : NULL); break;
    }
    recipe_free(&recipe);
    ssh_global_cleanup();
    curl_global_cleanup();
    cli_free(&o);
    return rc;
}
