/* SPDX-License-Identifier: MIT */
/* Test servers on 127.0.0.1 for the native transport: a scripted HTTP/1.1 server (plain TCP,
 * one thread per connection, one script step per request in arrival order) and an HTTP
 * CONNECT proxy. Independent of pkiws. */
#ifndef SCRIPTED_H
#define SCRIPTED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

enum step_action {
    STEP_REPLY = 0,      /* send the response, keep reading requests on the connection */
    STEP_REPLY_CLOSE,    /* send the response, then close */
    STEP_CLOSE,          /* close without answering */
    STEP_SILENT,         /* never answer (until the server stops) */
    STEP_REPLY_THEN_DROP /* send the response, then close after 50 ms (a server idle timeout) */
};

typedef struct step {
    int action;
    const char *response; /* raw bytes: status line, headers, body */
    size_t len;           /* 0: strlen(response) */
} step;

#define SCRIPT_MAX 32

typedef struct srv {
    int lfd, port;
    pthread_t thread;
    pthread_mutex_t lock;
    step steps[SCRIPT_MAX];
    size_t nsteps;
    step fallback; /* used once the script is exhausted */
    size_t next;
    atomic_int accepts, requests, stop, threads;
    atomic_int close_on_accept; /* 1: close each connection at once, reading nothing */
    char last_request[16384];
    size_t last_request_len;
} srv;

/* Start listening (port 0: any); the script is filled in before the first request. */
int srv_start(srv *s);
void srv_add(srv *s, int action, const char *response);
void srv_stop(srv *s);

/* An HTTP CONNECT proxy: answers `answer` (NULL: "200 Connection established") and then
 * relays bytes to the requested host:port. */
typedef struct proxy {
    int lfd, port;
    pthread_t thread;
    atomic_int stop, tunnels;
    const char *answer;
    const char *want_auth; /* set by proxy_start_auth */
    char last_connect[512];
    char last_auth[256]; /* the Proxy-Authorization value of the last CONNECT ("" if none) */
} proxy;

int proxy_start(proxy *p);
/* As proxy_start, answering 407 unless the CONNECT's Proxy-Authorization is exactly want_auth
 * (e.g. "Basic dXNlcjpwYXNz"). */
int proxy_start_auth(proxy *p, const char *want_auth);
void proxy_stop(proxy *p);

#endif
