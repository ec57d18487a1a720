/* SPDX-License-Identifier: MIT */
/* Files of the tool: whole-file reads with a limit, writes staged beside the destination. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pkiws__cli_read(const char *what, const char *path, int secret, pkiws__cli_data *out,
                    pkiws__cli_outcome *o)
{
    memset(out, 0, sizeof(*out));
    out->secret = secret;
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pkiws__cli_outcome_fail(o, PKIWS_E_IO, "cannot open %s '%s': %s", what, path,
                                strerror(errno));
        return PKIWS_E_IO;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = pkiws__cli_malloc(cap + 1);
    int rc = PKIWS_OK;
    for (;;) {
        if (len == cap) {
            if (cap > PKIWS__CLI_MAX_FILE) {
                pkiws__cli_outcome_fail(o, PKIWS_E_LIMIT, "%s '%s' is larger than %u bytes", what,
                                        path, PKIWS__CLI_MAX_FILE);
                rc = PKIWS_E_LIMIT;
                break;
            }
            /* one byte over the limit tells a file of exactly the limit from a larger one */
            size_t ncap = cap * 2 > PKIWS__CLI_MAX_FILE ? PKIWS__CLI_MAX_FILE + 1 : cap * 2;
            uint8_t *nbuf = pkiws__cli_malloc(ncap + 1);
            memcpy(nbuf, buf, len);
            if (secret)
                pkiws__cli_free_secret(buf, cap + 1);
            else
                pkiws__cli_free(buf);
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pkiws__cli_outcome_fail(o, PKIWS_E_IO, "cannot read %s '%s' (after %zu bytes): %s",
                                    what, path, len, strerror(errno));
            rc = PKIWS_E_IO;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (!is_stdin)
        close(fd);
    if (rc != PKIWS_OK) {
        if (secret)
            pkiws__cli_free_secret(buf, cap + 1);
        else
            pkiws__cli_free(buf);
        return rc;
    }
    if (len == 0) {
        pkiws__cli_free(buf);
        pkiws__cli_outcome_fail(o, PKIWS_E_IO, "%s '%s' is empty", what, path);
        return PKIWS_E_IO;
    }
    buf[len] = 0;
    out->p = buf;
    out->len = len;
    return PKIWS_OK;
}

void pkiws__cli_data_dispose(pkiws__cli_data *d)
{
    if (d->secret)
        pkiws__cli_free_secret(d->p, d->len + 1);
    else
        pkiws__cli_free(d->p);
    d->p = NULL;
    d->len = 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pkiws__cli_stage(const char *what, const char *path, const void *data, size_t len, int secret,
                     pkiws__cli_staged *st, pkiws__cli_outcome *o)
{
    memset(st, 0, sizeof(*st));
    char *tmp = pkiws__cli_printf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        pkiws__cli_outcome_fail(o, PKIWS_E_IO, "cannot create %s '%s': %s", what, path,
                                strerror(errno));
        pkiws__cli_free(tmp);
        return PKIWS_E_IO;
    }
    int err = 0;
    if (!secret) {
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) != 0)
            err = errno;
    }
    if (err == 0 && write_all(fd, data, len) != 0)
        err = errno;
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err != 0) {
        unlink(tmp);
        pkiws__cli_free(tmp);
        pkiws__cli_outcome_fail(o, PKIWS_E_IO, "cannot write %s '%s': %s", what, path,
                                strerror(err));
        return PKIWS_E_IO;
    }
    st->path = pkiws__cli_strdup(path);
    st->tmp = tmp;
    return PKIWS_OK;
}

int pkiws__cli_commit(const char *what, pkiws__cli_staged *st, pkiws__cli_outcome *o)
{
    if (rename(st->tmp, st->path) != 0) {
        int err = errno;
        pkiws__cli_outcome_fail(o, PKIWS_E_IO, "cannot move %s into place as '%s': %s", what,
                                st->path, strerror(err));
        pkiws__cli_discard(st);
        return PKIWS_E_IO;
    }
    pkiws__cli_free(st->tmp);
    st->tmp = NULL;
    pkiws__cli_discard(st);
    return PKIWS_OK;
}

void pkiws__cli_discard(pkiws__cli_staged *st)
{
    if (st->tmp != NULL)
        unlink(st->tmp);
    pkiws__cli_free(st->tmp);
    pkiws__cli_free(st->path);
    st->tmp = NULL;
    st->path = NULL;
}

int pkiws__cli_check_writable(const char *what, const char *path, pkiws__cli_outcome *o)
{
    pkiws__cli_staged st;
    int rc = pkiws__cli_stage(what, path, "", 0, 1, &st, o);
    pkiws__cli_discard(&st);
    return rc;
}
