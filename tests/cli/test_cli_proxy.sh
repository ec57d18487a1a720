#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --proxy with --proxy-user USER:PASS (or $PKIWS_PROXY_CREDENTIALS) through a CONNECT proxy
# that wants Basic authentication (connect_proxy.py) to this script's own pkiws-sim, over both
# transports; the credentials never on stdout, stderr (also with -vv) nor in the process list.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

PROXY_PID=
stop_proxy() {
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null
        wait "$PROXY_PID" 2>/dev/null
        PROXY_PID=
    fi
}
trap 'stop_proxy; cleanup' EXIT

sim_start || {
    echo "FAIL: cannot start pkiws-sim" >&2
    exit 1
}
SECRET='Pr0xy-S3cret'
"$PYTHON" "$(dirname "$0")/connect_proxy.py" "$WORK/proxy.port" "$WORK/proxy.log" \
    "carol:$SECRET" 2>"$WORK/proxy.err" &
PROXY_PID=$!
for _ in $(seq 1 100); do
    [ -s "$WORK/proxy.port" ] && break
    sleep 0.05
done
[ -s "$WORK/proxy.port" ] || {
    echo "FAIL: the test proxy did not start: $(cat "$WORK/proxy.err")" >&2
    exit 1
}
PROXY=127.0.0.1:$(cat "$WORK/proxy.port")
: >"$WORK/proxy.log"

# no secret anywhere in what the tool printed
no_secret() {
    lacks "$WORK/out" "$SECRET" "$1: credentials not on stdout"
    lacks "$WORK/err" "$SECRET" "$1: credentials not on stderr"
    lacks "$WORK/err" "$(printf 'carol:%s' "$SECRET" | base64)" "$1: no Basic token on stderr"
}

for transport in curl native; do
    : >"$WORK/proxy.log"
    # without credentials the proxy refuses the tunnel: a failure, not a hang
    run search "${CONN[@]}" --proxy "$PROXY" --transport "$transport" --seat x --json
    expect_rc 1 "$transport: proxy without credentials"
    contains "$WORK/proxy.log" "407 no credentials" "$transport: the proxy asked for credentials"
    # --proxy-user: the tunnel is opened, the search answers
    : >"$WORK/proxy.log"
    run search "${CONN[@]}" --proxy "$PROXY" --proxy-user "carol:$SECRET" \
        --transport "$transport" --seat x --json -vv
    expect_rc 0 "$transport: --proxy-user"
    jcheck "$transport: --proxy-user answer" "d['status'] == 'ok' and d['total'] == 0"
    contains "$WORK/proxy.log" "tunnel localhost:$SIM_PORT" "$transport: tunnel through the proxy"
    lacks "$WORK/proxy.log" "407" "$transport: credentials accepted at once"
    no_secret "$transport: --proxy-user -vv"
    # wrong credentials: refused by the proxy, and the tool says so without echoing them
    : >"$WORK/proxy.log"
    run search "${CONN[@]}" --proxy "$PROXY" --proxy-user "carol:wrong-$SECRET" \
        --transport "$transport" --seat x
    expect_rc 1 "$transport: wrong --proxy-user"
    contains "$WORK/proxy.log" "407 wrong credentials" "$transport: the proxy saw wrong credentials"
    no_secret "$transport: wrong --proxy-user"
done

# The environment instead of the command line: PKIWS_PROXY_CREDENTIALS, and --proxy-user-env.
: >"$WORK/proxy.log"
PKIWS_PROXY_CREDENTIALS="carol:$SECRET" run search "${CONN[@]}" --proxy "$PROXY" --seat x
expect_rc 0 "PKIWS_PROXY_CREDENTIALS"
contains "$WORK/proxy.log" "tunnel localhost:$SIM_PORT" "PKIWS_PROXY_CREDENTIALS: tunnel"
no_secret "PKIWS_PROXY_CREDENTIALS"
export PKIWS_TEST_PROXY_CRED="carol:$SECRET"
run check "${CONN[@]}" --proxy "$PROXY" --proxy-user-env PKIWS_TEST_PROXY_CRED --json
expect_rc 0 "check --proxy-user-env"
no_secret "check --proxy-user-env"
# --proxy-user wins over the environment
PKIWS_PROXY_CREDENTIALS="carol:wrong" run search "${CONN[@]}" --proxy "$PROXY" \
    --proxy-user-env PKIWS_TEST_PROXY_CRED --seat x
expect_rc 0 "--proxy-user-env over PKIWS_PROXY_CREDENTIALS"
# without --proxy the variable is not used (and not checked)
PKIWS_PROXY_CREDENTIALS="no-colon" run search "${CONN[@]}" --seat x
expect_rc 0 "PKIWS_PROXY_CREDENTIALS without --proxy"

# The value is wiped from the process list: the tool blocks on a FIFO (--trust) while we look.
mkfifo "$WORK/fifo"
"$PKIWS" search --base-url "$SIM_URL" --trust "$WORK/fifo" --proxy "$PROXY" \
    --proxy-user "carol:$SECRET" --seat x >"$WORK/out" 2>"$WORK/err" &
pid=$!
wiped=no
for _ in $(seq 1 100); do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q fifo &&
        ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$SECRET"; then
        wiped=yes
        break
    fi
    sleep 0.05
done
timeout 10 sh -c 'cat "$1" >"$2"' sh "$SIM_STATE/trust.pem" "$WORK/fifo" ||
    fail "the tool did not read the FIFO"
wait "$pid"
equal "$wiped" yes "--proxy-user wiped from /proc/PID/cmdline"

# Usage errors never show the value.
run search "${CONN[@]}" --proxy-user "carol:$SECRET" --seat x
expect_usage_error "--proxy-user without --proxy" "--proxy-user is for --proxy"
no_secret "--proxy-user without --proxy"
run search "${CONN[@]}" --proxy "$PROXY" --proxy-user "carol$SECRET" --seat x
expect_usage_error "--proxy-user without ':'" "--proxy-user: expected USER:PASS (no ':' found)"
no_secret "--proxy-user without ':'"
PKIWS_PROXY_CREDENTIALS="carol$SECRET" run search "${CONN[@]}" --proxy "$PROXY" --seat x --json
expect_rc 2 "PKIWS_PROXY_CREDENTIALS without ':'"
jcheck "PKIWS_PROXY_CREDENTIALS without ':'" "d['usage_error'] is True and 'PKIWS_PROXY_CREDENTIALS: expected USER:PASS' in d['message']"
no_secret "PKIWS_PROXY_CREDENTIALS without ':'"
run search --help
contains "$WORK/out" "--proxy-user USER:PASS | --proxy-user-env VAR" "--help shows --proxy-user"
contains "$WORK/out" "PKIWS_PROXY_CREDENTIALS" "--help names the environment variable"

stop_proxy
sim_stop
finish
