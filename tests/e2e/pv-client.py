#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pv-client.py: a raw client of pathvisord for the e2e tests.

It sends what `pathvisor run` never would (bad JSON, too many fds, a pipe named seccompFd, a
listener of another user's process, ...) and prints what the daemon answered, so that
run-daemon-tests.sh can check each reply. It also collects sd_notify datagrams.

  pv-client.py send --socket S [options]
      Connects to S, sends one message with its fds attached to the first sendmsg(), and prints
      what came back:
          REPLY <the reply line>      the daemon answered (then EOF or not)
          EOF                         the daemon closed without a word
          TIMEOUT                     nothing within --timeout seconds
          ERROR <what>                connect failed, ...
      followed by "ELAPSED <seconds>" (from the connect to the answer or EOF).
      --json TEXT            the message; @CHILD@ / @SELF@ are replaced by the pid of the
                             listener child / of this process
      --junk N               N bytes of filler instead (after --json TEXT as a prefix, if given)
      --fd SPEC              attach an fd (repeatable, in order): file:PATH, pipe, devnull,
                             listener (a real seccomp listener of a child that this script forks;
                             the child stays as the user we started as), pidfd:child, pidfd:self,
                             pidfd:PID
      --split N              send the first N bytes alone (no fds), wait --split-wait seconds,
                             then the rest with the fds ("fds in a second message")
      --split-wait SEC       default 0.3
      --close                shut the writing side after the message (as OCI runtimes close)
      --idle                 send nothing at all; just wait for the daemon to give up on us
      --as-uid UID[:GID]     after the fds are made (listener child included), become UID (and
                             GID, default UID; no supplementary groups) before connecting, so that
                             SO_PEERCRED names that user
      --timeout SEC          how long to wait for the answer (default 10)

  pv-client.py notify-collect --path P --out FILE [--connect SOCK] [--timeout SEC]
      Binds an AF_UNIX datagram socket at P and appends every datagram received to FILE, one
      line per datagram line, a line "--" after each datagram. With --connect, on the first
      READY=1 it tries to connect to SOCK and writes "CONNECT ok" or "CONNECT <error>" (READY
      must only come once the daemon's socket answers). Runs until killed or --timeout.
"""

import argparse
import ctypes
import os
import select
import socket
import struct
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)

SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
SECCOMP_RET_USER_NOTIF = 0x7FC00000
SECCOMP_RET_ALLOW = 0x7FFF0000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
SYS_seccomp = 317  # x86_64
NEVER_CALLED = 1023  # a system call number that the child never makes


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def make_listener_child():
    """Forks a child that installs a seccomp filter with a listener (notifying only a syscall
    number that nobody calls) and passes the listener to us. The child then waits for us to go
    away. Returns (pid, listener_fd)."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        try:
            a.close()
            libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
            if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS)")
            insns = (SockFilter * 4)(
                SockFilter(0x20, 0, 0, 0),  # ld [0] (nr)
                SockFilter(0x15, 0, 1, NEVER_CALLED),  # jeq NEVER_CALLED
                SockFilter(0x06, 0, 0, SECCOMP_RET_USER_NOTIF),
                SockFilter(0x06, 0, 0, SECCOMP_RET_ALLOW),
            )
            prog = SockFprog(4, insns)
            libc.syscall.restype = ctypes.c_long
            fd = libc.syscall(ctypes.c_long(SYS_seccomp), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                              ctypes.c_long(SECCOMP_FILTER_FLAG_NEW_LISTENER), ctypes.byref(prog))
            if fd < 0:
                raise OSError(ctypes.get_errno(), "seccomp(NEW_LISTENER)")
            socket.send_fds(b, [b"L"], [fd])
            os.close(fd)
            b.recv(1)  # until our parent is gone
        except BaseException as e:  # noqa: BLE001 - the child must never return
            sys.stderr.write("pv-client: listener child: %s\n" % e)
            os._exit(1)
        os._exit(0)
    b.close()
    msg, fds, _, _ = socket.recv_fds(a, 1, 1)
    if not fds:
        raise SystemExit("pv-client: the listener child sent no listener")
    make_listener_child.keep = a  # the child lives as long as this socket stays open
    return pid, fds[0]


def cmd_send(args):
    fds = []
    child = None
    for spec in args.fd:
        if spec.startswith("file:"):
            fds.append(os.open(spec[5:], os.O_RDONLY))
        elif spec == "pipe":
            r, w = os.pipe()
            fds.append(r)
        elif spec == "devnull":
            fds.append(os.open("/dev/null", os.O_RDWR))
        elif spec == "listener":
            child, lfd = make_listener_child()
            fds.append(lfd)
        elif spec == "pidfd:child":
            if child is None:
                child, lfd = make_listener_child()
            fds.append(os.pidfd_open(child))
        elif spec == "pidfd:self":
            fds.append(os.pidfd_open(os.getpid()))
        elif spec.startswith("pidfd:"):
            fds.append(os.pidfd_open(int(spec[6:])))
        else:
            raise SystemExit("pv-client: unknown fd spec %r" % spec)

    data = b""
    if args.json is not None:
        text = args.json.replace("@SELF@", str(os.getpid()))
        if "@CHILD@" in text:
            if child is None:
                child, lfd = make_listener_child()
                os.close(lfd)
            text = text.replace("@CHILD@", str(child))
        data = text.encode()
    if args.junk:
        data += b"x" * args.junk

    if args.as_uid:
        uid, _, gid = args.as_uid.partition(":")
        uid = int(uid)
        gid = int(gid) if gid else uid
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)

    out = sys.stdout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    t0 = time.monotonic()
    try:
        s.connect(args.socket)
    except OSError as e:
        print("ERROR connect: %s" % e.strerror, file=out)
        print("ELAPSED %.3f" % (time.monotonic() - t0), file=out)
        return 0

    send_error = None
    if not args.idle:
        try:
            first, rest = data, b""
            if args.split is not None:
                first, rest = data[: args.split], data[args.split:]
                if first:
                    s.sendall(first)
                time.sleep(args.split_wait)
                first, rest = rest, b""
            if fds:
                n = socket.send_fds(s, [first], fds)
                rest = first[n:] + rest
            else:
                rest = first + rest
            if rest:
                s.sendall(rest)
            if args.close:
                s.shutdown(socket.SHUT_WR)
        except OSError as e:
            send_error = e.strerror
    for f in fds:
        os.close(f)

    # the answer: one line, or EOF, or nothing
    buf = b""
    result = None
    deadline = t0 + args.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            result = "TIMEOUT"
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            result = "TIMEOUT"
            break
        try:
            k = s.recv(65536)
        except OSError as e:
            result = "REPLY " + buf.decode(errors="replace").strip() if buf else "ERROR recv: %s" % e.strerror
            break
        if not k:
            result = "REPLY " + buf.decode(errors="replace").strip() if buf else "EOF"
            break
        buf += k
        if b"\n" in buf:
            result = "REPLY " + buf.split(b"\n", 1)[0].decode(errors="replace")
            break
    print(result, file=out)
    print("ELAPSED %.3f" % (time.monotonic() - t0), file=out)
    if send_error:
        print("SENDERROR %s" % send_error, file=out)
    s.close()
    return 0


def cmd_notify_collect(args):
    try:
        os.unlink(args.path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(args.path)
    os.chmod(args.path, 0o666)
    # tell whoever waits for us that we listen
    with open(args.out, "a") as f:
        f.write("LISTENING\n")
    ready_seen = False
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], 0.5)
        if not r:
            continue
        d = s.recv(65536)
        lines = d.decode(errors="replace").split("\n")
        extra = []
        if not ready_seen and "READY=1" in lines and args.connect:
            ready_seen = True
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(args.connect)
                extra.append("CONNECT ok")
            except OSError as e:
                extra.append("CONNECT %s" % e.strerror)
            c.close()
        with open(args.out, "a") as f:
            for line in lines:
                if line:
                    f.write(line + "\n")
            f.write("--\n")
            for line in extra:
                f.write(line + "\n")
    return 0


def main():
    p = argparse.ArgumentParser(description="raw pathvisord client for the e2e tests")
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send")
    ps.add_argument("--socket", required=True)
    ps.add_argument("--json")
    ps.add_argument("--junk", type=int, default=0)
    ps.add_argument("--fd", action="append", default=[])
    ps.add_argument("--split", type=int)
    ps.add_argument("--split-wait", type=float, default=0.3)
    ps.add_argument("--close", action="store_true")
    ps.add_argument("--idle", action="store_true")
    ps.add_argument("--as-uid")
    ps.add_argument("--timeout", type=float, default=10.0)
    pn = sub.add_parser("notify-collect")
    pn.add_argument("--path", required=True)
    pn.add_argument("--out", required=True)
    pn.add_argument("--connect")
    pn.add_argument("--timeout", type=float, default=120.0)
    args = p.parse_args()
    if args.cmd == "send":
        return cmd_send(args)
    return cmd_notify_collect(args)


if __name__ == "__main__":
    sys.exit(main())
