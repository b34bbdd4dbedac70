/* Tests the job state file (src/state.c): upsert by instance id, 0600 in a 0700 folder, a corrupt
 * or foreign file set aside (never trusted, never deleted), and concurrent writers from two
 * processes losing nothing. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"

static char root[64];
static char dir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gw-state-XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(dir, sizeof dir, "%s/state/gpuwarden", root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static struct state_job job(int64_t id, const char *step)
{
    struct state_job j;
    memset(&j, 0, sizeof j);
    j.instance_id = id;
    j.offer_id = id + 1;
    snprintf(j.provider, sizeof j.provider, "vast");
    snprintf(j.recipe, sizeof j.recipe, "pytorch-smoke");
    snprintf(j.step, sizeof j.step, "%s", step);
    snprintf(j.state, sizeof j.state, "running");
    snprintf(j.message, sizeof j.message, "quote \" and newline \n kept");
    j.gpu_ram_mib = 12288;
    j.num_gpus = 1;
    j.dph_total = 0.25;
    j.created_at = 1767225600;
    j.setup_s = NAN;
    return j;
}

static size_t load(struct state_job **jobs, char *note, size_t size)
{
    size_t n = 99;
    struct gw_error err = {0};
    assert_int_equal(state_load(dir, jobs, &n, note, size, &err), 0);
    return n;
}

static void test_put_and_load(void **state)
{
    (void)state;
    struct state_job *jobs;
    char note[600];
    assert_int_equal(load(&jobs, note, sizeof note), 0); /* no file yet: nothing, no note */
    free(jobs);
    assert_string_equal(note, "");
    struct gw_error err = {0};
    struct state_job a = job(7000001, "boot"), b = job(7000002, "setup");
    assert_int_equal(state_put(dir, &a, &err), 0);
    assert_int_equal(state_put(dir, &b, &err), 0);
    a = job(7000001, "health");
    a.setup_s = 321;
    assert_int_equal(state_put(dir, &a, &err), 0); /* replaces, does not add */
    assert_int_equal(load(&jobs, note, sizeof note), 2);
    assert_int_equal(jobs[0].instance_id, 7000001);
    assert_string_equal(jobs[0].step, "health");
    assert_true(jobs[0].setup_s == 321);
    assert_true(isnan(jobs[1].setup_s));
    assert_string_equal(jobs[1].message, "quote \" and newline \n kept");
    assert_true(jobs[1].gpu_ram_mib == 12288);
    free(jobs);

    struct stat st;
    char path[256];
    snprintf(path, sizeof path, "%s/jobs.json", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

/* The names in dir that start with prefix. */
static int count_files(const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

static void test_corrupt_set_aside(void **state)
{
    (void)state;
    const char *bodies[] = {"{\"version\": 1, \"jobs\": [", "[1,2,3]",
                            "{\"version\": 9, \"jobs\": []}", "\x01\x02 not json at all"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        struct gw_error err = {0};
        struct state_job a = job(1, "boot");
        assert_int_equal(state_put(dir, &a, &err), 0);
        char path[256];
        snprintf(path, sizeof path, "%s/jobs.json", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bodies[i], f);
        fclose(f);
        int before = count_files("jobs.json.bad-");
        struct state_job *jobs;
        char note[600];
        assert_int_equal(load(&jobs, note, sizeof note), 0);
        free(jobs);
        assert_non_null(strstr(note, "set aside"));
        assert_int_equal(count_files("jobs.json.bad-"), before + 1); /* earlier ones kept */
        assert_int_equal(access(path, F_OK), -1); /* moved away, so not trusted */
    }
}

static void test_two_writers(void **state)
{
    (void)state;
    enum { PER = 40 };
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            for (int i = 0; i < PER; i++) {
                struct gw_error err = {0};
                struct state_job j = job(100000 * (k + 1) + i, "setup");
                if (state_put(dir, &j, &err) != 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    struct state_job *jobs;
    char note[600];
    size_t n = load(&jobs, note, sizeof note);
    free(jobs);
    assert_string_equal(note, "");
    assert_int_equal(n, 2 * PER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_set_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
