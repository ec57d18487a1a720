# SPDX-License-Identifier: MIT
"""Handle lifetimes: any free order, closed objects, with-statements, __del__."""
from __future__ import annotations

import gc
import itertools
import unittest
import weakref

import pkiws
import pkiws_testsupport as support


def build() -> dict:
    """A session, a profile with the example template, a request and its preflight result."""
    s = pkiws.Session(ca="pki-ws.symauth.com")
    p = s.profile(support.EXAMPLE_PROFILE, san_types=pkiws.SanType.EMAIL)
    p.load_template_file(support.example("policy-getPoliciesResponse.xml"))
    r = p.request(cn="Alice", email="alice@contoso.com")
    res = r.preflight()
    return {"session": s, "profile": p, "request": r, "result": res}


def still_works(name: str, obj) -> None:
    """Exercise a live object; raises when it no longer works."""
    if name == "session":
        assert obj.get_str(pkiws.SessionOpt.CA) == "pki-ws.symauth.com"
    elif name == "profile":
        obj.verify().close()
        obj.request(cn="Bob", email="bob@contoso.com").close()
    elif name == "request":
        with obj.preflight() as res:
            assert res.subject.startswith("CN=Alice"), res.subject
    else:
        assert obj.subject.startswith("CN=Alice"), obj.subject
        assert obj.find_trace(pkiws.Field.SAN_EMAIL).value == "alice@contoso.com"


class TestLifetimes(support.TestCase):
    def test_lifetimes_any_free_order(self) -> None:
        names = ("session", "profile", "request", "result")
        for order in itertools.permutations(names):
            with self.subTest(order=order):
                objs = build()
                for i, name in enumerate(order):
                    objs[name].close()
                    self.assertTrue(objs[name].closed)
                    for alive in order[i + 1:]:
                        still_works(alive, objs[alive])

    def test_lifetimes_children_made_after_parent_closed(self) -> None:
        objs = build()
        session, profile = objs["session"], objs["profile"]
        session.close()
        with profile.request(cn="Carol", email="carol@contoso.com") as r, r.preflight() as res:
            self.assertTrue(res.subject.startswith("CN=Carol"))
        profile.close()
        with self.assertRaises(pkiws.InvalidHandleError):
            profile.request(cn="Dan")
        with self.assertRaises(pkiws.InvalidHandleError) as cm:
            pkiws.Profile(session, support.EXAMPLE_PROFILE)
        self.assertIn("this session is closed", cm.exception.message)
        objs["request"].close()
        objs["result"].close()

    def test_lifetimes_closed_objects_raise(self) -> None:
        objs = build()
        for name, obj in objs.items():
            obj.close()
            obj.close()  # idempotent
            with self.subTest(handle=name), self.assertRaises(pkiws.InvalidHandleError) as cm:
                still_works(name, obj)
            self.assertEqual(cm.exception.code, pkiws.ErrorCode.INVALID_HANDLE)
            self.assertIn(f"this {name} is closed", cm.exception.message)
            self.assertIn("closed", repr(obj))

    def test_lifetimes_with_statement_closes(self) -> None:
        with pkiws.Session() as s:
            self.assertFalse(s.closed)
        self.assertTrue(s.closed)
        with self.assertRaises(ZeroDivisionError):
            with pkiws.Session() as s2:
                1 / 0
        self.assertTrue(s2.closed)
        with self.assertRaises(pkiws.InvalidHandleError):
            with s:  # entering a closed object is refused
                pass

    def test_lifetimes_failed_result_outlives_everything(self) -> None:
        s = pkiws.Session()
        p = s.profile(support.EXAMPLE_PROFILE, san_types=pkiws.SanType.EMAIL)
        p.load_template_file(support.example("policy-getPoliciesResponse.xml"))
        r = p.request(cn="Bob")
        with self.assertRaises(pkiws.SanUnresolvedError) as cm:
            r.preflight()
        for obj in (r, p, s):
            obj.close()
        res = cm.exception.result
        self.assertEqual(res.error, pkiws.ErrorCode.SAN_UNRESOLVED)
        self.assertEqual(res.trace[0].value, "Bob")
        res.close()
        self.assertTrue(res.closed)

    def test_lifetimes_garbage_collection_frees(self) -> None:
        freed: list[str] = []
        originals = {cls: cls._free_fn for cls in (pkiws.Session, pkiws.Profile,
                                                    pkiws.Request, pkiws.Result)}

        def counting(cls, fn):
            def free(ptr):
                freed.append(cls.__name__)
                fn(ptr)
            return staticmethod(free)

        try:
            for cls, fn in originals.items():
                cls._free_fn = counting(cls, fn)
            objs = build()
            refs = [weakref.ref(o) for o in objs.values()]
            del objs
            gc.collect()
            self.assertEqual([r() for r in refs], [None] * 4)
        finally:
            for cls, fn in originals.items():
                cls._free_fn = staticmethod(fn)
        self.assertEqual(sorted(freed), ["Profile", "Request", "Result", "Session"])

    def test_lifetimes_wrong_handle_types(self) -> None:
        objs = build()
        with self.assertRaises(TypeError):
            pkiws.Profile(objs["request"], support.EXAMPLE_PROFILE)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            pkiws.Request(objs["session"])  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            pkiws.Result()
        for obj in objs.values():
            obj.close()

    def test_lifetimes_request_snapshots_profile(self) -> None:
        # pkiws.h: "Make a request on profile (which it keeps a snapshot of)"; style.md 2.4:
        # "later profile edits never alter an existing request"
        objs = build()
        objs["profile"].configure(san_types=pkiws.SanType.OTHERNAME)
        try:
            objs["request"].preflight().close()  # still the EMAIL selection of its creation
        finally:
            for obj in objs.values():
                obj.close()


load_tests, tearDownModule = support.zero_test_guard(__name__)

if __name__ == "__main__":
    unittest.main()
