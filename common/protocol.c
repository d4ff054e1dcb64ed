/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/macro.h"
#include "common/protocol.h"

struct pv_message_reader {
        json_tokener *tok;
        char *text;
        size_t len;
        bool complete;
};

struct pv_message_reader *pv_message_reader_new(void) {
        struct pv_message_reader *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->tok = json_tokener_new_ex(32);
        r->text = malloc(PV_MESSAGE_MAX + 1);
        if (!r->tok || !r->text)
                return pv_message_reader_free(r);
        json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        return r;
}

struct pv_message_reader *pv_message_reader_free(struct pv_message_reader *r) {
        if (r) {
                if (r->tok)
                        json_tokener_free(r->tok);
                free(r->text);
                free(r);
        }
        return NULL;
}

static bool all_space(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                        return false;
        return true;
}

int pv_message_reader_feed(struct pv_message_reader *r, const char *buf, size_t len, const char **ret_error) {
        if (r->complete)
                return all_space(buf, len) ? 1 : (*ret_error = "data after the message", -EBADMSG);
        if (len > PV_MESSAGE_MAX - r->len) {
                *ret_error = "message larger than 64 KiB";
                return -EMSGSIZE;
        }
        if (memchr(buf, '\0', len)) {
                *ret_error = "NUL byte in the message";
                return -EBADMSG;
        }
        memcpy(r->text + r->len, buf, len);
        size_t start = r->len;
        r->len += len;
        r->text[r->len] = '\0';

        json_object *o = json_tokener_parse_ex(r->tok, buf, (int) len);
        enum json_tokener_error e = json_tokener_get_error(r->tok);
        if (!o) {
                if (e == json_tokener_continue)
                        return 0;
                *ret_error = json_tokener_error_desc(e);
                return -EBADMSG;
        }
        json_object_put(o); /* parsed again, whole, by pv_request_parse() */
        size_t end = start + json_tokener_get_parse_end(r->tok);
        if (!all_space(r->text + end, r->len - end)) {
                *ret_error = "data after the message";
                return -EBADMSG;
        }
        r->len = end;
        r->text[end] = '\0';
        r->complete = true;
        return 1;
}

const char *pv_message_reader_text(const struct pv_message_reader *r, size_t *ret_len) {
        if (ret_len)
                *ret_len = r->len;
        return r->text;
}

/* ---- requests ---------------------------------------------------------------------------------- */

void pv_request_done(struct pv_request *req) {
        free(req->oci_version);
        for (size_t i = 0; i < req->n_fd_names; i++)
                free(req->fd_names[i]);
        free(req->fd_names);
        free(req->metadata);
        free(req->container_id);
        free(req->annotation_profile);
        for (size_t i = 0; i < req->n_sources; i++) {
                free(req->sources[i].name);
                free(req->sources[i].text);
        }
        free(req->sources);
        free(req->profile);
        free(req->backend);
        free(req->reason);
        free(req->command);
        memset(req, 0, sizeof(*req));
}

_printf_(2, 3)
static int fail(char **ret_error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return -EPROTO;
}

/* A string member: absent is fine (NULL), anything but a string is not. */
static int get_string(json_object *o, const char *key, size_t max, char **ret, char **ret_error) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return fail(ret_error, "\"%s\" must be a string", key);
        size_t len = (size_t) json_object_get_string_len(v);
        const char *s = json_object_get_string(v);
        if (strlen(s) != len)
                return fail(ret_error, "\"%s\" contains a NUL byte", key);
        if (len > max)
                return fail(ret_error, "\"%s\" is too long (%zu bytes, at most %zu)", key, len, max);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int parse_sources(json_object *arr, struct pv_request *req, char **ret_error) {
        if (!json_object_is_type(arr, json_type_array))
                return fail(ret_error, "\"pathvisor.sources\" must be an array");
        size_t n = json_object_array_length(arr);
        if (n > 256)
                return fail(ret_error, "too many policy sources (%zu, at most 256)", n);
        req->sources = calloc(n ? n : 1, sizeof(*req->sources));
        if (!req->sources)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(arr, i);
                struct pv_source *src = &req->sources[req->n_sources++];
                static const struct {
                        const char *key;
                        enum pv_source_kind kind;
                } kinds[] = {
                        { "text", PV_SOURCE_FILE },
                        { "redirect", PV_SOURCE_REDIRECT },
                        { "deny", PV_SOURCE_DENY },
                        { "readonly", PV_SOURCE_READONLY },
                };
                if (!json_object_is_type(s, json_type_object))
                        return fail(ret_error, "policy source %zu must be an object", i + 1);
                size_t found = 0;
                for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                        char *t = NULL;
                        int r = get_string(s, kinds[k].key, PV_MESSAGE_MAX, &t, ret_error);
                        if (r < 0)
                                return r;
                        if (t) {
                                free(src->text);
                                src->text = t;
                                src->text_len = strlen(t);
                                src->kind = kinds[k].kind;
                                found++;
                        }
                }
                if (found != 1)
                        return fail(ret_error, "policy source %zu needs exactly one of text, redirect, deny, readonly",
                                    i + 1);
                int r = get_string(s, "name", 4096, &src->name, ret_error);
                if (r < 0)
                        return r;
                if (src->kind == PV_SOURCE_FILE && !src->name)
                        return fail(ret_error, "policy source %zu has text but no name", i + 1);
        }
        return 0;
}

static int parse_pathvisor(json_object *pv, struct pv_request *req, char **ret_error) {
        json_object *v;
        int r;

        if (!json_object_is_type(pv, json_type_object))
                return fail(ret_error, "\"pathvisor\" must be an object");
        req->is_pathvisor = true;
        if (!json_object_object_get_ex(pv, "version", &v) || !json_object_is_type(v, json_type_int))
                return fail(ret_error, "\"pathvisor.version\" must be an integer");
        int64_t ver = json_object_get_int64(v);
        if (ver != PV_PROTOCOL_VERSION)
                return fail(ret_error, "unsupported protocol version %lld (this pathvisord speaks %d)",
                            (long long) ver, PV_PROTOCOL_VERSION);
        req->version = (unsigned) ver;

        if (json_object_object_get_ex(pv, "sources", &v) && (r = parse_sources(v, req, ret_error)) < 0)
                return r;
        if ((r = get_string(pv, "profile", 64, &req->profile, ret_error)) < 0 ||
            (r = get_string(pv, "backend", 32, &req->backend, ret_error)) < 0 ||
            (r = get_string(pv, "reason", 512, &req->reason, ret_error)) < 0 ||
            (r = get_string(pv, "command", 4096, &req->command, ret_error)) < 0)
                return r;
        if (req->profile && !pv_profile_name_valid(req->profile))
                return fail(ret_error, "invalid profile name \"%s\"", req->profile);
        if (req->profile && req->n_sources > 0)
                return fail(ret_error, "give either a profile or policy sources, not both");
        if (json_object_object_get_ex(pv, "verbose", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(ret_error, "\"pathvisor.verbose\" must be true or false");
                req->verbose = json_object_get_boolean(v);
        }
        if (json_object_object_get_ex(pv, "killable", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(ret_error, "\"pathvisor.killable\" must be true or false");
                req->killable = json_object_get_boolean(v);
        }
        if (json_object_object_get_ex(pv, "traceCookie", &v)) {
                const char *c = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                char *end = NULL;
                errno = 0;
                bool hex = c && strlen(c) == 16 && strspn(c, "0123456789abcdefABCDEF") == 16;
                unsigned long long x = hex ? strtoull(c, &end, 16) : 0;
                if (!hex || errno || !end || *end || x == 0)
                        return fail(ret_error, "\"pathvisor.traceCookie\" must be 16 hex digits, not all zero");
                req->trace_cookie = x;
        }
        if (json_object_object_get_ex(pv, "status", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(ret_error, "\"pathvisor.status\" must be true or false");
                req->status = json_object_get_boolean(v);
        }
        json_object_object_foreach(pv, key, val) {
                (void) val;
                static const char *const known[] = { "version", "sources", "profile", "backend", "command",
                                                    "verbose", "status", "killable", "reason",
                                                    "traceCookie" };
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || strcmp(key, known[i]) == 0;
                if (!ok)
                        return fail(ret_error, "unknown key \"pathvisor.%s\"", key);
        }
        return 0;
}

int pv_request_parse(const char *text, size_t len, struct pv_request *ret, char **ret_error) {
        struct pv_request req = {};
        json_object *v;
        int r;

        *ret_error = NULL;
        json_tokener *tok = json_tokener_new_ex(32);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        json_object *root = json_tokener_parse_ex(tok, text, (int) len);
        enum json_tokener_error e = json_tokener_get_error(tok);
        json_tokener_free(tok);
        if (!root) {
                fail(ret_error, "not a JSON object: %s", json_tokener_error_desc(e));
                return -EBADMSG;
        }
        if (!json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                fail(ret_error, "the message must be a JSON object");
                return -EBADMSG;
        }

        if ((r = get_string(root, "ociVersion", 64, &req.oci_version, ret_error)) < 0 ||
            (r = get_string(root, "metadata", 4096, &req.metadata, ret_error)) < 0)
                goto out;
        if (!req.oci_version) {
                r = fail(ret_error, "missing \"ociVersion\"");
                goto out;
        }

        if (!json_object_object_get_ex(root, "fds", &v) || !json_object_is_type(v, json_type_array)) {
                r = fail(ret_error, "\"fds\" must be an array naming the attached fds");
                goto out;
        }
        size_t n = json_object_array_length(v);
        if (n > PV_MESSAGE_FDS_MAX) {
                r = fail(ret_error, "too many fds named (%zu, at most %d)", n, PV_MESSAGE_FDS_MAX);
                goto out;
        }
        req.fd_names = calloc(n ? n : 1, sizeof(char *));
        if (!req.fd_names) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *name = json_object_array_get_idx(v, i);
                if (!json_object_is_type(name, json_type_string) || json_object_get_string_len(name) > 64) {
                        r = fail(ret_error, "\"fds\" must hold short strings");
                        goto out;
                }
                req.fd_names[req.n_fd_names] = strdup(json_object_get_string(name));
                if (!req.fd_names[req.n_fd_names++]) {
                        r = -ENOMEM;
                        goto out;
                }
        }

        if (json_object_object_get_ex(root, "pid", &v)) {
                int64_t pid = json_object_get_int64(v);
                /* 0: unknown (crun exec sends it); the pid is only shown, never trusted */
                if (!json_object_is_type(v, json_type_int) || pid < 0 || pid > 0x3fffffff) {
                        r = fail(ret_error, "\"pid\" must be a non-negative integer");
                        goto out;
                }
                req.pid = (pid_t) pid;
        }

        json_object *state;
        if (json_object_object_get_ex(root, "state", &state) && json_object_is_type(state, json_type_object)) {
                json_object *ann, *prof;
                if ((r = get_string(state, "id", 1024, &req.container_id, ret_error)) < 0)
                        goto out;
                if (json_object_object_get_ex(state, "annotations", &ann) &&
                    json_object_is_type(ann, json_type_object) &&
                    json_object_object_get_ex(ann, "org.pathvisor.profile", &prof) &&
                    (r = get_string(ann, "org.pathvisor.profile", 64, &req.annotation_profile, ret_error)) < 0)
                        goto out;
                (void) prof;
        }

        if (json_object_object_get_ex(root, "pathvisor", &v) && (r = parse_pathvisor(v, &req, ret_error)) < 0)
                goto out;

        if (req.backend && strcmp(req.backend, "auto") != 0 && strcmp(req.backend, "unotify") != 0 &&
            strcmp(req.backend, "ptrace-seccomp") != 0 && strcmp(req.backend, "ptrace") != 0) {
                r = fail(ret_error, "unknown backend \"%s\" (auto, unotify, ptrace-seccomp, ptrace)", req.backend);
                goto out;
        }
        if (!req.status && pv_request_is_ptrace(&req)) {
                /* the daemon traces the process itself: it needs its pidfd, and no listener */
                if (pv_request_fd_index(&req, "pidFd") < 0) {
                        r = fail(ret_error, "backend \"%s\" needs a \"pidFd\" among the fds", req.backend);
                        goto out;
                }
        } else if (!req.status && pv_request_fd_index(&req, "seccompFd") < 0) {
                r = fail(ret_error, "no \"seccompFd\" among the fds");
                goto out;
        }
        *ret = req;
        memset(&req, 0, sizeof(req));
        r = 0;
out:
        json_object_put(root);
        pv_request_done(&req);
        return r;
}

int pv_request_fd_index(const struct pv_request *req, const char *name) {
        for (size_t i = 0; i < req->n_fd_names; i++)
                if (strcmp(req->fd_names[i], name) == 0)
                        return (int) i;
        return -1;
}

char *pv_socket_default(bool client) {
        const char *e = client ? getenv("PATHVISOR_SOCKET") : NULL;
        char *p = NULL;
        if (e && *e)
                return strdup(e);
        if (geteuid() == 0)
                return strdup("/run/pathvisor/pathvisord.sock");
        const char *rt = getenv("XDG_RUNTIME_DIR");
        if (rt && rt[0] == '/' && asprintf(&p, "%s/pathvisor/pathvisord.sock", rt) >= 0)
                return p;
        return NULL;
}

bool pv_profile_name_valid(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n > 64 || name[0] == '.')
                return false;
        return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

const char *pv_request_profile(const struct pv_request *req) {
        if (req->profile)
                return req->profile;
        if (req->metadata) {
                /* "profile=NAME", possibly among other comma-separated settings */
                const char *p = req->metadata;
                while (p && *p) {
                        if (strncmp(p, "profile=", 8) == 0) {
                                static __thread char name[65];
                                size_t n = strcspn(p + 8, ",; ");
                                if (n > 64)
                                        return NULL;
                                memcpy(name, p + 8, n);
                                name[n] = '\0';
                                return name;
                        }
                        p = strpbrk(p, ",; ");
                        if (p)
                                p++;
                }
        }
        return req->annotation_profile;
}

char *pv_reply_ok(unsigned long long session) {
        char *s;
        return asprintf(&s, "{\"ok\":true,\"session\":%llu}\n", session) < 0 ? NULL : s;
}

char *pv_reply_error(const char *error, int errno_value) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "ok", json_object_new_boolean(false));
        json_object_object_add(o, "error", json_object_new_string(error ? error : "error"));
        json_object_object_add(o, "errno", json_object_new_int(errno_value));
        char *s = NULL;
        if (asprintf(&s, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0)
                s = NULL;
        json_object_put(o);
        return s;
}

bool pv_request_is_ptrace(const struct pv_request *req) {
        return req->backend && (strcmp(req->backend, "ptrace-seccomp") == 0 || strcmp(req->backend, "ptrace") == 0);
}
