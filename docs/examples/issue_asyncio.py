#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue many PFX files at once from one asyncio event loop, e.g. against pkiws-sim.

    pkiws-sim --state-dir /tmp/sim --port-file /tmp/sim.port &
    python3 docs/examples/issue_asyncio.py --url https://localhost:$(cat /tmp/sim.port)/pki-ws \\
        --sim-state /tmp/sim --profile 2.16.840.1.113733.1.16.1.2.3.1.1.1 --count 20 \\
        --out-dir pfx

(--sim-state DIR stands for --trust DIR/trust.pem, --ra-p12 DIR/ra.p12 and
--ra-password-file DIR/ra.p12.password.) Each issuance is a task; request.issue_async() lets
pkiws perform the exchanges on its own threads while the loop waits on their descriptors, so
the loop stays free and no Python thread is used. Writes OUT_DIR/user-N.pfx (mode 0600).

Exit status: 0 all issued, 1 some failed (each failure is printed).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import pkiws

SIM_STATE_FILES = {"trust": "trust.pem", "ra_p12": "ra.p12", "ra_password_file": "ra.p12.password"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="base URL, e.g. https://host:8443/pki-ws")
    ap.add_argument("--sim-state", type=Path, help="pkiws-sim state directory")
    ap.add_argument("--trust", type=Path, help="PEM bundle that verifies the CA server")
    ap.add_argument("--ra-p12", type=Path, help="RA credential (PKCS#12)")
    ap.add_argument("--ra-password-file", type=Path, help="file holding the RA PFX password")
    ap.add_argument("--profile", required=True, help="certificate profile OID (EMAIL SAN)")
    ap.add_argument("--count", type=int, default=20, help="certificates to issue (20)")
    ap.add_argument("--pfx-pass", help="PFX password (default: generated, printed)")
    ap.add_argument("--out-dir", type=Path, required=True, help="where the PFX files go")
    args = ap.parse_args(argv)
    for option, name in SIM_STATE_FILES.items():  # what --sim-state stands for
        if args.sim_state and getattr(args, option) is None:
            setattr(args, option, args.sim_state / name)
    if not (args.ra_p12 and args.ra_password_file):
        ap.error("give --ra-p12 and --ra-password-file (or --sim-state)")
    return args


def write_private(path: Path, data: bytes) -> None:
    """A PFX holds a private key: mode 0600 from the start."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(data)


async def issue_one(profile: pkiws.Profile, n: int, args: argparse.Namespace) -> str:
    """One issuance: its own request, awaited without blocking the loop."""
    with profile.request(cn=f"User {n}", email=f"user{n}@contoso.com",
                         pfx_password=args.pfx_pass) as request:
        with await request.issue_async() as result:
            if result.pending:
                return f"user {n}: PENDING, reference {result.pending_ref}"
            write_private(args.out_dir / f"user-{n}.pfx", result.pfx)
            password = "" if args.pfx_pass else f", PFX password {result.pfx_password}"
            return f"user {n}: serial {result.serial}{password}"


async def main(args: argparse.Namespace) -> int:
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with pkiws.Session(base_url=args.url) as session:
        if args.trust:
            session.configure(trust_file=str(args.trust))
        session.load_ra_pkcs12_file(args.ra_p12,
                                    args.ra_password_file.read_text(encoding="utf-8").strip())
        with session.profile(args.profile, san_types=pkiws.SanType.EMAIL) as profile:
            started = time.monotonic()
            outcomes = await asyncio.gather(
                *(issue_one(profile, n, args) for n in range(1, args.count + 1)),
                return_exceptions=True)  # one failure does not stop the others
    failed = 0
    for outcome in outcomes:
        if isinstance(outcome, pkiws.PkiwsError):
            failed += 1
            print(f"error: {outcome}" + (f"; remedy: {outcome.remedy}" if outcome.remedy else ""),
                  file=sys.stderr)
            if outcome.result is not None:
                outcome.result.close()
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            print(outcome)
    print(f"{len(outcomes) - failed} issued, {failed} failed in "
          f"{time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args(sys.argv[1:]))))
