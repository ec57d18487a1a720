#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws import-config: a connector .exe.config with a thumbprint pasted from Windows.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

conf="$DATA/NDESConnector.exe.config"
want=EA7A4E0CD1A4F81CF0740527C31A57F6020C17C5

run import-config "$conf"
expect_rc 0 "import-config"
contains "$WORK/out" "RACertThumbprint" "human output lists the key"
contains "$WORK/out" "$want" "human output has the normalised thumbprint"
lacks "$WORK/out" "ea 7a" "human output lacks the raw thumbprint"
contains "$WORK/out" "CloudCAConnTimeoutInMilliseconds" "human output lists the timeout key"
contains "$WORK/out" "45000 ms" "human output has the connect timeout"

run import-config "$conf" --json
expect_rc 0 "import-config --json"
jcheck "JSON status" "d['status'] == 'ok' and d['error'] is None and d['file'] == '$conf'"
jcheck "JSON thumbprint" "d['ra_thumbprint'] == '$want'"
jcheck "JSON timeout" "d['connect_timeout_ms'] == 45000"
jcheck "JSON settings" "{s['key']: s['value'] for s in d['settings']}.get('RACertThumbprint') == '$want' and {s['key']: s['value'] for s in d['settings']}.get('CloudCAConnTimeoutInMilliseconds') == '45000'"

# A thumbprint with a character that is no hex digit: the error names it and its position,
# counted in characters (the U+200E mark is character 1, 'G' character 30).
sed 's/f0 74 05/f0 7G 05/' "$conf" >"$WORK/bad.exe.config"
run import-config "$WORK/bad.exe.config" --json
expect_rc 1 "bad thumbprint"
jcheck "bad thumbprint JSON" "d['status'] == 'failed' and d['error'] == 'PKIWS_E_CONFIG' and d['code'] == -100 and \"'G' at character 30\" in d['message'] and 'RACertThumbprint' in d['message'] and d['remedy'] and d['retryable'] is False"
run import-config "$WORK/bad.exe.config"
expect_rc 1 "bad thumbprint, human"
contains "$WORK/err" "PKIWS_E_CONFIG" "bad thumbprint: error name on stderr"
contains "$WORK/err" "'G' at character 30" "bad thumbprint: position on stderr"
contains "$WORK/err" "remedy: " "bad thumbprint: remedy on stderr"

# A thumbprint one digit short.
sed 's/17 c5/17 c/' "$conf" >"$WORK/short.exe.config"
run import-config "$WORK/short.exe.config" --json
expect_rc 1 "short thumbprint"
jcheck "short thumbprint JSON" "d['error'] == 'PKIWS_E_CONFIG' and '39' in d['message']"

# Not a config file at all; a missing file.
printf 'not xml at all <' >"$WORK/junk.config"
run import-config "$WORK/junk.config" --json
expect_rc 1 "junk config"
jcheck "junk config JSON" "d['status'] == 'failed' and d['code'] < 0 and d['message'] != ''"
run import-config "$WORK/missing.config" --json
expect_rc 1 "missing config"
jcheck "missing config JSON" "d['status'] == 'failed' and 'missing.config' in d['message']"

finish
