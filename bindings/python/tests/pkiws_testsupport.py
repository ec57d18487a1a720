# SPDX-License-Identifier: MIT
"""Shared helpers of the binding's tests: paths from the environment, temporary directories,
OpenSSL-made certificates, the pkiws-sim process, and the "zero tests ran" guard.

Environment (set by bindings/meson.build): PKIWS_LIBRARY (the library under test),
PKIWS_SHARED (../shared: specs, vendor examples), PKIWS_HEADER (include/pkiws/pkiws.h),
PKIWS_SIM (the pkiws-sim executable), OPENSSL (optional).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

#: the profile of the Intune documentation and of the vendor example
EXAMPLE_PROFILE = "2.16.840.1.113733.1.16.1.2.3.1.1.47196109"
#: the arc of the simulator's built-in catalogue (tests/sim/default-policy.xml)
SIM_ARC = "2.16.840.1.113733.1.16.1.2.3.1.1"


def shared_dir() -> Path:
    return Path(os.environ.get("PKIWS_SHARED", REPO.parent / "shared"))


def example(name: str) -> Path:
    """A vendor example message of ../shared/wsdl/examples."""
    path = shared_dir() / "wsdl" / "examples" / name
    if not path.is_file():
        raise FileNotFoundError(f"vendor example {path} is missing (set PKIWS_SHARED)")
    return path


def header_path() -> Path:
    return Path(os.environ.get("PKIWS_HEADER", REPO / "include" / "pkiws" / "pkiws.h"))


def header_text() -> str:
    return header_path().read_text(encoding="utf-8")


def sim_path() -> Path:
    """pkiws-sim: PKIWS_SIM, else <build>/tests/sim/pkiws-sim next to PKIWS_LIBRARY."""
    env = os.environ.get("PKIWS_SIM")
    if env:
        return Path(env)
    lib = os.environ.get("PKIWS_LIBRARY")
    if lib:
        guess = Path(lib).resolve().parent.parent / "tests" / "sim" / "pkiws-sim"
        if guess.exists():
            return guess
    raise RuntimeError("set PKIWS_SIM to the pkiws-sim executable (meson does)")


def openssl() -> str:
    exe = os.environ.get("OPENSSL") or shutil.which("openssl")
    if not exe:
        raise RuntimeError("openssl is needed by this test (apt-get install openssl)")
    return exe


class TempDir:
    """A fresh directory (mkdtemp), removed by cleanup()."""

    def __init__(self, prefix: str = "pkiws-py-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def run(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run a command; fail with its output when it fails."""
    proc = subprocess.run(argv, capture_output=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {proc.returncode}:\n"
                           f"{proc.stdout!r}\n{proc.stderr!r}")
    return proc


def make_self_signed(directory: Path, cn: str, *, ec: bool = True,
                     client_auth: bool = True) -> tuple[Path, Path]:
    """A self-signed certificate and its unencrypted PKCS#8 key, made by OpenSSL."""
    cert, key = directory / f"{cn}.crt.pem", directory / f"{cn}.key.pem"
    alg = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if ec else \
        ["-newkey", "rsa:2048"]
    ext = ["-addext", "extendedKeyUsage=clientAuth",
           "-addext", "keyUsage=critical,digitalSignature,keyEncipherment"] if client_auth else []
    run(openssl(), "req", "-x509", *alg, "-nodes", "-keyout", str(key), "-out", str(cert),
        "-days", "30", "-subj", f"/CN={cn}/O=pkiws python tests", *ext)
    return cert, key


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (Linux), so that a crashed test
    (an ASan abort, say) leaves no simulator behind."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


class Simulator:
    """pkiws-sim on 127.0.0.1, port 0, with a fresh state directory."""

    def __init__(self, *options: str) -> None:
        self.options = options
        self.dir = TempDir("pkiws-py-sim-")
        self.state = self.dir / "state"
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0

    def start(self, timeout: float = 60.0) -> "Simulator":
        port_file = self.dir / "port"
        self._stderr = open(self.dir / "stderr", "wb")
        self.proc = subprocess.Popen(
            [str(sim_path()), "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--state-dir", str(self.state), "--stats", *self.options],
            stdout=subprocess.PIPE, stderr=self._stderr, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text().strip())
                return self
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"pkiws-sim exited at start-up: {self.log()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pkiws-sim wrote no port file within {timeout} s: {self.log()}")

    def log(self) -> str:
        try:
            return (self.dir / "stderr").read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def stop(self) -> dict[str, int]:
        """Stop the simulator (SIGTERM); returns its --stats counters."""
        stats: dict[str, int] = {}
        if self.proc is not None:
            self.proc.terminate()
            try:
                out, _ = self.proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, _ = self.proc.communicate()
            for line in out.decode(errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1].lstrip("-").isdigit():
                    stats[parts[0]] = int(parts[1])
            self.proc = None
            self._stderr.close()
        self.dir.cleanup()
        return stats

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}/pki-ws"

    @property
    def trust(self) -> Path:
        return self.state / "trust.pem"

    @property
    def ra_p12(self) -> Path:
        return self.state / "ra.p12"

    @property
    def ra_password(self) -> str:
        return (self.state / "ra.p12.password").read_text().strip()

    def session(self, **options: Any) -> Any:
        """A pkiws.Session on this simulator with the RA credential loaded."""
        import pkiws

        s = pkiws.Session(base_url=self.url, trust_file=str(self.trust), **options)
        s.load_ra_pkcs12_file(self.ra_p12, self.ra_password)
        return s


# ---- "zero tests ran" is a failure ----------------------------------------------------------

_ran: dict[str, int] = {}


class TestCase(unittest.TestCase):
    """Base class: counts, per module, the tests that really ran (setUp reached)."""

    def setUp(self) -> None:
        module = type(self).__module__
        _ran[module] = _ran.get(module, 0) + 1


class _NoTests(unittest.TestCase):
    def __init__(self, module: str) -> None:
        super().__init__("runTest")
        self.module = module

    def runTest(self) -> None:
        self.fail(f"{self.module}: zero tests were collected")


def zero_test_guard(module: str) -> tuple[Callable, Callable]:
    """(load_tests, tearDownModule) for a test module: no tests collected, or none run (all
    skipped), fails the run. Python 3.11's unittest exits 0 when zero tests ran."""

    def load_tests(loader: unittest.TestLoader, tests: unittest.TestSuite,
                   pattern: Optional[str]) -> unittest.TestSuite:
        if tests.countTestCases() == 0:
            tests.addTest(_NoTests(module))
        return tests

    def tearDownModule() -> None:
        if _ran.get(module, 0) == 0:
            raise RuntimeError(f"{module}: zero tests ran")

    return load_tests, tearDownModule
