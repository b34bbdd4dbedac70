/* gpuwarden: entry point; parses the command line and runs the dashboard or a headless
 * command (the engine in src/ knows nothing of this file). */
#include <curl/curl.h>
#include <locale.h>
#include <stdio.h>

#include "app.h"
#include "cli.h"
#include "cmd_cases.h"
#include "cmd_offers.h"
#include "jsonarena.h"

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
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
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "gpuwarden: libcurl could not start\n");
        cli_free(&o);
        return EXIT_PROVIDER;
    }
    int rc;
    switch (o.command) {
    case CLI_CASES: rc = cmd_cases(&o); break;
    case CLI_OFFERS: rc = cmd_offers(&o); break;
    case CLI_DASHBOARD:
    default: rc = app_run(&o); break;
    }
    curl_global_cleanup();
    cli_free(&o);
    return rc;
}
