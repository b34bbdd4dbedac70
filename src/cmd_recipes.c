/* Lists recipes: name, VRAM requirement and its arithmetic, CC, CUDA, disk, image, origin. */
#include "cmd_recipes.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "cmd_offers.h"
#include "i18n.h"
#include "recipe.h"

static cJSON *recipe_json(const struct recipe *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", r->name);
    cJSON_AddStringToObject(j, "title", r->title);
    cJSON_AddStringToObject(j, "origin", r->origin);
    cJSON_AddStringToObject(j, "image", r->image);
    /* rounded to what the arithmetic means: 9.5 x 1.2 is 11.4, not 11.399999999999999 */
    cmd_offers_json_number(j, "required_vram_gb", round(recipe_required_vram_gb(r) * 1000) / 1000);
    cJSON *comps = cJSON_AddArrayToObject(j, "vram_components");
    for (size_t i = 0; i < r->ncomponents; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", r->components[i].name);
        cJSON_AddNumberToObject(c, "gb", r->components[i].gb);
        cJSON_AddItemToArray(comps, c);
    }
    cJSON_AddNumberToObject(j, "overhead", r->overhead);
    cmd_offers_json_number(j, "min_compute_capability", r->min_cc);
    cmd_offers_json_number(j, "min_cuda", r->min_cuda);
    cmd_offers_json_number(j, "disk_gb", r->disk_gb);
    cmd_offers_json_number(j, "max_dph", r->max_dph);
    cJSON_AddStringToObject(j, "setup_script", r->script_name);
    cJSON_AddStringToObject(j, "official_repo", r->official_repo);
    return j;
}

static void print_text(const struct recipe_list *l)
{
    printf("%-16s %-8s %-5s %-5s %-6s %-46s %s\n", "NAME", "VRAM", "CC", "CUDA", "DISK", "IMAGE",
           "ORIGIN");
    for (size_t i = 0; i < l->count; i++) {
        const struct recipe *r = &l->items[i];
        char cc[8] = "-", cuda[8] = "-", disk[16] = "-";
        if (!isnan(r->min_cc))
            snprintf(cc, sizeof cc, "%.1f", r->min_cc);
        if (!isnan(r->min_cuda))
            snprintf(cuda, sizeof cuda, "%.1f", r->min_cuda);
        if (!isnan(r->disk_gb))
            snprintf(disk, sizeof disk, "%.0fGB", r->disk_gb);
        printf("%-16s %-8.1f %-5s %-5s %-6s %-46s %s\n", r->name, recipe_required_vram_gb(r), cc,
               cuda, disk, r->image, r->origin);
        /* not translated: the title is the recipe's own; VRAM labels the arithmetic */
        printf("    %s\n    VRAM:", r->title);
        double sum = 0;
        for (size_t k = 0; k < r->ncomponents; k++) {
            printf("%s %s %.1f", k ? " +" : "", r->components[k].name, r->components[k].gb);
            sum += r->components[k].gb;
        }
        /* not translated: arithmetic and units */
        printf(" = %.1f GB x %.2f = %.1f GB\n", sum, 1 + r->overhead, recipe_required_vram_gb(r));
        if (!isnan(r->max_dph))
            printf(_("    max price: $%.3f/h\n"), r->max_dph);
    }
}

int cmd_recipes(const struct cli_options *o)
{
    char dir[600];
    recipe_user_dir(dir, sizeof dir);
    struct recipe_list l;
    struct gw_error err = {0};
    if (recipe_list_load(dir, &l, &err) < 0) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (o->json) {
        cJSON *root = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(root, "recipes");
        for (size_t i = 0; i < l.count; i++)
            cJSON_AddItemToArray(list, recipe_json(&l.items[i]));
        char *text = cJSON_Print(root);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(root);
    } else {
        print_text(&l);
    }
    recipe_list_free(&l);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
}
