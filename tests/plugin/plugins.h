/* SPDX-License-Identifier: MIT */
/*
 * Test plug-ins written only against <pkiws/pkiws.h> and <pkiws/backend.h>, as a third party
 * would: an HTTP backend over libcurl, a TLS backend over OpenSSL, an "HSM" that adds a sign
 * hook to the built-in TLS backend (the key held by OpenSSL, outside pkiws), and a replaying
 * HTTP backend that records what pkiws hands it.
 */
#ifndef TEST_PLUGINS_H
#define TEST_PLUGINS_H

#include <stdatomic.h>

#include <pkiws/backend.h>

/* ---- HTTP over libcurl (plugin_curl.c; absent when built without curl) ---- */
typedef struct curl_plugin curl_plugin;
curl_plugin *curl_plugin_new(void);
void curl_plugin_free(void *p); /* the backend_free of the registration */
const pkiws_http_methods *curl_plugin_methods(void);
int curl_plugin_performs(const curl_plugin *p);

/* ---- TLS over OpenSSL (plugin_openssl.c) ---- */
typedef struct ossl_plugin {
    atomic_int handshakes, resumed, closes, live;
} ossl_plugin;
const pkiws_tls_methods *ossl_plugin_methods(void);

/* ---- the built-in TLS backend with an HSM-style sign hook (plugin_hsm.c) ---- */
typedef struct hsm_plugin hsm_plugin;
/* key_pem: the RA private key the "HSM" holds. */
hsm_plugin *hsm_plugin_new(const char *key_pem, size_t len);
void hsm_plugin_free(void *p);
/* A copy of pkiws_tls_builtin_methods() with the sign hook added, written into *out. */
void hsm_plugin_methods(pkiws_tls_methods *out);
int hsm_plugin_signs(const hsm_plugin *p);
void hsm_plugin_fail_next(hsm_plugin *p); /* the next sign fails as a removed token would */

/* ---- a replaying HTTP backend (plugin_replay.c) ---- */
typedef struct replay_plugin {
    /* what to answer */
    int status;       /* 0: do not set a status */
    const char *body; /* appended in 3 pieces */
    int rc;           /* returned from perform */
    int fail_cause;   /* when rc < 0: pkiws_backend_fail() with this cause (-1: not called) */
    /* what was seen */
    char url[256], method[16], proxy[128], txid[64], soap_action[256], content_type[64];
    char body_seen[256];
    int64_t connect_timeout_ms, timeout_ms, max_response, tls_min;
    size_t cert_len, key_len, trust_len, nheaders;
    int append_rc; /* the last pkiws_http_resp_append_body() result */
    int wrong_kind_rc, unknown_rc;
    atomic_int inside, overlap, calls;
    int sleep_ms;
} replay_plugin;
/* caps: PKIWS_HTTP_CAP_* to advertise */
void replay_plugin_methods(pkiws_http_methods *out, uint64_t caps);

#endif
