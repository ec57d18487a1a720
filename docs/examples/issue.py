#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue a PFX through the pkiws Python binding, e.g. against the simulator pkiws-sim.

    pkiws-sim --state-dir /tmp/sim --port-file /tmp/sim.port &
    python3 docs/examples/issue.py --url https://localhost:$(cat /tmp/sim.port)/pki-ws \\
        --trust /tmp/sim/trust.pem --ra-p12 /tmp/sim/ra.p12 \\
        --ra-password-file /tmp/sim/ra.p12.password \\
        --profile 2.16.840.1.113733.1.16.1.2.3.1.1.1 --san email \\
        --cn "Alice Example" --email alice@contoso.com --out alice.pfx

(``--sim-state /tmp/sim`` is a short form of --trust, --ra-p12 and --ra-password-file.)
The binding must be importable (PYTHONPATH=bindings/python, or installed by meson install)
and find libpkiws.so.1 (installed, or PKIWS_LIBRARY=/full/path/to/libpkiws.so.1).

Exit status: 0 issued, 3 pending (the reference and the key file are printed), 1 failure.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pkiws

SAN_NAMES = {"email": pkiws.SanType.EMAIL, "upn": pkiws.SanType.UPN,
             "othername": pkiws.SanType.OTHERNAME}
SUBJECT_FORMATS = {"cn": pkiws.SubjectFormat.CN, "cn-email": pkiws.SubjectFormat.CN_EMAIL,
                   "cn-as-email": pkiws.SubjectFormat.CN_AS_EMAIL}


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of the service, e.g. https://host:8443/pki-ws")
    where.add_argument("--ca", help="CA base service FQDN[:port], e.g. pki-ws.symauth.com")
    ap.add_argument("--sim-state", type=Path,
                    help="pkiws-sim state directory (trust.pem, ra.p12, ra.p12.password)")
    ap.add_argument("--trust", type=Path, help="PEM bundle that verifies the CA server")
    ap.add_argument("--ra-p12", type=Path, help="RA credential (PKCS#12)")
    ap.add_argument("--ra-password-file", type=Path, help="file holding the RA PFX password")
    ap.add_argument("--profile", required=True, help="certificate profile OID")
    ap.add_argument("--subject-format", choices=SUBJECT_FORMATS, default="cn")
    ap.add_argument("--san", default="email", help="comma list of email, upn, othername")
    ap.add_argument("--cn", required=True)
    ap.add_argument("--email")
    ap.add_argument("--upn")
    ap.add_argument("--seat")
    ap.add_argument("--out", type=Path, required=True, help="PFX file to write")
    ap.add_argument("--pfx-pass", help="PFX password (default: a generated one, printed)")
    ap.add_argument("--modern", action="store_true", help="AES/SHA-256 PFX instead of 3DES")
    ap.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    args = ap.parse_args(argv)
    if args.sim_state:
        args.trust = args.trust or args.sim_state / "trust.pem"
        args.ra_p12 = args.ra_p12 or args.sim_state / "ra.p12"
        args.ra_password_file = args.ra_password_file or args.sim_state / "ra.p12.password"
    if not args.ra_p12 or not args.ra_password_file:
        ap.error("give --ra-p12 and --ra-password-file (or --sim-state)")
    try:
        args.san_types = pkiws.SanType(0)
        for name in filter(None, args.san.split(",")):
            args.san_types |= SAN_NAMES[name.strip()]
    except KeyError as exc:
        ap.error(f"--san: unknown SAN type {exc}; use email, upn, othername")
    return args


def log(level: pkiws.LogLevel, domain: str, txid: str, msg: str) -> None:
    print(f"[{level.name.lower()}] {domain} {txid}: {msg}", file=sys.stderr)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    print(f"pkiws {pkiws.version_string()} (binding {pkiws.__version__})")
    try:
        with pkiws.Session(log_callback=log if args.verbose else None) as session:
            if args.verbose:
                session.configure(log_level=pkiws.LogLevel.INFO)
            if args.url:
                session.configure(base_url=args.url)
            else:
                session.configure(ca=args.ca)
            if args.trust:
                session.configure(trust_file=str(args.trust))
            password = args.ra_password_file.read_text(encoding="utf-8").strip()
            session.load_ra_pkcs12_file(args.ra_p12, password)
            print(f"RA certificate {session.ra_thumbprint}")

            preset = pkiws.PfxPreset.MODERN if args.modern else pkiws.PfxPreset.LEGACY
            with session.profile(args.profile, san_types=args.san_types, pfx_preset=preset,
                                 subject_format=SUBJECT_FORMATS[args.subject_format]) as profile, \
                    profile.request(cn=args.cn, email=args.email, upn=args.upn,
                                    seat_id=args.seat, pfx_password=args.pfx_pass) as request, \
                    request.issue() as result:
                print(f"subject  {result.subject}")
                for entry in result.trace:
                    print(f"  {entry.field_name:<14} {entry.value:<32} from {entry.source_name}")
                if result.pending:
                    key_file = args.out.with_suffix(".pending.key")
                    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as f:
                        os.fchmod(f.fileno(), 0o600)
                        f.write(result.key_pkcs8)
                    print(f"PENDING: reference {result.pending_ref}; key kept in {key_file}")
                    return 3
                # the PFX holds the private key: mode 0600 from the start, as the CLI writes
                # it (write_bytes would leave it 0644 under the usual umask), and fchmod for
                # a file that was there before
                fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as f:
                    os.fchmod(f.fileno(), 0o600)
                    f.write(result.pfx)
                print(f"serial   {result.serial}")
                print(f"attempts {result.attempts}, chain of {result.chain_length}")
                print(f"wrote    {args.out} (mode 0600)")
                if not args.pfx_pass:
                    print(f"PFX password: {result.pfx_password}")
                return 0
    except pkiws.PkiwsError as e:
        print(f"error: {e}", file=sys.stderr)
        if e.remedy:
            print(f"remedy: {e.remedy}", file=sys.stderr)
        if e.result is not None:
            for check in e.result.checks:
                if check.verdict != pkiws.Verdict.OK:
                    print(f"  {check.name}: {check.verdict_name}: {check.detail}",
                          file=sys.stderr)
            e.result.close()
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
