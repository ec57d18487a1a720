#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pkiws-sim HTTP/1.1 framing and robustness: pipelining, HTTP/1.0, chunk extensions, and a
# series of malformed requests (each refused with the right status), then still serving.
. "$(dirname "$0")/lib.sh"

: "${SIM_SRC:?}"
sim_start http
body_of "$EX/healthcheck-getStatusRequestMessage.xml" >"$T/hc.xml"
"$PY" "$SIM_SRC/http_probe.py" "$SIM_PORT" "$SIM_STATE" "$T/hc.xml" || fail "http_probe.py"
sim_stop
[ "$(sim_stat http_errors)" -ge 13 ] || fail "stats: http_errors $(sim_stat http_errors), want >= 13"
ok "malformed requests answered and counted (http_errors $(sim_stat http_errors)); clean exit"
