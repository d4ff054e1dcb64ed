/* SPDX-License-Identifier: MIT */
/* pv-proc: process-level behaviour under a supervisor — signals, stops, exit statuses, fork and
 * thread trees, execve from a thread, the x86-64 red zone around a raw system call, ptrace by
 * the program itself. tests/integration/run-process-tests.sh runs each subcommand natively on a
 * target and under `pathvisor run` on a name that a rule redirects to that target, and compares.
 *
 * Output is stable text (no pids, no counts that depend on timing); a failed call is shown as
 * "err ENAME". Exit status: as documented per subcommand; 1 when the helper's own set-up failed
 * (the reason on stderr), 2 on usage errors. Every call on the path under test is a raw
 * syscall(2), so that no libc wrapper picks another call. x86-64 Linux, glibc 2.32 or later. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONTENT_MAX 256

static const char *prog = "pv-proc";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "%s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n(run '%s help' for the subcommands)\n", prog);
        exit(2);
}

static void die_setup(const char *what) __attribute__((noreturn));
static void die_setup(const char *what) {
        fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
        exit(1);
}

/* errno by name (strerrorname_np is glibc 2.32+; a number otherwise) */
static const char *errno_name(int e) {
        static __thread char buf[32];
        const char *n = strerrorname_np(e);
        if (n)
                return n;
        snprintf(buf, sizeof buf, "E%d", e);
        return buf;
}

static long parse_long(const char *what, const char *s, long min, long max) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 0);
        if (errno || end == s || *end || v < min || v > max)
                die_usage("bad %s '%s' (%ld..%ld)", what, s, min, max);
        return v;
}

/* A signal by name (KILL, SIGKILL) or number. */
static int signal_number(const char *s) {
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (int i = 1; i < NSIG; i++) {
                const char *a = sigabbrev_np(i);
                if (a && strcmp(a, s) == 0)
                        return i;
        }
        return (int) parse_long("SIGNAL", s, 1, NSIG - 1);
}

static void need(int argc, int min, int max, const char *usage) {
        if (argc < min || argc > max)
                die_usage("usage: %s", usage);
}

/* Content printed on one line: printable ASCII as is, the rest as \n, \xNN. */
static void print_escaped(FILE *f, const unsigned char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\n')
                        fputs("\\n", f);
                else if (s[i] == '\\' || s[i] == '"')
                        fprintf(f, "\\%c", s[i]);
                else if (s[i] >= 0x20 && s[i] < 0x7f)
                        fputc(s[i], f);
                else
                        fprintf(f, "\\x%02x", s[i]);
        }
}

static void msleep(long ms) {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Field 22 of /proc/PID/stat (start time in clock ticks): with the pid it names one process. */
static unsigned long long starttime(pid_t pid) {
        char p[64], buf[1024];
        snprintf(p, sizeof p, "/proc/%d/stat", (int) pid);
        long fd = syscall(SYS_openat, AT_FDCWD, p, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
                return 0;
        ssize_t n = read((int) fd, buf, sizeof buf - 1);
        close((int) fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        char *s = strrchr(buf, ')');
        if (!s)
                return 0;
        s += 2; /* the state: field 3 */
        for (int field = 3; field < 22 && s; field++) {
                s = strchr(s, ' ');
                if (s)
                        s++;
        }
        return s ? strtoull(s, NULL, 10) : 0;
}

/* Writes "PID STARTTIME\n" to FILE through a temporary name and rename(2), so that a reader that
 * polls for FILE never sees it half written. */
static void write_pidfile(const char *file) {
        char tmp[PATH_MAX], line[64];
        if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int) sizeof tmp)
                die_usage("pid file name too long");
        int n = snprintf(line, sizeof line, "%d %llu\n", (int) getpid(), starttime(getpid()));
        long fd = syscall(SYS_openat, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                die_setup(tmp);
        if (write((int) fd, line, (size_t) n) != n)
                die_setup("write pid file");
        close((int) fd);
        if (rename(tmp, file) < 0)
                die_setup("rename pid file");
}

/* ---------------------------------------------------------------------------------------------- */
/* path calls: stat, open, read, close of one path */

struct content {
        unsigned char data[CONTENT_MAX];
        size_t len;
};

/* newfstatat + openat + read + close of PATH. 0, or -errno of the first call that failed; the
 * size from stat must match what was read (the files are small). Async-signal-safe. */
static int path_calls(const char *path, struct content *c) {
        struct stat st;
        if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) < 0)
                return -errno;
        long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        ssize_t n;
        do
                n = read((int) fd, c->data, sizeof c->data);
        while (n < 0 && errno == EINTR);
        int e = errno;
        close((int) fd);
        if (n < 0)
                return -e;
        c->len = (size_t) n;
        if ((off_t) n != st.st_size && st.st_size < (off_t) sizeof c->data)
                return -EBADE; /* stat and content disagree: not the same file */
        return 0;
}

static bool same_content(const struct content *a, const struct content *b) {
        return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Reads PATH once for the reference content, or exits with its error printed. */
static void reference(const char *path, struct content *ref) {
        int r = path_calls(path, ref);
        if (r < 0) {
                printf("first read of the path: err %s\n", errno_name(-r));
                exit(0);
        }
}

static void print_content(const char *prefix, const struct content *c) {
        printf("%s\"", prefix);
        print_escaped(stdout, c->data, c->len);
        printf("\"\n");
}

/* ---------------------------------------------------------------------------------------------- */
/* signals PATH ROUNDS [restart|norestart]
 *
 * Handlers for SIGUSR1, SIGUSR2 (which itself reads PATH), SIGALRM and SIGCHLD, all with or
 * without SA_RESTART. While stat/open/read/close of PATH run in a loop, the signals come:
 * SIGUSR1 sent to ourselves ROUNDS times; SIGUSR2 from a child, ROUNDS times, each waited for;
 * SIGALRM from setitimer (every ms) until ROUNDS have come; SIGCHLD when that child ends.
 * Prints the counts and every failure of a path call (by errno; natively none, EINTR included:
 * opening a regular file is never interrupted). Exit 0. */

static const char *sig_path;
static struct content sig_ref;
static volatile sig_atomic_t n_usr1, n_usr2, n_alrm, n_chld, handler_bad;

static void on_usr2(int sig) {
        (void) sig;
        int e = errno;
        struct content c;
        if (path_calls(sig_path, &c) < 0 || !same_content(&c, &sig_ref))
                handler_bad = handler_bad + 1;
        n_usr2 = n_usr2 + 1;
        errno = e;
}

static void on_sig(int sig) {
        switch (sig) {
        case SIGUSR1:
                n_usr1 = n_usr1 + 1;
                break;
        case SIGALRM:
                n_alrm = n_alrm + 1;
                break;
        case SIGCHLD:
                n_chld = n_chld + 1;
                break;
        }
}

struct loop_stats {
        long calls, errors, eintr, mismatch;
        int first_error;
};

static void one_round(struct loop_stats *s) {
        struct content c;
        int r = path_calls(sig_path, &c);
        s->calls++;
        if (r == -EINTR)
                s->eintr++;
        else if (r < 0) {
                if (!s->errors++)
                        s->first_error = -r;
        } else if (!same_content(&c, &sig_ref))
                s->mismatch++;
}

/* Path calls until *counter reaches want, at most 10 s; false on time-out. */
static bool calls_until(struct loop_stats *s, volatile sig_atomic_t *counter, int want) {
        double end = now() + 10;
        while (*counter < want) {
                one_round(s);
                if (now() > end)
                        return false;
        }
        return true;
}

static int cmd_signals(int argc, char **argv) {
        need(argc, 3, 4, "signals PATH ROUNDS [restart|norestart]");
        sig_path = argv[1];
        int rounds = (int) parse_long("ROUNDS", argv[2], 1, 100000);
        bool restart = argc < 4 || strcmp(argv[3], "restart") == 0;
        if (argc == 4 && !restart && strcmp(argv[3], "norestart") != 0)
                die_usage("signals: restart or norestart, not '%s'", argv[3]);
        struct loop_stats s = {};

        reference(sig_path, &sig_ref);
        print_content("content: ", &sig_ref);

        struct sigaction sa = { .sa_handler = on_sig, .sa_flags = restart ? SA_RESTART : 0 };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGALRM, &sa, NULL) < 0 ||
            sigaction(SIGCHLD, &sa, NULL) < 0)
                die_setup("sigaction");
        sa.sa_handler = on_usr2;
        if (sigaction(SIGUSR2, &sa, NULL) < 0)
                die_setup("sigaction");

        /* 1. to ourselves: a signal sent to a one-thread process is delivered before kill returns */
        for (int i = 0; i < rounds; i++) {
                one_round(&s);
                if (kill(getpid(), SIGUSR1) < 0)
                        die_setup("kill self");
        }
        printf("self: SIGUSR1 %d of %d\n", (int) n_usr1, rounds);

        /* 2. from a child: one token down a pipe, one SIGUSR2 back; wait for each */
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                die_setup("pipe2");
        pid_t parent = getpid(), child = fork();
        if (child < 0)
                die_setup("fork");
        if (child == 0) {
                close(p[1]);
                char b;
                ssize_t n;
                while ((n = read(p[0], &b, 1)) == 1 || (n < 0 && errno == EINTR))
                        if (n == 1 && kill(parent, SIGUSR2) < 0)
                                _exit(3);
                _exit(n == 0 ? 0 : 4);
        }
        close(p[0]);
        bool stuck = false;
        for (int i = 0; i < rounds && !stuck; i++) {
                ssize_t n;
                do
                        n = write(p[1], "x", 1);
                while (n < 0 && errno == EINTR);
                if (n != 1)
                        die_setup("write to the child");
                stuck = !calls_until(&s, &n_usr2, i + 1);
        }
        close(p[1]); /* the child ends: SIGCHLD */
        bool chld_ok = calls_until(&s, &n_chld, 1);
        int status;
        pid_t w;
        do
                w = waitpid(child, &status, 0);
        while (w < 0 && errno == EINTR);
        if (w < 0)
                die_setup("waitpid");
        printf("child: SIGUSR2 %d of %d%s; handler's own path calls: %s\n", (int) n_usr2, rounds,
               stuck ? " (stuck: a signal did not come within 10 s)" : "",
               handler_bad ? "FAILED" : "ok");
        printf("child: SIGCHLD %s, child exit status %d\n", chld_ok ? "came" : "did not come within 10 s",
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));

        /* 3. from the interval timer: every millisecond */
        struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
        if (setitimer(ITIMER_REAL, &it, NULL) < 0)
                die_setup("setitimer");
        bool alrm_ok = calls_until(&s, &n_alrm, rounds);
        struct itimerval off = {};
        setitimer(ITIMER_REAL, &off, NULL);
        printf("timer: %d SIGALRM %s\n", rounds, alrm_ok ? "came" : "did not come within 10 s");

        printf("path calls: %s, %ld failed%s%s, %ld EINTR, %ld with other content\n",
               s.calls > 0 ? "made" : "none", s.errors, s.errors ? " first with " : "",
               s.errors ? errno_name(s.first_error) : "", s.eintr, s.mismatch);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* eintr restart|norestart [PATH]
 *
 * read(2) on an empty pipe; a SIGALRM handler (with or without SA_RESTART) runs after 100 ms; a
 * child writes one byte at 400 ms. With SA_RESTART the read goes on and returns the byte; without,
 * it fails with EINTR. With PATH, the handler also stats and opens PATH. Exit 0. */

static volatile sig_atomic_t eintr_alarms, eintr_handler_err;
static const char *eintr_path;

static void on_eintr_alarm(int sig) {
        (void) sig;
        int e = errno;
        if (eintr_path) {
                struct content c;
                if (path_calls(eintr_path, &c) < 0)
                        eintr_handler_err = eintr_handler_err + 1;
        }
        eintr_alarms = eintr_alarms + 1;
        errno = e;
}

static int cmd_eintr(int argc, char **argv) {
        need(argc, 2, 3, "eintr restart|norestart [PATH]");
        bool restart = strcmp(argv[1], "restart") == 0;
        if (!restart && strcmp(argv[1], "norestart") != 0)
                die_usage("eintr: restart or norestart, not '%s'", argv[1]);
        eintr_path = argc == 3 ? argv[2] : NULL;

        struct sigaction sa = { .sa_handler = on_eintr_alarm, .sa_flags = restart ? SA_RESTART : 0 };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, NULL) < 0)
                die_setup("sigaction");
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                die_setup("pipe2");
        pid_t child = fork();
        if (child < 0)
                die_setup("fork");
        if (child == 0) {
                close(p[0]);
                msleep(400);
                _exit(write(p[1], "x", 1) == 1 ? 0 : 3);
        }
        close(p[1]);
        struct itimerval it = { { 0, 0 }, { 0, 100000 } };
        if (setitimer(ITIMER_REAL, &it, NULL) < 0)
                die_setup("setitimer");
        char b = 0;
        ssize_t n = read(p[0], &b, 1);
        int e = errno;
        if (n == 1)
                printf("read: 1 byte '%c' (handler ran %d time%s before it returned)\n", b, (int) eintr_alarms,
                       eintr_alarms == 1 ? "" : "s");
        else if (n < 0)
                printf("read: err %s (handler ran %d time%s)\n", errno_name(e), (int) eintr_alarms,
                       eintr_alarms == 1 ? "" : "s");
        else
                printf("read: end of file\n");
        if (n < 0) { /* the byte still comes */
                do
                        n = read(p[0], &b, 1);
                while (n < 0 && errno == EINTR);
                printf("second read: %s\n", n == 1 ? "1 byte" : "failed");
        }
        if (eintr_path)
                printf("handler's path calls: %s\n", eintr_handler_err ? "FAILED" : "ok");
        int status;
        if (waitpid(child, &status, 0) < 0)
                die_setup("waitpid");
        printf("writer: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* exit CODE [PATH] | raise SIGNAL [PATH] | segv [PATH] | abort [PATH]
 * Read PATH (printing its content), then end that way. */

static void maybe_read(int argc, char **argv, int at) {
        if (argc > at) {
                struct content c;
                reference(argv[at], &c);
                print_content("content: ", &c);
        }
        fflush(stdout);
}

static int cmd_exit(int argc, char **argv) {
        need(argc, 2, 3, "exit CODE [PATH]");
        long code = parse_long("CODE", argv[1], 0, 255);
        maybe_read(argc, argv, 2);
        return (int) code;
}

static int cmd_raise(int argc, char **argv) {
        need(argc, 2, 3, "raise SIGNAL [PATH]");
        int sig = signal_number(argv[1]);
        maybe_read(argc, argv, 2);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        printf("still alive after SIG%s\n", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
        return 1;
}

__attribute__((no_sanitize("undefined"))) static int cmd_segv(int argc, char **argv) {
        need(argc, 1, 2, "segv [PATH]");
        maybe_read(argc, argv, 1);
        /* the default action, by the raw system call: a sanitizer's signal() interceptor keeps its
         * own SIGSEGV handler (which exits 1) when this helper is built with -fsanitize=address */
        struct {
                void *handler;
                unsigned long flags;
                void *restorer;
                uint64_t mask;
        } dfl = { .handler = SIG_DFL };
        syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, sizeof(dfl.mask));
        volatile int *volatile p = NULL;
        *p = 1;
        printf("still alive after writing through NULL\n");
        return 1;
}

static int cmd_abort(int argc, char **argv) {
        need(argc, 1, 2, "abort [PATH]");
        maybe_read(argc, argv, 1);
        abort();
}

/* ---------------------------------------------------------------------------------------------- */
/* ticker OUT PIDFILE PATH
 * Writes its pid file, then every 50 ms reads PATH and appends "tick N CONTENT" to OUT (opened and
 * closed each time), forever. */

static int cmd_ticker(int argc, char **argv) {
        need(argc, 4, 4, "ticker OUT PIDFILE PATH");
        struct content c;
        write_pidfile(argv[2]);
        for (unsigned long i = 0;; i++) {
                int r = path_calls(argv[3], &c);
                char line[CONTENT_MAX + 64];
                int n;
                if (r < 0)
                        n = snprintf(line, sizeof line, "tick %lu err %s\n", i, errno_name(-r));
                else {
                        size_t len = c.len && c.data[c.len - 1] == '\n' ? c.len - 1 : c.len;
                        n = snprintf(line, sizeof line, "tick %lu %.*s\n", i, (int) len, (const char *) c.data);
                }
                long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0)
                        die_setup(argv[1]);
                if (write((int) fd, line, (size_t) n) != n)
                        die_setup("write tick");
                close((int) fd);
                msleep(50);
        }
}

/* ---------------------------------------------------------------------------------------------- */
/* stopself PATH PIDFILE
 * Reads PATH, writes the pid file, stops itself with raise(SIGSTOP); once somebody sends SIGCONT,
 * reads PATH again and exits 0. */

static int cmd_stopself(int argc, char **argv) {
        need(argc, 3, 3, "stopself PATH PIDFILE");
        struct content c;
        reference(argv[1], &c);
        print_content("before: ", &c);
        fflush(stdout);
        write_pidfile(argv[2]);
        if (raise(SIGSTOP) != 0)
                die_setup("raise SIGSTOP");
        printf("continued\n");
        reference(argv[1], &c);
        print_content("after: ", &c);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* echo-lines PATH PIDFILE CODE
 * For a terminal: writes the pid file, prints "ready", then for every line read from stdin reads
 * PATH and prints "got: LINE (CONTENT)"; at end of file prints "eof" and exits CODE. */

static int cmd_echo_lines(int argc, char **argv) {
        need(argc, 4, 4, "echo-lines PATH PIDFILE CODE");
        long code = parse_long("CODE", argv[3], 0, 255);
        char line[1024];
        write_pidfile(argv[2]);
        printf("ready\n");
        fflush(stdout);
        while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\n")] = 0;
                struct content c;
                int r = path_calls(argv[1], &c);
                if (r < 0)
                        printf("got: %s (err %s)\n", line, errno_name(-r));
                else {
                        size_t len = c.len && c.data[c.len - 1] == '\n' ? c.len - 1 : c.len;
                        printf("got: %s (%.*s)\n", line, (int) len, (const char *) c.data);
                }
                fflush(stdout);
        }
        if (ferror(stdin))
                printf("stdin: err %s\n", errno_name(errno));
        printf("eof\n");
        return (int) code;
}

/* ---------------------------------------------------------------------------------------------- */
/* forktree PATH N PIDFILE CODE
 * Forks N children at once; each reads PATH, and every fourth starts 3 threads that read it too.
 * Each child exits with 1 + i % 50. Reports come back through a pipe; once all children are
 * reaped, prints a summary, writes "PID STARTTIME" of every child (and its own) to PIDFILE, and
 * exits CODE. */

struct report {
        int kind; /* 'P' a process, 'T' a thread */
        int idx, thread;
        int pid;
        unsigned long long start;
        int err; /* 0, an errno, or -1 for other content */
};

struct tree_thread {
        const char *path;
        const struct content *ref;
        int fd, idx, thread;
};

static void send_report(int fd, const struct report *r) {
        /* one write of less than PIPE_BUF bytes: atomic among the writers */
        ssize_t n;
        do
                n = write(fd, r, sizeof *r);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) sizeof *r)
                _exit(90);
}

static void *tree_thread_main(void *p) {
        struct tree_thread *t = p;
        struct content c;
        int r = path_calls(t->path, &c);
        struct report rep = { .kind = 'T', .idx = t->idx, .thread = t->thread, .pid = getpid(),
                              .err = r < 0 ? -r : same_content(&c, t->ref) ? 0 : -1 };
        send_report(t->fd, &rep);
        return NULL;
}

static void tree_child(const char *path, const struct content *ref, int fd, int idx) {
        struct content c;
        int r = path_calls(path, &c);
        struct report rep = { .kind = 'P', .idx = idx, .pid = getpid(), .start = starttime(getpid()),
                              .err = r < 0 ? -r : same_content(&c, ref) ? 0 : -1 };
        send_report(fd, &rep);
        if (idx % 4 == 0) {
                pthread_t tid[3];
                struct tree_thread ta[3];
                for (int k = 0; k < 3; k++) {
                        ta[k] = (struct tree_thread) { path, ref, fd, idx, k };
                        int e = pthread_create(&tid[k], NULL, tree_thread_main, &ta[k]);
                        if (e) {
                                fprintf(stderr, "%s: pthread_create: %s\n", prog, strerror(e));
                                _exit(91);
                        }
                }
                for (int k = 0; k < 3; k++)
                        pthread_join(tid[k], NULL);
        }
        _exit(1 + idx % 50);
}

static int cmd_forktree(int argc, char **argv) {
        need(argc, 5, 5, "forktree PATH N PIDFILE CODE");
        const char *path = argv[1];
        int n = (int) parse_long("N", argv[2], 1, 1000);
        long code = parse_long("CODE", argv[4], 0, 255);
        struct content ref;
        reference(path, &ref);
        print_content("content: ", &ref);
        fflush(stdout);

        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                die_setup("pipe2");
        pid_t *pids = calloc((size_t) n, sizeof *pids);
        struct report *procs = calloc((size_t) n, sizeof *procs);
        if (!pids || !procs)
                die_setup("calloc");
        for (int i = 0; i < n; i++) {
                pids[i] = fork();
                if (pids[i] < 0)
                        die_setup("fork");
                if (pids[i] == 0) {
                        close(p[0]);
                        tree_child(path, &ref, p[1], i);
                }
        }
        close(p[1]);

        int nproc = 0, nthread = 0, bad = 0, want_threads = 0;
        struct report r;
        ssize_t k;
        for (int i = 0; i < n; i++)
                if (i % 4 == 0)
                        want_threads += 3;
        while ((k = read(p[0], &r, sizeof r)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k != (ssize_t) sizeof r)
                        die_setup("read report");
                if (r.err) {
                        if (bad++ < 5)
                                printf("%s %d.%d: %s\n", r.kind == 'P' ? "process" : "thread", r.idx, r.thread,
                                       r.err < 0 ? "other content" : errno_name(r.err));
                }
                if (r.kind == 'P' && r.idx >= 0 && r.idx < n) {
                        procs[r.idx] = r;
                        nproc++;
                } else if (r.kind == 'T')
                        nthread++;
        }
        int wrong_status = 0;
        for (int i = 0; i < n; i++) {
                int status;
                pid_t w;
                do
                        w = waitpid(pids[i], &status, 0);
                while (w < 0 && errno == EINTR);
                if (w < 0)
                        die_setup("waitpid");
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 + i % 50) {
                        if (wrong_status++ < 5)
                                printf("child %d: status 0x%x, want exit %d\n", i, status, 1 + i % 50);
                }
        }
        /* no other child left to wait for */
        pid_t w = waitpid(-1, NULL, WNOHANG);
        int e = errno;
        printf("processes: %d of %d reported, threads: %d of %d reported, %d saw an error or other content\n",
               nproc, n, nthread, want_threads, bad);
        printf("exit statuses: %s\n", wrong_status ? "WRONG" : "all as expected");
        printf("children left after waiting: %s\n", w < 0 && e == ECHILD ? "none" : "SOME");

        FILE *f = fopen(argv[3], "we");
        if (!f)
                die_setup(argv[3]);
        fprintf(f, "%d %llu\n", (int) getpid(), starttime(getpid()));
        for (int i = 0; i < n; i++)
                if (procs[i].kind == 'P')
                        fprintf(f, "%d %llu\n", procs[i].pid, procs[i].start);
        if (fclose(f) != 0)
                die_setup("write pid file");
        free(pids);
        free(procs);
        return (int) code;
}

/* ---------------------------------------------------------------------------------------------- */
/* orphan PATH OUT DELAY_MS PIDFILE
 * A child forks a grandchild and exits at once; the grandchild (an orphan) writes its pid file,
 * waits DELAY_MS, reads PATH and appends "orphan: CONTENT" to OUT. We exit 0 once the child
 * has ended, without waiting for the orphan. */

static int cmd_orphan(int argc, char **argv) {
        need(argc, 5, 5, "orphan PATH OUT DELAY_MS PIDFILE");
        long delay = parse_long("DELAY_MS", argv[3], 0, 60000);
        pid_t child = fork();
        if (child < 0)
                die_setup("fork");
        if (child == 0) {
                pid_t g = fork();
                if (g < 0)
                        _exit(3);
                if (g > 0)
                        _exit(0);
                write_pidfile(argv[4]);
                msleep(delay);
                struct content c;
                int r = path_calls(argv[1], &c);
                FILE *f = fopen(argv[2], "ae");
                if (!f)
                        _exit(4);
                if (r < 0)
                        fprintf(f, "orphan: err %s\n", errno_name(-r));
                else {
                        fprintf(f, "orphan: \"");
                        print_escaped(f, c.data, c.len);
                        fprintf(f, "\"\n");
                }
                _exit(fclose(f) == 0 ? 0 : 5);
        }
        int status;
        if (waitpid(child, &status, 0) < 0)
                die_setup("waitpid");
        printf("child: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* thread-exec PATH cat|self
 * A second thread calls execve() while the main thread keeps making path calls on PATH: of
 * /bin/cat PATH (exit 0), or of this program's "cat PATH 23 PID" (exit 23). Output: what the new
 * program prints. Exits 99 if the exec did not happen within 10 s.
 * cat PATH CODE [PID]: prints PATH's content (and whether our pid is PID), exits CODE. */

struct exec_arg {
        const char *path, *mode;
};

static void *exec_thread(void *p) {
        struct exec_arg *a = p;
        msleep(20); /* the main thread is in its loop of path calls by now */
        if (strcmp(a->mode, "cat") == 0) {
                char *av[] = { "cat", (char *) a->path, NULL };
                execv("/bin/cat", av);
                fprintf(stderr, "%s: execv /bin/cat: %s\n", prog, strerror(errno));
        } else {
                char pid[32];
                snprintf(pid, sizeof pid, "%d", (int) getpid());
                char *av[] = { "pv-proc", "cat", (char *) a->path, "23", pid, NULL };
                execv("/proc/self/exe", av);
                fprintf(stderr, "%s: execv /proc/self/exe: %s\n", prog, strerror(errno));
        }
        _exit(98);
}

static int cmd_thread_exec(int argc, char **argv) {
        need(argc, 3, 3, "thread-exec PATH cat|self");
        struct exec_arg a = { argv[1], argv[2] };
        if (strcmp(a.mode, "cat") != 0 && strcmp(a.mode, "self") != 0)
                die_usage("thread-exec: cat or self, not '%s'", a.mode);
        fflush(stdout);
        pthread_t t;
        int e = pthread_create(&t, NULL, exec_thread, &a);
        if (e) {
                errno = e;
                die_setup("pthread_create");
        }
        double end = now() + 10;
        struct content c;
        while (now() < end)
                path_calls(a.path, &c);
        printf("the exec did not happen within 10 s\n");
        return 99;
}

static int cmd_cat(int argc, char **argv) {
        need(argc, 3, 4, "cat PATH CODE [PID]");
        long code = parse_long("CODE", argv[2], 0, 255);
        struct content c;
        reference(argv[1], &c);
        print_content("content: ", &c);
        if (argc == 4)
                printf("pid after exec from a thread: %s\n",
                       parse_long("PID", argv[3], 1, INT_MAX) == getpid() ? "the same" : "DIFFERENT");
        return (int) code;
}

/* ---------------------------------------------------------------------------------------------- */
/* redzone open PATH N | redzone deny PATH N   (x86-64 only)
 *
 * The System V x86-64 ABI gives every function the 128 bytes below %rsp (the red zone): signal
 * handlers and the kernel must not touch them, and a leaf function keeps data there without
 * moving %rsp. A supervisor that writes a new path into the tracee's stack must go below it.
 * The `syscall` instruction clobbers only rax (the result), rcx and r11.
 *
 * One asm statement (clobbers: rcx, r11, memory; flags are always clobbered on x86) saves the
 * registers it is going to use and the compiler's own red zone into pv_rz, puts a known pattern
 * into the 128 bytes below %rsp, loads test values into rdi, rsi, rdx, r10, r8, r9 (the
 * arguments) and rbx, rbp, r12-r15, executes `syscall` without moving %rsp, records every one of
 * those registers, %rsp and the red zone, and puts everything back. pv_rz is addressed
 * RIP-relative only, so no register is needed for it at the moment of the call.
 *
 * open: openat(AT_FDCWD, PATH, O_RDONLY|O_CLOEXEC), then newfstatat(AT_FDCWD, PATH, &st, 0),
 * each N times; prints the content and size, and whether registers and red zone stayed intact.
 * deny: the same calls on a denied PATH: prints the errors. lowstack: the calls are made on a
 * stack of our own whose %rsp is 128 bytes above an inaccessible page, so that below the red zone
 * there is no memory at all (as on a nearly full thread stack). Exit 0. */

#if defined(__x86_64__)

struct rz {
        uint64_t nr;
        uint64_t in[12]; /* rdi rsi rdx r10 r8 r9 rbx rbp r12 r13 r14 r15 */
        uint64_t out[12];
        uint64_t ret;
        uint64_t rsp_before, rsp_after;
        uint64_t stack;     /* 0, or the %rsp to make the call with (a stack of our own) */
        uint64_t orig_rsp;  /* the compiler's %rsp meanwhile */
        uint64_t saved[12];
        unsigned char pattern[128];
        unsigned char zone[128];
        unsigned char saved_zone[128];
};

__attribute__((visibility("hidden"), aligned(64))) struct rz pv_rz;

static const char *const rz_reg_names[12] = { "rdi", "rsi", "rdx", "r10", "r8",  "r9",
                                              "rbx", "rbp", "r12", "r13", "r14", "r15" };

#define RZ_SAVE(reg, i) "movq %%" reg ", pv_rz+%c[sv]+" #i "*8(%%rip)\n\t"
#define RZ_REST(reg, i) "movq pv_rz+%c[sv]+" #i "*8(%%rip), %%" reg "\n\t"
#define RZ_OUT(reg, i) "movq %%" reg ", pv_rz+%c[out]+" #i "*8(%%rip)\n\t"
#define RZ_LOAD(reg, i) "movq %c[in]+" #i "*8(%%rbx), %%" reg "\n\t"
#define RZ_ALL(M)                                                                                   \
        M("rdi", 0) M("rsi", 1) M("rdx", 2) M("r10", 3) M("r8", 4) M("r9", 5) M("rbx", 6) M("rbp", 7) \
                M("r12", 8) M("r13", 9) M("r14", 10) M("r15", 11)

static __attribute__((noinline)) long rz_syscall(void) {
        long ret;
        __asm__ volatile(
                /* keep what the compiler may hold in these registers */
                RZ_ALL(RZ_SAVE)
                /* keep the compiler's red zone */
                "leaq pv_rz(%%rip), %%rbx\n\t"
                "xorl %%ecx, %%ecx\n"
                "1:\n\t"
                "movq -128(%%rsp,%%rcx), %%rax\n\t"
                "movq %%rax, %c[szone](%%rbx,%%rcx)\n\t"
                "addq $8, %%rcx\n\t"
                "cmpq $128, %%rcx\n\t"
                "jb 1b\n\t"
                /* a stack of our own, if asked */
                "movq %%rsp, %c[orsp](%%rbx)\n\t"
                "movq %c[stk](%%rbx), %%rcx\n\t"
                "testq %%rcx, %%rcx\n\t"
                "jz 2f\n\t"
                "movq %%rcx, %%rsp\n"
                "2:\n\t"
                /* the pattern into the red zone */
                "xorl %%ecx, %%ecx\n"
                "3:\n\t"
                "movq %c[pat](%%rbx,%%rcx), %%rax\n\t"
                "movq %%rax, -128(%%rsp,%%rcx)\n\t"
                "addq $8, %%rcx\n\t"
                "cmpq $128, %%rcx\n\t"
                "jb 3b\n\t"
                "movq %%rsp, %c[rspb](%%rbx)\n\t"
                /* the test values; rbx, the base, last */
                "movq %c[nr](%%rbx), %%rax\n\t"
                RZ_LOAD("rdi", 0) RZ_LOAD("rsi", 1) RZ_LOAD("rdx", 2) RZ_LOAD("r10", 3)
                RZ_LOAD("r8", 4) RZ_LOAD("r9", 5) RZ_LOAD("rbp", 7) RZ_LOAD("r12", 8)
                RZ_LOAD("r13", 9) RZ_LOAD("r14", 10) RZ_LOAD("r15", 11) RZ_LOAD("rbx", 6)
                "syscall\n\t"
                /* record before anything touches a register or the stack */
                "movq %%rax, pv_rz+%c[ret](%%rip)\n\t"
                RZ_ALL(RZ_OUT)
                "movq %%rsp, pv_rz+%c[rspa](%%rip)\n\t"
                "leaq pv_rz(%%rip), %%rbx\n\t"
                "xorl %%ecx, %%ecx\n"
                "4:\n\t"
                "movq -128(%%rsp,%%rcx), %%rax\n\t"
                "movq %%rax, %c[zone](%%rbx,%%rcx)\n\t"
                "addq $8, %%rcx\n\t"
                "cmpq $128, %%rcx\n\t"
                "jb 4b\n\t"
                /* back to the compiler's stack and red zone */
                "movq %c[orsp](%%rbx), %%rsp\n\t"
                "xorl %%ecx, %%ecx\n"
                "5:\n\t"
                "movq %c[szone](%%rbx,%%rcx), %%rax\n\t"
                "movq %%rax, -128(%%rsp,%%rcx)\n\t"
                "addq $8, %%rcx\n\t"
                "cmpq $128, %%rcx\n\t"
                "jb 5b\n\t"
                RZ_ALL(RZ_REST)
                "movq pv_rz+%c[ret](%%rip), %%rax\n\t"
                : "=a"(ret)
                : [nr] "i"(offsetof(struct rz, nr)), [in] "i"(offsetof(struct rz, in)),
                  [out] "i"(offsetof(struct rz, out)), [ret] "i"(offsetof(struct rz, ret)),
                  [rspb] "i"(offsetof(struct rz, rsp_before)), [rspa] "i"(offsetof(struct rz, rsp_after)),
                  [stk] "i"(offsetof(struct rz, stack)), [orsp] "i"(offsetof(struct rz, orig_rsp)),
                  [sv] "i"(offsetof(struct rz, saved)), [pat] "i"(offsetof(struct rz, pattern)),
                  [zone] "i"(offsetof(struct rz, zone)), [szone] "i"(offsetof(struct rz, saved_zone))
                : "rcx", "r11", "memory");
        return ret;
}

struct rz_result {
        long bad_regs, bad_zone, bad_rsp;
        char first[512]; /* the first difference, described */
};

/* One call through rz_syscall with arguments a0..a5; the other registers and the pattern vary
 * with ROUND. Returns the raw result (-errno on failure). */
static long rz_call(struct rz_result *res, unsigned round, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
                    uint64_t a3, uint64_t a4, uint64_t a5) {
        uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
        pv_rz.nr = (uint64_t) nr;
        for (int i = 0; i < 6; i++)
                pv_rz.in[i] = args[i];
        for (int i = 6; i < 12; i++)
                pv_rz.in[i] = 0x5a17c0de00000000ULL ^ ((uint64_t) (i + 1) << 48) ^ ((uint64_t) round << 8) ^ (uint64_t) i;
        for (int i = 0; i < 128; i++)
                pv_rz.pattern[i] = (unsigned char) (0xa5 ^ (i * 37) ^ round);
        long r = rz_syscall();

        char *d = res->first;
        size_t left = sizeof res->first;
        bool first = !res->bad_regs && !res->bad_zone && !res->bad_rsp;
        bool regs = false, zone = false;
        for (int i = 0; i < 12; i++)
                if (pv_rz.out[i] != pv_rz.in[i]) {
                        regs = true;
                        if (first && left > 64) {
                                int n = snprintf(d, left, "%s%s 0x%llx -> 0x%llx", d == res->first ? "" : ", ",
                                                 rz_reg_names[i], (unsigned long long) pv_rz.in[i],
                                                 (unsigned long long) pv_rz.out[i]);
                                d += n, left -= (size_t) n;
                        }
                }
        if (pv_rz.rsp_after != pv_rz.rsp_before) {
                res->bad_rsp++;
                if (first && left > 64) {
                        int n = snprintf(d, left, "%srsp moved by %lld", d == res->first ? "" : ", ",
                                         (long long) (pv_rz.rsp_after - pv_rz.rsp_before));
                        d += n, left -= (size_t) n;
                }
        }
        int lo = -1, hi = -1;
        for (int i = 0; i < 128; i++)
                if (pv_rz.zone[i] != pv_rz.pattern[i]) {
                        if (lo < 0)
                                lo = i;
                        hi = i;
                }
        if (lo >= 0) {
                zone = true;
                if (first && left > 64)
                        snprintf(d, left, "%sred zone bytes rsp-%d..rsp-%d changed", d == res->first ? "" : ", ",
                                 128 - lo, 128 - hi);
        }
        res->bad_regs += regs;
        res->bad_zone += zone;
        return r;
}

static void rz_report(const char *call, const struct rz_result *res, long n) {
        if (!res->bad_regs && !res->bad_zone && !res->bad_rsp)
                printf("%s: registers intact, red zone intact (%ld calls)\n", call, n);
        else
                printf("%s: %ld of %ld calls changed registers, %ld the red zone, %ld rsp; first: %s\n", call,
                       res->bad_regs, n, res->bad_zone, res->bad_rsp, res->first);
}

static int cmd_redzone(int argc, char **argv) {
        need(argc, 4, 5, "redzone open|deny PATH N [lowstack]");
        bool deny = strcmp(argv[1], "deny") == 0;
        if (!deny && strcmp(argv[1], "open") != 0)
                die_usage("redzone: open or deny, not '%s'", argv[1]);
        if (argc == 5) {
                if (strcmp(argv[4], "lowstack") != 0)
                        die_usage("redzone: lowstack or nothing, not '%s'", argv[4]);
                /* two pages: the lower one inaccessible; %rsp 128 bytes above it, so that nothing
                 * but the red zone is left on this stack */
                long page = sysconf(_SC_PAGESIZE);
                unsigned char *m = mmap(NULL, (size_t) page * 2, PROT_READ | PROT_WRITE,
                                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED)
                        die_setup("mmap");
                if (mprotect(m, (size_t) page, PROT_NONE) < 0)
                        die_setup("mprotect");
                pv_rz.stack = (uint64_t) (uintptr_t) (m + page + 128);
        }
        static char path[PATH_MAX];
        snprintf(path, sizeof path, "%s", argv[2]);
        long n = parse_long("N", argv[3], 1, 100000);
        static struct stat st;
        struct rz_result ro = {}, rs = {};
        long open_err = 0, stat_err = 0, content_bad = 0;
        struct content c0 = {}, c;
        off_t size = -1;

        for (long i = 0; i < n; i++) {
                long fd = rz_call(&ro, (unsigned) i, SYS_openat, (uint64_t) (int64_t) AT_FDCWD, (uint64_t) (uintptr_t) path,
                                  O_RDONLY | O_CLOEXEC, 0, 0x8888000000000008ULL, 0x9999000000000009ULL);
                if (fd < 0) {
                        open_err++;
                        if (i == 0)
                                printf("openat: err %s\n", errno_name((int) -fd));
                } else {
                        ssize_t k = read((int) fd, c.data, sizeof c.data);
                        c.len = k > 0 ? (size_t) k : 0;
                        close((int) fd);
                        if (i == 0) {
                                c0 = c;
                                print_content("openat: content ", &c0);
                        } else if (!same_content(&c, &c0))
                                content_bad++;
                }
                memset(&st, 0xa5, sizeof st);
                long r = rz_call(&rs, (unsigned) i + 7, SYS_newfstatat, (uint64_t) (int64_t) AT_FDCWD, (uint64_t) (uintptr_t) path,
                                 (uint64_t) (uintptr_t) &st, 0, 0x8888000000000018ULL, 0x9999000000000019ULL);
                if (r < 0) {
                        stat_err++;
                        if (i == 0)
                                printf("newfstatat: err %s\n", errno_name((int) -r));
                } else if (i == 0) {
                        size = st.st_size;
                        printf("newfstatat: ok size=%lld mode=0%o\n", (long long) st.st_size, (unsigned) st.st_mode);
                } else if (st.st_size != size)
                        content_bad++;
        }
        if ((deny && (open_err != n || stat_err != n)) || (!deny && (open_err || stat_err)))
                printf("results varied: %ld openat and %ld newfstatat failed of %ld\n", open_err, stat_err, n);
        if (content_bad)
                printf("%ld calls saw other content or size\n", content_bad);
        rz_report("openat", &ro, n);
        rz_report("newfstatat", &rs, n);
        return 0;
}

#else

static int cmd_redzone(int argc, char **argv) {
        (void) argc, (void) argv;
        printf("not x86-64\n");
        return 77;
}

#endif

/* ---------------------------------------------------------------------------------------------- */
/* ptrace
 * Our own use of ptrace: PTRACE_TRACEME in a child; PTRACE_SEIZE of a child; PTRACE_ATTACH of
 * another child (waits for its stop, detaches). Prints "NAME: ok" or "NAME: err ENAME" for each,
 * then "continued". Exit 0 (1 if a child could not be reaped). */

static pid_t sleeper(void) {
        pid_t pid = fork();
        if (pid < 0)
                die_setup("fork");
        if (pid == 0) {
                for (;;)
                        pause();
        }
        return pid;
}

/* Kills and reaps a child that we may be tracing (tracing stops come first: skip them). */
static bool kill_reap(pid_t pid) {
        kill(pid, SIGKILL);
        for (;;) {
                int status;
                pid_t w = waitpid(pid, &status, __WALL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return false;
                if (WIFEXITED(status) || WIFSIGNALED(status))
                        return true;
        }
}

static int cmd_ptrace(int argc, char **argv) {
        (void) argv;
        need(argc, 1, 1, "ptrace");
        bool reaped = true;

        /* PTRACE_TRACEME in a child, whose tracer would be us; it exits at once (no signal, no exec,
         * so no stop to handle) with 0 on success, else 10 + errno. */
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                die_setup("fork");
        if (pid == 0)
                _exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 10 + errno);
        int status;
        while (waitpid(pid, &status, __WALL) < 0)
                if (errno != EINTR)
                        die_setup("waitpid");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                printf("traceme: ok\n");
        else if (WIFEXITED(status) && WEXITSTATUS(status) > 10)
                printf("traceme: err %s\n", errno_name(WEXITSTATUS(status) - 10));
        else
                printf("traceme: child status 0x%x\n", status);

        /* PTRACE_SEIZE of a child */
        pid = sleeper();
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) == 0)
                printf("seize: ok\n");
        else
                printf("seize: err %s\n", errno_name(errno));
        reaped &= kill_reap(pid);

        /* PTRACE_ATTACH of a child: on success it stops (SIGSTOP); wait for that, then detach */
        pid = sleeper();
        if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
                pid_t w;
                do
                        w = waitpid(pid, &status, __WALL);
                while (w < 0 && errno == EINTR);
                if (w == pid && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP) {
                        if (ptrace(PTRACE_DETACH, pid, NULL, NULL) == 0)
                                printf("attach: ok (stopped, detached)\n");
                        else
                                printf("attach: ok, detach: err %s\n", errno_name(errno));
                } else
                        printf("attach: ok, but then status 0x%x\n", status);
        } else
                printf("attach: err %s\n", errno_name(errno));
        reaped &= kill_reap(pid);

        printf("continued\n");
        return reaped ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------------- */

static void usage(FILE *f) {
        fputs("usage: pv-proc SUBCOMMAND ARGS...\n"
              "Process behaviour under a path supervisor, printed in a stable form for diffing.\n"
              "\n"
              "  signals PATH ROUNDS [restart|norestart]   handlers run while path calls loop\n"
              "  eintr restart|norestart [PATH]             read(2) on a pipe interrupted by SIGALRM\n"
              "  exit CODE [PATH]   raise SIGNAL [PATH]   segv [PATH]   abort [PATH]\n"
              "  ticker OUT PIDFILE PATH                    appends a line to OUT every 50 ms\n"
              "  stopself PATH PIDFILE                      raise(SIGSTOP), then go on\n"
              "  echo-lines PATH PIDFILE CODE               echo stdin's lines (for a terminal)\n"
              "  forktree PATH N PIDFILE CODE               N children, some with threads\n"
              "  orphan PATH OUT DELAY_MS PIDFILE           leave an orphan that outlives us\n"
              "  thread-exec PATH cat|self                  execve from a second thread\n"
              "  cat PATH CODE [PID]                        print PATH, exit CODE\n"
              "  redzone open|deny PATH N [lowstack]        raw syscall with a filled red zone\n"
              "  ptrace                                     our own PTRACE_TRACEME/SEIZE/ATTACH\n"
              "\n"
              "PIDFILE lines are \"PID STARTTIME\". Exit 1 when the helper's own set-up failed,\n"
              "2 on usage errors.\n",
              f);
}

int main(int argc, char **argv) {
        if (argc < 2)
                die_usage("missing subcommand");
        argc--, argv++;
        if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        static const struct {
                const char *name;
                int (*fn)(int, char **);
        } cmds[] = {
                { "signals", cmd_signals },         { "eintr", cmd_eintr },
                { "exit", cmd_exit },               { "raise", cmd_raise },
                { "segv", cmd_segv },               { "abort", cmd_abort },
                { "ticker", cmd_ticker },           { "stopself", cmd_stopself },
                { "echo-lines", cmd_echo_lines },   { "forktree", cmd_forktree },
                { "orphan", cmd_orphan },           { "thread-exec", cmd_thread_exec },
                { "cat", cmd_cat },                 { "redzone", cmd_redzone },
                { "ptrace", cmd_ptrace },
        };
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
                if (strcmp(argv[0], cmds[i].name) == 0)
                        return cmds[i].fn(argc, argv);
        die_usage("unknown subcommand '%s'", argv[0]);
}
