/* Tests the SSH session (src/ssh.c) against a real OpenSSH sshd on 127.0.0.1 started by the
 * harness tests/sshd.py (its own host key, user key and fixture nvidia-smi): trust on first use
 * and a changed host key, refused and silent ports, a wrong key, exec, upload, streams, a
 * connection killed or frozen under a stream (keepalives), HTTP through a tunnel, cancel. The
 * whole file is skipped when /usr/sbin/sshd or python3 is missing. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeserver.h"
#include "smi.h"
#include "ssh.h"

static const char *harness = "tests/sshd.py";
static char dir[64];          /* the harness folder (mkdtemp) */
static char known_hosts[128]; /* dir/state/known_hosts, created by ssh_connect */
static char key_path[128];    /* dir/id_ed25519 */
static char user[64];
static int port;

/* ------------------------------------------------------------------ helpers */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs argv (stdin /dev/null); its stdout goes to out (NUL-terminated) when out is not NULL.
 * Returns the exit status, -1 when it could not run. */
static int run(char *const argv[], char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(out ? fds[1] : null, STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    char sink[256];
    while ((got = read(fds[0], out && n + 1 < size ? out + n : sink,
                       out && n + 1 < size ? size - 1 - n : sizeof sink)) > 0)
        if (out && n + 1 < size)
            n += (size_t)got;
    if (out && size)
        out[n] = '\0';
    close(fds[0]);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int harness_cmd(const char *verb, const char *arg)
{
    char *argv[] = {"python3", (char *)harness, (char *)verb, dir, (char *)arg, NULL};
    return run(argv, NULL, 0);
}

static void read_file(const char *path, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The SHA256 field of `ssh-keygen -lf dir/host_key.pub`. */
static void host_fingerprint(char *out, size_t size)
{
    char pub[128], line[512];
    snprintf(pub, sizeof pub, "%s/host_key.pub", dir);
    char *argv[] = {"ssh-keygen", "-lf", pub, NULL};
    assert_int_equal(run(argv, line, sizeof line), 0);
    char *start = strstr(line, "SHA256:");
    assert_non_null(start);
    size_t n = strcspn(start, " \n");
    assert_true(n < size);
    memcpy(out, start, n);
    out[n] = '\0';
}

/* A listening loopback socket; *port_out its port. */
static int listener(int *port_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port_out = ntohs(a.sin_port);
    return fd;
}

static void config(struct ssh_config *cfg)
{
    ssh_config_default(cfg);
    cfg->host = "127.0.0.1";
    cfg->port = port;
    cfg->user = user;
    cfg->key_path = key_path;
    cfg->known_hosts = known_hosts;
    cfg->connect_timeout_s = 10;
}

/* Fails with err's sentence unless rc is SSH_OK. */
static void expect_ok(int rc, const struct gw_error *err)
{
    if (rc != SSH_OK)
        fail_msg("expected SSH_OK, got %d: %s", rc, err->msg);
}

static struct ssh *connect_ok(const struct ssh_config *cfg)
{
    struct ssh *s = NULL;
    struct gw_error err = {0};
    struct ssh_hostkey_info info;
    int rc = ssh_connect(cfg, &s, &info, &err);
    if (rc != SSH_OK)
        fail_msg("ssh_connect: %d %s", rc, err.msg);
    return s;
}

/* Waits (at most 3 s) until the harness shows exactly `want` connections. */
static void wait_connections(int want)
{
    char out[256];
    char *argv[] = {"python3", (char *)harness, "children", dir, NULL};
    int n = -1;
    for (int i = 0; i < 60; i++) {
        assert_int_equal(run(argv, out, sizeof out), 0);
        n = 0;
        for (char *p = out; *p; p++)
            n += *p == '\n';
        if (n == want)
            return;
        poll(NULL, 0, 50);
    }
    fail_msg("sshd serves %d connections, expected %d", n, want);
}

/* ------------------------------------------------------------------ group setup */

static bool available(void)
{
    char *argv[] = {"python3", "-c", "", NULL};
    return access("/usr/sbin/sshd", X_OK) == 0 && run(argv, NULL, 0) == 0 &&
           access(harness, R_OK) == 0;
}

static int start_sshd(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    unsetenv("SSH_AUTH_SOCK");
    unsetenv("GPUWARDEN_SSH_TIMEOUT_S");
    unsetenv("GPUWARDEN_SSH_KEEPALIVE_S");
    struct passwd *pw = getpwuid(geteuid());
    if (pw == NULL)
        return -1;
    snprintf(user, sizeof user, "%s", pw->pw_name);
    snprintf(dir, sizeof dir, "/tmp/gw-test-ssh-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(known_hosts, sizeof known_hosts, "%s/state/known_hosts", dir);
    snprintf(key_path, sizeof key_path, "%s/id_ed25519", dir);
    if (harness_cmd("start", NULL) != 0) {
        char log[4096], path[128];
        snprintf(path, sizeof path, "%s/sshd.log", dir);
        read_file(path, log, sizeof log);
        fprintf(stderr, "test_ssh: the sshd harness did not start\n%s\n", log);
        return -1;
    }
    char text[32], path[128];
    snprintf(path, sizeof path, "%s/port", dir);
    read_file(path, text, sizeof text);
    port = atoi(text);
    if (port <= 0)
        return -1;
    return ssh_global_init();
}

static int stop_sshd(void **state)
{
    (void)state;
    harness_cmd("stop", NULL);
    fake_remove_tree(dir);
    ssh_global_cleanup();
    return 0;
}

/* ------------------------------------------------------------------ host keys */

static void test_known_hosts_name(void **state)
{
    (void)state;
    char name[64];
    ssh_known_hosts_name("1.2.3.4", 22, name, sizeof name);
    assert_string_equal(name, "1.2.3.4");
    ssh_known_hosts_name("ssh4.vast.ai", 31022, name, sizeof name);
    assert_string_equal(name, "[ssh4.vast.ai]:31022");
}

static void test_first_use_then_known(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = NULL;
    struct ssh_hostkey_info info;
    struct gw_error err = {0};
    int rc = ssh_connect(&cfg, &s, &info, &err);
    if (rc != SSH_OK)
        fail_msg("%d %s", rc, err.msg);
    assert_true(info.first_use);
    char want[64];
    host_fingerprint(want, sizeof want);
    assert_string_equal(info.fingerprint, want);
    assert_string_equal(info.type, "ssh-ed25519");
    assert_true(ssh_idle_s(s) <= 1);
    ssh_close(s);

    struct stat st;
    assert_int_equal(stat(known_hosts, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char state_dir[128];
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    assert_int_equal(stat(state_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char text[1024], line[64];
    read_file(known_hosts, text, sizeof text);
    snprintf(line, sizeof line, "[127.0.0.1]:%d ssh-ed25519 ", port);
    assert_non_null(strstr(text, line));

    rc = ssh_connect(&cfg, &s, &info, &err);
    if (rc != SSH_OK)
        fail_msg("%d %s", rc, err.msg);
    assert_false(info.first_use);
    assert_string_equal(info.fingerprint, want);
    ssh_close(s);
}

/* Must run last: it replaces the harness's host key. */
static void test_changed_host_key(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    ssh_close(connect_ok(&cfg)); /* known now, if it was not */
    char old_fp[64], before[2048], after[2048];
    host_fingerprint(old_fp, sizeof old_fp);
    read_file(known_hosts, before, sizeof before);

    assert_int_equal(harness_cmd("rekey", NULL), 0);
    char new_fp[64];
    host_fingerprint(new_fp, sizeof new_fp);
    assert_string_not_equal(old_fp, new_fp);

    struct ssh *s = NULL;
    struct ssh_hostkey_info info;
    struct gw_error err = {0};
    assert_int_equal(ssh_connect(&cfg, &s, &info, &err), SSH_HOSTKEY);
    assert_null(s);
    assert_non_null(strstr(err.msg, "possible MITM"));
    char expect[256];
    snprintf(expect, sizeof expect,
             "host key changed for 127.0.0.1:%d: possible MITM (stored %s, offered %s)", port,
             old_fp, new_fp);
    assert_string_equal(err.msg, expect);
    assert_string_equal(info.fingerprint, new_fp);
    assert_false(info.first_use);
    read_file(known_hosts, after, sizeof after);
    assert_string_equal(before, after);
    /* never re-trusted on a later attempt either */
    assert_int_equal(ssh_connect(&cfg, &s, &info, &err), SSH_HOSTKEY);
}

/* ------------------------------------------------------------------ failing connects */

static void test_refused_port(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    cfg.port = fake_free_port();
    struct ssh *s = NULL;
    struct gw_error err = {0};
    double t0 = now_s();
    assert_int_equal(ssh_connect(&cfg, &s, NULL, &err), SSH_FAILED);
    assert_true(now_s() - t0 < 0.5);
    assert_null(s);
    assert_non_null(strstr(err.msg, "connection refused"));
    char where[64];
    snprintf(where, sizeof where, "127.0.0.1:%d", cfg.port);
    assert_non_null(strstr(err.msg, where));
}

static void test_silent_listener_times_out(void **state)
{
    (void)state;
    int silent_port;
    int fd = listener(&silent_port); /* the kernel accepts; nobody ever speaks */
    struct ssh_config cfg;
    config(&cfg);
    cfg.port = silent_port;
    cfg.connect_timeout_s = 2;
    struct ssh *s = NULL;
    struct gw_error err = {0};
    double t0 = now_s();
    assert_int_equal(ssh_connect(&cfg, &s, NULL, &err), SSH_FAILED);
    double took = now_s() - t0;
    close(fd);
    assert_true(took > 1.9 && took < 3.0);
    char expect[128];
    snprintf(expect, sizeof expect,
             "timed out after 2 s connecting to 127.0.0.1:%d (SSH handshake)", silent_port);
    assert_string_equal(err.msg, expect);
}

static void test_wrong_key(void **state)
{
    (void)state;
    char other[128];
    snprintf(other, sizeof other, "%s/other_key", dir);
    if (access(other, R_OK) != 0) {
        char *argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other, NULL};
        assert_int_equal(run(argv, NULL, 0), 0);
    }
    struct ssh_config cfg;
    config(&cfg);
    cfg.key_path = other;
    struct ssh *s = NULL;
    struct gw_error err = {0};
    assert_int_equal(ssh_connect(&cfg, &s, NULL, &err), SSH_AUTH);
    assert_null(s);
    char expect[256];
    snprintf(expect, sizeof expect, "authentication refused for %s@127.0.0.1:%d (tried: %s)", user,
             port, other);
    assert_string_equal(err.msg, expect);
}

/* key_path NULL: ~/.ssh/id_ed25519 (HOME pointed at a folder of the test), nothing at all. */
static void test_default_identities(void **state)
{
    (void)state;
    char home[128], ssh_dir[160], key[200];
    snprintf(home, sizeof home, "%s/home", dir);
    snprintf(ssh_dir, sizeof ssh_dir, "%s/.ssh", home);
    snprintf(key, sizeof key, "%s/id_ed25519", ssh_dir);
    mkdir(home, 0700);
    const char *old_home = getenv("HOME");
    char saved_home[512];
    snprintf(saved_home, sizeof saved_home, "%s", old_home ? old_home : "");
    setenv("HOME", home, 1);

    struct ssh_config cfg;
    config(&cfg);
    cfg.key_path = NULL;
    struct ssh *s = NULL;
    struct gw_error err = {0};
    int rc = ssh_connect(&cfg, &s, NULL, &err);
    assert_int_equal(rc, SSH_AUTH);
    assert_non_null(strstr(err.msg, "tried: nothing"));

    mkdir(ssh_dir, 0700);
    char *cp[] = {"cp", key_path, key, NULL};
    assert_int_equal(run(cp, NULL, 0), 0);
    rc = ssh_connect(&cfg, &s, NULL, &err);
    if (old_home)
        setenv("HOME", saved_home, 1);
    else
        unsetenv("HOME");
    if (rc != SSH_OK)
        fail_msg("%d %s", rc, err.msg);
    ssh_close(s);
}

/* key_path NULL with an ssh-agent holding first a key the host refuses, then the right one. */
static void test_agent(void **state)
{
    (void)state;
    char *probe[] = {"sh", "-c", "command -v ssh-agent && command -v ssh-add", NULL};
    char where_agent[256];
    if (run(probe, where_agent, sizeof where_agent) != 0)
        skip();
    char sock[128], home[128], other[128];
    snprintf(sock, sizeof sock, "%s/agent.sock", dir);
    snprintf(home, sizeof home, "%s/empty-home", dir);
    snprintf(other, sizeof other, "%s/other_key", dir);
    mkdir(home, 0700);
    if (access(other, R_OK) != 0) {
        char *argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other, NULL};
        assert_int_equal(run(argv, NULL, 0), 0);
    }
    pid_t agent = fork();
    if (agent == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        execlp("ssh-agent", "ssh-agent", "-D", "-a", sock, (char *)NULL);
        _exit(127);
    }
    assert_true(agent > 0);
    for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
        poll(NULL, 0, 20);
    const char *old_home = getenv("HOME");
    char saved_home[512];
    snprintf(saved_home, sizeof saved_home, "%s", old_home ? old_home : "");
    setenv("HOME", home, 1);
    setenv("SSH_AUTH_SOCK", sock, 1);

    char *add_other[] = {"ssh-add", "-q", other, NULL};
    int added = run(add_other, NULL, 0);
    struct ssh_config cfg;
    config(&cfg);
    cfg.key_path = NULL;
    struct ssh *s = NULL;
    struct gw_error err = {0};
    int refused = ssh_connect(&cfg, &s, NULL, &err);
    char refused_msg[sizeof err.msg];
    snprintf(refused_msg, sizeof refused_msg, "%s", err.msg);
    char *add_right[] = {"ssh-add", "-q", key_path, NULL};
    added |= run(add_right, NULL, 0);
    int accepted = ssh_connect(&cfg, &s, NULL, &err);
    ssh_close(s);

    unsetenv("SSH_AUTH_SOCK");
    if (old_home)
        setenv("HOME", saved_home, 1);
    else
        unsetenv("HOME");
    kill(agent, SIGTERM);
    waitpid(agent, NULL, 0);

    assert_int_equal(added, 0);
    assert_int_equal(refused, SSH_AUTH);
    char expect[256];
    snprintf(expect, sizeof expect,
             "authentication refused for %s@127.0.0.1:%d (tried: agent (1 key))", user, port);
    assert_string_equal(refused_msg, expect);
    expect_ok(accepted, &err);
}

/* ------------------------------------------------------------------ exec, upload */

static void test_exec_output_and_status(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    char *out = NULL;
    size_t len = 0;
    int status = -2;
    struct gw_error err = {0};

    expect_ok(ssh_exec(s, "echo hello", 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "hello\n");
    assert_int_equal(len, 6);
    assert_int_equal(status, 0);
    free(out);

    assert_int_equal(
        ssh_exec(s, "echo to-out; echo to-err >&2; exit 3", 10, 4096, &out, &len, &status, &err),
        SSH_OK);
    assert_non_null(strstr(out, "to-out\n"));
    assert_non_null(strstr(out, "to-err\n")); /* stderr merged */
    assert_int_equal(len, 14);
    assert_int_equal(status, 3);
    free(out);

    expect_ok(ssh_exec(s, "true", 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "");
    assert_int_equal(status, 0);
    free(out);

    expect_ok(ssh_exec(s, "kill -9 $$", 10, 4096, &out, &len, &status, &err), &err);
    assert_int_equal(status, -1); /* killed by a signal */
    free(out);

    /* beyond max_bytes: read and dropped */
    assert_int_equal(ssh_exec(s, "head -c 300000 /dev/zero | tr '\\0' a; echo; exit 4", 10, 1000,
                              &out, &len, &status, &err),
                     SSH_OK);
    assert_int_equal(len, 1000);
    assert_int_equal(strlen(out), 1000);
    assert_int_equal(status, 4);
    free(out);
    ssh_close(s);
}

static void test_exec_timeout(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    char *out = NULL;
    size_t len = 0;
    int status = 0;
    struct gw_error err = {0};
    double t0 = now_s();
    assert_int_equal(ssh_exec(s, "sleep 3", 1, 4096, &out, &len, &status, &err), SSH_FAILED);
    assert_true(now_s() - t0 < 1.8);
    assert_null(out);
    assert_non_null(strstr(err.msg, "timed out after 1 s"));
    /* the session is still usable */
    expect_ok(ssh_exec(s, "echo again", 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "again\n");
    free(out);
    ssh_close(s);
}

static void test_nvidia_smi_fixture(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    char *out = NULL;
    size_t len = 0;
    int status = -2;
    struct gw_error err = {0};
    expect_ok(ssh_exec(s, SMI_QUERY, 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "NVIDIA GeForce RTX 3060, 12288, 8.6\n");
    assert_int_equal(status, 0);
    free(out);

    char path[128];
    snprintf(path, sizeof path, "%s/smi.txt", dir);
    write_file(path, "NVIDIA GeForce RTX 3060, 8192, 8.6\n");
    expect_ok(ssh_exec(s, SMI_QUERY, 10, 4096, &out, &len, &status, &err), &err);
    unlink(path);
    assert_string_equal(out, "NVIDIA GeForce RTX 3060, 8192, 8.6\n");
    free(out);

    expect_ok(ssh_exec(s, SMI_QUERY_OLD, 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "NVIDIA GeForce RTX 3060, 12288\n");
    free(out);
    ssh_close(s);
}

static void test_upload(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    struct gw_error err = {0};
    char folder[128], path[160], cmd[256];
    snprintf(folder, sizeof folder, "%s/up", dir);
    mkdir(folder, 0755);

    /* every byte value, NULs and CRs included, and more than one SFTP packet */
    size_t n = 200 * 1024;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(unsigned char)((i * 7 + i / 256) & 0xff);
    snprintf(path, sizeof path, "%s/blob.bin", folder);
    expect_ok(ssh_upload(s, path, data, n, 0640, 10, &err), &err);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(st.st_size, (off_t)n);
    char *out = NULL;
    size_t len = 0;
    int status = -2;
    snprintf(cmd, sizeof cmd, "cat '%s'", path);
    expect_ok(ssh_exec(s, cmd, 10, 1 << 20, &out, &len, &status, &err), &err);
    assert_int_equal(status, 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, data, n);
    free(out);

    /* over an existing file: truncated, and the mode changes too */
    expect_ok(ssh_upload(s, path, "short\n", 6, 0600, 10, &err), &err);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 6);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* a script that runs */
    const char *script = "#!/bin/sh\necho \"script ran with $1\"\n";
    snprintf(path, sizeof path, "%s/setup.sh", folder);
    expect_ok(ssh_upload(s, path, script, strlen(script), 0755, 10, &err), &err);
    snprintf(cmd, sizeof cmd, "'%s' x", path);
    expect_ok(ssh_exec(s, cmd, 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "script ran with x\n");
    free(out);

    /* the folder must exist */
    snprintf(path, sizeof path, "%s/missing/file", folder);
    assert_int_equal(ssh_upload(s, path, "x", 1, 0644, 10, &err), SSH_FAILED);
    assert_non_null(strstr(err.msg, "no such file"));
    /* and the session goes on */
    expect_ok(ssh_exec(s, "echo ok", 10, 4096, &out, &len, &status, &err), &err);
    assert_string_equal(out, "ok\n");
    free(out);
    free(data);
    ssh_close(s);
}

/* ------------------------------------------------------------------ streams */

static void test_stream_incremental(void **state)
{
    (void)state;
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    struct gw_error err = {0};
    struct ssh_stream *st = NULL;
    assert_int_equal(ssh_stream_open(s,
                                     "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done; "
                                     "echo done >&2; exit 5",
                                     &st, &err),
                     SSH_OK);
    char all[256] = "", buf[64];
    size_t used = 0;
    bool eof = false;
    double t0 = now_s(), first = 0, end = 0;
    int reads_with_data = 0;
    while (!eof && now_s() - t0 < 10) {
        ssize_t n = ssh_stream_read(st, buf, sizeof buf, 100, &eof, &err);
        assert_true(n >= 0);
        if (n > 0) {
            if (first == 0)
                first = now_s();
            reads_with_data++;
            assert_true(used + (size_t)n < sizeof all);
            memcpy(all + used, buf, (size_t)n);
            used += (size_t)n;
            all[used] = '\0';
        }
    }
    end = now_s();
    assert_true(eof);
    assert_string_equal(all, "line1\nline2\nline3\nline4\nline5\ndone\n");
    assert_true(reads_with_data >= 3); /* it came as it was printed... */
    assert_true(end - first > 0.5);    /* ...not all at the end */
    /* eof stays set */
    assert_int_equal(ssh_stream_read(st, buf, sizeof buf, 100, &eof, &err), 0);
    assert_true(eof);
    int status = -2;
    ssh_stream_close(st, &status);
    assert_int_equal(status, 5);
    ssh_close(s);
}

/* Reads until an error; returns it, *took the seconds until then. */
static ssize_t read_until_error(struct ssh_stream *st, double limit_s, double *took,
                                struct gw_error *err)
{
    char buf[256];
    bool eof = false;
    double t0 = now_s();
    ssize_t n = 0;
    while (now_s() - t0 < limit_s &&
           (n = ssh_stream_read(st, buf, sizeof buf, 200, &eof, err)) >= 0)
        assert_false(eof);
    *took = now_s() - t0;
    return n;
}

static void test_stream_connection_killed(void **state)
{
    (void)state;
    wait_connections(0);
    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    struct gw_error err = {0};
    struct ssh_stream *st = NULL;
    assert_int_equal(ssh_stream_open(s, "while :; do echo tick; sleep 0.1; done", &st, &err),
                     SSH_OK);
    char buf[64];
    bool eof = false;
    ssize_t n = 0;
    for (int i = 0; i < 50 && n == 0; i++)
        n = ssh_stream_read(st, buf, sizeof buf, 100, &eof, &err);
    assert_true(n > 0);
    wait_connections(1);
    assert_int_equal(harness_cmd("signal", "KILL"), 0);
    double took;
    n = read_until_error(st, 5, &took, &err);
    assert_int_equal(n, SSH_LOST);
    assert_true(took < 2);
    assert_non_null(strstr(err.msg, "lost the connection"));
    int status = 0;
    ssh_stream_close(st, &status);
    assert_int_equal(status, -1);
    /* the session knows it is dead */
    char *out = NULL;
    assert_int_equal(ssh_exec(s, "true", 5, 10, &out, NULL, NULL, &err), SSH_LOST);
    assert_null(out);
    ssh_close(s);
}

static void test_stream_keepalives_unanswered(void **state)
{
    (void)state;
    wait_connections(0);
    struct ssh_config cfg;
    config(&cfg);
    cfg.keepalive_s = 1; /* libssh2 makes it 2 */
    cfg.keepalive_max_missed = 3;
    struct ssh *s = connect_ok(&cfg);
    struct gw_error err = {0};
    struct ssh_stream *st = NULL;
    /* silent, and ends when its stdin closes */
    expect_ok(ssh_stream_open(s, "read x", &st, &err), &err);
    char buf[64];
    bool eof = false;
    /* quiet but answered: no data, no error */
    for (int i = 0; i < 5; i++)
        assert_int_equal(ssh_stream_read(st, buf, sizeof buf, 100, &eof, &err), 0);
    wait_connections(1);
    assert_int_equal(harness_cmd("signal", "STOP"), 0);
    double took;
    ssize_t n = read_until_error(st, 10, &took, &err);
    int idle = ssh_idle_s(s);
    assert_int_equal(harness_cmd("signal", "CONT"), 0);
    assert_int_equal(n, SSH_LOST);
    char expect[128];
    snprintf(expect, sizeof expect, "no answer from 127.0.0.1:%d to 3 keepalives (2 s apart)",
             port);
    assert_string_equal(err.msg, expect);
    assert_true(took > 3.0 && took < 7.0);
    assert_true(idle >= 3);
    ssh_stream_close(st, NULL);
    ssh_close(s);
}

/* ------------------------------------------------------------------ HTTP through a tunnel */

struct http_server {
    int fd, port;
    pthread_t thread;
};

/* One request per connection, answered and closed: /hello, /echo (method, content type and
 * body back), /chunked (HTTP/1.1 chunked), /keepopen (Content-Length, connection kept open),
 * /big (100 kB), else 404. */
static void http_answer(int c)
{
    char req[8192];
    size_t n = 0;
    ssize_t got;
    char *head_end = NULL;
    while (n + 1 < sizeof req && (got = read(c, req + n, sizeof req - 1 - n)) > 0) {
        n += (size_t)got;
        req[n] = '\0';
        head_end = strstr(req, "\r\n\r\n");
        if (head_end) {
            const char *cl = strstr(req, "Content-Length: ");
            size_t want = cl ? (size_t)atoi(cl + 16) : 0;
            if (n - (size_t)(head_end + 4 - req) >= want)
                break;
        }
    }
    if (head_end == NULL)
        return;
    char method[16] = "", path[128] = "", resp[1024];
    sscanf(req, "%15s %127s", method, path);
    const char *r;
    if (!strcmp(path, "/hello")) {
        r = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from the host\n";
    } else if (!strcmp(path, "/echo")) {
        const char *ct = strstr(req, "Content-Type: ");
        char type[64] = "none";
        if (ct)
            sscanf(ct + 14, "%63[^\r]", type);
        const char *host = strstr(req, "Host: ");
        char hostv[64] = "none";
        if (host)
            sscanf(host + 6, "%63[^\r]", hostv);
        snprintf(resp, sizeof resp,
                 "HTTP/1.0 201 Created\r\nContent-Type: text/plain\r\n\r\n%s %s %s %s", method,
                 hostv, type, head_end + 4);
        r = resp;
    } else if (!strcmp(path, "/chunked")) {
        r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n"
            "0\r\n\r\n";
    } else if (!strcmp(path, "/keepopen")) {
        /* answers, then keeps the connection until the client goes (at most 5 s) */
        r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        if (write(c, r, strlen(r)) < 0)
            return;
        struct pollfd p = {.fd = c, .events = POLLIN};
        poll(&p, 1, 5000);
        return;
    } else if (!strcmp(path, "/big")) {
        const char *h = "HTTP/1.0 200 OK\r\n\r\n";
        if (write(c, h, strlen(h)) < 0)
            return;
        char chunk[1000];
        memset(chunk, 'x', sizeof chunk);
        for (int i = 0; i < 100; i++)
            if (write(c, chunk, sizeof chunk) < 0)
                return;
        return;
    } else {
        r = "HTTP/1.0 404 Not Found\r\n\r\nnot found\n";
    }
    if (write(c, r, strlen(r)) < 0)
        return;
}

static void *http_serve(void *arg)
{
    struct http_server *h = arg;
    for (;;) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            break; /* shut down */
        }
        http_answer(c);
        close(c);
    }
    return NULL;
}

static void test_http_through_tunnel(void **state)
{
    (void)state;
    struct http_server h;
    h.fd = listener(&h.port);
    assert_int_equal(pthread_create(&h.thread, NULL, http_serve, &h), 0);

    struct ssh_config cfg;
    config(&cfg);
    struct ssh *s = connect_ok(&cfg);
    struct gw_error err = {0};
    int status = 0;
    char *body = NULL;
    size_t len = 0;
    double t0;

    expect_ok(ssh_http(s, h.port, "GET", "/hello", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    assert_int_equal(status, 200);
    assert_string_equal(body, "hello from the host\n");
    assert_int_equal(len, 20);
    free(body);

    expect_ok(ssh_http(s, h.port, "POST", "/echo", "{\"prompt\":\"hi\"}", 5, 1 << 20, &status,
                       &body, &len, &err),
              &err);
    assert_int_equal(status, 201);
    char expect[128];
    snprintf(expect, sizeof expect, "POST 127.0.0.1:%d application/json {\"prompt\":\"hi\"}",
             h.port);
    assert_string_equal(body, expect);
    free(body);

    expect_ok(ssh_http(s, h.port, "GET", "/echo", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    snprintf(expect, sizeof expect, "GET 127.0.0.1:%d none ", h.port);
    assert_string_equal(body, expect);
    free(body);

    expect_ok(ssh_http(s, h.port, "GET", "/nope", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    assert_int_equal(status, 404);
    assert_string_equal(body, "not found\n");
    free(body);

    expect_ok(ssh_http(s, h.port, "GET", "/chunked", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    assert_string_equal(body, "hello, world");
    free(body);

    t0 = now_s();
    expect_ok(ssh_http(s, h.port, "GET", "/keepopen", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    assert_true(now_s() - t0 < 1.5); /* by Content-Length, not by the server's close */
    assert_string_equal(body, "hello");
    free(body);

    expect_ok(ssh_http(s, h.port, "GET", "/big", NULL, 5, 1000, &status, &body, &len, &err), &err);
    assert_int_equal(len, 1000);
    assert_int_equal(strlen(body), 1000);
    free(body);

    /* nothing listens: refused, and the session goes on */
    int closed = fake_free_port();
    t0 = now_s();
    assert_int_equal(
        ssh_http(s, closed, "GET", "/health", NULL, 5, 1 << 20, &status, &body, &len, &err),
        SSH_FAILED);
    assert_true(now_s() - t0 < 1.5);
    assert_null(body);
    snprintf(expect, sizeof expect, "nothing answers on port %d of the host", closed);
    assert_non_null(strstr(err.msg, expect));
    /* something else listens there (sshd itself): not HTTP */
    assert_int_equal(
        ssh_http(s, port, "GET", "/health", NULL, 5, 1 << 20, &status, &body, &len, &err),
        SSH_FAILED);
    snprintf(expect, sizeof expect, "port %d of the host (127.0.0.1:%d) did not answer in HTTP",
             port, port);
    assert_string_equal(err.msg, expect);
    assert_null(body);
    char *out = NULL;
    expect_ok(ssh_exec(s, "echo still here", 5, 100, &out, &len, &status, &err), &err);
    assert_string_equal(out, "still here\n");
    free(out);
    expect_ok(ssh_http(s, h.port, "GET", "/hello", NULL, 5, 1 << 20, &status, &body, &len, &err),
              &err);
    assert_int_equal(status, 200);
    free(body);
    ssh_close(s);

    shutdown(h.fd, SHUT_RDWR);
    pthread_join(h.thread, NULL);
    close(h.fd);
}

/* ------------------------------------------------------------------ cancel */

struct delayed {
    atomic_int *flag;
    int ms;
};

static void *set_later(void *arg)
{
    struct delayed *d = arg;
    poll(NULL, 0, d->ms);
    atomic_store(d->flag, 1);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    atomic_int cancel = 1;
    struct ssh_config cfg;
    config(&cfg);
    cfg.cancel = &cancel;
    struct ssh *s = NULL;
    struct gw_error err = {0};
    assert_int_equal(ssh_connect(&cfg, &s, NULL, &err), SSH_CANCELLED);
    assert_null(s);

    /* while the handshake waits on a silent port */
    int silent_port;
    int fd = listener(&silent_port);
    cfg.port = silent_port;
    atomic_store(&cancel, 0);
    pthread_t t;
    struct delayed d = {&cancel, 300};
    pthread_create(&t, NULL, set_later, &d);
    double t0 = now_s();
    assert_int_equal(ssh_connect(&cfg, &s, NULL, &err), SSH_CANCELLED);
    assert_true(now_s() - t0 < 1.5);
    pthread_join(t, NULL);
    close(fd);

    /* during a command: the session stays usable */
    cfg.port = port;
    atomic_store(&cancel, 0);
    s = connect_ok(&cfg);
    pthread_create(&t, NULL, set_later, &d);
    char *out = NULL;
    size_t len = 0;
    int status = 0;
    t0 = now_s();
    assert_int_equal(ssh_exec(s, "sleep 3", 10, 100, &out, &len, &status, &err), SSH_CANCELLED);
    assert_true(now_s() - t0 < 1.5);
    pthread_join(t, NULL);
    atomic_store(&cancel, 0);
    expect_ok(ssh_exec(s, "echo after", 10, 100, &out, &len, &status, &err), &err);
    assert_string_equal(out, "after\n");
    free(out);

    /* during a stream read */
    struct ssh_stream *st = NULL;
    expect_ok(ssh_stream_open(s, "sleep 3", &st, &err), &err);
    pthread_create(&t, NULL, set_later, &d);
    char buf[16];
    bool eof = false;
    t0 = now_s();
    assert_int_equal(ssh_stream_read(st, buf, sizeof buf, 5000, &eof, &err), SSH_CANCELLED);
    assert_true(now_s() - t0 < 1.5);
    pthread_join(t, NULL);
    ssh_stream_close(st, NULL);
    ssh_close(s);
}

int main(void)
{
    if (!available()) {
        printf("test_ssh: skipped (needs /usr/sbin/sshd, python3 and %s)\n", harness);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_hosts_name),
        cmocka_unit_test(test_first_use_then_known),
        cmocka_unit_test(test_refused_port),
        cmocka_unit_test(test_silent_listener_times_out),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_default_identities),
        cmocka_unit_test(test_agent),
        cmocka_unit_test(test_exec_output_and_status),
        cmocka_unit_test(test_exec_timeout),
        cmocka_unit_test(test_nvidia_smi_fixture),
        cmocka_unit_test(test_upload),
        cmocka_unit_test(test_stream_incremental),
        cmocka_unit_test(test_stream_connection_killed),
        cmocka_unit_test(test_stream_keepalives_unanswered),
        cmocka_unit_test(test_http_through_tunnel),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_changed_host_key),
    };
    return cmocka_run_group_tests(tests, start_sshd, stop_sshd);
}
