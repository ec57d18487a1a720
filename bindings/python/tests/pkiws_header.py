# SPDX-License-Identifier: MIT
"""A reader of include/pkiws/pkiws.h for the drift tests: PKIWS_API declarations, enums and
the #define constants."""
from __future__ import annotations

import re
from typing import NamedTuple


class Param(NamedTuple):
    ctype: str  #: normalised C type, e.g. "const char *", "pkiws_result **"
    name: str


class Function(NamedTuple):
    name: str
    returns: str  #: normalised C type
    params: tuple[Param, ...]


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _norm_type(ctype: str) -> str:
    ctype = ctype.replace("*", " * ")
    words = ctype.split()
    # "const char * *" -> "const char **"
    base = " ".join(w for w in words if w != "*")
    stars = words.count("*")
    return base + (" " + "*" * stars if stars else "")


def _split_decl(decl: str) -> tuple[str, str]:
    """"const char *key_pem" -> ("const char *", "key_pem")."""
    decl = decl.strip()
    m = re.match(r"^(.*?)(\w+)\s*$", decl, flags=re.S)
    if not m:
        raise ValueError(f"cannot parse declaration {decl!r}")
    return _norm_type(m.group(1)), m.group(2)


def functions(header: str) -> dict[str, Function]:
    """Every ``PKIWS_API`` function declaration of the header, by name."""
    text = _strip_comments(header)
    out: dict[str, Function] = {}
    for m in re.finditer(r"PKIWS_API\s+([^;(]*?)\s*\(([^)]*)\)\s*;", text):
        returns, name = _split_decl(m.group(1))
        raw_params = " ".join(m.group(2).split())
        params: tuple[Param, ...] = ()
        if raw_params and raw_params != "void":
            params = tuple(Param(*_split_decl(p)) for p in raw_params.split(","))
        if name in out:
            raise ValueError(f"{name} is declared twice")
        out[name] = Function(name, returns, params)
    return out


def _eval_int(expr: str) -> int:
    expr = re.sub(r"UINT64_C\((\w+)\)", r"\1", expr)
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr)
    if not re.fullmatch(r"[\s0-9a-fA-FxX()<>|+\-]*", expr):
        raise ValueError(f"unsupported constant expression {expr!r}")
    return int(eval(expr, {"__builtins__": {}}, {}))  # digits and operators only


def enums(header: str) -> dict[str, dict[str, int]]:
    """``enum name { A = 1, ... };`` -> {name: {A: 1, ...}} (every value is explicit)."""
    text = _strip_comments(header)
    out: dict[str, dict[str, int]] = {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", text, flags=re.S):
        members: dict[str, int] = {}
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            if "=" not in item:
                raise ValueError(f"enum {m.group(1)}: {item} has no explicit value")
            key, value = (s.strip() for s in item.split("=", 1))
            members[key] = _eval_int(value)
        out[m.group(1)] = members
    return out


def defines(header: str, prefix: str) -> dict[str, int]:
    """Integer ``#define`` constants whose names start with ``prefix``."""
    text = _strip_comments(header)
    out: dict[str, int] = {}
    for m in re.finditer(r"^\s*#\s*define\s+(" + re.escape(prefix) + r"\w*)\s+(.+)$", text,
                         flags=re.M):
        out[m.group(1)] = _eval_int(m.group(2))
    return out
