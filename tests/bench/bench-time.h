/* SPDX-License-Identifier: MIT */
/* The clock and the median that every benchmark program of this directory uses. */
#pragma once

#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* Sorts t[0..n) and returns its median (n > 0). */
static inline double bench_median(double *t, size_t n) {
        qsort(t, n, sizeof(double), bench_cmp_double);
        return t[n / 2];
}
