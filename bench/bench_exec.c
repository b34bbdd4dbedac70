/* make bench's process timer: runs a command several times, each forked from this small process
 * (so that wait4's ru_maxrss is the command's own peak, not a large parent's), and prints the
 * wall times and the peak RSS. `bench_exec RUNS cmd args...`; stdout goes to /dev/null. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "figure.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_exec RUNS command [args...]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    if (runs < 1 || runs > 1000)
        return 2;
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int status = 0;
        struct rusage ru;
        if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
            perror("bench_exec");
            return 1;
        }
        double wall = bench_now_ms() - t0;
        /* one line a run: wall ms, peak RSS in KiB, exit status */
        printf("%.3f %ld %d\n", wall, ru.ru_maxrss,
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return 0;
}
