#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PKCS#12 cross-checks. Writer: PFX files from pkiws (both presets, RSA and EC, chain,
# friendlyName, a 40-character and a non-Latin-1 password) must open in `openssl pkcs12`
# (without -legacy) with the expected MAC / PBE algorithms, and in python cryptography.
# Reader: PFX files from `openssl pkcs12 -export` (default, -legacy, -descert, AES-256 both,
# and more) must read in pkiws with the key matching the leaf, the chain and the alg names.
# usage: pfx_crosscheck.sh PFX_TOOL OPENSSL PYTHON_SYS CHECK_PFX_PY
set -euo pipefail
tool=$(readlink -f "$1") openssl=$2 python_sys=$3 check_py=$(readlink -f "$4")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fails=0
checks=0
fail() {
  echo "FAIL: $*" >&2
  fails=$((fails + 1))
}
ok() { checks=$((checks + 1)); }

# --- the test PKI: RSA root, EC issuing CA, RSA and EC leaves --------------------------------
"$openssl" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null
"$openssl" req -x509 -new -key root.key -subj "/CN=Crosscheck Root" -days 30 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -out root.pem
"$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out int.key 2>/dev/null
"$openssl" req -new -key int.key -subj "/CN=Crosscheck Issuing CA" -out int.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n' >ca.ext
"$openssl" x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days 30 \
  -sha256 -extfile ca.ext -out int.pem 2>/dev/null
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >leaf.ext
"$openssl" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
"$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
for k in rsa ec; do
  "$openssl" req -new -key $k.key -subj "/CN=Leaf $k/emailAddress=$k@contoso.com" -out $k.csr
  "$openssl" x509 -req -in $k.csr -CA int.pem -CAkey int.key -set_serial 1$((RANDOM)) \
    -days 30 -sha256 -extfile leaf.ext -out $k.pem 2>/dev/null
done
cat int.pem root.pem >chain.pem

pw_simple='Secr3t!'
pw_40='0123456789abcdefghijABCDEFGHIJ!@#$%^&*()' # 40 characters
pw_greek='Ωμέγα-пароль-密码-🔑'                    # not Latin-1, with a non-BMP character
[ ${#pw_40} -eq 40 ] || { echo "bad test data: pw_40 has ${#pw_40} characters" >&2; exit 1; }
name='Jürgen Ω Schlüssel'

pythons=("$python_sys")
path_py=$(command -v python3 || true)
if [ -n "$path_py" ] && [ "$(readlink -f "$path_py")" != "$(readlink -f "$python_sys")" ] &&
  "$path_py" -c 'import cryptography' 2>/dev/null; then
  pythons+=("$path_py")
fi

# key in the PFX matches the leaf in the PFX, as OpenSSL extracts them
openssl_key_matches() { # pfx password leaf.pem
  "$openssl" pkcs12 -in "$1" -passin "pass:$2" -nocerts -nodes 2>/dev/null |
    "$openssl" pkey -pubout >k.pub || return 1
  "$openssl" pkcs12 -in "$1" -passin "pass:$2" -nokeys -clcerts 2>/dev/null |
    "$openssl" x509 -pubkey -noout >c.pub || return 1
  "$openssl" x509 -in "$3" -pubkey -noout >l.pub
  cmp -s k.pub c.pub && cmp -s k.pub l.pub
}

# --- writer: pkiws -> openssl, python ----------------------------------------------------------
for k in rsa ec; do
  for preset in legacy modern; do
    for pw in "$pw_simple" "$pw_40" "$pw_greek"; do
      f="$k-$preset-${#pw}.pfx"
      if ! "$tool" write $preset $k.key $k.pem chain.pem "$pw" "$name" "$f"; then
        fail "pkiws could not write $f"
        continue
      fi
      if ! info=$("$openssl" pkcs12 -info -noout -in "$f" -passin "pass:$pw" 2>&1); then
        fail "openssl pkcs12 -info (no -legacy) refused $f: $info"
        continue
      fi
      if [ $preset = legacy ]; then
        want=("MAC: sha1, Iteration 2048"
          "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048"
          "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048")
      else
        want=("MAC: sha256, Iteration 2048"
          "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"
          "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256")
      fi
      for w in "${want[@]}"; do
        if grep -qxF "$w" <<<"$info"; then ok; else fail "$f: openssl -info lacks '$w': $info"; fi
      done
      n=$(grep -c '^Certificate bag$' <<<"$info" || true)
      if [ "$n" = 3 ]; then ok; else fail "$f: $n certificate bags, expected 3"; fi
      if openssl_key_matches "$f" "$pw" $k.pem; then ok; else
        fail "$f: openssl: key and certificate do not match the leaf"
      fi
      if "$openssl" pkcs12 -info -noout -in "$f" -passin "pass:${pw}x" >/dev/null 2>&1; then
        fail "$f: openssl accepted a wrong password"
      else ok; fi
      for py in "${pythons[@]}"; do
        if out=$("$py" "$check_py" "$f" "$pw" $k.pem 2 "$name" 2>&1); then ok; else
          fail "$f: $py: $out"
        fi
      done
    done
  done
done

# --- reader: openssl -> pkiws --------------------------------------------------------------------
expect() { # file key value  (in out.txt of the last read)
  local got
  got=$(grep "^$2=" out.txt | head -1 | cut -d= -f2-)
  if [ "$got" = "$3" ]; then ok; else fail "$1: pkiws read $2='$got', expected '$3'"; fi
}
aes='PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC'
des='pbeWithSHA1And3-KeyTripleDES-CBC'
rc2='pbeWithSHA1And40BitRC2-CBC'
# variant | openssl options | mac | key bag | cert bag
variants=(
  "default||sha256|$aes|$aes"
  "legacy|-legacy|sha1|$des|$rc2"
  "descert|-descert|sha256|$aes|$des"
  "aes256|-certpbe AES-256-CBC -keypbe AES-256-CBC|sha256|$aes|$aes"
  "aes128-sha512|-certpbe AES-128-CBC -keypbe AES-192-CBC -macalg sha512|sha512|PBES2/PBKDF2-HMAC-SHA256/AES-192-CBC|PBES2/PBKDF2-HMAC-SHA256/AES-128-CBC"
  "3des-pbes2|-certpbe DES-EDE3-CBC -keypbe PBE-SHA1-3DES -macalg sha1|sha1|$des|PBES2/PBKDF2-HMAC-SHA256/DES-EDE3-CBC"
  "nocrypt|-certpbe NONE -keypbe NONE|sha256|none|none"
  "2des-rc2-128|-legacy -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128|sha1|pbeWithSHA1And2-KeyTripleDES-CBC|pbeWithSHA1And128BitRC2-CBC"
  "nomac|-nomac|none|$aes|none" # OpenSSL leaves the certificates unencrypted with -nomac
)
for k in rsa ec; do
  for v in "${variants[@]}"; do
    IFS='|' read -r vname opts mac kalg calg <<<"$v"
    for pw in "$pw_simple" "$pw_40" "$pw_greek"; do
      f="openssl-$k-$vname-${#pw}.pfx"
      # shellcheck disable=SC2086 # opts is a word list on purpose
      if ! "$openssl" pkcs12 -export $opts -inkey $k.key -in $k.pem -certfile chain.pem \
        -name "$name" -passout "pass:$pw" -out "$f" 2>err.txt; then
        fail "openssl could not export $f: $(cat err.txt)"
        continue
      fi
      if ! "$tool" read "$f" "$pw" >out.txt 2>err.txt; then
        fail "pkiws could not read $f: $(cat err.txt)"
        continue
      fi
      expect "$f" key yes
      expect "$f" key_matches_leaf 1
      expect "$f" leaf_thumbprint "$("$openssl" x509 -in $k.pem -noout -fingerprint -sha1 |
        cut -d= -f2 | tr -d :)"
      expect "$f" others 2
      expect "$f" friendly_name "$name"
      expect "$f" mac_alg "$mac"
      expect "$f" mac_iterations "$([ "$mac" = none ] && echo 0 || echo 2048)"
      expect "$f" key_bag_alg "$kalg"
      expect "$f" cert_bag_alg "$calg"
      if "$tool" read "$f" "${pw}x" >/dev/null 2>err.txt; then
        fail "$f: pkiws accepted a wrong password"
      elif [ "$mac" = none ]; then
        ok # no MAC: a decryption or structure error, whichever comes first
      elif grep -q 'wrong password or corrupt PFX (MAC verification failed)' err.txt; then ok; else
        fail "$f: wrong password gave: $(cat err.txt)"
      fi
    done
  done
done

echo "pkcs12 crosscheck: $checks checks passed, $fails failed (pythons: ${pythons[*]})"
[ $fails -eq 0 ]
