/* SPDX-License-Identifier: MIT */
/* pathvisor: the command line. Each verb is one file, dispatched from the table below. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client/verbs.h"
#include "common/log.h"

static const struct verb {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} verbs[] = {
        { "run", verb_run, "run a program under a policy" },
        { "policy", verb_policy, "check policy files, explain decisions" },
        { "status", verb_status, "pathvisord's sessions and counters" },
};

static void help(FILE *f) {
        fprintf(f,
                "Usage: pathvisor [--help] [--version] VERB [ARGS...]\n"
                "\n"
                "Make a program see files where the host has others: path system calls are\n"
                "redirected, denied or passed according to a JSON policy (pathvisor-policy(5)).\n"
                "\n"
                "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
        fprintf(f, "\n"
                   "  pathvisor VERB --help   help for one verb\n"
                   "\n"
                   "See pathvisor(1) and pathvisor-policy(5).\n");
}

int main(int argc, char **argv) {
        log_set_prefix("pathvisor");

        if (argc < 2) {
                help(stderr);
                return 2;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                help(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
                printf("pathvisor %s\n", PATHVISOR_VERSION);
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);

        fprintf(stderr, "pathvisor: unknown verb '%s'; see 'pathvisor --help'\n", argv[1]);
        return 2;
}
