/* SPDX-License-Identifier: MIT */
/* The scripted test servers (see scripted.h). */
#include "scripted.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* Wait for readability while watching the stop flag: 1 ready, 0 stopped. */
static int wait_readable(int fd, atomic_int *stop)
{
    while (!atomic_load(stop)) {
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, 50);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return 0;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- the scripted server ---- */

typedef struct conn_arg {
    srv *s;
    int fd;
} conn_arg;

/* Read one request (head + Content-Length body) into buf; its length, 0 at EOF/stop. */
static size_t read_request(srv *s, int fd, char *buf, size_t cap)
{
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (!wait_readable(fd, &s->stop) || len + 1 >= cap)
            return 0;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return 0;
        len += (size_t)n;
        buf[len] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head = (size_t)(end - buf) + 4, body = 0;
    const char *cl = strstr(buf, "Content-Length: ");
    if (cl && cl < end)
        body = strtoul(cl + 16, NULL, 10);
    while (len < head + body) {
        if (!wait_readable(fd, &s->stop) || len + 1 >= cap)
            return 0;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return 0;
        len += (size_t)n;
    }
    buf[len] = 0;
    return len;
}

static void *conn_main(void *v)
{
    conn_arg *a = v;
    srv *s = a->s;
    int fd = a->fd;
    free(a);
    char *buf = atomic_load(&s->close_on_accept) ? NULL : malloc(sizeof s->last_request);
    for (;;) {
        size_t len = buf ? read_request(s, fd, buf, sizeof s->last_request) : 0;
        if (!len)
            break;
        atomic_fetch_add(&s->requests, 1);
        pthread_mutex_lock(&s->lock);
        memcpy(s->last_request, buf, len + 1);
        s->last_request_len = len;
        step st = s->next < s->nsteps ? s->steps[s->next] : s->fallback;
        s->next++;
        pthread_mutex_unlock(&s->lock);
        if (st.action == STEP_CLOSE)
            break;
        if (st.action == STEP_SILENT) {
            while (!atomic_load(&s->stop))
                sleep_ms(20);
            break;
        }
        size_t n = st.len ? st.len : strlen(st.response);
        if (write_all(fd, st.response, n))
            break;
        if (st.action == STEP_REPLY_CLOSE)
            break;
        if (st.action == STEP_REPLY_THEN_DROP) {
            sleep_ms(50);
            break;
        }
    }
    free(buf);
    close(fd);
    atomic_fetch_sub(&s->threads, 1);
    return NULL;
}

static void *srv_main(void *v)
{
    srv *s = v;
    while (wait_readable(s->lfd, &s->stop)) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        atomic_fetch_add(&s->accepts, 1);
        conn_arg *a = malloc(sizeof *a);
        pthread_t t;
        if (!a) {
            close(fd);
            continue;
        }
        a->s = s;
        a->fd = fd;
        atomic_fetch_add(&s->threads, 1);
        if (pthread_create(&t, NULL, conn_main, a)) {
            atomic_fetch_sub(&s->threads, 1);
            close(fd);
            free(a);
            continue;
        }
        pthread_detach(t);
    }
    return NULL;
}

int srv_start(srv *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->fallback.action = STEP_REPLY;
    s->fallback.response = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nfallback";
    s->lfd = listen_any(&s->port);
    if (s->lfd < 0)
        return -1;
    return pthread_create(&s->thread, NULL, srv_main, s) ? -1 : 0;
}

void srv_add(srv *s, int action, const char *response)
{
    pthread_mutex_lock(&s->lock);
    if (s->nsteps < SCRIPT_MAX) {
        s->steps[s->nsteps].action = action;
        s->steps[s->nsteps].response = response;
        s->steps[s->nsteps].len = 0;
        s->nsteps++;
    }
    pthread_mutex_unlock(&s->lock);
}

void srv_stop(srv *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    while (atomic_load(&s->threads) > 0)
        sleep_ms(10);
    pthread_mutex_destroy(&s->lock);
}

/* ---- the proxy ---- */

typedef struct tunnel_arg {
    proxy *p;
    int fd;
} tunnel_arg;

static void relay(proxy *p, int a, int b)
{
    char buf[16384];
    for (;;) {
        if (atomic_load(&p->stop))
            return;
        struct pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        int n = poll(fds, 2, 50);
        if (n < 0 && errno != EINTR)
            return;
        for (int i = 0; i < 2; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = recv(fds[i].fd, buf, sizeof buf, 0);
            if (r <= 0 || write_all(fds[1 - i].fd, buf, (size_t)r))
                return;
        }
    }
}

static void *tunnel_main(void *v)
{
    tunnel_arg *a = v;
    proxy *p = a->p;
    int fd = a->fd, up = -1;
    free(a);
    char head[2048];
    size_t len = 0;
    head[0] = 0;
    while (!strstr(head, "\r\n\r\n")) {
        if (!wait_readable(fd, &p->stop) || len + 1 >= sizeof head)
            goto out;
        ssize_t n = recv(fd, head + len, sizeof head - 1 - len, 0);
        if (n <= 0)
            goto out;
        len += (size_t)n;
        head[len] = 0;
    }
    snprintf(p->last_connect, sizeof p->last_connect, "%.*s", (int)strcspn(head, "\r"), head);
    const char *auth = strstr(head, "\r\nProxy-Authorization: ");
    if (auth) {
        auth += 23;
        snprintf(p->last_auth, sizeof p->last_auth, "%.*s", (int)strcspn(auth, "\r"), auth);
    } else {
        p->last_auth[0] = 0;
    }
    if (p->answer) {
        write_all(fd, p->answer, strlen(p->answer));
        goto out;
    }
    if (p->want_auth && strcmp(p->last_auth, p->want_auth)) {
        static const char no[] = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                                 "Proxy-Authenticate: Basic realm=\"test\"\r\n"
                                 "Content-Length: 0\r\n\r\n";
        write_all(fd, no, sizeof no - 1);
        goto out;
    }
    int port = 0;
    char host[256];
    if (sscanf(head, "CONNECT %255[^:]:%d HTTP/1.1", host, &port) != 2)
        goto out;
    up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* every test host is local */
    if (up < 0 || connect(up, (struct sockaddr *)&sa, sizeof sa))
        goto out;
    atomic_fetch_add(&p->tunnels, 1);
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    if (write_all(fd, ok, sizeof ok - 1))
        goto out;
    relay(p, fd, up);
out:
    if (up >= 0)
        close(up);
    close(fd);
    return NULL;
}

static void *proxy_main(void *v)
{
    proxy *p = v;
    while (wait_readable(p->lfd, &p->stop)) {
        int fd = accept(p->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        tunnel_arg *a = malloc(sizeof *a);
        pthread_t t;
        if (!a) {
            close(fd);
            continue;
        }
        a->p = p;
        a->fd = fd;
        if (pthread_create(&t, NULL, tunnel_main, a)) {
            close(fd);
            free(a);
            continue;
        }
        pthread_detach(t);
    }
    return NULL;
}

int proxy_start(proxy *p)
{
    return proxy_start_auth(p, NULL);
}

int proxy_start_auth(proxy *p, const char *want_auth)
{
    const char *answer = p->answer;
    memset(p, 0, sizeof *p);
    p->answer = answer;
    p->want_auth = want_auth;
    p->lfd = listen_any(&p->port);
    if (p->lfd < 0)
        return -1;
    return pthread_create(&p->thread, NULL, proxy_main, p) ? -1 : 0;
}

void proxy_stop(proxy *p)
{
    atomic_store(&p->stop, 1);
    pthread_join(p->thread, NULL);
    close(p->lfd);
    sleep_ms(120); /* tunnels notice the flag within 50 ms */
}
