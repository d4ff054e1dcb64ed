/* SPDX-License-Identifier: MIT */
/* bench-loop CALL N PATH [each]: makes CALL N times and prints the median cost of one call in ns
 * (over blocks of 100 calls), for bench-engine.py to compare native and supervised runs; with
 * `each`, every call is timed on its own and the line is "p50 p99 max" (bench-scale.py).
 * CALL: openat (openat+close), stat (newfstatat), statx, access (faccessat2), readlink (PATH
 * must be a symlink), getppid (never trapped), getsockname (of an AF_UNIX datagram socket bound at
 * PATH, which must not exist; removed at the end), connect (of a datagram socket to one bound at
 * PATH, made again each time). Raw calls where glibc might pick another. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench-time.h"

int main(int argc, char **argv) {
        bool each = argc == 5 && strcmp(argv[4], "each") == 0;
        if (argc != 4 && !each) {
                fprintf(stderr, "usage: bench-loop openat|stat|statx|access|readlink|getppid|getsockname|connect N PATH\n");
                return 2;
        }
        const char *call = argv[1], *path = argv[3];
        long n = atol(argv[2]);
        enum { BLOCK = 100 };
        long blocks = each ? (n > 0 ? n : 1) : (n / BLOCK > 0 ? n / BLOCK : 1);
        double *t = calloc((size_t) blocks, sizeof(double));
        static const char *const calls[] = { "openat", "stat", "getppid", "statx", "access", "readlink",
                                             "getsockname", "connect" };
        int kind = -1;
        for (int i = 0; i < 8; i++)
                if (strcmp(call, calls[i]) == 0)
                        kind = i;
        if (!t || kind < 0)
                return kind < 0 ? 2 : 1;
        /* the sockets: one bound at PATH, and for connect a client */
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int bound = -1, client = -1;
        if (kind >= 6) {
                if (strlen(path) >= sizeof(sa.sun_path))
                        return 2;
                strcpy(sa.sun_path, path);
                bound = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (bound < 0 || client < 0 || bind(bound, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                        perror(path);
                        return 1;
                }
        }
        char buf[256];
        struct statx stx;
        for (long b = 0; b < blocks; b++) {
                double a = bench_now_ns();
                for (int i = 0; i < (each ? 1 : BLOCK); i++) {
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
                        } else if (kind == 3) {
                                if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) < 0) {
                                        perror(path);
                                        return 1;
                                }
                        } else if (kind == 4) {
                                if (syscall(SYS_faccessat2, AT_FDCWD, path, R_OK, 0) < 0) {
                                        perror(path);
                                        return 1;
                                }
                        } else if (kind == 5) {
                                if (readlink(path, buf, sizeof(buf)) < 0) {
                                        perror(path);
                                        return 1;
                                }
                        } else if (kind == 6) {
                                struct sockaddr_un got;
                                socklen_t len = sizeof(got);
                                if (getsockname(bound, (struct sockaddr *) &got, &len) < 0) {
                                        perror("getsockname");
                                        return 1;
                                }
                        } else if (kind == 7) {
                                if (connect(client, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                                        perror(path);
                                        return 1;
                                }
                        } else
                                (void) getppid();
                }
                t[b] = (bench_now_ns() - a) / (each ? 1 : BLOCK);
        }
        double median = bench_median(t, (size_t) blocks);
        if (each)
                printf("%.1f %.1f %.1f\n", median, t[(size_t) ((double) blocks * 0.99)], t[blocks - 1]);
        else
                printf("%.1f\n", median);
        if (kind >= 6)
                unlink(path);
        free(t);
        return 0;
}
