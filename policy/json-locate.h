/* SPDX-License-Identifier: MIT */
#pragma once

/* json-c gives values but no positions and keeps only the last of duplicate keys. This scanner
 * walks the same text (already accepted by json-c) and records where every value and member key
 * starts, so errors can say FILE:LINE:COL, and it finds duplicate keys. Internal to policy/. */

#include <stdbool.h>
#include <stddef.h>

struct jloc {
        size_t off;         /* where the value starts */
        size_t key_off;     /* object members: where the key's opening quote is */
        char *key;          /* object members: the decoded key (NUL-terminated), else NULL */
        size_t key_len;
        bool shadowed;      /* a later member of the same object has the same key (json-c keeps that one) */
        size_t n_kids;      /* members of an object, elements of an array */
        struct jloc *kids;
};

struct jloc_dup {
        size_t off, first_off; /* the repeated key and its first occurrence */
};

/* Scans one JSON value starting at text[*pos]. Returns 0 or -EINVAL (malformed text; json-c
 * should have said so first; ret->off is then where) / -ENOMEM. Every duplicate key found is reported through `dup`. */
int jloc_scan(const char *text, size_t len, struct jloc *ret,
              void (*dup)(void *userdata, const struct jloc_dup *d), void *userdata);
void jloc_free(struct jloc *l);

/* 1-based line and column (in characters, a UTF-8 sequence counting once) of a byte offset.
 * The cursor remembers the last answer, so offsets asked in increasing order cost O(text) in
 * all; zero-initialise it. */
struct jloc_cursor {
        size_t off;
        unsigned line, col;
};
void jloc_line_col(const char *text, size_t len, size_t off, struct jloc_cursor *cursor,
                   unsigned *ret_line, unsigned *ret_col);

/* Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). Returns the
 * offset of the first bad byte, or len when all is well. */
size_t jloc_utf8_check(const char *text, size_t len);
