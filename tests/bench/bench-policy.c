/* SPDX-License-Identifier: MIT */
/* Policy lookup cost against the number of rules (10 .. 100,000), and the load time of a
 * 100,000-rule file. Prints a markdown table; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-time.h"
#include "common/macro.h"
#include "policy/policy.h"

/* Rules spread like a real tree: /srv/tNNN/dMMM/fKKK, mixed actions. */
static char *make_policy(size_t n, size_t *ret_len) {
        size_t cap = 64 + n * 96, len = 0;
        char *t = malloc(cap);
        if (!t)
                abort();
        len += (size_t) sprintf(t + len, "{\"version\":1,\"rules\":[\n");
        for (size_t i = 0; i < n; i++) {
                const char *action = i % 3 == 0 ? "\"readonly\":true" : i % 3 == 1 ? "\"deny\":\"EACCES\"" : "\"redirect\":\"/home/r\"";
                len += (size_t) sprintf(t + len, "%s{\"path\":\"/srv/t%zu/d%zu/f%zu\",%s}\n", i ? "," : "",
                                        i % 97, i % 1009, i, action);
        }
        len += (size_t) sprintf(t + len, "]}\n");
        *ret_len = len;
        return t;
}

int main(int argc, char **argv) {
        static const size_t sizes[] = { 10, 100, 1000, 10000, 100000 };
        static const char *const paths[] = {
                "/usr/include/x86_64-linux-gnu/sys/stat.h", /* no rule anywhere near */
                "/etc/passwd",
                "/srv/t3/d3/f3",                           /* covered when n > 3 */
                "/srv/t5/d5/f5/deeper/still/file.txt",
                "/srv/t1/d2/f99999999",                    /* near misses */
        };
        enum { ROUNDS = 21, LOOKUPS = 20000 };

        printf("| rules | load (ms) | lookup median (ns) | ratio to 10 rules |\n");
        printf("|---:|---:|---:|---:|\n");
        double base = 0;
        for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
                size_t len;
                char *text = make_policy(sizes[s], &len);
                struct pv_errors errors = {};
                struct pv_policy *p = pv_policy_new();
                double t0 = bench_now_ns();
                if (pv_policy_load_buffer(p, "bench.json", text, len, &errors) < 0) {
                        pv_errors_print(&errors, stderr);
                        return 1;
                }
                double load_ms = (bench_now_ns() - t0) / 1e6;
                free(text);

                double samples[ROUNDS];
                static struct pv_decision d;
                unsigned sink = 0;
                for (int r = 0; r < ROUNDS; r++) {
                        double a = bench_now_ns();
                        for (int i = 0; i < LOOKUPS; i++) {
                                pv_policy_decide(p, paths[i % ELEMENTSOF(paths)], PV_INTENT_READ, &d);
                                sink += d.action;
                        }
                        samples[r] = (bench_now_ns() - a) / LOOKUPS;
                }
                qsort(samples, ROUNDS, sizeof(double), bench_cmp_double);
                double med = samples[ROUNDS / 2];
                if (s == 0)
                        base = med;
                printf("| %zu | %.1f | %.0f | %.2fx |%s\n", sizes[s], load_ms, med, med / base, sink ? "" : " ");
                pv_policy_free(p);
        }
        return 0;
}
