/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "http/backends.h"
#include "http/probe.h"

int pkiws__url_host_port(const char *url, char *host, size_t host_cap, unsigned *port)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t hl = strcspn(p, ":/");
    if (hl == 0 || hl >= host_cap)
        return pkiws__fail(PKIWS_E_CONFIG, "cannot find the host in '%s'", url);
    memcpy(host, p, hl);
    host[hl] = 0;
    *port = 443;
    if (p[hl] == ':') {
        char *end;
        unsigned long v = strtoul(p + hl + 1, &end, 10);
        if (v == 0 || v > 65535)
            return pkiws__fail(PKIWS_E_CONFIG, "bad port in '%s'", url);
        *port = (unsigned)v;
    }
    return PKIWS_OK;
}

static int lookup(const char *host, unsigned port, struct addrinfo **res)
{
    char ports[8];
    snprintf(ports, sizeof ports, "%u", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(host, ports, &hints, res);
    if (e)
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_CA_FQDN, "cannot resolve '%s': %s",
                                  host, gai_strerror(e));
    return PKIWS_OK;
}

int pkiws__probe_resolve(const char *host, unsigned port, char *addr, size_t addr_cap)
{
    struct addrinfo *res = NULL;
    int rc = lookup(host, port, &res);
    if (rc)
        return rc;
    addr[0] = 0;
    if (res->ai_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr,
                  (socklen_t)addr_cap);
    else if (res->ai_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, addr,
                  (socklen_t)addr_cap);
    freeaddrinfo(res);
    return PKIWS_OK;
}

int pkiws__probe_connect(const char *host, unsigned port, int64_t timeout_ms)
{
    struct addrinfo *res = NULL;
    int rc = lookup(host, port, &res);
    if (rc)
        return rc;
    int err = 0, timed_out = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r != 0 && errno == EINPROGRESS) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            r = poll(&pfd, 1, (int)timeout_ms);
            if (r == 0) {
                timed_out = 1;
                r = -1;
            } else if (r > 0) {
                socklen_t len = sizeof err;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                r = err ? -1 : 0;
            }
        } else if (r != 0) {
            err = errno;
        }
        close(fd);
        if (r == 0) {
            freeaddrinfo(res);
            return PKIWS_OK;
        }
    }
    freeaddrinfo(res);
    if (timed_out)
        return pkiws__fail(PKIWS_E_TIMEOUT, "TCP connect to %s:%u timed out after %lld ms", host,
                           port, (long long)timeout_ms);
    return pkiws__fail(PKIWS_E_CONNECT, "TCP connect to %s:%u failed: %s", host, port,
                       strerror(err));
}

int pkiws__probe_tunnel(const char *proxy_host, unsigned proxy_port, const char *credentials,
                        const char *host, unsigned port, int64_t timeout_ms, int *permanent)
{
    *permanent = 0;
    int64_t deadline = pkiws__tls_now_ms() + timeout_ms;
    int fd = -1;
    int rc = pkiws__tls_tcp_connect(proxy_host, (int)proxy_port, deadline, timeout_ms, &fd);
    if (rc)
        return pkiws__fail_context(rc, "proxy");
    pkiws_tls_io io;
    pkiws__tls_io_init(&io, fd, proxy_host, (int)proxy_port);
    pkiws__tls_io_set_deadline(&io, deadline, timeout_ms, "setting up the tunnel through proxy");
    rc = pkiws__http_proxy_tunnel(&io, host, (int)port, credentials, permanent);
    pkiws__tls_tcp_close(fd);
    return rc;
}
