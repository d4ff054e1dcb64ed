/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/macro.h"
#include "common/protocol.h"

/* runc's message, on one line (FACTS.md) */
static const char runc_msg[] =
        "{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":4242,\"metadata\":\"profile=web\","
        "\"state\":{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,"
        "\"bundle\":\"/b\",\"annotations\":{\"org.pathvisor.profile\":\"other\"}}}";

/* crun's, pretty-printed */
static const char crun_msg[] =
        "{\n  \"ociVersion\": \"0.2.0\",\n  \"fds\": [\n    \"seccompFd\"\n  ],\n  \"pid\": 77,\n"
        "  \"metadata\": \"\",\n  \"state\": {\n    \"ociVersion\": \"0.2.0\",\n    \"id\": \"c2\",\n"
        "    \"status\": \"creating\",\n    \"pid\": 77,\n    \"bundle\": \"/b\",\n    \"annotations\": {\n"
        "      \"org.pathvisor.profile\": \"dev\"\n    }\n  }\n}\n";

static void test_reader_pieces(void **state) {
        /* fed in pieces, also across lines: complete only at the closing brace */
        const char *err = NULL;
        struct pv_message_reader *r = pv_message_reader_new();
        assert_non_null(r);
        size_t n = strlen(crun_msg), step = 7, i;
        int k = 0;
        for (i = 0; i < n; i += step) {
                k = pv_message_reader_feed(r, crun_msg + i, MIN(step, n - i), &err);
                if (k != 0)
                        break;
        }
        assert_int_equal(k, 1);
        size_t len;
        const char *text = pv_message_reader_text(r, &len);
        struct pv_request req;
        char *e = NULL;
        assert_int_equal(pv_request_parse(text, len, &req, &e), 0);
        assert_string_equal(req.oci_version, "0.2.0");
        assert_int_equal(req.pid, 77);
        assert_string_equal(pv_request_profile(&req), "dev"); /* empty metadata: the annotation */
        assert_int_equal(pv_request_fd_index(&req, "seccompFd"), 0);
        assert_false(req.is_pathvisor);
        pv_request_done(&req);
        pv_message_reader_free(r);
}

static void test_runc(void **state) {
        struct pv_request req;
        char *e = NULL;
        assert_int_equal(pv_request_parse(runc_msg, strlen(runc_msg), &req, &e), 0);
        assert_string_equal(req.container_id, "c1");
        assert_string_equal(pv_request_profile(&req), "web"); /* metadata before the annotation */
        pv_request_done(&req);
}

static void test_pathvisor_member(void **state) {
        static const char msg[] =
                "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\",\"pidFd\"],\"pid\":9,"
                "\"pathvisor\":{\"version\":1,\"backend\":\"auto\",\"command\":\"cat /etc/passwd\","
                "\"traceCookie\":\"8badf00ddeadbeef\","
                "\"sources\":[{\"name\":\"a.json\",\"text\":\"{}\"},{\"redirect\":\"/a=/b\"},{\"deny\":\"/x\"},"
                "{\"readonly\":\"/usr\"}]}}";
        struct pv_request req;
        char *e = NULL;
        assert_int_equal(pv_request_parse(msg, strlen(msg), &req, &e), 0);
        assert_true(req.is_pathvisor);
        assert_int_equal(req.n_sources, 4);
        assert_int_equal(req.sources[0].kind, PV_SOURCE_FILE);
        assert_string_equal(req.sources[0].name, "a.json");
        assert_int_equal(req.sources[1].kind, PV_SOURCE_REDIRECT);
        assert_string_equal(req.sources[1].text, "/a=/b");
        assert_int_equal(req.sources[3].kind, PV_SOURCE_READONLY);
        assert_int_equal(pv_request_fd_index(&req, "pidFd"), 1);
        assert_null(pv_request_profile(&req));
        assert_true(req.trace_cookie == UINT64_C(0x8badf00ddeadbeef));
        pv_request_done(&req);
}

static void test_bad(void **state) {
        static const struct {
                const char *msg, *error;
        } cases[] = {
                { "nope", "not a JSON object" },
                { "[1]", "the message must be a JSON object" },
                { "{\"fds\":[\"seccompFd\"]}", "missing \"ociVersion\"" },
                { "{\"ociVersion\":1,\"fds\":[\"seccompFd\"]}", "\"ociVersion\" must be a string" },
                { "{\"ociVersion\":\"1\"}", "\"fds\" must be an array" },
                { "{\"ociVersion\":\"1\",\"fds\":[]}", "no \"seccompFd\"" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"pidFd\"]}", "no \"seccompFd\"" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "too many fds" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pid\":-4}", "\"pid\" must be a non-negative" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":2}}",
                  "unsupported protocol version 2" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"x\":1}}",
                  "unknown key \"pathvisor.x\"" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"profile\":\"../etc\"}}",
                  "invalid profile name" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"sources\":[{\"text\":\"{}\"}]}}",
                  "has text but no name" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"sources\":[{\"deny\":\"/a\",\"readonly\":\"/b\"}]}}",
                  "exactly one of" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"traceCookie\":\"12\"}}",
                  "traceCookie\" must be 16 hex digits" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"traceCookie\":\"0000000000000000\"}}",
                  "traceCookie\" must be 16 hex digits" },
                { "{\"ociVersion\":\"1\",\"fds\":[\"seccompFd\"],\"pathvisor\":{\"version\":1,\"traceCookie\":\"zz00000000000000\"}}",
                  "traceCookie\" must be 16 hex digits" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct pv_request req;
                char *e = NULL;
                assert_true(pv_request_parse(cases[i].msg, strlen(cases[i].msg), &req, &e) < 0);
                assert_non_null(e);
                if (!strstr(e, cases[i].error))
                        fail_msg("%s: expected '%s', got '%s'", cases[i].msg, cases[i].error, e);
                free(e);
        }
}

static void test_reader_limits(void **state) {
        const char *err;
        struct pv_message_reader *r = pv_message_reader_new();
        char *big = malloc(PV_MESSAGE_MAX + 2);
        memset(big, ' ', PV_MESSAGE_MAX + 1);
        big[0] = '[';
        assert_int_equal(pv_message_reader_feed(r, big, PV_MESSAGE_MAX + 1, &err), -EMSGSIZE);
        pv_message_reader_free(r);
        free(big);

        r = pv_message_reader_new();
        assert_int_equal(pv_message_reader_feed(r, "{} {}", 5, &err), -EBADMSG);
        pv_message_reader_free(r);

        r = pv_message_reader_new();
        assert_int_equal(pv_message_reader_feed(r, "{\"a\":\0}", 7, &err), -EBADMSG);
        pv_message_reader_free(r);

        r = pv_message_reader_new();
        assert_int_equal(pv_message_reader_feed(r, "{\"a\":", 5, &err), 0);
        assert_int_equal(pv_message_reader_feed(r, "tru", 3, &err), 0);
        assert_int_equal(pv_message_reader_feed(r, "e}\n", 3, &err), 1);
        pv_message_reader_free(r);
}

static void test_replies(void **state) {
        char *s = pv_reply_ok(7);
        assert_string_equal(s, "{\"ok\":true,\"session\":7}\n");
        free(s);
        s = pv_reply_error("bad \"thing\"", 22);
        assert_string_equal(s, "{\"ok\":false,\"error\":\"bad \\\"thing\\\"\",\"errno\":22}\n");
        free(s);
        assert_true(pv_profile_name_valid("web-1.prod_x"));
        assert_false(pv_profile_name_valid(".hidden"));
        assert_false(pv_profile_name_valid("a/b"));
        assert_false(pv_profile_name_valid(""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reader_pieces),
                cmocka_unit_test(test_runc),
                cmocka_unit_test(test_pathvisor_member),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_reader_limits),
                cmocka_unit_test(test_replies),
        };
        return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
