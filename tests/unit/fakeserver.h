/* For unit tests that talk to one of the loopback fake servers (tests/fake_vast.py,
 * tests/fake_hub.py) with the real HTTP client, and that need a scratch folder or a free port.
 * Header-only: each test binary is one .c file (include after cmocka.h). */
#ifndef GPUWARDEN_TEST_FAKESERVER_H
#define GPUWARDEN_TEST_FAKESERVER_H

#include <arpa/inet.h>
#include <cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

struct fake_server {
    pid_t pid;     /* -1 when not running: the tests that need it skip */
    char base[64]; /* http://127.0.0.1:PORT */
    char dir[64];  /* holds the port file */
    char port_file[128];
    struct http_client *http; /* for the control endpoints */
};

static inline void fake_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline void fake_server_stop(struct fake_server *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
    }
    f->pid = -1;
    if (f->port_file[0]) {
        unlink(f->port_file);
        rmdir(f->dir);
        f->port_file[0] = '\0';
    }
    http_free(f->http);
    f->http = NULL;
}

/* Starts `python3 script --port-file DIR/port` (script: $env_name, else `fallback`) and waits up to
 * 15 s for the port. false, with f->pid == -1, when it cannot (no python3, no script): the caller's
 * tests then skip. */
static inline bool fake_server_start(struct fake_server *f, const char *env_name,
                                     const char *fallback)
{
    memset(f, 0, sizeof *f);
    f->pid = -1;
    const char *script = getenv(env_name);
    if (script == NULL || !*script)
        script = fallback;
    snprintf(f->dir, sizeof f->dir, "/tmp/gw-fake-XXXXXX");
    if (access(script, R_OK) != 0 || mkdtemp(f->dir) == NULL)
        return false;
    snprintf(f->port_file, sizeof f->port_file, "%s/port", f->dir);
    f->http = http_new(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("python3", "python3", script, "--port-file", f->port_file, (char *)NULL);
        _exit(127);
    }
    f->pid = pid < 0 ? -1 : pid;
    int port = 0;
    for (int waited = 0; f->pid > 0 && waited < 15000 && port <= 0; waited += 20) {
        FILE *pf = fopen(f->port_file, "r");
        if (pf) {
            if (fscanf(pf, "%d", &port) != 1)
                port = 0;
            fclose(pf);
        }
        if (port <= 0 && waitpid(f->pid, NULL, WNOHANG) == f->pid)
            f->pid = -1; /* it exited: no python3, or the script failed */
        else if (port <= 0)
            fake_sleep_ms(20);
    }
    if (port <= 0) {
        fake_server_stop(f);
        return false;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", port);
    return true;
}

/* A test group's set-up around one fake: libcurl, 1 ms retry backoff, the server (its tests skip
 * when it cannot start). Pair with fake_group_end(). */
static inline void fake_group_begin(struct fake_server *f, const char *env_name,
                                    const char *fallback)
{
    curl_global_init(CURL_GLOBAL_ALL);
    setenv("GPUWARDEN_HTTP_BACKOFF_MS", "1", 1);
    fake_server_start(f, env_name, fallback);
}

static inline void fake_group_end(struct fake_server *f)
{
    fake_server_stop(f);
    curl_global_cleanup();
}

/* POST /_control/NAME with a JSON body; fails the test unless it answers 200. */
static inline void fake_server_control(struct fake_server *f, const char *name, const char *json)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_control/%s", f->base, name);
    struct http_response r;
    struct gw_error err = {0};
    if (http_request(f->http, "POST", url, NULL, json, &r, &err) != 0)
        fail_msg("control %s: %s", name, err.msg);
    if (r.status != 200)
        fail_msg("control %s: HTTP %ld %s", name, r.status, r.body);
    http_response_free(&r);
}

/* The fake's request log, a JSON array (caller deletes). */
static inline cJSON *fake_server_log(struct fake_server *f)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_control/log", f->base);
    struct http_response r;
    struct gw_error err = {0};
    assert_int_equal(http_request(f->http, "GET", url, NULL, NULL, &r, &err), 0);
    cJSON *log = cJSON_Parse(r.body);
    http_response_free(&r);
    assert_true(cJSON_IsArray(log));
    return log;
}

/* How many logged requests have this method and a path starting with `prefix`. */
static inline int fake_server_logged(struct fake_server *f, const char *method, const char *prefix)
{
    cJSON *log = fake_server_log(f);
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, log)
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "method");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        n += cJSON_IsString(m) && cJSON_IsString(p) && !strcmp(m->valuestring, method) &&
             !strncmp(p->valuestring, prefix, strlen(prefix));
    }
    cJSON_Delete(log);
    return n;
}

/* rm -rf path (the test's own scratch folder). */
static inline void fake_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[768];
            snprintf(sub, sizeof sub, "%.500s/%.255s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                fake_remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* A loopback port nothing listens on (bound, then released). */
static inline int fake_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

#endif
