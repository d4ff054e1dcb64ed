/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

static const struct {
        const char *in;
        const char *out; /* NULL: an error */
        int error;
        bool dir;
} normalize_cases[] = {
        { "/", "/", 0, true },
        { "//", "/", 0, true },
        { "///etc///passwd", "/etc/passwd", 0, false },
        { "/etc/passwd/", "/etc/passwd", 0, true },
        { "/etc/passwd//", "/etc/passwd", 0, true },
        { "/etc/./passwd", "/etc/passwd", 0, false },
        { "/etc/.", "/etc", 0, true },
        { "/./././", "/", 0, true },
        { "/etc/..", "/", 0, true },
        { "/..", "/", 0, true },
        { "/../../..", "/", 0, true },
        { "/../etc", "/etc", 0, false },
        { "/a/b/../../../c", "/c", 0, false },
        { "/a/b/c/../d", "/a/b/d", 0, false },
        { "/a/..b", "/a/..b", 0, false },
        { "/a/.b", "/a/.b", 0, false },
        { "/a/...", "/a/...", 0, false },
        { "/\xff\xfe/\xc3\x28", "/\xff\xfe/\xc3\x28", 0, false }, /* not UTF-8: bytes are bytes */
        { "/ space/\ttab", "/ space/\ttab", 0, false },
        { "", NULL, ENOENT, false },
        { "etc/passwd", NULL, EINVAL, false },
        { ".", NULL, EINVAL, false },
};

static void test_normalize_table(void **state) {
        for (size_t i = 0; i < sizeof(normalize_cases) / sizeof(normalize_cases[0]); i++) {
                char out[PATH_MAX];
                bool dir = !normalize_cases[i].dir;
                int r = pv_path_normalize(normalize_cases[i].in, out, sizeof(out), &dir);
                if (!normalize_cases[i].out) {
                        assert_int_equal(r, -normalize_cases[i].error);
                        continue;
                }
                assert_int_equal(r, (int) strlen(normalize_cases[i].out));
                assert_string_equal(out, normalize_cases[i].out);
                assert_int_equal(dir, normalize_cases[i].dir);
        }
}

static void test_normalize_lengths(void **state) {
        char in[PATH_MAX + 2], out[PATH_MAX];

        /* PATH_MAX - 1 bytes: the longest path the kernel takes */
        memset(in, 'a', sizeof(in));
        in[0] = '/';
        in[PATH_MAX - 1] = '\0';
        assert_int_equal(pv_path_normalize(in, out, sizeof(out), NULL), PATH_MAX - 1);
        assert_memory_equal(in, out, PATH_MAX);

        /* PATH_MAX bytes and more: ENAMETOOLONG, as the kernel says */
        in[PATH_MAX - 1] = 'a';
        in[PATH_MAX] = '\0';
        assert_int_equal(pv_path_normalize(in, out, sizeof(out), NULL), -ENAMETOOLONG);
        in[PATH_MAX + 1] = '\0';
        in[PATH_MAX] = 'a';
        assert_int_equal(pv_path_normalize(in, out, sizeof(out), NULL), -ENAMETOOLONG);

        /* a long input that normalises short is fine as long as the input is < PATH_MAX */
        for (size_t i = 0; i + 2 < PATH_MAX - 1; i += 2) {
                in[i] = '/';
                in[i + 1] = '.';
        }
        in[PATH_MAX - 3] = '/';
        in[PATH_MAX - 2] = 'x';
        in[PATH_MAX - 1] = '\0';
        assert_int_equal(pv_path_normalize(in, out, sizeof(out), NULL), 2);
        assert_string_equal(out, "/x");

        /* a small output buffer */
        assert_int_equal(pv_path_normalize("/abc/def", out, 5, NULL), -ENAMETOOLONG);
        assert_int_equal(pv_path_normalize("/abc", out, 5, NULL), 4);
}

static void test_join(void **state) {
        static const struct {
                const char *base, *rel, *out;
                bool dir;
        } cases[] = {
                { "/etc", "passwd", "/etc/passwd", false },
                { "/etc/", "./passwd", "/etc/passwd", false },
                { "/etc", "../etc/passwd", "/etc/passwd", false },
                { "/", "..", "/", true },
                { "/home/me", ".", "/home/me", true },
                { "/home/me", "a/", "/home/me/a", true },
                { "/home/me", "/abs/x", "/abs/x", false },
                { "/", "a/b/../c", "/a/c", false },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char out[PATH_MAX];
                bool dir;
                int r = pv_path_join_normalize(cases[i].base, cases[i].rel, out, sizeof(out), &dir);
                assert_int_equal(r, (int) strlen(cases[i].out));
                assert_string_equal(out, cases[i].out);
                assert_int_equal(dir, cases[i].dir);
        }
        char out[PATH_MAX];
        assert_int_equal(pv_path_join_normalize("/etc", "", out, sizeof(out), NULL), -ENOENT);
        assert_int_equal(pv_path_join_normalize("etc", "x", out, sizeof(out), NULL), -EINVAL);

        /* base + rel longer than PATH_MAX: no absolute form */
        char base[PATH_MAX], rel[PATH_MAX];
        memset(base, 'b', sizeof(base));
        base[0] = '/';
        base[3000] = '\0';
        memset(rel, 'r', sizeof(rel));
        rel[2000] = '\0';
        assert_int_equal(pv_path_join_normalize(base, rel, out, sizeof(out), NULL), -ENAMETOOLONG);
}

static void test_errno_names(void **state) {
        assert_int_equal(pv_errno_from_name("EACCES"), EACCES);
        assert_int_equal(pv_errno_from_name("ENOENT"), ENOENT);
        assert_int_equal(pv_errno_from_name("EROFS"), EROFS);
        assert_int_equal(pv_errno_from_name("EWOULDBLOCK"), EAGAIN);
        assert_int_equal(pv_errno_from_name("ENOTSUP"), EOPNOTSUPP);
        assert_int_equal(pv_errno_from_name("eacces"), -EINVAL);
        assert_int_equal(pv_errno_from_name("EFOO"), -EINVAL);
        assert_int_equal(pv_errno_from_name(""), -EINVAL);
        assert_string_equal(pv_errno_to_name(EAGAIN), "EAGAIN");
        assert_string_equal(pv_errno_to_name(EOPNOTSUPP), "EOPNOTSUPP");
        assert_null(pv_errno_to_name(0));
        assert_null(pv_errno_to_name(100000));
        /* every errno from 1 to 133 has a name, and the name maps back */
        for (int e = 1; e <= 133; e++) {
                if (e == 41 || e == 58) /* unused numbers on Linux */
                        continue;
                const char *n = pv_errno_to_name(e);
                assert_non_null(n);
                assert_int_equal(pv_errno_from_name(n), e);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize_table),
                cmocka_unit_test(test_normalize_lengths),
                cmocka_unit_test(test_join),
                cmocka_unit_test(test_errno_names),
        };
        return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
