# SPDX-License-Identifier: MIT
"""The durable revocation outbox (pkiws.Outbox) against pkiws-sim: queue, run until the CA
confirms and a search shows the new status, list, reopen, step callback, closed handles."""
from __future__ import annotations

import unittest

import pkiws
import pkiws_testsupport as support

P_EMAIL = support.SIM_ARC + ".1"  # CN subject, EMAIL SAN


@unittest.skipUnless(pkiws.features() & pkiws.Feature.OUTBOX, "built without SQLite")
class TestOutbox(support.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = support.Simulator("-q").start()
        try:
            cls.session = cls.sim.session(retry_backoff_ms=10)
        except BaseException:
            cls.sim.stop()
            raise
        cls.tmp = support.TempDir("pkiws-py-outbox-")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.session.close()
        cls.sim.stop()
        cls.tmp.cleanup()

    def issue(self, cn: str) -> str:
        with self.session.profile(P_EMAIL, san_types=pkiws.SanType.EMAIL) as p, \
             p.request(cn=cn, email=f"{cn}@contoso.com", seat_id=f"{cn}-seat") as r, \
             r.issue() as res:
            return res.serial

    def status(self, serial: str) -> str:
        with self.session.search(serial, by=pkiws.Selector.SERIAL) as page:
            return page.found[0].status

    def test_outbox_revoke_suspend_and_list(self) -> None:
        s1, s2 = self.issue("olga"), self.issue("oscar")
        steps: list[tuple[int, int]] = []
        with pkiws.Outbox(self.session, self.tmp / "a.db") as ob:
            ob.set_step_callback(lambda entry, step: steps.append((entry, step)))
            a = ob.add(s1, reason=pkiws.Reason.KEY_COMPROMISE)
            b = ob.add(s2, operation=pkiws.StatusOp.SUSPEND)
            self.assertEqual(ob.add(s1), a)  # a pending twin is not queued again
            bad = ob.add("0BADC0FFEE")
            self.assertEqual(ob.pending, 3)
            queued = {e.id: e.txid for e in ob.entries()}
            self.assertTrue(all(t.startswith("pkiws-obx-") for t in queued.values()))
            self.assertEqual(ob.run(60), 0)
            done = {e.id: e for e in ob.entries(all=True)}
            self.assertEqual(done[a].state, pkiws.OutboxState.DONE)
            self.assertEqual(done[b].state, pkiws.OutboxState.DONE)
            self.assertEqual(done[bad].state, pkiws.OutboxState.FAILED)
            self.assertEqual(done[bad].success_code, -1)
            self.assertEqual(done[bad].last_code, pkiws.ErrorCode.REJECTED)
            self.assertIn("BADC0FFEE", done[bad].last_error)
            self.assertEqual({i: e.txid for i, e in done.items()}, queued)
            self.assertEqual(done[a].reason, pkiws.Reason.KEY_COMPROMISE)
            self.assertEqual(ob.entries(), [])
        self.assertEqual(self.status(s1), "REVOKED")
        self.assertEqual(self.status(s2), "SUSPENDED")
        self.assertEqual([s for (e, s) in steps if e == a],
                         [pkiws.OutboxStep.SEND, pkiws.OutboxStep.SENT,
                          pkiws.OutboxStep.ACCEPTED, pkiws.OutboxStep.SEARCHED,
                          pkiws.OutboxStep.DONE])
        self.assertEqual(pkiws._outbox.state_name(pkiws.OutboxState.ACCEPTED), "accepted")

    def test_outbox_reopen_and_closed(self) -> None:
        path = self.tmp / "b.db"
        with pkiws.Outbox(self.session, path) as ob:
            first = ob.add("seat-x", by=pkiws.Selector.SEAT, operation=pkiws.StatusOp.RESUME)
        ob2 = pkiws.Outbox(self.session, path)
        try:
            (entry,) = ob2.entries()
            self.assertEqual((entry.id, entry.target, entry.selector, entry.state),
                             (first, "seat-x", pkiws.Selector.SEAT, pkiws.OutboxState.QUEUED))
        finally:
            ob2.close()
        with self.assertRaises(pkiws.InvalidHandleError):
            ob2.add("01")
        with self.assertRaises(pkiws.InvalidArgumentError):
            pkiws.Outbox(self.session, self.tmp / "c.db").add("12xz")
        with self.assertRaises(pkiws.LocalIOError):
            pkiws.Outbox(self.session, "/nonexistent-dir/x/o.db")


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
