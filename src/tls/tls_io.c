/* SPDX-License-Identifier: MIT */
/* TCP for the native transport: non-blocking connect with a deadline, and the pkiws_tls_io
 * byte stream (poll-based send/recv against the current deadline) that TLS backends use. */
#include "pkiws_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tls/tls.h"

int64_t pkiws__tls_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pkiws__tls_io_init(pkiws_tls_io *io, int fd, const char *host, int port)
{
    memset(io, 0, sizeof *io);
    io->fd = fd;
    io->phase = "talking to";
    if (strchr(host, ':'))
        snprintf(io->what, sizeof io->what, "[%s]:%d", host, port);
    else
        snprintf(io->what, sizeof io->what, "%s:%d", host, port);
}

void pkiws__tls_io_set_deadline(pkiws_tls_io *io, int64_t deadline, int64_t budget_ms,
                                const char *phase)
{
    io->deadline = deadline;
    io->budget_ms = budget_ms;
    io->phase = phase ? phase : "talking to";
}

static int io_fail(pkiws_tls_io *io, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int io_fail(pkiws_tls_io *io, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(io->last_msg, sizeof io->last_msg, fmt, ap);
    va_end(ap);
    io->last_rc = code;
    io->fail_seq++;
    return pkiws__fail(code, "%s", io->last_msg);
}

int pkiws__tls_io_refail(const pkiws_tls_io *io)
{
    return pkiws__fail(io->last_rc, "%s", io->last_msg);
}

/* Milliseconds left before the deadline for poll(): -1 without one, 0 when passed. */
static int remaining(int64_t deadline)
{
    if (!deadline)
        return -1;
    int64_t left = deadline - pkiws__tls_now_ms();
    if (left <= 0)
        return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* Wait for events on fd; 1 ready, 0 deadline passed, -1 poll error (errno). */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int ms = remaining(deadline);
        if (ms == 0)
            return 0;
        struct pollfd p = {fd, events, 0};
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static int timed_out(pkiws_tls_io *io, const char *dir)
{
    return io_fail(io, PKIWS_E_TIMEOUT, "the operation has timed out after %lld ms %s %s (%s)",
                   (long long)io->budget_ms, io->phase, io->what, dir);
}

int pkiws__tls_io_send(pkiws_tls_io *io, const uint8_t *data, size_t len, size_t *n_out)
{
    if (n_out)
        *n_out = 0;
    if (!io || !n_out || (!data && len))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_io_send: NULL %s",
                           !io      ? "io"
                           : !n_out ? "n_out"
                                    : "data");
    if (len == 0)
        return PKIWS_OK;
    for (;;) {
        ssize_t n = send(io->fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            *n_out = (size_t)n;
            io->sent += (uint64_t)n;
            return PKIWS_OK;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(io->fd, POLLOUT, io->deadline);
            if (w == 0)
                return timed_out(io, "sending");
            if (w < 0)
                return io_fail(io, PKIWS_E_CONNECT, "the connection broke %s %s: %s", io->phase,
                               io->what, strerror(errno));
            continue;
        }
        if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
            return io_fail(io, PKIWS_E_CONNECT, "the connection was closed by the peer %s %s",
                           io->phase, io->what);
        return io_fail(io, PKIWS_E_CONNECT, "the connection broke %s %s: %s", io->phase, io->what,
                       n == 0 ? "nothing sent" : strerror(errno));
    }
}

int pkiws__tls_io_recv(pkiws_tls_io *io, uint8_t *buf, size_t cap, size_t *n_out)
{
    if (n_out)
        *n_out = 0;
    if (!io || !n_out || !buf || !cap)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_io_recv: NULL %s or no room",
                           !io      ? "io"
                           : !n_out ? "n_out"
                                    : "buffer");
    for (;;) {
        ssize_t n = recv(io->fd, buf, cap, 0);
        if (n >= 0) {
            *n_out = (size_t)n;
            io->received += (uint64_t)n;
            return PKIWS_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = wait_fd(io->fd, POLLIN, io->deadline);
            if (w == 0)
                return timed_out(io, "receiving");
            if (w < 0)
                return io_fail(io, PKIWS_E_CONNECT, "the connection broke %s %s: %s", io->phase,
                               io->what, strerror(errno));
            continue;
        }
        if (errno == ECONNRESET)
            return io_fail(io, PKIWS_E_CONNECT, "the connection was reset by the peer %s %s",
                           io->phase, io->what);
        return io_fail(io, PKIWS_E_CONNECT, "the connection broke %s %s: %s", io->phase, io->what,
                       strerror(errno));
    }
}

static void set_sockopts(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
}

/* One address: 0 connected (*fd_out), else errno (ETIMEDOUT for the deadline). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    set_sockopts(fd);
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r < 0 && errno != EINPROGRESS && errno != EINTR) {
        int e = errno;
        close(fd);
        return e;
    }
    if (r < 0) {
        int w = wait_fd(fd, POLLOUT, deadline);
        if (w <= 0) {
            int e = w == 0 ? ETIMEDOUT : errno;
            close(fd);
            return e;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err) {
            close(fd);
            return err;
        }
    }
    *fd_out = fd;
    return 0;
}

int pkiws__tls_tcp_connect(const char *host, int port, int64_t deadline, int64_t budget_ms,
                           int *fd_out)
{
    *fd_out = -1;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    int g = getaddrinfo(host, portstr, &hints, &res);
    if (g == EAI_ADDRFAMILY || g == EAI_NONAME || g == EAI_NODATA) {
        /* AI_ADDRCONFIG hides loopback-only set-ups on hosts without other addresses */
        hints.ai_flags = AI_NUMERICSERV;
        g = getaddrinfo(host, portstr, &hints, &res);
    }
    if (g != 0)
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_CA_FQDN,
                                  "cannot resolve the host name '%s': %s", host,
                                  g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
    int err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        err = connect_one(ai, deadline, fd_out);
        if (!err || err == ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    if (!err)
        return PKIWS_OK;
    if (err == ETIMEDOUT)
        return pkiws__fail(PKIWS_E_TIMEOUT,
                           "the operation has timed out after %lld ms connecting to %s port %d",
                           (long long)budget_ms, host, port);
    return pkiws__fail(PKIWS_E_CONNECT, "cannot connect to %s port %d: %s", host, port,
                       strerror(err));
}

int pkiws__tls_tcp_idle_ok(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    int n;
    do
        n = poll(&p, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return 0;
    if (n == 0)
        return 1; /* nothing to read, no hang-up: still open */
    /* readable on an idle connection: EOF, an alert (close_notify) or junk; all end it */
    return 0;
}

void pkiws__tls_tcp_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
