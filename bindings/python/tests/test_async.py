# SPDX-License-Identifier: MIT
"""Ops and asyncio against pkiws-sim: 50 issuances at once from one event loop, every
operation in its async form, cancelling a task mid-flight (nothing left behind), the sans-I/O
calls driven by Python's own HTTPS client, misuse of an op, the progress callback of the
blocking calls, and docs/examples/issue_asyncio.py."""
from __future__ import annotations

import asyncio
import http.client
import os
import ssl
import subprocess
import sys
import threading
import time
import unittest
from typing import Any, Callable, Coroutine
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

import pkiws
import pkiws_testsupport as support
from test_online import P_EMAIL, P_PENDING, SimTestCase, public_der

P_EC = support.SIM_ARC + ".12"  # CN x EMAIL, EC P-256: keys made quickly on the loop thread
P_ESCROW = support.SIM_ARC + ".15"  # the CA makes and escrows the key
#: under valgrind (PKIWS_TEST_SLOW=1) everything takes longer: waits are scaled, counts kept
SLOW = os.environ.get("PKIWS_TEST_SLOW") == "1"
SCALE = 10 if SLOW else 1
#: an answer held back by the simulator: far longer than any wait of these tests
HELD_MS = 300000


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def in_flight() -> tuple[int, int]:
    """(eventfds open, threads that are not Python's) of this process: what ops hold while an
    exchange runs (a pkiws thread each, and the op's wake fd). Both are 0 once all is over:
    nothing else in these tests makes eventfds or native threads."""
    fds = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            fds += os.readlink(f"/proc/self/fd/{name}") == "anon_inode:[eventfd]"
        except OSError:  # the descriptor of the listing itself, closed meanwhile
            pass
    return fds, len(os.listdir("/proc/self/task")) - threading.active_count()


class AsyncTestCase(SimTestCase):
    def profile_ec(self, oid: str = P_EC) -> pkiws.Profile:
        return self.profile(oid, san_types=pkiws.SanType.EMAIL, key_type=pkiws.KeyType.EC_P256)

    def request(self, profile: pkiws.Profile, **fields: Any) -> pkiws.Request:
        r = profile.request(**fields)
        self.addCleanup(r.close)
        return r

    def keep(self, result: pkiws.Result) -> pkiws.Result:
        self.addCleanup(result.close)
        return result

    def assert_released(self, what: str) -> None:
        """The eventfds and threads of finished or cancelled ops go away: a pkiws thread ends
        once its exchange is over and frees what it holds (a moment after the op saw the end
        of the exchange)."""
        deadline = time.monotonic() + 30 * SCALE
        while in_flight() != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(in_flight(), (0, 0), f"{what}: (eventfds, pkiws threads) left over")


class TestAsync(AsyncTestCase):
    def test_async_fifty_issuances_at_once(self) -> None:
        p = self.profile_ec()
        requests = [self.request(p, cn=f"Async {i}", email=f"async{i}@contoso.com",
                                 pfx_password=f"pw {i}") for i in range(50)]
        python_threads = set(threading.enumerate())
        ticks = 0

        async def ticker(stop: asyncio.Event) -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        async def main() -> list[pkiws.Result]:
            policy = self.keep(await p.fetch_policy_async())
            self.assertEqual(policy.attempts, 1)
            self.assertTrue(policy.client_txid)
            stop = asyncio.Event()
            tick = asyncio.ensure_future(ticker(stop))
            try:
                return await asyncio.gather(*(r.issue_async() for r in requests))
            finally:
                stop.set()
                await tick

        results = [self.keep(res) for res in run(main())]
        self.assertGreater(ticks, 0, "the loop ran nothing else while issuing")
        serials = set()
        for i, res in enumerate(results):
            self.assertEqual(res.status, pkiws.Status.OK)
            cert = x509.load_der_x509_certificate(res.cert_der)
            loaded = pkcs12.load_pkcs12(res.pfx, f"pw {i}".encode())
            self.assertEqual(loaded.cert.certificate, cert)
            self.assertEqual(public_der(loaded.key), public_der(cert))
            self.assertEqual(cert.subject.rfc4514_string(), f"CN=Async {i}")
            serials.add(res.serial)
        self.assertEqual(len(serials), 50)
        # no thread of Python's: the exchanges ran on pkiws threads, which are gone again
        self.assertEqual(set(threading.enumerate()), python_threads)
        self.assert_released("50 issuances")

    def test_async_every_operation(self) -> None:
        p = self.profile_ec()
        pending_profile = self.profile(P_PENDING, san_types=pkiws.SanType.EMAIL)
        r = self.request(p, cn="Ava", email="ava@contoso.com", seat_id="ava-seat")

        async def main() -> None:
            first = self.keep(await r.issue_async())
            self.assertTrue(first.ok)
            # renew the certificate for the same seat: a new key and serial
            renewed = self.keep(await r.renew_async(first.cert_der))
            self.assertTrue(renewed.ok)
            self.assertNotEqual(renewed.serial, first.serial)
            self.assertNotEqual(public_der(x509.load_der_x509_certificate(renewed.cert_der)),
                                public_der(x509.load_der_x509_certificate(first.cert_der)))
            # both are the seat's, found by search
            page = self.keep(await self.session.search_async("ava-seat",
                                                             by=pkiws.Selector.SEAT))
            self.assertEqual(page.get_int(pkiws.ResultInt.SEARCH_TOTAL), 2)
            self.assertEqual(sorted(f.serial.lstrip("0") for f in page.found),
                             sorted(s.lstrip("0") for s in (first.serial, renewed.serial)))
            # suspend, resume, revoke
            for op in (pkiws.StatusOp.SUSPEND, pkiws.StatusOp.RESUME, pkiws.StatusOp.REVOKE):
                out = self.keep(await self.session.revoke_async(
                    first.serial, operation=op, reason=pkiws.Reason.CERTIFICATE_HOLD
                    if op == pkiws.StatusOp.SUSPEND else pkiws.Reason.NONE))
                self.assertEqual((out.success_code, out.revocation_count), (0, 1))
            page = self.keep(await self.session.search_async(first.serial,
                                                             by=pkiws.Selector.SERIAL))
            self.assertEqual([f.status for f in page.found], ["REVOKED"])
            # in bulk: the renewed one and an unknown serial, each with its own outcome
            out = self.keep(await self.session.revoke_bulk_async(
                [renewed.serial, "0BADC0DE"], reason=pkiws.Reason.SUPERSEDED, check=False))
            self.assertEqual([i.code for i in out.items], [0, pkiws.ErrorCode.REJECTED])
            with self.assertRaises(pkiws.RejectedError) as cm:
                await self.session.revoke_bulk_async(["0BADC0DE"])
            self.assertFalse(cm.exception.result.items[0].ok)
            cm.exception.result.close()
            # a pending issuance, finished by poll
            with pending_profile.request(cn="Pat", email="pat@contoso.com",
                                         pfx_password="pw") as pr:
                pending = self.keep(await pr.issue_async())
            self.assertTrue(pending.pending)
            with pending_profile.request(cn="Pat", email="pat@contoso.com", pfx_password="pw",
                                         pending_ref=pending.pending_ref,
                                         key=pending.key_pkcs8) as pr:
                done = self.keep(await pr.poll_async())
            self.assertTrue(done.ok)
            self.assertEqual(pkcs12.load_pkcs12(done.pfx, b"pw").cert.certificate,
                             x509.load_der_x509_certificate(done.cert_der))
            # key recovery of an escrowed key
            escrow = self.profile(P_ESCROW, san_types=pkiws.SanType.EMAIL)
            with escrow.request(cn="Kim", email="kim@contoso.com", pfx_password="i") as er:
                issued = self.keep(await er.issue_async())
            rec = self.keep(await self.session.recover_async(
                issued.serial, issued.issuer, "admin-a", pfx_password="recovered"))
            self.assertTrue(rec.ok)
            self.assertEqual(rec.cert_der, issued.cert_der)
            self.assertEqual(public_der(pkcs12.load_pkcs12(rec.pfx, b"recovered").key),
                             public_der(pkcs12.load_pkcs12(issued.pfx, b"i").key))

        run(main())

    def test_async_failures_raise_as_the_blocking_calls(self) -> None:
        async def main() -> None:
            # the CA's refusal: the same class, message and result as Session.revoke
            with self.assertRaises(pkiws.RejectedError) as cm:
                await self.session.revoke_async("0A0B0C")
            self.assertIn("A0B0C", cm.exception.message)
            self.assertEqual(cm.exception.result.success_code, -1)
            cm.exception.result.close()
            # checked before anything is started: raised by revoke_start itself
            with self.assertRaises(pkiws.InvalidArgumentError) as cm2:
                await self.session.revoke_async("XYZ")
            self.assertIn("'X' at position 1", cm2.exception.message)
            with self.profile(support.SIM_ARC + ".999") as unknown, \
                    self.assertRaises(pkiws.ProfileNotFoundError) as cm3:
                await unknown.fetch_policy_async()
            self.assertIn(support.SIM_ARC + ".999", cm3.exception.message)
            self.assertEqual(cm3.exception.result.error, pkiws.ErrorCode.PROFILE_NOT_FOUND)
            cm3.exception.result.close()
            with self.request(self.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL),
                              cn="Pat", pending_ref="nope") as r, \
                    self.assertRaises(pkiws.StateError) as cm4:
                await r.poll_async()
            self.assertIn("pkiws_request_set_key", cm4.exception.message)
            cm4.exception.result.close()

        run(main())

    def test_async_op_misuse(self) -> None:
        p = self.profile_ec()
        with self.assertRaises(TypeError):
            pkiws.Op()
        with p.fetch_policy_start() as op:
            # nothing asked for yet: no exchange to feed, no result to take
            with self.assertRaises(pkiws.StateError) as cm:
                op.feed(200, b"<x/>")
            self.assertIn("pkiws_op_feed", cm.exception.message)
            with self.assertRaises(pkiws.StateError):
                op.feed_error(pkiws.ErrorCode.TIMEOUT)
            with self.assertRaises(pkiws.StateError):
                op.http_request()
            with self.assertRaises(pkiws.StateError) as cm:
                op.result()
            self.assertIn("not finished", cm.exception.message)
            self.assertIsNone(cm.exception.result)
            self.assertEqual(op.next(), pkiws.OpWant.WANT_HTTP)
            with self.assertRaises(pkiws.InvalidArgumentError):
                op.feed_error(0, "not a failure")
            with self.assertRaises(pkiws.InvalidArgumentError):
                op.feed(42, b"")  # not an HTTP status
            # driver mode: the exchange is pkiws's now, the host cannot feed it (unless it is
            # over already: then the op is done and wants no exchange either)
            if not op.perform():
                fds, timeout = op.fds()
                self.assertEqual([events for _, events in fds], [pkiws.PollEvent.IN])
                self.assertIsNone(timeout)
            with self.assertRaises(pkiws.StateError):
                op.feed(200, b"<x/>")
            res = self.keep(run(op.run_async()))
            self.assertEqual(res.attempts, 1)
            with self.assertRaises(pkiws.StateError) as cm:
                op.result()
            self.assertIn("already taken", cm.exception.message)
            op.cancel()  # a finished op: nothing happens
        self.assertTrue(op.closed)
        with self.assertRaises(pkiws.InvalidHandleError):
            op.next()
        with self.assertRaises(pkiws.InvalidHandleError):
            run(op.run_async())

    def test_async_sans_io_with_pythons_own_client(self) -> None:
        # the host does every exchange itself: Python's http.client over mutual TLS with the
        # RA credential (taken out of ra.p12); the first enrolment "cannot connect"
        tmp = support.TempDir()
        self.addCleanup(tmp.cleanup)
        key, cert, chain = pkcs12.load_key_and_certificates(
            self.sim.ra_p12.read_bytes(), self.sim.ra_password.encode())
        pem = tmp / "ra.pem"
        pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()) +
                        b"".join(c.public_bytes(serialization.Encoding.PEM)
                                 for c in [cert, *chain]))
        tls = ssl.create_default_context(cafile=str(self.sim.trust))
        tls.load_cert_chain(str(pem))
        with self.sim.session(retry_backoff_ms=1000, retries=2) as s, \
                s.profile(P_EC, san_types=pkiws.SanType.EMAIL,
                          key_type=pkiws.KeyType.EC_P256) as p, \
                p.request(cn="Hana", email="hana@contoso.com", pfx_password="pw") as r, \
                r.issue_start() as op:
            wants: list[pkiws.OpWant] = []
            bodies: list[bytes] = []
            while True:
                want = op.next()
                wants.append(want)
                if want == pkiws.OpWant.DONE:
                    break
                if want == pkiws.OpWant.WANT_WAIT:
                    ms = op.wait_ms()
                    self.assertGreater(ms, 0)
                    self.assertLessEqual(ms, 1000)  # the back-off
                    time.sleep(ms / 1000)
                    continue
                req = op.http_request()
                self.assertEqual(req.headers["Content-Type"][:8], "text/xml")
                self.assertIn("SOAPAction", req.headers)
                self.assertTrue(req.body.lstrip().startswith(b"<"))
                bodies.append(req.body)
                if len(bodies) == 2:  # the policy fetch, then the first enrolment fails
                    op.feed_error(pkiws.ErrorCode.CONNECT, "refused (test)")
                    continue
                url = urlsplit(req.url)
                conn = http.client.HTTPSConnection(url.hostname, url.port, context=tls,
                                                   timeout=60 * SCALE)
                try:
                    conn.request("POST", url.path, body=req.body, headers=req.headers)
                    answer = conn.getresponse()
                    op.feed(answer.status, answer.read(), dict(answer.getheaders()))
                finally:
                    conn.close()
            self.assertEqual(wants[:3], [pkiws.OpWant.WANT_HTTP] * 2 + [pkiws.OpWant.WANT_WAIT])
            self.assertEqual(len(bodies), 3)
            self.assertEqual(bodies[2], bodies[1])  # the retry: the same request, same txid
            with op.result() as res:
                self.assertTrue(res.ok)
                loaded = pkcs12.load_pkcs12(res.pfx, b"pw")
                self.assertEqual(loaded.cert.certificate.subject.rfc4514_string(), "CN=Hana")
                self.assertEqual(res.attempts, 2)

    def test_async_docs_example(self) -> None:
        # docs/examples/issue_asyncio.py, run as a user would
        tmp = support.TempDir()
        self.addCleanup(tmp.cleanup)
        example = str(support.REPO / "docs" / "examples" / "issue_asyncio.py")
        proc = subprocess.run(
            [sys.executable, example, "--url", self.sim.url, "--sim-state", str(self.sim.state),
             "--profile", P_EMAIL, "--count", "20", "--pfx-pass", "example pw",
             "--out-dir", str(tmp.path)],
            capture_output=True, text=True, timeout=300 * SCALE)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        pfx_files = sorted(tmp.path.glob("*.pfx"))
        self.assertEqual(len(pfx_files), 20, proc.stdout)
        serials = set()
        for path in pfx_files:
            self.assertEqual(path.stat().st_mode & 0o777, 0o600)
            serials.add(pkcs12.load_pkcs12(path.read_bytes(), b"example pw")
                        .cert.certificate.serial_number)
        self.assertEqual(len(serials), 20)
        self.assertIn("20 issued, 0 failed", proc.stdout)
        # a failure: every issuance reports it, exit status 1
        proc = subprocess.run(
            [sys.executable, example, "--url", self.sim.url, "--sim-state", str(self.sim.state),
             "--profile", support.SIM_ARC + ".999", "--count", "3", "--out-dir", str(tmp.path)],
            capture_output=True, text=True, timeout=300 * SCALE)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(proc.stderr.count("PKIWS_E_PROFILE_NOT_FOUND"), 3, proc.stderr)
        self.assertIn("0 issued, 3 failed", proc.stdout)


class TestAsyncCancel(AsyncTestCase):
    # request 1 is the policy fetch; the answers to the enrolments 2 and 3 are held back
    SIM_OPTIONS = ("--fault", f"delay:{HELD_MS}@2", "--fault", f"delay:{HELD_MS}@3")

    def test_async_cancel_mid_flight(self) -> None:
        self.session.configure(timeout_ms=HELD_MS)  # the held exchanges do not time out
        p = self.profile_ec()
        p.fetch_policy()
        r1 = self.request(p, cn="Cy", email="cy@contoso.com")
        r2 = self.request(p, cn="Di", email="di@contoso.com")

        async def cancel_promptly(task: asyncio.Future) -> None:
            """Cancel a task that is still running: it ends with CancelledError at once."""
            self.assertFalse(task.done())
            t0 = time.monotonic()
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            self.assertLess(time.monotonic() - t0, 5.0 * SCALE)  # far below HELD_MS

        async def main() -> None:
            loop = asyncio.get_running_loop()
            # an op of the caller's, driven by a task: cancelled while pkiws performs its
            # exchange (the op waits on its descriptor)
            with r1.issue_start() as op:
                task = asyncio.ensure_future(op.run_async())
                deadline = time.monotonic() + 30 * SCALE
                while not op.fds()[0]:
                    self.assertLess(time.monotonic(), deadline, "the exchange never went out")
                    await asyncio.sleep(0.01)
                (fd, _), = op.fds()[0]
                await asyncio.sleep(0.2)  # time to reach the simulator (which holds it)
                await cancel_promptly(task)
                self.assertFalse(loop.remove_reader(fd), "the descriptor is still watched")
                # the op was cancelled with it, waiting for the answer
                with self.assertRaises(pkiws.CancelledError) as cm:
                    op.result()
                self.assertIn("waiting for the answer", cm.exception.message)
                self.assertFalse(cm.exception.retryable)
                cm.exception.result.close()
            # the same through issue_async: the op is freed by the task
            task = asyncio.ensure_future(r2.issue_async())
            await asyncio.sleep(0.5)
            await cancel_promptly(task)

        run(main())
        # the cancelled exchanges still wait on their pkiws threads, which hold the ops' wake
        # fds; stopping the simulator ends them, and their threads free what they hold
        fds, threads = in_flight()
        self.assertEqual(fds, 2)
        self.assertGreaterEqual(threads, 2)
        self.sim.stop()
        self.assert_released("two cancelled issuances")


class TestProgress(AsyncTestCase):
    # request 1 (a policy fetch) is answered after 600 ms; 2 and 3 are held back
    SIM_OPTIONS = ("--fault", "delay:600@1", "--fault", f"delay:{HELD_MS}@2",
                   "--fault", f"delay:{HELD_MS}@3")

    def test_progress_sees_and_cancels(self) -> None:
        events: list[tuple[str, pkiws.ProgressEvent, int, int]] = []
        cancel_when: list[Callable[[pkiws.ProgressEvent, int], Any]] = []

        def progress(operation: str, event: pkiws.ProgressEvent, attempt: int, ms: int) -> Any:
            events.append((operation, event, attempt, ms))
            return cancel_when[0](event, ms) if cancel_when else False

        self.session.set_progress(progress)
        self.addCleanup(self.session.set_progress, None)
        p = self.profile_ec()
        p.fetch_policy()
        self.assertEqual({e[0] for e in events}, {"policy fetch"})
        self.assertEqual(events[0][1:], (pkiws.ProgressEvent.SEND, 1, 0))
        waiting = [e for e in events if e[1] == pkiws.ProgressEvent.WAITING]
        self.assertGreaterEqual(len(waiting), 2, events)  # 600 ms, reported each 100 ms
        self.assertEqual(events[1][1], pkiws.ProgressEvent.WAITING)
        self.assertTrue(all(isinstance(e[1], pkiws.ProgressEvent) for e in events))
        self.assertEqual([e[3] for e in waiting], sorted(e[3] for e in waiting))

        # a truthy return cancels an issuance whose answer is held back
        events.clear()
        cancel_when.append(lambda event, ms: event == pkiws.ProgressEvent.WAITING and ms >= 200)
        t0 = time.monotonic()
        with self.request(p, cn="Flo", email="flo@contoso.com") as r, \
                self.assertRaises(pkiws.CancelledError) as cm:
            r.issue()
        self.assertLess(time.monotonic() - t0, 30 * SCALE)
        self.assertEqual(events[0][:2], ("issuance", pkiws.ProgressEvent.SEND))
        self.assertEqual(cm.exception.code, pkiws.ErrorCode.CANCELLED)
        self.assertIn("progress callback", cm.exception.message)
        self.assertFalse(cm.exception.retryable)
        cm.exception.result.close()

        # an exception in the callback cancels too, and comes out of the call
        class Stop(Exception):
            pass

        def boom(event: pkiws.ProgressEvent, ms: int) -> bool:
            if event == pkiws.ProgressEvent.WAITING:
                raise Stop("enough")
            return False

        cancel_when[0] = boom
        with self.request(p, cn="Gus", email="gus@contoso.com") as r, \
                self.assertRaises(Stop) as cm2:
            r.issue()
        self.assertIsInstance(cm2.exception.__context__, pkiws.CancelledError)
        cm2.exception.__context__.result.close()

        # without a callback the session reports nothing (request 4 is not held back)
        self.session.set_progress(None)
        events.clear()
        with self.keep(self.session.search("nobody", by=pkiws.Selector.SEAT)) as page:
            self.assertEqual(page.found, [])
        self.assertEqual(events, [])
        with self.assertRaises(TypeError):
            self.session.set_progress(42)


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
