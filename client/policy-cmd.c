/* SPDX-License-Identifier: MIT */
/* pathvisor policy check FILE...
 * pathvisor policy explain [--intent INTENT] FILE PATH... */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/verbs.h"
#include "common/log.h"
#include "policy/policy.h"

static const struct {
        const char *name;
        unsigned bits;
} intents[] = {
        { "read", PV_INTENT_READ },     { "stat", PV_INTENT_STAT },
        { "exec", PV_INTENT_EXEC },     { "write", PV_INTENT_WRITE },
        { "create", PV_INTENT_CREATE | PV_INTENT_WRITE },
        { "delete", PV_INTENT_DELETE }, { "attr", PV_INTENT_ATTR },
};

static void help(FILE *f) {
        fprintf(f,
                "Usage: pathvisor policy check FILE...\n"
                "       pathvisor policy explain [--intent INTENT] FILE PATH...\n"
                "\n"
                "check    Validate policy files. Every error is printed as FILE:LINE:COL: message.\n"
                "         Exit status 0 when all files are valid, 1 otherwise. FILE may be '-'.\n"
                "explain  Print, for each PATH, the normalised path, the decision (pass, redirect\n"
                "         and its target, or the errno the call fails with) and the rule that\n"
                "         decided, with its position in FILE. Relative PATHs are taken from the\n"
                "         current directory, as a program started here would see them.\n"
                "\n"
                "Options:\n"
                "  -i, --intent INTENT  what the call would do: read (default), stat, exec, write,\n"
                "                       create, delete, attr; readonly rules fail write, create,\n"
                "                       delete and attr with EROFS\n"
                "  -h, --help           this help\n"
                "\n"
                "See pathvisor-policy(5).\n");
}

static int check(int argc, char **argv) {
        if (argc < 1) {
                fprintf(stderr, "pathvisor policy check: no FILE given\n");
                return 2;
        }
        int ret = 0;
        for (int i = 0; i < argc; i++) {
                struct pv_policy *p = pv_policy_new();
                struct pv_errors errors = {};
                if (!p) {
                        fprintf(stderr, "pathvisor: out of memory\n");
                        return 1;
                }
                int r = pv_policy_load_file(p, argv[i], &errors);
                if (r < 0) {
                        pv_errors_print(&errors, stderr);
                        ret = 1;
                } else
                        printf("%s: ok, %zu rule%s%s\n", argv[i], pv_policy_n_rules(p),
                               pv_policy_n_rules(p) == 1 ? "" : "s", pv_policy_strict(p) ? ", strict" : "");
                pv_errors_clear(&errors);
                pv_policy_free(p);
        }
        return ret;
}

static int explain(int argc, char **argv, unsigned intent, const char *intent_name) {
        if (argc < 2) {
                fprintf(stderr, "pathvisor policy explain: expected FILE PATH...\n");
                return 2;
        }
        _cleanup_(pv_policy_freep) struct pv_policy *p = pv_policy_new();
        struct pv_errors errors = {};
        if (!p) {
                fprintf(stderr, "pathvisor: out of memory\n");
                return 1;
        }
        if (pv_policy_load_file(p, argv[0], &errors) < 0) {
                pv_errors_print(&errors, stderr);
                pv_errors_clear(&errors);
                return 1;
        }

        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
                strcpy(cwd, "/");

        int ret = 0;
        for (int i = 1; i < argc; i++) {
                char abs[PATH_MAX + 1];
                bool dir;
                int r = pv_path_join_normalize(cwd, argv[i], abs, PATH_MAX, &dir);
                if (r > 1 && dir) /* keep "must be a directory" for the decision */
                        strcpy(abs + r, "/");
                if (r < 0) {
                        printf("%s\n  error:    %s\n", argv[i], strerror(-r));
                        ret = 1;
                        continue;
                }
                static struct pv_decision d; /* PATH_MAX inside: keep it off the stack */
                r = pv_policy_decide(p, abs, intent, &d);
                printf("%s\n  path:     %s\n", argv[i], abs);
                if (r < 0) {
                        printf("  decision: fail %s (%s)\n", pv_errno_to_name(-r), strerror(-r));
                        ret = 1;
                        continue;
                }
                switch (d.action) {
                case PV_PASS:
                        printf("  decision: pass (%s)\n", intent_name);
                        break;
                case PV_REDIRECT:
                        printf("  decision: redirect (%s)\n  target:   %s\n", intent_name, d.target);
                        break;
                case PV_FAIL:
                        printf("  decision: fail (%s)\n  errno:    %s (%s)\n", intent_name,
                               pv_errno_to_name(d.error), strerror(d.error));
                        break;
                }
                if (d.rule) {
                        char desc[PATH_MAX + 64];
                        printf("  rule:     %s: %s", pv_rule_path(d.rule), pv_rule_describe(d.rule, desc, sizeof(desc)));
                        if (pv_rule_line(d.rule) > 0)
                                printf(" (%s:%u:%u)\n", pv_rule_file(d.rule), pv_rule_line(d.rule), pv_rule_col(d.rule));
                        else
                                printf(" (%s)\n", pv_rule_file(d.rule));
                } else
                        printf("  rule:     none covers this path\n");
        }
        return ret;
}

int verb_policy(int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "intent", required_argument, NULL, 'i' },
                {}
        };
        unsigned intent = PV_INTENT_READ;
        const char *intent_name = "read";
        int c;

        if (argc < 2) {
                help(stderr);
                return 2;
        }
        const char *sub = argv[1];
        if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
                help(stdout);
                return 0;
        }
        argc--;
        argv++;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+hi:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return 0;
                case 'i': {
                        size_t k;
                        for (k = 0; k < ELEMENTSOF(intents); k++)
                                if (strcmp(optarg, intents[k].name) == 0)
                                        break;
                        if (k == ELEMENTSOF(intents)) {
                                fprintf(stderr, "pathvisor policy: unknown intent '%s'\n", optarg);
                                return 2;
                        }
                        intent = intents[k].bits;
                        intent_name = intents[k].name;
                        break;
                }
                default:
                        return 2;
                }

        if (strcmp(sub, "check") == 0)
                return check(argc - optind, argv + optind);
        if (strcmp(sub, "explain") == 0)
                return explain(argc - optind, argv + optind, intent, intent_name);
        fprintf(stderr, "pathvisor policy: unknown command '%s' (check or explain)\n", sub);
        return 2;
}
