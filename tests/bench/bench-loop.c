/* SPDX-License-Identifier: MIT */
/* bench-loop CALL N PATH: makes CALL N times and prints the median cost of one call in ns
 * (over blocks of 100 calls), for bench-engine.py to compare native and supervised runs.
 * CALL: openat (openat+close), stat (newfstatat), getppid (never trapped). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: bench-loop openat|stat|getppid N PATH\n");
                return 2;
        }
        const char *call = argv[1], *path = argv[3];
        long n = atol(argv[2]);
        enum { BLOCK = 100 };
        long blocks = n / BLOCK > 0 ? n / BLOCK : 1;
        double *t = calloc((size_t) blocks, sizeof(double));
        int kind = strcmp(call, "openat") == 0 ? 0 : strcmp(call, "stat") == 0 ? 1 : 2;
        if (!t)
                return 1;
        for (long b = 0; b < blocks; b++) {
                double a = now_ns();
                for (int i = 0; i < BLOCK; i++) {
                        if (kind == 0) {
                                int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
                                if (fd < 0) {
                                        perror(path);
                                        return 1;
                                }
                                close(fd);
                        } else if (kind == 1) {
                                struct stat st;
                                if (fstatat(AT_FDCWD, path, &st, 0) < 0) {
                                        perror(path);
                                        return 1;
                                }
                        } else
                                (void) getppid();
                }
                t[b] = (now_ns() - a) / BLOCK;
        }
        qsort(t, (size_t) blocks, sizeof(double), cmp);
        printf("%.1f\n", t[blocks / 2]);
        free(t);
        return 0;
}
