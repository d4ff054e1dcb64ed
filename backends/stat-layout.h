/* SPDX-License-Identifier: MIT */
#pragma once

/* The bytes that a stat-family call writes for a given result layout (syscall-table.h's
 * enum pv_sc_result), made from a native struct stat exactly as the kernel would make them,
 * overflow checks included. */

#include <stddef.h>
#include <sys/stat.h>

#include "backends/syscall-table.h"

/* Writes pv_sc_result_size(layout) bytes to out (at least 144). Returns 0, -EOVERFLOW when the
 * value does not fit the old layouts (as the kernel says), -EINVAL for a layout that is not stat. */
int pv_stat_encode(enum pv_sc_result layout, const struct stat *st, void *out, size_t size);
