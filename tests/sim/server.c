/* SPDX-License-Identifier: MIT */
/* TLS listener: mutual TLS 1.2 (client certificate verified against the RA CA), one thread
 * per connection, port file, shutdown on SIGTERM/SIGINT. */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static sim_conn *conns;
static size_t nconns;

/* ---- socket I/O for mbedTLS, with deadlines ---- */

static int wait_fd(sim_conn *c, short events, int64_t deadline)
{
    for (;;) {
        int timeout = -1;
        if (deadline) {
            int64_t left = deadline - sim_now_ms();
            if (left <= 0)
                return 0;
            timeout = left > 1000 ? 1000 : (int)left;
        }
        struct pollfd p = {c->fd, events, 0};
        int r = poll(&p, 1, timeout);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    sim_conn *c = ctx;
    for (;;) {
        if (c->fd < 0)
            return MBEDTLS_ERR_NET_CONN_RESET;
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
        int w = wait_fd(c, POLLIN, c->deadline);
        if (w == 0) {
            c->timed_out = 1;
            return MBEDTLS_ERR_SSL_TIMEOUT;
        }
        if (w < 0)
            return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    sim_conn *c = ctx;
    int64_t deadline = sim_now_ms() + SIM_WRITE_TIMEOUT_MS;
    for (;;) {
        if (c->fd < 0)
            return MBEDTLS_ERR_NET_CONN_RESET;
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return (errno == EPIPE || errno == ECONNRESET) ? MBEDTLS_ERR_NET_CONN_RESET
                                                           : MBEDTLS_ERR_NET_SEND_FAILED;
        if (wait_fd(c, POLLOUT, deadline) <= 0)
            return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

int sim_conn_read(sim_conn *c, void *buf, size_t n)
{
    for (;;) {
        int r = mbedtls_ssl_read(&c->ssl, buf, n);
        if (r > 0)
            return r;
        if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF)
            return 0;
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        return r;
    }
}

int sim_conn_write(sim_conn *c, const void *p, size_t n)
{
    const unsigned char *q = p;
    while (n) {
        int r = mbedtls_ssl_write(&c->ssl, q, n);
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (r <= 0)
            return -1;
        q += r;
        n -= (size_t)r;
    }
    return 0;
}

void sim_conn_close(sim_conn *c, int how)
{
    if (c->fd < 0)
        return;
    if (how == SIM_CLOSE_GRACEFUL)
        mbedtls_ssl_close_notify(&c->ssl);
    pthread_mutex_lock(&conns_lock);
    if (how == SIM_CLOSE_RESET) {
        struct linger l = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->fd);
    c->fd = -1;
    pthread_mutex_unlock(&conns_lock);
}

/* Close after a failed handshake without resetting: stop sending, read what the client still
 * sends (briefly), then close. Closing with unread input would turn the alert into an RST. */
static void linger_close(sim_conn *c)
{
    if (c->fd < 0)
        return;
    shutdown(c->fd, SHUT_WR);
    int64_t deadline = sim_now_ms() + 500;
    char junk[4096];
    for (;;) {
        ssize_t n = recv(c->fd, junk, sizeof junk, 0);
        if (n > 0)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            break;
        if (wait_fd(c, POLLIN, deadline) <= 0)
            break;
    }
    sim_conn_close(c, SIM_CLOSE_PLAIN);
}

/* ---- TLS configuration ---- */

int sim_tls_setup(sim_server *srv)
{
    mbedtls_ssl_config *conf = &srv->tls;
    int ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        goto fail;
    mbedtls_ssl_conf_rng(conf, sim_rng, srv);
    /* pki-ws speaks TLS 1.2 (mbedTLS 2.28 has no 1.3); refuse older versions. */
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    /* The RA CA is the only trust anchor for clients: an end-entity certificate from the
     * issuing CA, or one from a foreign CA, is refused during the handshake. */
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, &srv->pki.ra_ca, NULL);
    ret = mbedtls_ssl_conf_own_cert(conf, &srv->pki.server_chain, &srv->pki.server_key);
    if (ret != 0)
        goto fail;
    mbedtls_ssl_conf_session_cache(conf, &srv->cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    return 0;
fail:;
    char m[128];
    mbedtls_strerror(ret, m, sizeof m);
    fprintf(stderr, "pkiws-sim: TLS set-up failed: %s (-0x%04X)\n", m, (unsigned)-ret);
    return -1;
}

/* Why a handshake failed, in words for the log. 1 when the client certificate was refused. */
static int describe_handshake_failure(sim_conn *c, int ret, char *out, size_t cap)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
    if (ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ||
        (ret == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE && mbedtls_ssl_get_peer_cert(&c->ssl) == NULL)) {
        snprintf(out, cap, "the client sent no certificate (an RA certificate is required)");
        return 1;
    }
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
        (flags != 0 && flags != (uint32_t)-1 && ret != MBEDTLS_ERR_SSL_TIMEOUT)) {
        char info[256] = "";
        mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
        for (char *p = info; *p; p++)
            if (*p == '\n')
                *p = *(p + 1) ? ';' : 0;
        snprintf(out, cap,
                 "the client certificate is not trusted (issued by a CA other than "
                 "the RA CA): %s",
                 info);
        return 1;
    }
    if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
        snprintf(out, cap, "the handshake timed out");
        return 0;
    }
    char m[128];
    mbedtls_strerror(ret, m, sizeof m);
    snprintf(out, cap, "%s (-0x%04X)", m, (unsigned)-ret);
    return 0;
}

static void *conn_main(void *arg)
{
    sim_conn *c = arg;
    sim_server *srv = c->srv;
    mbedtls_ssl_init(&c->ssl);
    if (mbedtls_ssl_setup(&c->ssl, &srv->tls) != 0)
        goto out;
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    c->deadline = sim_now_ms() + srv->opt.request_timeout_ms;
    int ret;
    do
        ret = mbedtls_ssl_handshake(&c->ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret != 0) {
        char why[512];
        if (describe_handshake_failure(c, ret, why, sizeof why))
            atomic_fetch_add(&srv->stats.tls_refused, 1);
        if (!atomic_load(&srv->stop))
            sim_log(srv, "connection %lu from %s: TLS handshake refused: %s", c->id, c->peer, why);
        /* mbedTLS sends no alert for a missing client certificate: say handshake_failure, so
         * the client learns why instead of seeing a reset. */
        if (ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
            mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                           MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
        linger_close(c);
        goto out;
    }
    if (!srv->opt.quiet) {
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
        char dn[256] = "?";
        if (peer)
            mbedtls_x509_dn_gets(dn, sizeof dn, &peer->subject);
        /* the client key's type: which signature the client's CertificateVerify carried */
        sim_log(srv, "connection %lu from %s: %s, %s, client %s (%s key)", c->id, c->peer,
                mbedtls_ssl_get_version(&c->ssl), mbedtls_ssl_get_ciphersuite(&c->ssl), dn,
                peer ? mbedtls_pk_get_name(&peer->pk) : "no");
    }
    sim_http_serve(c);
    sim_conn_close(c, SIM_CLOSE_GRACEFUL);
out:
    mbedtls_ssl_free(&c->ssl);
    pkiws__buf_dispose(&c->in);
    atomic_store(&c->done, 1);
    return NULL;
}

/* Join and free finished connections (all of them when `all`). */
static void reap(int all)
{
    for (;;) {
        sim_conn *victim = NULL;
        pthread_mutex_lock(&conns_lock);
        for (sim_conn **pp = &conns; *pp; pp = &(*pp)->next) {
            if (all || atomic_load(&(*pp)->done)) {
                victim = *pp;
                *pp = victim->next;
                nconns--;
                break;
            }
        }
        pthread_mutex_unlock(&conns_lock);
        if (!victim)
            return;
        pthread_join(victim->thread, NULL);
        pkiws__free(victim);
    }
}

static int open_listener(const char *spec, int *port_out)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof host || !colon[1]) {
        fprintf(stderr, "pkiws-sim: --listen wants ADDR:PORT, got '%s'\n", spec);
        return -1;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    if (host[0] == '[') { /* [::1]:0 */
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']') {
            fprintf(stderr, "pkiws-sim: --listen: bad IPv6 address in '%s'\n", spec);
            return -1;
        }
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "pkiws-sim: --listen '%s': %s\n", spec, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        fprintf(stderr, "pkiws-sim: cannot listen on %s: %s\n", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "pkiws-sim: cannot write the port file %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN + 2] = "?", port[16] = "?";
    getnameinfo((const struct sockaddr *)ss, sizeof *ss, host, sizeof host, port, sizeof port,
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, cap, "%s:%s", host, port);
}

int sim_serve(sim_server *srv)
{
    int lfd = open_listener(srv->opt.listen, &srv->port);
    if (lfd < 0)
        return 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        fprintf(stderr, "pkiws-sim: signalfd: %s\n", strerror(errno));
        close(lfd);
        return 1;
    }
    if (srv->opt.port_file && write_port_file(srv->opt.port_file, srv->port) != 0) {
        close(lfd);
        close(sfd);
        return 1;
    }
    if (!srv->opt.quiet)
        fprintf(stderr,
                "pkiws-sim: listening on %s (port %d), base URL https://localhost:%d/pki-ws\n",
                srv->opt.listen, srv->port, srv->port);

    unsigned long next_id = 1;
    for (;;) {
        struct pollfd p[2] = {{lfd, POLLIN, 0}, {sfd, POLLIN, 0}};
        int r = poll(p, 2, 250);
        reap(0);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
                sim_log(NULL, "signal %u: shutting down", si.ssi_signo);
            break;
        }
        if (!(p[0].revents & POLLIN))
            continue;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            continue;
        atomic_fetch_add(&srv->stats.connections, 1);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_mutex_lock(&conns_lock);
        size_t active = nconns;
        pthread_mutex_unlock(&conns_lock);
        if (active >= (size_t)srv->opt.max_connections) {
            sim_log(srv, "refusing a connection: %zu connections already open (--max-connections)",
                    active);
            close(fd);
            continue;
        }
        sim_conn *c = pkiws__calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->srv = srv;
        c->fd = fd;
        c->id = next_id++;
        peer_name(&ss, c->peer, sizeof c->peer);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 1u << 20);
        pthread_mutex_lock(&conns_lock);
        int perr = pthread_create(&c->thread, &attr, conn_main, c);
        pthread_attr_destroy(&attr);
        if (perr != 0) {
            pthread_mutex_unlock(&conns_lock);
            close(fd);
            pkiws__free(c);
            continue;
        }
        c->next = conns;
        conns = c;
        nconns++;
        pthread_mutex_unlock(&conns_lock);
    }
    /* Shutdown: stop accepting, wake every connection (their reads end), join them. */
    atomic_store(&srv->stop, 1);
    close(lfd);
    close(sfd);
    pthread_mutex_lock(&conns_lock);
    for (sim_conn *c = conns; c; c = c->next)
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&conns_lock);
    reap(1);
    return 0;
}
