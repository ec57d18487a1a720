/* SPDX-License-Identifier: MIT */
/* The test token (token.h): softhsm2-util and openssl for the administrator's steps, PKCS#11
 * through the module for the rest. */
#include "token.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static const char *const modules[] = {"/usr/lib/softhsm/libsofthsm2.so",
                                      "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"};

const char *token_module(void)
{
    const char *env = getenv("PKIWS_SOFTHSM_MODULE");
    if (env && *env && access(env, R_OK) == 0)
        return env;
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++)
        if (access(modules[i], R_OK) == 0 && system("command -v softhsm2-util >/dev/null") == 0)
            return modules[i];
    return NULL;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "token: '%s' failed (%d)\n", cmd, rc);
    return rc;
}

/* An open, logged-in read-write session on the test token. */
typedef struct tok {
    void *dl;
    CK_FUNCTION_LIST_PTR f;
    CK_SESSION_HANDLE sh;
} tok;

static int tok_open(tok *t)
{
    memset(t, 0, sizeof *t);
    t->dl = dlopen(token_module(), RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get =
        t->dl ? (CK_C_GetFunctionList)(uintptr_t)dlsym(t->dl, "C_GetFunctionList") : NULL;
    if (!get || get(&t->f) != CKR_OK)
        return -1;
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = t->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return -1;
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    if (t->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return -1;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (t->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
            memcmp(ti.label, TOKEN_LABEL, strlen(TOKEN_LABEL)))
            continue;
        if (t->f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                &t->sh) != CKR_OK)
            return -1;
        rv = t->f->C_Login(t->sh, CKU_USER, (CK_UTF8CHAR_PTR)TOKEN_PIN, strlen(TOKEN_PIN));
        return rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN ? 0 : -1;
    }
    return -1;
}

/* Close the session; the module stays initialised (pkiws shares it in this process). */
static void tok_close(tok *t)
{
    if (t->f)
        t->f->C_CloseSession(t->sh);
    if (t->dl)
        dlclose(t->dl);
}

static CK_OBJECT_HANDLE find_key(tok *t)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_LABEL, "ra", 2}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_ULONG got = 0;
    if (t->f->C_FindObjectsInit(t->sh, tpl, 2) == CKR_OK) {
        t->f->C_FindObjects(t->sh, &h, 1, &got);
        t->f->C_FindObjectsFinal(t->sh);
    }
    return got == 1 ? h : CK_INVALID_HANDLE;
}

/* The DER element at *p (< end): its total length, its content at *body; 0 when malformed. */
static size_t der_elem(const unsigned char *p, const unsigned char *end, const unsigned char **body)
{
    if (end - p < 2)
        return 0;
    size_t len = p[1], hdr = 2;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 3 || (size_t)(end - p) < 2 + n)
            return 0;
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = len << 8 | p[2 + i];
        hdr += n;
    }
    if ((size_t)(end - p) < hdr + len)
        return 0;
    *body = p + hdr;
    return hdr + len;
}

/* The subject Name of a DER certificate (SoftHSM wants CKA_SUBJECT with the value). */
static size_t cert_subject(const unsigned char *der, size_t n, const unsigned char **subject)
{
    const unsigned char *end = der + n, *body, *tbs;
    if (!der_elem(der, end, &tbs)) /* Certificate */
        return 0;
    size_t len = der_elem(tbs, end, &body); /* TBSCertificate */
    if (!len)
        return 0;
    const unsigned char *p = body, *tbs_end = tbs + len;
    if (*p == 0xa0) /* [0] version */
        p += der_elem(p, tbs_end, &body);
    for (int skip = 0; skip < 4; skip++) { /* serial, signature, issuer, validity */
        size_t e = der_elem(p, tbs_end, &body);
        if (!e)
            return 0;
        p += e;
    }
    *subject = p;
    return der_elem(p, tbs_end, &body);
}

static int import_cert(tok *t, const char *der_path)
{
    FILE *fp = fopen(der_path, "rb");
    static unsigned char der[8192];
    size_t n = fp ? fread(der, 1, sizeof der, fp) : 0;
    if (fp)
        fclose(fp);
    if (!n)
        return -1;
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ct = CKC_X_509;
    CK_BBOOL yes = CK_TRUE;
    CK_BYTE id = 1;
    const unsigned char *subject = NULL;
    size_t subject_len = cert_subject(der, n, &subject);
    if (!subject_len)
        return -1;
    CK_ATTRIBUTE tpl[] = {{CKA_CLASS, &cls, sizeof cls},
                          {CKA_CERTIFICATE_TYPE, &ct, sizeof ct},
                          {CKA_TOKEN, &yes, sizeof yes},
                          {CKA_LABEL, "ra", 2},
                          {CKA_ID, &id, 1},
                          {CKA_SUBJECT, (void *)subject, subject_len},
                          {CKA_VALUE, der, n}};
    CK_OBJECT_HANDLE h;
    CK_RV rv = t->f->C_CreateObject(t->sh, tpl, sizeof tpl / sizeof *tpl, &h);
    if (rv != CKR_OK)
        fprintf(stderr, "token: C_CreateObject(certificate): 0x%lx\n", (unsigned long)rv);
    return rv == CKR_OK ? 0 : -1;
}

int token_make(const char *dir, const char *key_pem, const char *cert_pem)
{
    char conf[512], cmd[2048];
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", dir);
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/tokens' && printf 'directories.tokendir = %s/tokens\\n"
             "objectstore.backend = file\\nlog.level = ERROR\\n' > '%s'",
             dir, dir, conf);
    if (run(cmd))
        return -1;
    setenv("SOFTHSM2_CONF", conf, 1);
    snprintf(cmd, sizeof cmd,
             "softhsm2-util --init-token --free --label %s --pin %s --so-pin 0000 >/dev/null && "
             "openssl pkcs8 -topk8 -nocrypt -in '%s' -out '%s/ra.p8' && "
             "softhsm2-util --import '%s/ra.p8' --token %s --label ra --id 01 --pin %s "
             ">/dev/null && rm -f '%s/ra.p8' && "
             "openssl x509 -in '%s' -outform DER -out '%s/ra.der'",
             TOKEN_LABEL, TOKEN_PIN, key_pem, dir, dir, TOKEN_LABEL, TOKEN_PIN, dir, cert_pem, dir);
    if (run(cmd))
        return -1;
    tok t;
    int rc = tok_open(&t);
    if (rc)
        fprintf(stderr, "token: cannot open the token over PKCS#11\n");
    snprintf(cmd, sizeof cmd, "%s/ra.der", dir);
    if (!rc)
        rc = import_cert(&t, cmd);
    /* An administrator's last step: make sure the key can never leave the token (both
     * attributes may only move this way; softhsm2-util sets them already). */
    CK_OBJECT_HANDLE key = rc ? CK_INVALID_HANDLE : find_key(&t);
    if (!rc && key == CK_INVALID_HANDLE)
        rc = -2;
    CK_BBOOL sens = CK_FALSE, extr = CK_TRUE, yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE now[] = {{CKA_SENSITIVE, &sens, sizeof sens},
                          {CKA_EXTRACTABLE, &extr, sizeof extr}};
    if (!rc && t.f->C_GetAttributeValue(t.sh, key, now, 2) != CKR_OK)
        rc = -3;
    CK_ATTRIBUTE set_sens = {CKA_SENSITIVE, &yes, sizeof yes};
    CK_ATTRIBUTE set_extr = {CKA_EXTRACTABLE, &no, sizeof no};
    if (!rc && sens != CK_TRUE && t.f->C_SetAttributeValue(t.sh, key, &set_sens, 1) != CKR_OK)
        rc = -4;
    if (!rc && extr != CK_FALSE && t.f->C_SetAttributeValue(t.sh, key, &set_extr, 1) != CKR_OK)
        rc = -5;
    tok_close(&t);
    if (rc)
        fprintf(stderr, "token: setting up the token over PKCS#11 failed (step %d)\n", -rc);
    return rc;
}

int token_key_facts_read(token_key_facts *out)
{
    memset(out, 0, sizeof *out);
    tok t;
    int rc = tok_open(&t);
    CK_OBJECT_HANDLE key = rc ? CK_INVALID_HANDLE : find_key(&t);
    if (key == CK_INVALID_HANDLE) {
        tok_close(&t);
        return -1;
    }
    CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
    CK_ATTRIBUTE flags[] = {{CKA_SENSITIVE, &sens, sizeof sens},
                            {CKA_EXTRACTABLE, &extr, sizeof extr}};
    if (t.f->C_GetAttributeValue(t.sh, key, flags, 2) != CKR_OK)
        rc = -1;
    out->sensitive = sens == CK_TRUE;
    out->extractable = extr == CK_TRUE;
    unsigned char buf[1024];
    CK_ATTRIBUTE d = {CKA_PRIVATE_EXPONENT, buf, sizeof buf};
    out->rv_private_exponent = t.f->C_GetAttributeValue(t.sh, key, &d, 1);
    out->value_len_private_exponent = d.ulValueLen;
    CK_ATTRIBUTE p = {CKA_PRIME_1, buf, sizeof buf};
    out->rv_prime1 = t.f->C_GetAttributeValue(t.sh, key, &p, 1);
    tok_close(&t);
    return rc;
}

unsigned long token_ckr_attribute_sensitive(void)
{
    return CKR_ATTRIBUTE_SENSITIVE;
}
