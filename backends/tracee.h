/* SPDX-License-Identifier: MIT */
#pragma once

/* Reading and writing a tracee's memory and its view of paths, through /proc and
 * process_vm_readv/writev. Every function returns -errno; -ESRCH means the tracee is gone. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads the NUL-terminated string at `addr` into buf (PATH_MAX bytes), page by page so that a
 * string near the end of a mapping is read (FACTS.md). Returns its length, -EFAULT for a bad
 * pointer, -ENAMETOOLONG when no NUL comes within PATH_MAX bytes (as the kernel says). */
int pv_tracee_read_string(pid_t pid, uint64_t addr, char *buf, size_t size);

int pv_tracee_read(pid_t pid, uint64_t addr, void *buf, size_t size);
int pv_tracee_write(pid_t pid, uint64_t addr, const void *buf, size_t size);

/* readlink of /proc/PID/cwd or /proc/PID/fd/FD into buf (PATH_MAX). Returns the length; -EBADF
 * when the tracee has no such fd, -ENOTDIR when the link is not a path (socket:[..], pipes). */
int pv_tracee_cwd(pid_t pid, char *buf, size_t size);
int pv_tracee_fd_path(pid_t pid, int fd, char *buf, size_t size);
/* readlink of /proc/PID/root into buf (PATH_MAX): the tracee's root as a path of ours. */
int pv_tracee_root(pid_t pid, char *buf, size_t size);

/* /proc/PID/status into buf (NUL-terminated, truncated to size). Returns its length. */
int pv_tracee_status(pid_t pid, char *buf, size_t size);
/* The thread group (process) of thread `tid`, from /proc/TID/status; -errno when it cannot be
 * read. */
pid_t pv_tracee_tgid(pid_t tid);
/* The Umask: line of a status text. */
int pv_status_umask(const char *status, mode_t *ret);
/* The tracee's umask, from /proc/PID/status. */
int pv_tracee_umask(pid_t pid, mode_t *ret);
