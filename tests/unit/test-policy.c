/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/macro.h"
#include "policy/policy.h"

static struct pv_policy *load(const char *text, struct pv_errors *errors) {
        struct pv_policy *p = pv_policy_new();
        assert_non_null(p);
        if (pv_policy_load_buffer(p, "t.json", text, strlen(text), errors) < 0) {
                pv_policy_free(p);
                return NULL;
        }
        return p;
}

/* decide and return a short string: "pass", "redirect TARGET", "fail ENAME", "error ENAME" */
static const char *decide(const struct pv_policy *p, const char *path, unsigned intent) {
        static struct pv_decision d;
        static char buf[PATH_MAX + 16];
        int r = pv_policy_decide(p, path, intent, &d);
        if (r < 0)
                snprintf(buf, sizeof(buf), "error %s", pv_errno_to_name(-r));
        else if (d.action == PV_PASS)
                snprintf(buf, sizeof(buf), "pass");
        else if (d.action == PV_REDIRECT) {
                assert_int_equal(d.target_len, strlen(d.target));
                snprintf(buf, sizeof(buf), "redirect %s", d.target);
        } else
                snprintf(buf, sizeof(buf), "fail %s", pv_errno_to_name(d.error));
        return buf;
}

static const char demo[] =
        "{\n"
        "  \"version\": 1,\n"
        "  \"rules\": [\n"
        "    { \"path\": \"/etc/passwd\",     \"redirect\": \"/etc/hostname\" },\n"
        "    { \"path\": \"/opt/app/config\", \"redirect\": \"/home/me/app-config\" },\n"
        "    { \"path\": \"/usr\",            \"readonly\": true },\n"
        "    { \"path\": \"/usr/local/src\",  \"redirect\": \"/srv/src\", \"readonly\": true },\n"
        "    { \"path\": \"/root\",           \"deny\": \"EACCES\" },\n"
        "    { \"path\": \"/root/public\",    \"pass\": true },\n"
        "    { \"path\": \"/secret/\",        \"deny\": \"ENOENT\" },\n"
        "    { \"path\": \"/to-root\",        \"redirect\": \"/\" }\n"
        "  ]\n"
        "}\n";

static void test_matching(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p = load(demo, &errors);
        assert_non_null(p);
        assert_int_equal(errors.n, 0);
        assert_int_equal(pv_policy_n_rules(p), 8);
        assert_false(pv_policy_strict(p));

        static const struct {
                const char *path;
                unsigned intent;
                const char *expect;
        } cases[] = {
                { "/etc/passwd", PV_INTENT_READ, "redirect /etc/hostname" },
                { "//etc//passwd", PV_INTENT_READ, "redirect /etc/hostname" },
                { "/etc/./passwd", PV_INTENT_READ, "redirect /etc/hostname" },
                { "/etc/x/../passwd", PV_INTENT_READ, "redirect /etc/hostname" },
                { "/etc/passwd/", PV_INTENT_READ, "redirect /etc/hostname/" }, /* ENOTDIR stays */
                { "/etc/passwd/.", PV_INTENT_READ, "redirect /etc/hostname/" },
                { "/etc/passwd2", PV_INTENT_READ, "pass" },             /* component boundary */
                { "/etc/passw", PV_INTENT_READ, "pass" },
                { "/etc", PV_INTENT_READ, "pass" },
                { "/etc/passwd/x", PV_INTENT_READ, "redirect /etc/hostname/x" },
                { "/opt/app/config/a.ini", PV_INTENT_READ, "redirect /home/me/app-config/a.ini" },
                { "/opt/app/config/sub/b", PV_INTENT_WRITE, "redirect /home/me/app-config/sub/b" },
                { "/opt/app/configx", PV_INTENT_READ, "pass" },
                { "/usr/bin/ls", PV_INTENT_READ, "pass" },
                { "/usr/bin/ls", PV_INTENT_EXEC, "pass" },
                { "/usr/bin/ls", PV_INTENT_STAT, "pass" },
                { "/usr/bin/ls", PV_INTENT_WRITE, "fail EROFS" },
                { "/usr/bin/new", PV_INTENT_CREATE, "fail EROFS" },
                { "/usr/bin/ls", PV_INTENT_DELETE, "fail EROFS" },
                { "/usr/bin/ls", PV_INTENT_ATTR, "fail EROFS" },
                { "/usr", PV_INTENT_WRITE | PV_INTENT_READ, "fail EROFS" },
                { "/usr/local/src/a.c", PV_INTENT_READ, "redirect /srv/src/a.c" },
                { "/usr/local/src/a.c", PV_INTENT_WRITE, "fail EROFS" },
                { "/usr/local/srcx", PV_INTENT_WRITE, "fail EROFS" }, /* /usr decides */
                { "/root", PV_INTENT_READ, "fail EACCES" },
                { "/root/.ssh/id_rsa", PV_INTENT_STAT, "fail EACCES" },
                { "/root/public", PV_INTENT_READ, "pass" },             /* longest rule wins */
                { "/root/public/x", PV_INTENT_WRITE, "pass" },
                { "/root/publicx", PV_INTENT_READ, "fail EACCES" },
                { "/secret", PV_INTENT_READ, "fail ENOENT" },            /* rule path had a slash */
                { "/to-root", PV_INTENT_READ, "redirect /" },
                { "/to-root/etc/x", PV_INTENT_READ, "redirect /etc/x" },
                { "/to-root/", PV_INTENT_READ, "redirect /" },
                { "/", PV_INTENT_READ, "pass" },
                { "/..", PV_INTENT_READ, "pass" },
                { "/../etc/passwd", PV_INTENT_READ, "redirect /etc/hostname" }, /* never above / */
                { "", PV_INTENT_READ, "error ENOENT" },
                { "relative", PV_INTENT_READ, "error EINVAL" },
                { "/\xff/\xfe", PV_INTENT_READ, "pass" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *got = decide(p, cases[i].path, cases[i].intent);
                if (strcmp(got, cases[i].expect) != 0)
                        fail_msg("%s: expected '%s', got '%s'", cases[i].path, cases[i].expect, got);
        }

        /* the rule that decided, with its position */
        struct pv_decision d;
        assert_int_equal(pv_policy_decide(p, "/root/public/a", PV_INTENT_READ, &d), 0);
        assert_non_null(d.rule);
        assert_string_equal(pv_rule_path(d.rule), "/root/public");
        assert_string_equal(pv_rule_file(d.rule), "t.json");
        assert_int_equal(pv_rule_line(d.rule), 9);
        assert_int_equal(pv_rule_col(d.rule), 5);
        assert_int_equal(pv_policy_decide(p, "/etc/hosts", PV_INTENT_READ, &d), 0);
        assert_null(d.rule);
        assert_int_equal(d.action, PV_PASS);
        pv_errors_clear(&errors);
}

static void test_root_rule(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p =
                load("{\"version\":1,\"rules\":[{\"path\":\"/\",\"redirect\":\"/srv/root\"},"
                     "{\"path\":\"/proc\",\"pass\":true}]}", &errors);
        assert_non_null(p);
        assert_string_equal(decide(p, "/", PV_INTENT_READ), "redirect /srv/root/");
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "redirect /srv/root/etc/passwd");
        assert_string_equal(decide(p, "/proc/self/fd", PV_INTENT_READ), "pass");
        assert_string_equal(decide(p, "/procx", PV_INTENT_READ), "redirect /srv/root/procx");
}

static void test_long_paths(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p =
                load("{\"version\":1,\"rules\":[{\"path\":\"/a\",\"redirect\":\"/much/longer/target\"}]}", &errors);
        assert_non_null(p);

        char path[PATH_MAX + 1];
        memset(path, 'x', sizeof(path));
        memcpy(path, "/a/", 3);
        path[PATH_MAX - 1] = '\0'; /* 4095 bytes: valid, but the target would not fit */
        assert_string_equal(decide(p, path, PV_INTENT_READ), "error ENAMETOOLONG");
        path[PATH_MAX - 1] = 'x';
        path[PATH_MAX] = '\0'; /* 4096 bytes: the kernel's ENAMETOOLONG */
        assert_string_equal(decide(p, path, PV_INTENT_READ), "error ENAMETOOLONG");
        memcpy(path, "/b/", 3);
        path[PATH_MAX - 1] = '\0';
        assert_string_equal(decide(p, path, PV_INTENT_READ), "pass");
}

/* Every parser error with its exact line and column. */
static void test_errors(void **state) {
        static const struct {
                const char *text;
                const char *expect; /* the first error, "LINE:COL: message prefix" */
                size_t n_errors;
        } cases[] = {
                { "", "1:1: the file is empty", 1 },
                { "  \n ", "1:1: the file is empty", 1 },
                { "{", "1:2: unexpected end of file", 1 },
                { "{\"version\": 1,\n \"rules\": [", "2:12: unexpected end of file", 1 },
                { "nope", "1:2: invalid JSON", 1 },
                { "{\"version\":1,\"rules\":[],}", "1:25: invalid JSON", 1 },        /* trailing comma */
                { "{\"version\":1,\"rules\":[]} {}", "1:26: invalid JSON", 1 },      /* trailing data */
                { "/* c */ {}", "1:1: invalid JSON", 1 },                            /* no comments */
                { "{'version':1}", "1:2: invalid JSON", 1 },
                { "[]", "1:1: a policy must be a JSON object, not an array", 1 },
                { "{}", "1:1: missing \"version\": 1", 2 },
                { "{\"version\":1}", "1:1: missing \"rules\"", 1 },
                { "{\"version\":2,\"rules\":[]}", "1:12: \"version\" must be 1", 1 },
                { "{\"version\":\"1\",\"rules\":[]}", "1:12: \"version\" must be 1", 1 },
                { "{\"version\":1.0,\"rules\":[]}", "1:12: \"version\" must be 1", 1 },
                { "{\"version\":1,\"rules\":{}}", "1:22: \"rules\" must be an array, not an object", 1 },
                { "{\"version\":1,\"strict\":1,\"rules\":[]}", "1:23: \"strict\" must be true or false", 1 },
                { "{\"version\":1,\"rule\":[]}", "1:1: missing \"rules\"", 2 },
                { "{\"version\":1,\"rules\":[],\n  \"extra\":0}", "2:3: unknown key \"extra\"", 1 },
                { "{\"version\":1,\"rules\":[\n 7]}", "2:2: rule 1 must be an object, not an integer", 1 },
                { "{\"version\":1,\"rules\":[\n {}]}", "2:2: rule 1 has no \"path\"", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"etc\",\"pass\":true}]}", "2:10: \"path\" must be an absolute path", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"\",\"pass\":true}]}", "2:10: \"path\" is empty", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":5,\"pass\":true}]}", "2:10: \"path\" must be a string, not an integer", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\\u0000b\",\"pass\":true}]}", "2:10: \"path\" contains a NUL byte", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"redirect\":\"b\"}]}", "2:26: \"redirect\" must be an absolute path", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"readonly\":\"yes\"}]}", "2:26: \"readonly\" must be true or false", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"deny\":\"EFOO\"}]}", "2:22: unknown errno name \"EFOO\"", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"deny\":13}]}", "2:22: \"deny\" must be an errno name", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"deny\":\"EPERM\",\"redirect\":\"/b\"}]}", "2:15: \"deny\" cannot be combined with \"redirect\"", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"pass\":true,\"readonly\":true}]}", "2:2: \"pass\": true cannot be combined", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\"}]}", "2:2: rule for \"/a\" has no action", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"readonly\":false}]}", "2:2: rule for \"/a\" has no action", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"pass\":true,\"colour\":1}]}", "2:27: unknown key \"colour\" in rule", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"pass\":true},\n {\"path\":\"/a/\",\"deny\":\"EPERM\"}]}",
                  "3:2: duplicate rule for \"/a\" (first at line 2, column 2)", 1 },
                { "{\"version\":1,\"rules\":[\n {\"path\":\"/a\",\"pass\":true,\n  \"path\":\"/b\"}]}",
                  "3:3: duplicate key \"path\" (first at line 2, column 3)", 1 },
                { "{\"version\":1,\"version\":1,\"rules\":[]}", "1:14: duplicate key \"version\"", 1 },
                { "{\"version\":1,\"rules\":[\"\xff\"]}", "1:24: invalid UTF-8", 1 },
                { "{\"version\":1,\"rules\":[\"\xc0\xaf\"]}", "1:24: invalid UTF-8", 1 },     /* overlong */
                { "{\"version\":1,\"rules\":[\"\xed\xa0\x80\"]}", "1:24: invalid UTF-8", 1 }, /* surrogate */
                { "{\"version\":1,\"comment\":\"a\tb\",\"rules\":[]}", "1:26: invalid JSON: control character", 1 },
                { "{\"version\":1,\"rules\":[]}\n\n\xc3\xa9\xc3\xa9x", "3:1: invalid JSON", 1 },
                { "{\"version\":1, \"comment\": \"\xc3\xa9\xc3\xa9\", \"x\":1, \"rules\":[]}", "1:32: unknown key \"x\"", 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct pv_errors errors = {};
                struct pv_policy *p = load(cases[i].text, &errors);
                if (p)
                        fail_msg("case %zu: %s: loaded", i, cases[i].text);
                char got[512];
                assert_true(errors.n > 0);
                snprintf(got, sizeof(got), "%u:%u: %s", errors.items[0].line, errors.items[0].col,
                         errors.items[0].message);
                if (strncmp(got, cases[i].expect, strlen(cases[i].expect)) != 0)
                        fail_msg("case %zu: %s\n expected '%s...'\n got      '%s'", i, cases[i].text,
                                 cases[i].expect, got);
                if (errors.n != cases[i].n_errors)
                        fail_msg("case %zu: expected %zu errors, got %zu (first: %s)", i, cases[i].n_errors,
                                 errors.n, got);
                pv_errors_clear(&errors);
        }
}

/* All errors of a file, not just the first. */
static void test_all_errors(void **state) {
        struct pv_errors errors = {};
        assert_null(load("{\"version\":1,\"rules\":[\n"
                         " {\"path\":\"a\",\"pass\":true},\n"
                         " {\"path\":\"/b\",\"deny\":\"EX\"},\n"
                         " {\"path\":\"/c\",\"pass\":true,\"x\":1}]}",
                         &errors));
        assert_int_equal(errors.n, 3);
        assert_int_equal(errors.items[0].line, 2);
        assert_int_equal(errors.items[1].line, 3);
        assert_int_equal(errors.items[2].line, 4);
        pv_errors_clear(&errors);
}

static void test_nesting_and_size(void **state) {
        size_t n = 10000;
        char *deep = malloc(2 * n + 1);
        assert_non_null(deep);
        memset(deep, '[', n);
        memset(deep + n, ']', n);
        deep[2 * n] = '\0';
        struct pv_errors errors = {};
        assert_null(load(deep, &errors));
        assert_int_equal(errors.n, 1);
        assert_non_null(strstr(errors.items[0].message, "nesting deeper"));
        pv_errors_clear(&errors);
        free(deep);

        /* NUL bytes in the text */
        struct pv_policy *p = pv_policy_new();
        static const char with_nul[] = "{\"version\":1,\0\"rules\":[]}";
        assert_int_equal(pv_policy_load_buffer(p, "n.json", with_nul, sizeof(with_nul) - 1, &errors), -EINVAL);
        assert_int_equal(errors.items[0].col, 14);
        assert_int_equal(pv_policy_n_rules(p), 0);
        pv_errors_clear(&errors);

        /* more than 64 MiB */
        size_t big = 65u * 1024 * 1024;
        char *b = malloc(big);
        assert_non_null(b);
        memset(b, ' ', big);
        assert_int_equal(pv_policy_load_buffer(p, "big.json", b, big, &errors), -EINVAL);
        assert_non_null(strstr(errors.items[0].message, "too large"));
        pv_errors_clear(&errors);
        free(b);
        pv_policy_free(p);
}

static void test_files(void **state) {
        struct pv_errors errors = {};
        struct pv_policy *p = pv_policy_new();

        assert_true(pv_policy_load_file(p, "/nonexistent/policy.json", &errors) < 0);
        assert_string_equal(errors.items[0].file, "/nonexistent/policy.json");
        assert_non_null(strstr(errors.items[0].message, "No such file"));
        pv_errors_clear(&errors);

        assert_int_equal(pv_policy_load_file(p, "/", &errors), -EISDIR);
        pv_errors_clear(&errors);

        char tmp[] = "/tmp/pathvisor-test-XXXXXX";
        int fd = mkstemp(tmp);
        assert_true(fd >= 0);
        static const char text[] = "{\"version\":1,\"strict\":true,\"rules\":[{\"path\":\"/x\",\"deny\":\"EPERM\"}]}";
        assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t) sizeof(text) - 1);
        close(fd);
        assert_int_equal(pv_policy_load_file(p, tmp, &errors), 0);
        assert_true(pv_policy_strict(p));
        assert_string_equal(decide(p, "/x/y", PV_INTENT_READ), "fail EPERM");
        unlink(tmp);
        pv_policy_free(p);
}

/* Several sources merge in order, later wins; a bad source changes nothing. */
static void test_merge(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p = pv_policy_new();
        const char *a = "{\"version\":1,\"rules\":[{\"path\":\"/etc/passwd\",\"redirect\":\"/a\"},"
                        "{\"path\":\"/data\",\"readonly\":true}]}";
        const char *b = "{\"version\":1,\"strict\":false,\"rules\":[{\"path\":\"/etc/passwd/\",\"redirect\":\"/b\"},"
                        "{\"path\":\"/data/tmp\",\"pass\":true}]}";
        const char *bad = "{\"version\":1,\"strict\":true,\"rules\":[{\"path\":\"/etc/passwd\",\"deny\":\"EPERM\"},"
                          "{\"path\":\"x\",\"pass\":true}]}";
        assert_int_equal(pv_policy_load_buffer(p, "a.json", a, strlen(a), &errors), 0);
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "redirect /a");
        assert_int_equal(pv_policy_load_buffer(p, "b.json", b, strlen(b), &errors), 0);
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "redirect /b");
        assert_string_equal(decide(p, "/data/x", PV_INTENT_WRITE), "fail EROFS");
        assert_string_equal(decide(p, "/data/tmp/x", PV_INTENT_WRITE), "pass");
        assert_int_equal(pv_policy_n_rules(p), 3);

        /* a bad source adds nothing, not even its good rules or its strict flag */
        assert_int_equal(pv_policy_load_buffer(p, "bad.json", bad, strlen(bad), &errors), -EINVAL);
        assert_int_equal(errors.n, 1);
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "redirect /b");
        assert_false(pv_policy_strict(p));
        pv_errors_clear(&errors);

        /* quick rules come after the files and win */
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_DENY, "/etc/passwd:ENOENT", &errors), 0);
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "fail ENOENT");
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_REDIRECT, "/etc/passwd=/etc/hostname", &errors), 0);
        assert_string_equal(decide(p, "/etc/passwd", PV_INTENT_READ), "redirect /etc/hostname");
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_READONLY, "/data/tmp", &errors), 0);
        assert_string_equal(decide(p, "/data/tmp/x", PV_INTENT_WRITE), "fail EROFS");
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_DENY, "/deny/me", &errors), 0);
        assert_string_equal(decide(p, "/deny/me/x", PV_INTENT_READ), "fail EACCES");
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_DENY, "/odd:name", &errors), 0);
        assert_string_equal(decide(p, "/odd:name", PV_INTENT_READ), "fail EACCES");

        /* the strict flag: any source that asks for it */
        const char *s = "{\"version\":1,\"strict\":true,\"rules\":[]}";
        assert_int_equal(pv_policy_load_buffer(p, "s.json", s, strlen(s), &errors), 0);
        assert_true(pv_policy_strict(p));
        assert_int_equal(pv_policy_load_buffer(p, "b.json", b, strlen(b), &errors), 0);
        assert_true(pv_policy_strict(p));
        assert_int_equal(errors.n, 0);
}

static void test_quick_errors(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p = pv_policy_new();
        static const struct {
                enum pv_quick kind;
                const char *arg, *msg;
        } cases[] = {
                { PV_QUICK_REDIRECT, "/a", "expected PATH=TARGET" },
                { PV_QUICK_REDIRECT, "/a=", "the target is empty" },
                { PV_QUICK_REDIRECT, "=/b", "the path is empty" },
                { PV_QUICK_REDIRECT, "a=/b", "the path \"a\" must be an absolute path" },
                { PV_QUICK_REDIRECT, "/a=b", "the target \"b\" must be an absolute path" },
                { PV_QUICK_DENY, "/a:EFOO", "unknown errno name \"EFOO\"" },
                { PV_QUICK_READONLY, "", "the path is empty" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(pv_policy_add_quick(p, cases[i].kind, cases[i].arg, &errors), -EINVAL);
                assert_int_equal(errors.n, 1);
                assert_int_equal(errors.items[0].line, 0);
                if (strcmp(errors.items[0].message, cases[i].msg) != 0)
                        fail_msg("%s: expected '%s', got '%s'", cases[i].arg, cases[i].msg, errors.items[0].message);
                pv_errors_clear(&errors);
        }
        assert_int_equal(pv_policy_n_rules(p), 0);
}

static void test_describe(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p = load(demo, &errors);
        struct pv_decision d;
        char buf[256];
        static const struct {
                const char *path, *desc;
        } cases[] = {
                { "/etc/passwd", "redirect /etc/hostname" },
                { "/usr/local/src", "redirect /srv/src, readonly" },
                { "/usr", "readonly" },
                { "/root", "deny EACCES" },
                { "/root/public", "pass" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(pv_policy_decide(p, cases[i].path, PV_INTENT_READ, &d), 0);
                assert_string_equal(pv_rule_describe(d.rule, buf, sizeof(buf)), cases[i].desc);
        }
}

static void test_reverse(void **state) {
        struct pv_errors errors = {};
        _cleanup_(pv_policy_freep) struct pv_policy *p = load(demo, &errors);
        char out[PATH_MAX];
        assert_int_equal(pv_policy_reverse(p, "/home/me/app-config", out, sizeof(out)), 15);
        assert_string_equal(out, "/opt/app/config");
        assert_true(pv_policy_reverse(p, "/home/me/app-config/sub/x", out, sizeof(out)) > 0);
        assert_string_equal(out, "/opt/app/config/sub/x");
        assert_true(pv_policy_reverse(p, "/srv/src/", out, sizeof(out)) > 0);
        assert_string_equal(out, "/usr/local/src");
        /* component boundaries: only the rule to "/" leads there */
        assert_true(pv_policy_reverse(p, "/home/me/app-configx", out, sizeof(out)) > 0);
        assert_string_equal(out, "/to-root/home/me/app-configx");
        struct pv_errors e2 = {};
        _cleanup_(pv_policy_freep) struct pv_policy *q =
                load("{\"version\":1,\"rules\":[{\"path\":\"/v\",\"redirect\":\"/real/dir\"}]}", &e2);
        assert_int_equal(pv_policy_reverse(q, "/real/dirx", out, sizeof(out)), 0);
        assert_int_equal(pv_policy_reverse(q, "/real", out, sizeof(out)), 0);
        assert_int_equal(pv_policy_reverse(q, "/real/dir/../dir/a", out, sizeof(out)), 4);
        assert_string_equal(out, "/v/a");
        /* "/to-root" redirects to "/": everything maps back under it */
        assert_true(pv_policy_reverse(p, "/var/tmp", out, sizeof(out)) > 0);
        assert_string_equal(out, "/to-root/var/tmp");
        assert_true(pv_policy_reverse(p, "/", out, sizeof(out)) > 0);
        assert_string_equal(out, "/to-root");

        /* a redirect replaced by a later source no longer maps back */
        assert_int_equal(pv_policy_add_quick(p, PV_QUICK_DENY, "/opt/app/config", &errors), 0);
        assert_true(pv_policy_reverse(p, "/home/me/app-config/a", out, sizeof(out)) > 0);
        assert_string_equal(out, "/to-root/home/me/app-config/a"); /* only "/" -> "/" is left */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_matching),
                cmocka_unit_test(test_root_rule),
                cmocka_unit_test(test_long_paths),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_all_errors),
                cmocka_unit_test(test_nesting_and_size),
                cmocka_unit_test(test_files),
                cmocka_unit_test(test_merge),
                cmocka_unit_test(test_quick_errors),
                cmocka_unit_test(test_describe),
                cmocka_unit_test(test_reverse),
        };
        return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
