# SPDX-License-Identifier: MIT
# Print what the pkiws-sim tests check in an issued certificate, one fact per line, with
# Debian's python3-cryptography (independent of pkiws):
#   subject <short>=<value>,...      san email:<v> | san upn:<v> | san dns:<v> | san other:<oid>:<hex>
#   ku <names>  eku <oids>  policy <oid>  san-critical <bool>  key <sha256 of SubjectPublicKeyInfo>
import hashlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

SHORT = {'2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O',
         '2.5.4.11': 'OU', '2.5.4.42': 'GN', '2.5.4.4': 'SN', '1.2.840.113549.1.9.1': 'E'}
UPN = '1.3.6.1.4.1.311.20.2.3'


def der_value(b):
    """Contents of one DER TLV (short or long form length)."""
    n = b[1]
    if n < 0x80:
        return b[2:2 + n]
    k = n & 0x7F
    ln = int.from_bytes(b[2:2 + k], 'big')
    return b[2 + k:2 + k + ln]


data = open(sys.argv[1], 'rb').read()
cert = (x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b'-----')
        else x509.load_der_x509_certificate(data))
print('subject ' + ','.join('%s=%s' % (SHORT.get(a.oid.dotted_string, a.oid.dotted_string), a.value)
                            for a in cert.subject))
for a in cert.subject:
    print('subject-tag %s %s' % (SHORT.get(a.oid.dotted_string, a.oid.dotted_string),
                                 a._type.name))
try:
    ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    print('san-critical %s' % ext.critical)
    for g in ext.value:
        if isinstance(g, x509.RFC822Name):
            print('san email:' + g.value)
        elif isinstance(g, x509.DNSName):
            print('san dns:' + g.value)
        elif isinstance(g, x509.OtherName) and g.type_id.dotted_string == UPN:
            assert g.value[0] == 0x0C, 'UPN is not a UTF8String'
            print('san upn:' + der_value(g.value).decode('utf-8'))
        elif isinstance(g, x509.OtherName):
            print('san other:%s:%s' % (g.type_id.dotted_string, g.value.hex()))
        else:
            print('san ?:%r' % g)
except x509.ExtensionNotFound:
    pass
try:
    ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    names = [n for n in ('digital_signature', 'content_commitment', 'key_encipherment',
                         'data_encipherment', 'key_agreement', 'key_cert_sign', 'crl_sign')
             if getattr(ku.value, n)]
    print('ku %s%s' % (','.join(names), ' critical' if ku.critical else ''))
except x509.ExtensionNotFound:
    pass
try:
    eku = cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    print('eku ' + ','.join(o.dotted_string for o in eku.value))
except x509.ExtensionNotFound:
    pass
try:
    pol = cert.extensions.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES)
    for p in pol.value:
        print('policy ' + p.policy_identifier.dotted_string)
except x509.ExtensionNotFound:
    pass
bc = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
print('ca %s' % bc.value.ca)
spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
print('key ' + hashlib.sha256(spki).hexdigest())
print('days %d' % (cert.not_valid_after - cert.not_valid_before).days)
