/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backends/tracee.h"
#include "common/macro.h"

#define PAGE 4096u

static int vm_errno(void) {
        /* EFAULT or EIO for a bad address; ESRCH for a gone process; EPERM when we may not read
         * it (a program that made itself non-dumpable, under a supervisor without CAP_SYS_PTRACE):
         * kept apart from EFAULT, which callers may leave to the kernel to report, while EPERM
         * must fail the call (it is no bad address of the program's) */
        return errno == ESRCH ? -ESRCH : errno == EPERM ? -EPERM : -EFAULT;
}

int pv_tracee_read_string(pid_t pid, uint64_t addr, char *buf, size_t size) {
        size_t n = 0;

        if (addr == 0)
                return -EFAULT;
        while (n < size) {
                uint64_t a = addr + n;
                size_t chunk = PAGE - (size_t) (a % PAGE);
                if (chunk > size - n)
                        chunk = size - n;
                struct iovec local = { buf + n, chunk };
                struct iovec remote = { (void *) (uintptr_t) a, chunk };
                ssize_t k = process_vm_readv(pid, &local, 1, &remote, 1, 0);
                if (k < 0)
                        return vm_errno();
                if (k == 0)
                        return -EFAULT;
                char *z = memchr(buf + n, '\0', (size_t) k);
                if (z)
                        return (int) (z - buf);
                n += (size_t) k;
        }
        return -ENAMETOOLONG;
}

int pv_tracee_read(pid_t pid, uint64_t addr, void *buf, size_t size) {
        struct iovec local = { buf, size };
        struct iovec remote = { (void *) (uintptr_t) addr, size };
        ssize_t k = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (k < 0)
                return vm_errno();
        return (size_t) k == size ? 0 : -EFAULT;
}

int pv_tracee_write(pid_t pid, uint64_t addr, const void *buf, size_t size) {
        struct iovec local = { (void *) buf, size };
        struct iovec remote = { (void *) (uintptr_t) addr, size };
        if (size == 0)
                return 0;
        ssize_t k = process_vm_writev(pid, &local, 1, &remote, 1, 0);
        if (k < 0)
                return vm_errno();
        return (size_t) k == size ? 0 : -EFAULT;
}

static int read_link(const char *proc, char *buf, size_t size, int missing) {
        ssize_t k = readlink(proc, buf, size - 1);
        if (k < 0)
                return errno == ENOENT ? missing : -errno;
        buf[k] = '\0';
        if (buf[0] != '/')
                return -ENOTDIR;
        /* a removed directory reads as "/x (deleted)": there is no path to it any more */
        static const char deleted[] = " (deleted)";
        if ((size_t) k >= sizeof(deleted) && strcmp(buf + k - (sizeof(deleted) - 1), deleted) == 0)
                return -ENOENT;
        return (int) k;
}

int pv_tracee_cwd(pid_t pid, char *buf, size_t size) {
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int) pid);
        return read_link(proc, buf, size, -ESRCH);
}

int pv_tracee_root(pid_t pid, char *buf, size_t size) {
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) pid);
        ssize_t k = readlink(proc, buf, size - 1);
        if (k < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        buf[k] = '\0';
        return (int) k;
}

int pv_tracee_fd_path(pid_t pid, int fd, char *buf, size_t size) {
        char proc[64];
        if (fd < 0)
                return -EBADF;
        snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int) pid, fd);
        return read_link(proc, buf, size, -EBADF);
}

int pv_tracee_status(pid_t pid, char *buf, size_t size) {
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/%d/status", (int) pid);
        _cleanup_close_ int fd = open(proc, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        ssize_t k = RETRY_EINTR(read(fd, buf, size - 1));
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return (int) k;
}

int pv_status_umask(const char *status, mode_t *ret) {
        const char *u = strstr(status, "\nUmask:");
        if (!u)
                return -ENODATA;
        *ret = (mode_t) strtoul(u + 7, NULL, 8) & 0777;
        return 0;
}

int pv_tracee_umask(pid_t pid, mode_t *ret) {
        char buf[2048]; /* Umask: is among the first lines */
        int r = pv_tracee_status(pid, buf, sizeof(buf));
        return r < 0 ? r : pv_status_umask(buf, ret);
}

pid_t pv_tracee_tgid(pid_t tid) {
        char buf[2048];
        int r = pv_tracee_status(tid, buf, sizeof(buf));
        if (r < 0)
                return r;
        const char *p = strstr(buf, "\nTgid:");
        return p ? (pid_t) strtol(p + 6, NULL, 10) : -EIO;
}
