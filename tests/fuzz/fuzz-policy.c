/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any bytes as a policy file, then a few decisions on paths taken from the
 * input. Built with -Dfuzz=true and clang; fuzz-main.c runs the same function over the corpus in
 * every build. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pv_policy *p = pv_policy_new();
        struct pv_errors errors = {};
        if (!p)
                return 0;
        if (pv_policy_load_buffer(p, "fuzz.json", (const char *) data, size, &errors) == 0) {
                static struct pv_decision d;
                static const char *const paths[] = { "/", "/etc/passwd", "/a/b/../c/", "/x" };
                for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
                        pv_policy_decide(p, paths[i], PV_INTENT_READ | PV_INTENT_WRITE, &d);
                /* the input itself as a path */
                char path[4200];
                size_t n = size < sizeof(path) - 2 ? size : sizeof(path) - 2;
                path[0] = '/';
                memcpy(path + 1, data, n);
                path[n + 1] = '\0';
                pv_policy_decide(p, path, PV_INTENT_READ, &d);
        }
        pv_errors_clear(&errors);
        pv_policy_free(p);
        return 0;
}
