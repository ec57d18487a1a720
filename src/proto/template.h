/* SPDX-License-Identifier: MIT */
/*
 * A certificate profile's template, read from a getPoliciesResponse (policy service,
 * namespace http://schemas.verisign.com/pkiservices/2009/07/policy), bare or inside a SOAP
 * envelope, whatever the prefixes. See product.md §4 and protocol.md §3.3.
 */
#ifndef PKIWS_PROTO_TEMPLATE_H
#define PKIWS_PROTO_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "xml/xml.h"

/* What a template attribute is, by the convention of product.md §4 (type attribute first,
 * case-insensitive; else attributeName through the alias table). */
enum pkiws__role {
    PKIWS__ROLE_UNKNOWN = 0,   /* neither type nor alias says; sent only if it has a fixed value */
    PKIWS__ROLE_CN = 1,        /* subject CN (type "CN", alias common_name) */
    PKIWS__ROLE_SUBJECT_EMAIL, /* subject E (type "E", aliases mail_email, emailAddress, mail) */
    PKIWS__ROLE_SUBJECT_OTHER, /* other RDN (type O, OU, L, ST, C): rdn holds the short name */
    PKIWS__ROLE_SAN_EMAIL,     /* type rfc822Name, aliases san_email, rfc822Name */
    PKIWS__ROLE_SAN_UPN,       /* type otherName:1.3.6.1.4.1.311.20.2.3, aliases san_upn, upn,
                                  userPrincipalName */
    PKIWS__ROLE_SAN_OTHERNAME, /* type otherName:<other oid>, aliases san_othername, otherName */
    PKIWS__ROLE_SAN_DNS,       /* type dNSName */
    PKIWS__ROLE_GIVEN_NAME,    /* alias mail_firstname */
    PKIWS__ROLE_FAMILY_NAME,   /* alias mail_lastname */
    PKIWS__ROLE_SEAT_ID        /* alias seat_id (or the seatIdInfo attribute) */
};

typedef struct pkiws__tpl_attr {
    char *name;          /* attributeName, as in the template (the nameValuePair key) */
    char *type;          /* the type attribute of attributeNameValue, or NULL */
    char *fixed_value;   /* trimmed text of attributeNameValue (or property value) when non-empty */
    int mandatory;       /* attributeNameValue/@mandatory or attributeNameValueProperty/mandatory */
    int in_san;          /* 1: from an Extension with OID 2.5.29.17; 0: subject or other */
    char *ext_oid;       /* dotted OID of the Extension it came from; NULL for subject attributes */
    int role;            /* enum pkiws__role, from type/alias (before per-profile overrides) */
    char *rdn;           /* SUBJECT_OTHER: "O", "OU", ...; CN/E for those roles; else NULL */
    char *othername_oid; /* SAN_UPN / SAN_OTHERNAME from a type "otherName:<oid>"; else NULL */
    /* attributeNameValueProperty/sourceAttributeName (trimmed, non-empty), or NULL: the
     * attribute whose value this one takes, e.g. mail_email on a CN that holds the e-mail
     * address. The vendor schema gives no length limits or patterns for attribute values (it
     * has none to parse); the limits pre-flight applies are RFC 5280's (core/san.c). */
    char *source_attr;
} pkiws__tpl_attr;

typedef struct pkiws__template {
    char *profile_oid;
    char *name;             /* oID/defaultName of the profile, may be NULL */
    pkiws__tpl_attr *attrs; /* subject attributes first (template order), then extensions */
    size_t nattrs;
    unsigned key_size;       /* privateKeyAttributes/keysize; 0 when absent */
    char *key_alg_oid;       /* dotted, via algorithmOIDReference; NULL when absent/nil */
    int key_is_ec;           /* key_alg_oid is id-ecPublicKey (1.2.840.10045.2.1) */
    unsigned validity_days;  /* certificateValidity/validityPeriodDays */
    unsigned renewal_days;   /* certificateValidity/renewalPeriodDays; 0 when absent */
    char *delivery_format;   /* systemInfo/certificateDeliveryFormat URI, may be NULL */
    int key_escrow;          /* privateKeyAttributes/keyEscrowPolicy/keyEscrowEnabled is true */
    int recovery_dual_admin; /* .../keyRecoveryDualAdminApprovalRequired is true */
    /* The CA generates the key and answers with a PKCS#12 (server-side key generation): key
     * escrow enabled or certificateDeliveryFormat .../2009/07/PKCS12. The schema has no element
     * to send a private key for escrow, so an escrowing profile cannot take the client's key
     * [I, protocol.md §3.3]. */
    int server_keygen;
    char **fixed_eku_oids; /* extensionValue type="OID" under the EKU extension */
    size_t n_fixed_eku;
    char *seat_attr;       /* seatIdInfo/attributeNameValue text, may be NULL */
    int next_update_hours; /* response/nextUpdateHours; -1 when nil/absent */
    /* CA certificates (DER) referenced by the policy's cAReference: the issuing CA(s), their
     * intermediates, then the root last (when given). */
    uint8_t **ca_der;
    size_t *ca_len;
    size_t nca;
    int has_root; /* the last ca_der is the rootCACertificate */
} pkiws__template;

/* Parse the document and extract the policy whose policyOIDReference resolves to `oid`.
 * No policy for the OID: PKIWS_E_PROFILE_NOT_FOUND (with PKIWS__REMEDY_PROFILE_NOT_FOUND),
 * naming the OID and listing the OIDs the document does offer. A document that is not a
 * getPoliciesResponse, dangling references, or a malformed structure: PKIWS_E_PROTOCOL.
 * A SOAP Fault whose faultstring is "A request element is not understood.":
 * PKIWS_E_PROFILE_NOT_FOUND; any other fault: PKIWS_E_SOAP_FAULT quoting faultstring. */
int pkiws__template_parse(const char *xml, size_t len, const char *oid,
                          const pkiws_xml_limits *limits, pkiws__template **out);
/* Same, from an already parsed document. */
int pkiws__template_from_doc(pkiws_xml_doc *doc, const char *oid, pkiws__template **out);
/* List every profile OID offered by the document (for messages and for the simulator): the
 * values of the policies' policyOIDReference, in document order. Free with
 * pkiws__template_free_oids. A SOAP fault gives the same errors as pkiws__template_from_doc. */
int pkiws__template_list_oids(pkiws_xml_doc *doc, char ***oids, size_t *n);
void pkiws__template_free_oids(char **oids, size_t n);
void pkiws__template_free(pkiws__template *t);
/* Deep copy (profiles snapshot templates). */
int pkiws__template_dup(const pkiws__template *t, pkiws__template **out);

/* The §4 convention as a function, shared with the simulator: role of an attribute from its
 * type (may be NULL) and attributeName (may be NULL). The type decides when it is one of CN,
 * E, O, OU, L, ST, C, rfc822Name, dNSName or otherName:<oid> (case-insensitive; otherName with
 * the UPN OID 1.3.6.1.4.1.311.20.2.3 is SAN_UPN, any other OID text SAN_OTHERNAME); any other
 * type (e.g. "string") falls back to the alias table on the name. */
int pkiws__role_from_type(const char *type, const char *name);
/* The RDN short name of a subject role: "CN" for PKIWS__ROLE_CN, "E" for
 * PKIWS__ROLE_SUBJECT_EMAIL, else NULL (SUBJECT_OTHER: see pkiws__role_type_rdn). */
const char *pkiws__role_rdn(int role);
/* The canonical RDN short name ("CN", "E", "O", "OU", "L", "ST", "C") of a type attribute,
 * case-insensitive, or NULL when the type is not a subject RDN. */
const char *pkiws__role_type_rdn(const char *type);
/* The OID of a type "otherName:<oid>" (case-insensitive prefix, pointer into type), or NULL. */
const char *pkiws__role_type_othername_oid(const char *type);
const char *pkiws__role_name(int role); /* "cn", "subject_email", "san_email", ... */

#endif
