/* SPDX-License-Identifier: MIT */
/* Test fixtures made once with OpenSSL 3.0 (commands in the comments of test_crypto_cert.c). */
#ifndef PKIWS_TEST_CRYPTO_FIXTURES_H
#define PKIWS_TEST_CRYPTO_FIXTURES_H

/* RSA-2048, PKCS#1 "RSA PRIVATE KEY" (openssl rsa -traditional) */
static const char fx_rsa_pkcs1[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAy7YjaE+9IcCFQm9FCZs1Yo+L5CqDQoZlbuVVUjaeuWryoGur\n"
    "CaAsdp9tkOxL0g929lLFtiWrNrhlZYoa+9vzOlPMpAJuGyYy32LUnrc4L9q0qRXj\n"
    "qfvK/rMeF/AHV2YvfQ3yFquUksH3jDmSyymnM7e9SN4LrFrbuBa/SgCBJ34Aw4id\n"
    "eip4Mup6/SaZYYcYEk7aA6iJHtxgMA+JA3nWFvPOe5gXrWSdU45qFu5j7dXjYniI\n"
    "UZZZqmBgwbuYNRA9hEhpyncuQVvl9GTlS7Yq81lV6MfKdN0tFOzYuCXybWSrwSd6\n"
    "Gz0/H9mrd2JwZYxyRswSWU1NnrS2Wf2pYGR9eQIDAQABAoIBABXNF5N7iyhwT+Kp\n"
    "AViyl19FsQk5YoRNWVAps3yhs1FxKGeyNiMI1RFZ5RIwM7oWpRreB2JDvEPWLqXU\n"
    "BqjDJI/utXUs/Gcj6qhdDZex0I3QiGqbGNsRgytIdJVHvyVjnnvx8OFrufIN16YW\n"
    "aEcdXVNL2/JPLy0iKScVqiGrlabp5J4nP6667q/v7Zu/UX2UgERbJAvTj/4HdgY+\n"
    "MvzLMtsbU2uc0BTAbmLD3V3Bg0a25DQRyUnXHPJ973AW6fpRfyRQv3BrUHg3qUTf\n"
    "a8wqRhFrKL67r6Cwa2BbFh7fJIl78ukkys7ak+9dTEIppIV+hc47Ck1OsgJScrm4\n"
    "2mwNnw0CgYEA5aALifD+2yAnTDXw/dCFJrJmU8kboRNirVJIIAOXhRHIiK7dS5EL\n"
    "hjhmTO+a8kRgf+vZIoxa8T0U1jXPMvrtKNcSigF4zIPkM+RappQW8G6DoYn0QeM8\n"
    "gtj25Ejjy92DKosvsWzIt767BqGcAqltjPqzPUWq3XyEze8IVPCDEL0CgYEA4xwe\n"
    "2V/P3YldNb5CsXqm3QWqg818OTnb747Uu7eimcodbdxFIiNkWsKivTNWulDEZ4HU\n"
    "FLovc/BTBF9mLvY2Q0jUweBq0UONveyAJrKCaaRjvxZGxv9AuRkKfvPe3ZXXCHwM\n"
    "koBcNZ9AgtrxhNyO5wWRIAjSUsAo1+w/ItsGIW0CgYEA5AjTTLKatYux2vo6kCTT\n"
    "BkHmYtB18rlopkzvOXO3tjuZ1Tsqos+xDSLXXRIZ4vvKhV73bFrMOYP6PFyFntAY\n"
    "UxV64LhjeV6Fco8VAxZPzYdCi1qPyhrbTeofDUfhiOQ7TTWaMG2iyu7LluNJJk+R\n"
    "bo7ND00vSPNOg6AcuxV6Y1UCgYAyM+oh1QsnBpFjKu6lOt6d5v29avP11nNmriUa\n"
    "Zcp8wm/k9BcYJ8isQ3Aj8LBQOUBhPRK7jjilIU/InKoC4Yw3LWdSgCA8p/kyLZBa\n"
    "fYVUgvFFsU/t90jAYeevDouKYfAJwRoqXFOFyvFAu9M9sl+oc9OTyD9t6Wpd6KxA\n"
    "MThWtQKBgBccqf6J6ONJpENut9GsKzlGMC+78E9JBsZefrQ//mKH4sDo8vjirQHY\n"
    "fMmlHFZio0oxPjcDTN+girCHygj84/fGJTcRYCvpEAOVr1AMasJEl0xSPZ+0yyOp\n"
    "ZBhs+z7MhyV+/kM65TEPTWad3SWXKizUGrcyJPheCo9tv/nh+6sQ\n"
    "-----END RSA PRIVATE KEY-----\n";

/* EC P-256, SEC1 "EC PRIVATE KEY" (openssl ec); the key of fx_cert */
static const char fx_ec_sec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIGuFe40XLpu3J4+UkUNvhy3Kd2PqiTEoaEulf539MbKLoAoGCCqGSM49\n"
    "AwEHoUQDQgAExSgsSfDbK0KA3ikyk3ZMqKt9Gjnc3Z7qoUky7GKY2UC7Fc87XHg/\n"
    "YGzE/1de5eKpHYokMiHEJB/cBynyWE3uTQ==\n"
    "-----END EC PRIVATE KEY-----\n";

/* fx_ec_sec1 as encrypted PKCS#8, OpenSSL's default PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC, password
 * "P\xc3\xa4ssw\xc3\xb6rd-1" (UTF-8) */
static const char fx_ec_enc_aes[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhZCLeHL+dh9gICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEHt7H3AHFN6UrQxZSCnbDd0EgZB/\n"
    "b/HsEV9fkMqr5/VhQT3q5K6Cr2cSPA0uuQIC9gEuzeJtu+pkXtXge2MQcUCHqt6S\n"
    "romRhFRV+/2A7prOwIjw6EPPQc47/ygypDYulAGZuTbp2Tj3Xw8gGHT8s5/AMf3T\n"
    "+ggA/Anr6RvjUtULnILU6nIrB0xU8qQ85gJPKVYg9AneTwKvLqUVIt0VtXPuLqE=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* fx_ec_sec1 as encrypted PKCS#8, PBES2 DES-EDE3-CBC, password "secret" */
static const char fx_ec_enc_3des[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHjME4GCSqGSIb3DQEFDTBBMCkGCSqGSIb3DQEFDDAcBAjQb6H2uNA2ygICCAAw\n"
    "DAYIKoZIhvcNAgkFADAUBggqhkiG9w0DBwQI3UEFDwDlphgEgZCy11x2iks05FOk\n"
    "BHsrI2qgNfgM0dJxhRvn7dadIOKqbBDAn+1QBW6QT+EqwLL4J81LdCDlRuQzD1BG\n"
    "GEAIhzZEKQ+hG3T271Ktwj4YQuU9dTGFB/TwKZlfTIHBQ9lej/j2o/CPU75+lnNT\n"
    "XiH2SV5yGM2WPQL/04DKscQbLjTJ7umsQjSKl7aqED9Rlq4hPgA=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* fx_ec_sec1 as encrypted PKCS#8, pbeWithSHA1And3-KeyTripleDES-CBC, password "secret" */
static const char fx_ec_enc_pbe[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGxMBwGCiqGSIb3DQEMAQMwDgQIuRsVTnqog54CAggABIGQ0M17DGUIvvCm7WPY\n"
    "Jn/gZmvGSKn22w7IOnLryH4lr2soT6LAQkyB0coeMC/dp1knvLI8j786M7rYIDUE\n"
    "qTco31ee311BrDby2HoYz3hSbSpPfhYMoS5F2MIwKPDyNgpPz0GR/PacIW3cpGfk\n"
    "56GcDn01/QVX1HsRT+ksJ0DN7Ge+63EucpLUV+Jo04h69h8B\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* fx_ec_sec1 as encrypted PKCS#8, pbeWithSHA1And3-KeyTripleDES-CBC, 44-character non-Latin-1
 * password
 * "\xc3\x9cn\xc3\xafc\xc3\xb6d\xc3\xa9-P\xc3\xa4ssw\xc3\xb6rd-longer-than-31-characters-\xe2\x82\xac"
 * (UTF-8) */
static const char fx_ec_enc_pbe_long[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGxMBwGCiqGSIb3DQEMAQMwDgQIiDXpjN8om+cCAggABIGQgC+UkPKb6ogiaD1n\n"
    "P/Fp01OqA42kkBguKmvvCiwsr8tecXsivqL6F9EO5DXRHD/pYgNY0eOSvvlQqzlr\n"
    "QgaRGwc/WreT051tYYy4tFgQve9/5DEbkNhu1iu/rURWIObp5iubv6hMUvkHgciP\n"
    "iUIxccR2aFhV1r7BX3+8Jk1VlnNb8EX22+i5IG9Ef3UUlvOM\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* fx_ec_sec1 as legacy encrypted PEM (Proc-Type, AES-128-CBC), password "secret" */
static const char fx_ec_legacy_enc[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "Proc-Type: 4,ENCRYPTED\n"
    "DEK-Info: AES-128-CBC,591D7EFA4BA383051A6096B193CD8682\n"
    "\n"
    "tVViaUZouXuNTpApFmd5k5w9JTzs1DfL6Dt+Ei794dDnPeANO65U8s83rS3uZSBx\n"
    "Ioh3LgWyFU+MPwhcWaOhYNvLQx6jTo8WDqTIn3OM8sAnt68y/kFeK/6GOrEIPbKx\n"
    "qqpz7SRYPr0fVFuF/OKRnjWBpHRU7aVHlxcLBzXQzo8=\n"
    "-----END EC PRIVATE KEY-----\n";

/* Self-signed EC certificate made with openssl req -x509 -utf8 -multivalue-rdn (see
 * test_crypto_cert.c for the values openssl prints) */
static const char fx_cert[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIDADCCAqagAwIBAgIKAIoBAgMEBQYHCDAKBggqhkjOPQQDAjCBoTELMAkGA1UE\n"
                              "BhMCREUxFjAUBgNVBAoMDUV4YW1wbGUsIEluYy4xEjAQBgNVBAsMCVImRCArIE9w\n"
                              "czEOMAwGA1UECwwFI2hhc2gxGjAJBgNVBAgMAkJFMA0GA1UEBwwGQmVybGluMRYw\n"
                              "FAYDVQQDDA1Kw7xyZ2VuIFTDq3N0MSIwIAYJKoZIhvcNAQkBFhNqdWVyZ2VuQGV4\n"
                              "YW1wbGUuY29tMB4XDTI2MTEyMTIzMzk0MVoXDTM2MTExODIzMzk0MVowgaExCzAJ\n"
                              "BgNVBAYTAkRFMRYwFAYDVQQKDA1FeGFtcGxlLCBJbmMuMRIwEAYDVQQLDAlSJkQg\n"
                              "KyBPcHMxDjAMBgNVBAsMBSNoYXNoMRowCQYDVQQIDAJCRTANBgNVBAcMBkJlcmxp\n"
                              "bjEWMBQGA1UEAwwNSsO8cmdlbiBUw6tzdDEiMCAGCSqGSIb3DQEJARYTanVlcmdl\n"
                              "bkBleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMUoLEnw2ytC\n"
                              "gN4pMpN2TKirfRo53N2e6qFJMuximNlAuxXPO1x4P2BsxP9XXuXiqR2KJDIhxCQf\n"
                              "3Acp8lhN7k2jgcMwgcAwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYD\n"
                              "VR0lBAwwCgYIKwYBBQUHAwIwbAYDVR0RBGUwY4ETanVlcmdlbkBleGFtcGxlLmNv\n"
                              "baAkBgorBgEEAYI3FAIDoBYMFGrDvHJnZW5AY29ycC5leGFtcGxloBQGCisGAQQB\n"
                              "ho0fAQKgBgQEEri6ZYIQaG9zdC5leGFtcGxlLmNvbTAdBgNVHQ4EFgQUGZoFzusG\n"
                              "LUt8KPe/ePT0A+m0vi4wCgYIKoZIzj0EAwIDSAAwRQIgMo4udOrJgSwKXqcMlo3w\n"
                              "7mwiqsT4BLLm87n/eFqNB3MCIQDLWWpxI7oZZpIcInN8MvqovX3AKtD9lCG0vd9V\n"
                              "WYUUYQ==\n"
                              "-----END CERTIFICATE-----\n";

#endif
