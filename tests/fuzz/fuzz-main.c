/* SPDX-License-Identifier: MIT */
/* Runs the fuzz target over files given on the command line (the corpus), for builds without
 * libFuzzer: the corpus becomes a regression test under meson test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
        int n = 0;
        for (int i = 1; i < argc; i++) {
                FILE *f = fopen(argv[i], "rb");
                if (!f) {
                        perror(argv[i]);
                        return 1;
                }
                uint8_t *buf = NULL;
                size_t size = 0, cap = 0;
                for (;;) {
                        if (size == cap) {
                                cap = cap ? cap * 2 : 4096;
                                uint8_t *nb = realloc(buf, cap);
                                if (!nb)
                                        return 1;
                                buf = nb;
                        }
                        size_t k = fread(buf + size, 1, cap - size, f);
                        if (k == 0)
                                break;
                        size += k;
                }
                fclose(f);
                LLVMFuzzerTestOneInput(buf, size);
                free(buf);
                n++;
        }
        printf("fuzz-policy: %d inputs run\n", n);
        return 0;
}
