/* SPDX-License-Identifier: MIT */
/* Child processes and files for the end-to-end transport tests (openssl s_server, pkiws-sim). */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Start argv[0] with stdout and stderr to the given files; -1 on failure. The child gets
 * SIGKILL when this process dies, and is remembered until proc_stop(). */
pid_t proc_spawn(char *const argv[], const char *out_path, const char *err_path);
/* Kill (SIGKILL) and reap every child still running except keep (0: none): for teardowns, so
 * that a failed test leaves no server behind. */
void proc_kill_all(pid_t keep);
/* Wait until the file contains needle; 0 when it does, -1 after timeout_ms or if pid died. */
int proc_wait_file(pid_t pid, const char *path, const char *needle, int timeout_ms);
/* Send sig and reap the child; its exit status (or -1). */
int proc_stop(pid_t pid, int sig);
/* Whole file, NUL-terminated (malloc'd; NULL when unreadable). */
char *file_slurp(const char *path, size_t *len);
/* The integer after "key " on a line of the file's text, or -1. */
long stat_value(const char *text, const char *key);

#endif
