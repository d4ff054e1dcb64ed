/* SPDX-License-Identifier: MIT */
#pragma once

/* The bytes that a stat-family call writes for a given result layout (syscall-table.h's
 * enum pv_sc_result), made from a native struct stat exactly as the kernel would make them,
 * overflow checks included. */

#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "backends/syscall-table.h"

/* Writes pv_sc_result_size(layout) bytes to out (at least 144). Returns 0, -EOVERFLOW when the
 * value does not fit the old layouts (as the kernel says), -EINVAL for a layout that is not stat. */
int pv_stat_encode(enum pv_sc_result layout, const struct stat *st, void *out, size_t size);

/* The same for the statfs family: x86-64 struct statfs, i386 statfs (EOVERFLOW when a count does
 * not fit 32 bits, as put_compat_statfs()) and statfs64. */
int pv_statfs_encode(enum pv_sc_result layout, const struct statfs *st, void *out, size_t size);
