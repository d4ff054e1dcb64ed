/* SPDX-License-Identifier: MIT */
#pragma once

/* The client <-> pathvisord protocol (docs/pathvisord-protocol.md).
 *
 * A connection opens with one JSON object of at most PV_MESSAGE_MAX bytes, its fds attached by
 * SCM_RIGHTS to the first sendmsg(), in the shape of the OCI runtime spec's seccomp agent
 * message. runc sends it on one line, crun pretty-printed over several: the reader goes by JSON
 * structure, never by lines. Our client adds a "pathvisor" member and reads one reply line. */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#define PV_MESSAGE_MAX (64u * 1024)
#define PV_PROTOCOL_VERSION 1
#define PV_MESSAGE_FDS_MAX 4

/* Incremental reader: feed what recvmsg() gave until it says the object is complete. */
struct pv_message_reader;
struct pv_message_reader *pv_message_reader_new(void);
struct pv_message_reader *pv_message_reader_free(struct pv_message_reader *r);
/* Returns 1 when the object is complete (then pv_message_reader_text() is the whole message),
 * 0 when more is needed, -EMSGSIZE past PV_MESSAGE_MAX, -EBADMSG when it is not JSON (with
 * a reason in *ret_error, static) or when bytes follow the object. */
int pv_message_reader_feed(struct pv_message_reader *r, const char *buf, size_t len, const char **ret_error);
const char *pv_message_reader_text(const struct pv_message_reader *r, size_t *ret_len);

/* One policy source of the client, in command-line order. */
enum pv_source_kind {
        PV_SOURCE_FILE,     /* name + text of a policy file */
        PV_SOURCE_REDIRECT, /* quick rules: arg as given to -r / --deny / --readonly */
        PV_SOURCE_DENY,
        PV_SOURCE_READONLY,
};

struct pv_source {
        enum pv_source_kind kind;
        char *name; /* FILE: the file name for messages */
        char *text; /* FILE: its text; quick rules: the argument */
        size_t text_len;
};

struct pv_request {
        /* OCI seccomp agent part */
        char *oci_version;
        char **fd_names; /* as many as fds attached */
        size_t n_fd_names;
        pid_t pid;          /* 0 when absent */
        char *metadata;     /* OCI listenerMetadata */
        char *container_id; /* state.id */
        char *annotation_profile; /* state.annotations["org.pathvisor.profile"] */

        /* pathvisor part (our client) */
        bool is_pathvisor;
        unsigned version;
        struct pv_source *sources;
        size_t n_sources;
        char *profile;
        char *backend;  /* auto, unotify, ptrace-seccomp, ptrace */
        char *reason;   /* why the client chose that backend (shown by status) */
        char *command; /* for status: the program's argv joined */
        bool verbose;
        bool status; /* {"pathvisor":{"version":1,"status":true}}: no fds, a status reply */
        bool killable; /* the filter has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
        uint64_t trace_cookie; /* "traceCookie": the hybrid filter's cookie, 0 when absent */
};

void pv_request_done(struct pv_request *req);

/* Parses and validates a complete message. Returns 0, or -EBADMSG / -EPROTO / -ENOMEM with a
 * human-readable reason in *ret_error (malloc()ed). */
int pv_request_parse(const char *text, size_t len, struct pv_request *ret, char **ret_error);

/* Whether the request asks the daemon to trace the process (ptrace-seccomp, ptrace): it then
 * carries a "pidFd" and no "seccompFd". */
bool pv_request_is_ptrace(const struct pv_request *req);

/* The index of the fd named `name` ("seccompFd", "pidFd") in the request, or -1. */
int pv_request_fd_index(const struct pv_request *req, const char *name);

/* The profile to use: the client's "profile", else "profile=NAME" in metadata, else the
 * annotation org.pathvisor.profile; NULL when none. */
const char *pv_request_profile(const struct pv_request *req);

/* Reply lines ("...\n", malloc()ed). */
char *pv_reply_ok(unsigned long long session);
char *pv_reply_error(const char *error, int errno_value);

/* The daemon's socket by default: /run/pathvisor/pathvisord.sock for root,
 * $XDG_RUNTIME_DIR/pathvisor/pathvisord.sock for other users (NULL without XDG_RUNTIME_DIR).
 * With `client`, $PATHVISOR_SOCKET comes first. malloc()ed. */
char *pv_socket_default(bool client);

/* Profile names: [A-Za-z0-9_.-]+, not starting with '.', at most 64 bytes. */
bool pv_profile_name_valid(const char *name);
