/* SPDX-License-Identifier: MIT */
/* Cross-check helper: writes PFX files with pkiws__pfx_write and describes files it reads. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "crypto/crypto.h"

static int usage(void)
{
    fprintf(stderr, "usage: pfx_tool write legacy|modern KEY.pem CERT.pem CHAIN.pem|- PASSWORD "
                    "NAME|- OUT.pfx\n"
                    "       pfx_tool read IN.pfx PASSWORD\n");
    return 2;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "pfx_tool: %s: %s (%d)\n", what, pkiws__err_message(), rc);
    return 1;
}

static int cmd_write(char **argv)
{
    int preset = strcmp(argv[0], "legacy") == 0   ? PKIWS_PFX_LEGACY
                 : strcmp(argv[0], "modern") == 0 ? PKIWS_PFX_MODERN
                                                  : 0;
    if (!preset)
        return usage();
    pkiws_buf kf = PKIWS_BUF_INIT, cf = PKIWS_BUF_INIT, chf = PKIWS_BUF_INIT, out = PKIWS_BUF_INIT;
    pkiws__key *key = NULL;
    pkiws__cert *leaf = NULL;
    pkiws__certlist chain = {NULL, 0};
    int rc, ret = 1;
    kf.secret = 1;
    if ((rc = pkiws__file_read(argv[1], 0, &kf)) ||
        (rc = pkiws__key_parse(kf.data, kf.len, NULL, &key))) {
        fail(argv[1], rc);
        goto done;
    }
    if ((rc = pkiws__file_read(argv[2], 0, &cf)) ||
        (rc = pkiws__cert_parse(cf.data, cf.len, &leaf))) {
        fail(argv[2], rc);
        goto done;
    }
    if (strcmp(argv[3], "-") != 0 && ((rc = pkiws__file_read(argv[3], 0, &chf)) ||
                                      (rc = pkiws__certs_parse_all(chf.data, chf.len, &chain)))) {
        fail(argv[3], rc);
        goto done;
    }
    pkiws__pfx_opts o = {preset, argv[4], strcmp(argv[5], "-") ? argv[5] : NULL, 0};
    if ((rc = pkiws__pfx_write(key, leaf, &chain, &o, &out))) {
        fail("write", rc);
        goto done;
    }
    FILE *f = fopen(argv[6], "wb");
    if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
        fprintf(stderr, "pfx_tool: cannot write %s\n", argv[6]);
        goto done;
    }
    ret = 0;
done:
    pkiws__key_free(key);
    pkiws__cert_free(leaf);
    pkiws__certlist_dispose(&chain);
    pkiws__buf_dispose(&kf);
    pkiws__buf_dispose(&cf);
    pkiws__buf_dispose(&chf);
    pkiws__buf_dispose(&out);
    return ret;
}

static int cmd_read(char **argv)
{
    pkiws_buf in = PKIWS_BUF_INIT;
    pkiws__pfx_contents c;
    int rc;
    if ((rc = pkiws__file_read(argv[0], 0, &in)))
        return fail(argv[0], rc);
    rc = pkiws__pfx_read(in.data, in.len, argv[1], &c);
    pkiws__buf_dispose(&in);
    if (rc)
        return fail("read", rc);
    const pkiws__cert_info *li = c.leaf ? pkiws__cert_get_info(c.leaf) : NULL;
    printf("key=%s\n", c.key ? "yes" : "no");
    printf("key_matches_leaf=%d\n", c.key && c.leaf ? pkiws__cert_matches_key(c.leaf, c.key) : 0);
    printf("leaf_subject=%s\n", li ? li->subject : "");
    printf("leaf_thumbprint=%s\n", li ? li->thumbprint : "");
    printf("others=%zu\n", c.others.n);
    for (size_t i = 0; i < c.others.n; i++)
        printf("other_subject=%s\n", pkiws__cert_get_info(c.others.v[i])->subject);
    printf("friendly_name=%s\n", c.friendly_name ? c.friendly_name : "");
    printf("mac_alg=%s\n", c.mac_alg);
    printf("mac_iterations=%u\n", c.mac_iterations);
    printf("key_bag_alg=%s\n", c.key_bag_alg);
    printf("cert_bag_alg=%s\n", c.cert_bag_alg);
    pkiws__pfx_contents_dispose(&c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 9 && strcmp(argv[1], "write") == 0)
        return cmd_write(argv + 2);
    if (argc == 4 && strcmp(argv[1], "read") == 0)
        return cmd_read(argv + 2);
    return usage();
}
