/* SPDX-License-Identifier: MIT */
/*
 * The replay driver: a main() for a fuzz target built without libFuzzer (gcc, the normal
 * build), as libgit2's standalone_driver.c. Every argument is a file or a directory whose
 * regular files (sorted by name, not recursive) are fed to LLVMFuzzerTestOneInput one by one.
 * A directory that does not exist counts as empty (a target may have no regressions yet); at
 * least one input must be found in all. A crash or an abort of the target fails the test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    for (;;) {
        if (!data) {
            fclose(f);
            fprintf(stderr, "%s: out of memory\n", path);
            return -1;
        }
        len += fread(data + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *grown = realloc(data, cap * 2);
        if (!grown)
            free(data);
        data = grown;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "%s: read error\n", path);
        free(data);
        return -1;
    }
    /* A copy of exactly len bytes, so that reading past the input is caught by ASan. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        return -1;
    }
    if (len)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int skip_name(const char *name)
{
    return name[0] == '.'; /* ., .., .gitkeep and other hidden files */
}

int main(int argc, char **argv)
{
    size_t files = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue; /* no regressions for this target (yet) */
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]))
                failed = 1;
            files++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, alphasort);
        if (n < 0) {
            perror(argv[i]);
            return 1;
        }
        for (int k = 0; k < n; k++) {
            char path[4096];
            if (!skip_name(names[k]->d_name) &&
                snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name) <
                    (int)sizeof path &&
                stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(path))
                    failed = 1;
                files++;
            }
            free(names[k]);
        }
        free(names);
    }
    if (files == 0) {
        fprintf(stderr, "replay: no input found in the given paths\n");
        return 1;
    }
    printf("replay: %zu inputs%s\n", files, failed ? ", some unreadable" : "");
    return failed;
}
