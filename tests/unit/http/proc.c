/* SPDX-License-Identifier: MIT */
/* Child processes and files for the end-to-end transport tests (see proc.h). */
#include "proc.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 32
static pid_t children[MAX_CHILDREN];

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid)
            children[i] = 0;
}

pid_t proc_spawn(char *const argv[], const char *out_path, const char *err_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* die with the test, even when it is killed by a timeout */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (!children[i]) {
            children[i] = pid;
            break;
        }
    return pid;
}

void proc_kill_all(pid_t keep)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0 && children[i] != keep)
            proc_stop(children[i], SIGKILL);
}

char *file_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap + 1);
    while (p) {
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        char *q = realloc(p, cap * 2 + 1);
        if (!q) {
            free(p);
            p = NULL;
            break;
        }
        p = q;
        cap *= 2;
    }
    fclose(f);
    if (!p)
        return NULL;
    p[n] = 0;
    if (len)
        *len = n;
    return p;
}

int proc_wait_file(pid_t pid, const char *path, const char *needle, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        char *t = file_slurp(path, NULL);
        int found = t && strstr(t, needle);
        free(t);
        if (found)
            return 0;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return -1;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int proc_stop(pid_t pid, int sig)
{
    if (pid <= 0)
        return -1;
    forget(pid);
    kill(pid, sig);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

long stat_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, key, kl) && p[kl] == ' ')
            return strtol(p + kl + 1, NULL, 10);
    return -1;
}
