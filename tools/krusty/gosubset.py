"""A lexer, parser and tree-walking evaluator for the subset of Go that the
kustomize `api/krusty` end-to-end tests are written in.

This is not a Go implementation.  It understands enough of the language to
replay what a test does to its harness (which files it writes, which
directories it builds, with which options, and what it asserts), so that the
importer can turn each test into a fixture directory.  Anything it does not
understand raises `GoSubsetError`, and the importer records the case as
`unparsed` with that reason.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class GoSubsetError(Exception):
    """The source uses something this subset does not handle."""


# ---------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------

KEYWORDS = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else",
    "fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
    "map", "package", "range", "return", "select", "struct", "switch", "type",
    "var",
}

# Longest first, so that the greedy match picks e.g. "<<=" before "<<".
OPERATORS = sorted(
    """
    ... &^= <<= >>= && || <- ++ -- == != <= >= := += -= *= /= %= &= |= ^= << >> &^
    + - * / % & | ^ < > = ! ( ) [ ] { } , ; . : ~
    """.split(),
    key=len,
    reverse=True,
)


@dataclass
class Tok:
    kind: str  # IDENT KEYWORD INT FLOAT STRING CHAR OP SEMI EOF
    value: Any
    line: int

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.kind}:{self.value!r}@{self.line}"


_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "v": "\v", "\\": "\\", "'": "'", '"': '"',
}


def _decode_escapes(body: str, line: int) -> str:
    """Decode a Go interpreted string literal body.

    Go strings are byte strings.  Bytes given as \\x or octal escapes that do
    not form valid UTF-8 are kept as lone surrogates (surrogateescape), so that
    encoding the value back with surrogateescape reproduces the bytes.
    """
    out = bytearray()
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        i += 1
        if i >= n:
            raise GoSubsetError(f"line {line}: bad escape at end of string")
        e = body[i]
        if e in _ESCAPES:
            out += _ESCAPES[e].encode()
            i += 1
        elif e == "x":
            out.append(int(body[i + 1:i + 3], 16))
            i += 3
        elif e == "u":
            out += chr(int(body[i + 1:i + 5], 16)).encode()
            i += 5
        elif e == "U":
            out += chr(int(body[i + 1:i + 9], 16)).encode()
            i += 9
        elif e in "01234567":
            out.append(int(body[i:i + 3], 8))
            i += 3
        else:
            raise GoSubsetError(f"line {line}: unknown escape \\{e}")
    return out.decode("utf-8", "surrogateescape")


_SEMI_AFTER_KW = {"break", "continue", "fallthrough", "return"}
_SEMI_AFTER_OP = {"++", "--", ")", "]", "}"}


def lex(src: str) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    n = len(src)
    line = 1

    def needs_semi() -> bool:
        if not toks:
            return False
        t = toks[-1]
        if t.kind in ("IDENT", "INT", "FLOAT", "STRING", "CHAR"):
            return True
        if t.kind == "KEYWORD" and t.value in _SEMI_AFTER_KW:
            return True
        if t.kind == "OP" and t.value in _SEMI_AFTER_OP:
            return True
        return False

    while i < n:
        c = src[i]
        if c == "\n":
            if needs_semi():
                toks.append(Tok("SEMI", "\n", line))
            line += 1
            i += 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise GoSubsetError(f"line {line}: unterminated comment")
            body = src[i:j + 2]
            if "\n" in body:
                if needs_semi():
                    toks.append(Tok("SEMI", "\n", line))
                line += body.count("\n")
            i = j + 2
            continue
        if c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise GoSubsetError(f"line {line}: unterminated raw string")
            body = src[i + 1:j].replace("\r", "")
            toks.append(Tok("STRING", body, line))
            line += body.count("\n")
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                if src[j] == "\\":
                    j += 1
                if src[j] == "\n":
                    raise GoSubsetError(f"line {line}: newline in string")
                j += 1
            toks.append(Tok("STRING", _decode_escapes(src[i + 1:j], line), line))
            i = j + 1
            continue
        if c == "'":
            j = i + 1
            while src[j] != "'":
                if src[j] == "\\":
                    j += 1
                j += 1
            s = _decode_escapes(src[i + 1:j], line)
            toks.append(Tok("CHAR", ord(s) if len(s) == 1 else s.encode("utf-8", "surrogateescape")[0], line))
            i = j + 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            m = re.compile(r"0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?").match(src, i)
            text = m.group(0).replace("_", "")
            if text.lower().startswith("0x"):
                toks.append(Tok("INT", int(text, 16), line))
            elif any(ch in text for ch in ".eE"):
                toks.append(Tok("FLOAT", float(text), line))
            elif len(text) > 1 and text.startswith("0"):
                toks.append(Tok("INT", int(text, 8), line))
            else:
                toks.append(Tok("INT", int(text), line))
            i = m.end()
            continue
        if c.isalpha() or c == "_":
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(src, i)
            word = m.group(0)
            toks.append(Tok("KEYWORD" if word in KEYWORDS else "IDENT", word, line))
            i = m.end()
            continue
        for op in OPERATORS:
            if src.startswith(op, i):
                toks.append(Tok("SEMI" if op == ";" else "OP", op, line))
                i += len(op)
                break
        else:
            raise GoSubsetError(f"line {line}: unexpected character {c!r}")
    if needs_semi():
        toks.append(Tok("SEMI", "\n", line))
    toks.append(Tok("EOF", None, line))
    return toks


# ---------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------

@dataclass
class Node:
    line: int = field(default=0, kw_only=True)


# Types (only their shape matters: they are used for conversions, zero values
# and to recognise composite literals).
@dataclass
class TName(Node):
    pkg: str | None
    name: str


@dataclass
class TSlice(Node):
    elem: Any


@dataclass
class TArray(Node):
    length: Any
    elem: Any


@dataclass
class TMap(Node):
    key: Any
    value: Any


@dataclass
class TPointer(Node):
    elem: Any


@dataclass
class TStruct(Node):
    fields: list  # [(name, type)]


@dataclass
class TFunc(Node):
    params: list  # [(name|None, type, variadic)]
    results: list


@dataclass
class TInterface(Node):
    pass


@dataclass
class TEllipsis(Node):
    elem: Any


# Expressions
@dataclass
class Ident(Node):
    name: str


@dataclass
class BasicLit(Node):
    value: Any


@dataclass
class CompositeLit(Node):
    type: Any  # None when elided inside an outer literal
    elts: list  # [(key|None, value)]


@dataclass
class FuncLit(Node):
    type: TFunc
    body: list


@dataclass
class Selector(Node):
    x: Any
    sel: str


@dataclass
class Index(Node):
    x: Any
    index: Any


@dataclass
class SliceExpr(Node):
    x: Any
    lo: Any
    hi: Any


@dataclass
class TypeAssert(Node):
    x: Any
    type: Any


@dataclass
class Call(Node):
    fn: Any
    args: list
    ellipsis: bool = False


@dataclass
class Unary(Node):
    op: str
    x: Any


@dataclass
class Binary(Node):
    op: str
    x: Any
    y: Any


@dataclass
class TypeExpr(Node):
    """A type used in expression position (conversion callee, make/new arg)."""
    type: Any


# Statements
@dataclass
class ExprStmt(Node):
    x: Any


@dataclass
class Assign(Node):
    lhs: list
    op: str  # "=", ":=", "+=", ...
    rhs: list


@dataclass
class IncDec(Node):
    x: Any
    op: str


@dataclass
class VarDecl(Node):
    names: list
    type: Any
    values: list  # may be empty


@dataclass
class TypeDecl(Node):
    name: str
    type: Any


@dataclass
class FuncDecl(Node):
    name: str
    type: TFunc
    body: list | None


@dataclass
class If(Node):
    init: Any
    cond: Any
    body: list
    els: Any  # None, list (block) or If


@dataclass
class ForRange(Node):
    key: Any
    value: Any
    define: bool
    x: Any
    body: list


@dataclass
class For(Node):
    init: Any
    cond: Any
    post: Any
    body: list


@dataclass
class Return(Node):
    values: list


@dataclass
class Defer(Node):
    call: Any


@dataclass
class Branch(Node):
    kind: str  # break / continue


@dataclass
class Block(Node):
    body: list


@dataclass
class DeclGroup(Node):
    """const ( ... ) inside a function: declares into the enclosing scope."""
    body: list


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------

_BINARY_PREC = {
    "||": 1, "&&": 2,
    "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5,
}

_ASSIGN_OPS = {"=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="}


class Parser:
    def __init__(self, toks: list[Tok], filename: str):
        self.toks = toks
        self.pos = 0
        self.filename = filename
        # >0 while parsing an if/for header, where `T {` is not a literal.
        self.no_lit = 0

    # -- token helpers -----------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.pos + k, len(self.toks) - 1)]

    def err(self, msg: str) -> GoSubsetError:
        return GoSubsetError(f"{self.filename}:{self.tok.line}: {msg} (at {self.tok.value!r})")

    def is_op(self, v: str) -> bool:
        return self.tok.kind == "OP" and self.tok.value == v

    def is_kw(self, v: str) -> bool:
        return self.tok.kind == "KEYWORD" and self.tok.value == v

    def next(self) -> Tok:
        t = self.tok
        self.pos += 1
        return t

    def expect_op(self, v: str) -> Tok:
        if not self.is_op(v):
            raise self.err(f"expected {v!r}")
        return self.next()

    def expect_kw(self, v: str) -> Tok:
        if not self.is_kw(v):
            raise self.err(f"expected keyword {v!r}")
        return self.next()

    def expect_ident(self) -> str:
        if self.tok.kind != "IDENT":
            raise self.err("expected identifier")
        return self.next().value

    def skip_semis(self) -> None:
        while self.tok.kind == "SEMI":
            self.pos += 1

    def end_stmt(self) -> None:
        if self.tok.kind == "SEMI":
            self.pos += 1
        elif self.is_op(")") or self.is_op("}") or self.tok.kind == "EOF":
            pass
        else:
            raise self.err("expected end of statement")

    # -- file --------------------------------------------------------------
    def parse_file(self) -> list:
        decls = []
        self.skip_semis()
        self.expect_kw("package")
        self.expect_ident()
        self.end_stmt()
        self.skip_semis()
        while self.is_kw("import"):
            self.next()
            if self.is_op("("):
                self.next()
                while not self.is_op(")"):
                    self.skip_semis()
                    if self.is_op(")"):
                        break
                    if self.tok.kind in ("IDENT",) or self.is_op("."):
                        self.next()
                    if self.tok.kind != "STRING":
                        raise self.err("expected import path")
                    self.next()
                    self.end_stmt()
                self.next()
            else:
                if self.tok.kind == "IDENT" or self.is_op("."):
                    self.next()
                self.next()
            self.end_stmt()
            self.skip_semis()
        while self.tok.kind != "EOF":
            decls.extend(self.parse_decl(top=True))
            self.skip_semis()
        return decls

    def parse_decl(self, top: bool = False) -> list:
        line = self.tok.line
        if self.is_kw("func") and top:
            self.next()
            if self.is_op("("):
                raise self.err("methods are not supported")
            name = self.expect_ident()
            sig = self.parse_signature()
            body = self.parse_block() if self.is_op("{") else None
            self.end_stmt()
            return [FuncDecl(name, sig, body, line=line)]
        if self.is_kw("const") or self.is_kw("var"):
            is_const = self.next().value == "const"
            specs = []
            if self.is_op("("):
                self.next()
                self.skip_semis()
                prev = None
                while not self.is_op(")"):
                    spec = self.parse_value_spec()
                    if is_const and not spec.values and prev is not None:
                        # Implicit repetition (iota style) is not needed by
                        # the tests; repeat the previous expression.
                        spec.values = prev.values
                        spec.type = prev.type
                    prev = spec
                    specs.append(spec)
                    self.end_stmt()
                    self.skip_semis()
                self.next()
            else:
                specs.append(self.parse_value_spec())
            self.end_stmt()
            return specs
        if self.is_kw("type"):
            self.next()
            specs = []
            if self.is_op("("):
                self.next()
                self.skip_semis()
                while not self.is_op(")"):
                    name = self.expect_ident()
                    if self.is_op("="):
                        self.next()
                    specs.append(TypeDecl(name, self.parse_type(), line=line))
                    self.end_stmt()
                    self.skip_semis()
                self.next()
            else:
                name = self.expect_ident()
                if self.is_op("="):
                    self.next()
                specs.append(TypeDecl(name, self.parse_type(), line=line))
            self.end_stmt()
            return specs
        raise self.err("expected declaration")

    def parse_value_spec(self) -> VarDecl:
        line = self.tok.line
        names = [self.expect_ident()]
        while self.is_op(","):
            self.next()
            names.append(self.expect_ident())
        typ = None
        if not self.is_op("=") and self.tok.kind != "SEMI" and not self.is_op(")"):
            typ = self.parse_type()
        values = []
        if self.is_op("="):
            self.next()
            values = self.parse_expr_list()
        return VarDecl(names, typ, values, line=line)

    # -- types -------------------------------------------------------------
    def parse_type(self) -> Any:
        t = self.tok
        line = t.line
        if t.kind == "IDENT":
            self.next()
            if self.is_op(".") and self.peek().kind == "IDENT":
                self.next()
                return TName(t.value, self.next().value, line=line)
            return TName(None, t.value, line=line)
        if self.is_op("*"):
            self.next()
            return TPointer(self.parse_type(), line=line)
        if self.is_op("["):
            self.next()
            if self.is_op("]"):
                self.next()
                return TSlice(self.parse_type(), line=line)
            if self.is_op("..."):
                self.next()
                length = None
            else:
                length = self.parse_expr()
            self.expect_op("]")
            return TArray(length, self.parse_type(), line=line)
        if self.is_kw("map"):
            self.next()
            self.expect_op("[")
            k = self.parse_type()
            self.expect_op("]")
            return TMap(k, self.parse_type(), line=line)
        if self.is_kw("struct"):
            return self.parse_struct_type()
        if self.is_kw("func"):
            self.next()
            return self.parse_signature()
        if self.is_kw("interface"):
            self.next()
            self.expect_op("{")
            depth = 1
            while depth:
                if self.is_op("{"):
                    depth += 1
                elif self.is_op("}"):
                    depth -= 1
                self.next()
            return TInterface(line=line)
        if self.is_op("("):
            self.next()
            inner = self.parse_type()
            self.expect_op(")")
            return inner
        raise self.err("expected type")

    def parse_struct_type(self) -> TStruct:
        line = self.tok.line
        self.expect_kw("struct")
        self.expect_op("{")
        fields = []
        self.skip_semis()
        while not self.is_op("}"):
            names = [self.expect_ident()]
            while self.is_op(","):
                self.next()
                names.append(self.expect_ident())
            if self.tok.kind == "SEMI" or self.is_op("}"):
                # embedded field
                fields.append((names[0], TName(None, names[0])))
            else:
                typ = self.parse_type()
                for nm in names:
                    fields.append((nm, typ))
            if self.tok.kind == "STRING":
                self.next()  # tag
            self.end_stmt()
            self.skip_semis()
        self.next()
        return TStruct(fields, line=line)

    def parse_signature(self) -> TFunc:
        line = self.tok.line
        params = self.parse_params()
        results: list = []
        if self.is_op("("):
            results = self.parse_params()
        elif self.tok.kind == "IDENT" or self.is_op("*") or self.is_op("[") or self.is_kw("map") or self.is_kw("func") or self.is_kw("struct") or self.is_kw("interface"):
            results = [(None, self.parse_type(), False)]
        return TFunc(params, results, line=line)

    def parse_params(self) -> list:
        self.expect_op("(")
        entries = []  # (maybe_name, type|None, variadic)
        while not self.is_op(")"):
            self.skip_semis()
            variadic = False
            if self.tok.kind == "IDENT" and not (self.peek().kind == "OP" and self.peek().value in (",", ")", ".")):
                name = self.next().value
                if self.is_op("..."):
                    self.next()
                    variadic = True
                entries.append((name, self.parse_type(), variadic))
            else:
                if self.is_op("..."):
                    self.next()
                    variadic = True
                entries.append((None, self.parse_type(), variadic))
            if self.is_op(","):
                self.next()
                self.skip_semis()
        self.next()
        if any(n is not None for n, _, _ in entries):
            # Grouped names: `a, b string` -> bare entries are names.
            out = []
            pending = []
            for n, t, v in entries:
                if n is None:
                    if not isinstance(t, TName) or t.pkg is not None:
                        raise self.err("mixed named and unnamed parameters")
                    pending.append(t.name)
                else:
                    for p in pending:
                        out.append((p, t, v))
                    pending = []
                    out.append((n, t, v))
            if pending:
                raise self.err("parameter without type")
            return out
        return entries

    # -- statements --------------------------------------------------------
    def parse_block(self) -> list:
        self.expect_op("{")
        saved = self.no_lit
        self.no_lit = 0
        stmts = []
        self.skip_semis()
        while not self.is_op("}"):
            stmts.append(self.parse_stmt())
            self.skip_semis()
        self.next()
        self.no_lit = saved
        return stmts

    def parse_stmt(self) -> Any:
        t = self.tok
        line = t.line
        if t.kind == "KEYWORD":
            kw = t.value
            if kw in ("const", "var", "type"):
                decls = self.parse_decl()
                return DeclGroup(decls, line=line) if len(decls) != 1 else decls[0]
            if kw == "if":
                return self.parse_if()
            if kw == "for":
                return self.parse_for()
            if kw == "return":
                self.next()
                vals = []
                if self.tok.kind != "SEMI" and not self.is_op("}"):
                    vals = self.parse_expr_list()
                self.end_stmt()
                return Return(vals, line=line)
            if kw in ("defer", "go"):
                self.next()
                x = self.parse_expr()
                self.end_stmt()
                return Defer(x, line=line)
            if kw in ("break", "continue"):
                self.next()
                self.end_stmt()
                return Branch(kw, line=line)
            raise self.err(f"unsupported statement {kw}")
        if self.is_op("{"):
            body = self.parse_block()
            self.end_stmt()
            return Block(body, line=line)
        s = self.parse_simple_stmt()
        self.end_stmt()
        return s

    def parse_simple_stmt(self) -> Any:
        line = self.tok.line
        lhs = self.parse_expr_list()
        if self.tok.kind == "OP" and self.tok.value in _ASSIGN_OPS:
            op = self.next().value
            if self.is_kw("range"):
                raise self.err("range outside for")
            rhs = self.parse_expr_list()
            return Assign(lhs, op, rhs, line=line)
        if self.is_op("++") or self.is_op("--"):
            op = self.next().value
            return IncDec(lhs[0], op, line=line)
        if len(lhs) != 1:
            raise self.err("expression list as statement")
        return ExprStmt(lhs[0], line=line)

    def parse_if(self) -> If:
        line = self.tok.line
        self.expect_kw("if")
        self.no_lit += 1
        init = None
        s = self.parse_simple_stmt()
        if self.tok.kind == "SEMI":
            self.next()
            init = s
            s = self.parse_simple_stmt()
        self.no_lit -= 1
        if not isinstance(s, ExprStmt):
            raise self.err("if condition is not an expression")
        body = self.parse_block()
        els = None
        if self.is_kw("else"):
            self.next()
            if self.is_kw("if"):
                els = self.parse_if()
                return If(init, s.x, body, els, line=line)
            els = self.parse_block()
        self.end_stmt()
        return If(init, s.x, body, els, line=line)

    def parse_for(self) -> Any:
        line = self.tok.line
        self.expect_kw("for")
        if self.is_op("{"):
            body = self.parse_block()
            self.end_stmt()
            return For(None, None, None, body, line=line)
        self.no_lit += 1
        if self.is_kw("range"):
            self.next()
            x = self.parse_expr()
            self.no_lit -= 1
            body = self.parse_block()
            self.end_stmt()
            return ForRange(None, None, False, x, body, line=line)
        init = None
        if self.tok.kind != "SEMI":
            lhs = self.parse_expr_list()
            if self.is_op(":=") or self.is_op("="):
                op = self.next().value
                if self.is_kw("range"):
                    self.next()
                    x = self.parse_expr()
                    self.no_lit -= 1
                    body = self.parse_block()
                    self.end_stmt()
                    key = lhs[0]
                    val = lhs[1] if len(lhs) > 1 else None
                    return ForRange(key, val, op == ":=", x, body, line=line)
                rhs = self.parse_expr_list()
                init = Assign(lhs, op, rhs, line=line)
            elif self.is_op("++") or self.is_op("--"):
                init = IncDec(lhs[0], self.next().value, line=line)
            else:
                init = ExprStmt(lhs[0], line=line)
        if self.is_op("{"):
            # `for cond {`
            self.no_lit -= 1
            if not isinstance(init, ExprStmt):
                raise self.err("bad for condition")
            body = self.parse_block()
            self.end_stmt()
            return For(None, init.x, None, body, line=line)
        if self.tok.kind != "SEMI":
            raise self.err("expected ; in for clause")
        self.next()
        cond = None
        if self.tok.kind != "SEMI":
            cond = self.parse_expr()
        if self.tok.kind != "SEMI":
            raise self.err("expected ; in for clause")
        self.next()
        post = None
        if not self.is_op("{"):
            post = self.parse_simple_stmt()
        self.no_lit -= 1
        body = self.parse_block()
        self.end_stmt()
        return For(init, cond, post, body, line=line)

    # -- expressions -------------------------------------------------------
    def parse_expr_list(self) -> list:
        xs = [self.parse_expr()]
        while self.is_op(","):
            self.next()
            xs.append(self.parse_expr())
        return xs

    def parse_expr(self, prec: int = 1) -> Any:
        x = self.parse_unary()
        while self.tok.kind == "OP" and self.tok.value in _BINARY_PREC and _BINARY_PREC[self.tok.value] >= prec:
            op = self.next().value
            line = self.tok.line
            y = self.parse_expr(_BINARY_PREC[op] + 1)
            x = Binary(op, x, y, line=line)
        return x

    def parse_unary(self) -> Any:
        t = self.tok
        if t.kind == "OP" and t.value in ("!", "-", "+", "^", "&", "*", "<-"):
            self.next()
            return Unary(t.value, self.parse_unary(), line=t.line)
        return self.parse_primary()

    def parse_operand(self) -> Any:
        t = self.tok
        line = t.line
        if t.kind in ("INT", "FLOAT", "STRING", "CHAR"):
            self.next()
            return BasicLit(t.value, line=line)
        if t.kind == "IDENT":
            self.next()
            return Ident(t.value, line=line)
        if self.is_op("("):
            self.next()
            saved = self.no_lit
            self.no_lit = 0
            x = self.parse_expr()
            self.no_lit = saved
            self.expect_op(")")
            return x
        if self.is_kw("func"):
            self.next()
            sig = self.parse_signature()
            if self.is_op("{"):
                body = self.parse_block()
                return FuncLit(sig, body, line=line)
            return TypeExpr(sig, line=line)
        if self.is_op("[") or self.is_kw("map") or self.is_kw("struct") or self.is_kw("interface"):
            return TypeExpr(self.parse_type(), line=line)
        raise self.err("expected expression")

    def parse_primary(self) -> Any:
        x = self.parse_operand()
        while True:
            line = self.tok.line
            if self.is_op("."):
                self.next()
                if self.is_op("("):
                    self.next()
                    typ = self.parse_type()
                    self.expect_op(")")
                    x = TypeAssert(x, typ, line=line)
                else:
                    x = Selector(x, self.expect_ident(), line=line)
            elif self.is_op("("):
                self.next()
                args = []
                ellipsis = False
                saved = self.no_lit
                self.no_lit = 0
                self.skip_semis()
                while not self.is_op(")"):
                    if self.is_op("[") or self.is_kw("map") or self.is_kw("func") or self.is_kw("struct"):
                        args.append(self.parse_expr())
                    else:
                        args.append(self.parse_expr())
                    if self.is_op("..."):
                        self.next()
                        ellipsis = True
                    if self.is_op(","):
                        self.next()
                    self.skip_semis()
                self.no_lit = saved
                self.next()
                x = Call(x, args, ellipsis, line=line)
            elif self.is_op("["):
                self.next()
                saved = self.no_lit
                self.no_lit = 0
                lo = None
                if not self.is_op(":"):
                    lo = self.parse_expr()
                if self.is_op(":"):
                    self.next()
                    hi = None if self.is_op("]") else self.parse_expr()
                    self.expect_op("]")
                    x = SliceExpr(x, lo, hi, line=line)
                else:
                    self.expect_op("]")
                    x = Index(x, lo, line=line)
                self.no_lit = saved
            elif self.is_op("{") and self._can_be_literal_type(x):
                x = self.parse_composite(self._as_type(x), line)
            else:
                return x

    def _can_be_literal_type(self, x: Any) -> bool:
        if isinstance(x, TypeExpr):
            return isinstance(x.type, (TSlice, TArray, TMap, TStruct, TName))
        if self.no_lit:
            return False
        if isinstance(x, Ident):
            return True
        if isinstance(x, Selector) and isinstance(x.x, Ident):
            return True
        return False

    @staticmethod
    def _as_type(x: Any) -> Any:
        if isinstance(x, TypeExpr):
            return x.type
        if isinstance(x, Ident):
            return TName(None, x.name, line=x.line)
        if isinstance(x, Selector):
            return TName(x.x.name, x.sel, line=x.line)
        raise GoSubsetError("not a type")

    def parse_composite(self, typ: Any, line: int) -> CompositeLit:
        self.expect_op("{")
        saved = self.no_lit
        self.no_lit = 0
        elts = []
        self.skip_semis()
        while not self.is_op("}"):
            if self.is_op("{"):
                k = self.parse_composite(None, self.tok.line)
            else:
                k = self.parse_expr()
            if self.is_op(":"):
                self.next()
                self.skip_semis()
                if self.is_op("{"):
                    v = self.parse_composite(None, self.tok.line)
                else:
                    v = self.parse_expr()
                elts.append((k, v))
            else:
                elts.append((None, k))
            if self.is_op(","):
                self.next()
            self.skip_semis()
        self.next()
        self.no_lit = saved
        return CompositeLit(typ, elts, line=line)


def parse_go(src: str, filename: str) -> list:
    return Parser(lex(src), filename).parse_file()


# ---------------------------------------------------------------------------
# Evaluator
# ---------------------------------------------------------------------------

class Unknown:
    """A value the evaluator cannot know (e.g. the result of running a
    process).  Every operation on it yields another Unknown; it is falsy and
    compares unequal to everything, nil included."""

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return f"<unknown {self.what}>"


class GoStruct:
    """A struct value.  Fields live in `fields`; copying is explicit."""

    def __init__(self, typename: str, fields: dict):
        self.typename = typename
        self.fields = fields

    def copy(self) -> "GoStruct":
        return GoStruct(self.typename, dict(self.fields))

    def __repr__(self) -> str:  # pragma: no cover
        return f"{self.typename}{self.fields}"


class Pointer:
    """&x of a struct: shares the struct."""

    def __init__(self, target: Any):
        self.target = target


class ReturnSignal(Exception):
    def __init__(self, values: list):
        self.values = values


class BranchSignal(Exception):
    def __init__(self, kind: str):
        self.kind = kind


class StopTest(Exception):
    """t.Skip / t.SkipNow / t.FailNow / runtime.Goexit equivalents."""

    def __init__(self, reason: str):
        self.reason = reason


class Env:
    def __init__(self, parent: "Env | None" = None):
        self.vars: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> tuple["Env", Any]:
        e: Env | None = self
        while e is not None:
            if name in e.vars:
                return e, e.vars[name]
            e = e.parent
        raise KeyError(name)

    def define(self, name: str, value: Any) -> None:
        if name != "_":
            self.vars[name] = value

    def set(self, name: str, value: Any) -> None:
        if name == "_":
            return
        e: Env | None = self
        while e is not None:
            if name in e.vars:
                e.vars[name] = value
                return
            e = e.parent
        raise GoSubsetError(f"assignment to undefined variable {name}")


@dataclass
class Closure:
    name: str
    type: TFunc
    body: list
    env: Env


class Lazy:
    """A package-level const/var whose initializer runs on first use."""

    def __init__(self, expr: Any, typ: Any):
        self.expr = expr
        self.typ = typ
        self.busy = False


def go_bool(v: Any) -> bool:
    if isinstance(v, Unknown):
        return False
    if isinstance(v, bool):
        return v
    raise GoSubsetError(f"non-boolean condition {v!r}")


def to_str(v: Any) -> str:
    """Go's string(...) conversion for the value kinds the tests use."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "surrogateescape")
    if isinstance(v, list) and all(isinstance(b, int) for b in v):
        return bytes(v).decode("utf-8", "surrogateescape")
    if isinstance(v, int):
        return chr(v)
    raise GoSubsetError(f"cannot convert {v!r} to string")


def go_sprintf(fmt: str, args: list) -> str:
    out = []
    i = 0
    ai = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])").match(fmt, i)
        if not m:
            raise GoSubsetError(f"bad format {fmt!r}")
        verb = m.group(4)
        i = m.end()
        if verb == "%":
            out.append("%")
            continue
        if ai >= len(args):
            raise GoSubsetError("too few Sprintf arguments")
        a = args[ai]
        ai += 1
        if isinstance(a, Unknown):
            raise GoSubsetError(f"Sprintf of an unknown value ({a.what})")
        if verb in ("s", "v"):
            s = to_str(a) if isinstance(a, (str, bytes)) else (str(a).lower() if isinstance(a, bool) else str(a))
            if hasattr(a, "go_error_text"):
                s = a.go_error_text()
        elif verb == "d":
            s = str(int(a))
        elif verb == "q":
            s = '"' + to_str(a).replace("\\", "\\\\").replace('"', '\\"') + '"'
        else:
            raise GoSubsetError(f"unsupported format verb %{verb}")
        width = m.group(2)
        if width:
            s = s.ljust(int(width)) if "-" in m.group(1) else s.rjust(int(width))
        out.append(s)
    return "".join(out)


class TypeValue:
    """A type used as a value: the callee of a conversion, or make()'s arg."""

    def __init__(self, type_: Any):
        self.type = type_


class PackageRef:
    def __init__(self, name: str):
        self.name = name


_BASIC_TYPES = {
    "string", "bool", "int", "int8", "int16", "int32", "int64", "uint",
    "uint8", "uint16", "uint32", "uint64", "byte", "rune", "float32",
    "float64", "error", "any",
}


class Interpreter:
    """Evaluates the declarations of one Go package.

    `externals(pkg, name)` resolves `pkg.name` for imported packages (and
    `externals(None, name)` for dot-imported identifiers); it returns a
    value, or raises KeyError.  Python callables are called with the
    evaluated argument list.  Python objects expose Go fields and methods
    through `go_attr(name)` and, for assignment, `go_setattr(name, value)`.
    """

    def __init__(self, decls: list, imports: set[str], externals):
        self.globals = Env()
        self.types: dict[str, Any] = {}
        self.imports = imports
        self.externals = externals
        for d in decls:
            if isinstance(d, FuncDecl):
                self.globals.define(d.name, Closure(d.name, d.type, d.body or [], self.globals))
            elif isinstance(d, VarDecl):
                for i, nm in enumerate(d.names):
                    if d.values:
                        if len(d.values) != len(d.names):
                            raise GoSubsetError(f"line {d.line}: multi-value package var")
                        self.globals.define(nm, Lazy(d.values[i], d.type))
                    else:
                        self.globals.define(nm, Lazy(None, d.type))
            elif isinstance(d, TypeDecl):
                self.types[d.name] = d.type

    # -- helpers -----------------------------------------------------------
    def resolve_type(self, t: Any) -> Any:
        seen = 0
        while isinstance(t, TName) and t.pkg is None and t.name in self.types and seen < 20:
            t = self.types[t.name]
            seen += 1
        return t

    def zero(self, t: Any) -> Any:
        if t is None:
            return None
        rt = self.resolve_type(t)
        if isinstance(rt, TName):
            if rt.pkg is None:
                if rt.name == "string":
                    return ""
                if rt.name == "bool":
                    return False
                if rt.name in ("int", "int8", "int16", "int32", "int64", "uint", "uint8",
                               "uint16", "uint32", "uint64", "byte", "rune"):
                    return 0
                if rt.name in ("float32", "float64"):
                    return 0.0
            return None
        if isinstance(rt, TStruct):
            return GoStruct(t.name if isinstance(t, TName) else "struct",
                            {nm: self.zero(ft) for nm, ft in rt.fields})
        if isinstance(rt, TArray):
            n = self.eval(rt.length, self.globals)
            return [self.zero(rt.elem) for _ in range(n)]
        return None

    @staticmethod
    def copy_val(v: Any) -> Any:
        if isinstance(v, GoStruct):
            return v.copy()
        return v

    def lookup(self, name: str, env: Env) -> Any:
        try:
            owner, v = env.lookup(name)
        except KeyError:
            return self.lookup_free(name)
        if isinstance(v, Lazy):
            if v.busy:
                raise GoSubsetError(f"initialization cycle at {name}")
            v.busy = True
            val = self.eval(v.expr, self.globals, v.typ) if v.expr is not None else self.zero(v.typ)
            owner.vars[name] = val
            return val
        return v

    def lookup_free(self, name: str) -> Any:
        if name == "nil":
            return None
        if name == "true":
            return True
        if name == "false":
            return False
        if name in _BASIC_TYPES or name in self.types:
            return TypeValue(TName(None, name))
        if name in _BUILTINS:
            return _BUILTINS[name](self)
        if name in self.imports:
            return PackageRef(name)
        try:
            return self.externals(None, name)
        except KeyError:
            raise GoSubsetError(f"undefined: {name}") from None

    # -- expressions -------------------------------------------------------
    def eval(self, x: Any, env: Env, hint: Any = None) -> Any:
        m = getattr(self, "e_" + type(x).__name__, None)
        if m is None:
            raise GoSubsetError(f"line {getattr(x, 'line', '?')}: unsupported expression {type(x).__name__}")
        return m(x, env, hint)

    def e_BasicLit(self, x: BasicLit, env: Env, hint: Any) -> Any:
        return x.value

    def e_Ident(self, x: Ident, env: Env, hint: Any) -> Any:
        return self.lookup(x.name, env)

    def e_TypeExpr(self, x: TypeExpr, env: Env, hint: Any) -> Any:
        return TypeValue(x.type)

    def e_FuncLit(self, x: FuncLit, env: Env, hint: Any) -> Any:
        return Closure("func literal", x.type, x.body, env)

    def e_CompositeLit(self, x: CompositeLit, env: Env, hint: Any) -> Any:
        t = x.type if x.type is not None else hint
        if t is None:
            raise GoSubsetError(f"line {x.line}: composite literal of unknown type")
        rt = self.resolve_type(t)
        if isinstance(rt, TPointer):
            rt = self.resolve_type(rt.elem)
            t = rt
        if isinstance(rt, (TSlice, TArray)):
            out = []
            for k, v in x.elts:
                if k is not None:
                    raise GoSubsetError(f"line {x.line}: indexed slice literal")
                out.append(self.copy_val(self.eval(v, env, rt.elem)))
            return out
        if isinstance(rt, TMap):
            out = {}
            for k, v in x.elts:
                if k is None:
                    raise GoSubsetError(f"line {x.line}: map literal without key")
                out[self.eval(k, env, rt.key)] = self.copy_val(self.eval(v, env, rt.value))
            return out
        if isinstance(rt, TStruct):
            s = self.zero(t)
            ftypes = dict(rt.fields)
            for i, (k, v) in enumerate(x.elts):
                if k is None:
                    nm = rt.fields[i][0]
                else:
                    if not isinstance(k, Ident):
                        raise GoSubsetError(f"line {x.line}: bad struct literal key")
                    nm = k.name
                if nm not in ftypes:
                    raise GoSubsetError(f"line {x.line}: unknown field {nm}")
                s.fields[nm] = self.copy_val(self.eval(v, env, ftypes[nm]))
            return s
        raise GoSubsetError(f"line {x.line}: composite literal of type {rt}")

    def e_Selector(self, x: Selector, env: Env, hint: Any) -> Any:
        base = self.eval(x.x, env)
        return self.select(base, x.sel, x.line)

    def select(self, base: Any, sel: str, line: int = 0) -> Any:
        if isinstance(base, PackageRef):
            try:
                return self.externals(base.name, sel)
            except KeyError:
                raise GoSubsetError(f"line {line}: unknown {base.name}.{sel}") from None
        if isinstance(base, Pointer):
            base = base.target
        if isinstance(base, GoStruct):
            if sel not in base.fields:
                raise GoSubsetError(f"line {line}: no field {sel} in {base.typename}")
            return base.fields[sel]
        if isinstance(base, Unknown):
            return Unknown(f"{base.what}.{sel}")
        if hasattr(base, "go_attr"):
            return base.go_attr(sel)
        raise GoSubsetError(f"line {line}: cannot select .{sel} on {base!r}")

    def e_Index(self, x: Index, env: Env, hint: Any) -> Any:
        base = self.eval(x.x, env)
        idx = self.eval(x.index, env)
        if isinstance(base, Unknown):
            return Unknown(base.what + "[]")
        if isinstance(base, dict):
            return base.get(idx)
        if isinstance(base, (list, str, bytes)):
            return base[idx]
        raise GoSubsetError(f"line {x.line}: cannot index {base!r}")

    def e_SliceExpr(self, x: SliceExpr, env: Env, hint: Any) -> Any:
        base = self.eval(x.x, env)
        lo = self.eval(x.lo, env) if x.lo is not None else None
        hi = self.eval(x.hi, env) if x.hi is not None else None
        return base[lo:hi]

    def e_TypeAssert(self, x: TypeAssert, env: Env, hint: Any) -> Any:
        return self.eval(x.x, env)

    def e_Unary(self, x: Unary, env: Env, hint: Any) -> Any:
        if x.op == "&":
            if isinstance(x.x, CompositeLit):
                return self.eval(x.x, env, hint)
            return self.eval(x.x, env)  # pointers share the (mutable) object
        v = self.eval(x.x, env)
        if isinstance(v, Unknown):
            return Unknown("unary")
        if x.op == "!":
            return not go_bool(v)
        if x.op == "-":
            return -v
        if x.op == "+":
            return v
        if x.op == "*":
            return v.target if isinstance(v, Pointer) else v
        raise GoSubsetError(f"line {x.line}: unsupported unary {x.op}")

    def e_Binary(self, x: Binary, env: Env, hint: Any) -> Any:
        if x.op == "&&":
            return go_bool(self.eval(x.x, env)) and go_bool(self.eval(x.y, env))
        if x.op == "||":
            return go_bool(self.eval(x.x, env)) or go_bool(self.eval(x.y, env))
        a = self.eval(x.x, env)
        b = self.eval(x.y, env)
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            if x.op in ("==", "!=", "<", ">", "<=", ">="):
                return False
            return Unknown("binary")
        op = x.op
        if op == "+":
            if isinstance(a, str) and isinstance(b, str):
                return a + b
            if isinstance(a, str) or isinstance(b, str):
                raise GoSubsetError(f"line {x.line}: string + non-string ({a!r}, {b!r})")
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a // b if isinstance(a, int) and isinstance(b, int) else a / b
        if op == "%":
            return a % b
        if op == "==":
            return a is b if (a is None or b is None) else a == b
        if op == "!=":
            return not (a is b if (a is None or b is None) else a == b)
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        raise GoSubsetError(f"line {x.line}: unsupported operator {op}")

    def e_Call(self, x: Call, env: Env, hint: Any) -> Any:
        fn = self.eval(x.fn, env)
        if isinstance(fn, TypeValue):
            if len(x.args) != 1:
                raise GoSubsetError(f"line {x.line}: conversion needs one argument")
            return self.convert(fn.type, self.eval(x.args[0], env, fn.type), x.line)
        if isinstance(fn, _Builtin):
            return fn.call(x, env)
        args = []
        ptypes = fn.type.params if isinstance(fn, Closure) else None
        for i, a in enumerate(x.args):
            h = None
            if ptypes is not None and i < len(ptypes):
                h = ptypes[i][1]
            v = self.eval(a, env, h)
            if isinstance(v, tuple) and len(x.args) == 1:
                args.extend(v)  # f(g()) with multi-value g
            else:
                args.append(v)
        return self.call(fn, args, x.ellipsis, x.line)

    def convert(self, t: Any, v: Any, line: int) -> Any:
        rt = self.resolve_type(t)
        if isinstance(v, Unknown):
            return v
        if isinstance(rt, TName) and rt.pkg is None and rt.name == "string":
            if hasattr(v, "go_string"):
                return v.go_string()
            return to_str(v)
        if isinstance(rt, TSlice) and isinstance(rt.elem, TName) and rt.elem.name == "byte":
            if isinstance(v, str):
                return v.encode("utf-8", "surrogateescape")
            if hasattr(v, "go_bytes"):
                return v.go_bytes()
            return v
        return v

    def call(self, fn: Any, args: list, ellipsis: bool = False, line: int = 0) -> Any:
        if isinstance(fn, Unknown):
            return Unknown(f"{fn.what}()")
        if isinstance(fn, Closure):
            return self.call_closure(fn, args, ellipsis)
        if callable(fn):
            return fn(*args)
        if fn is None:
            raise GoSubsetError(f"line {line}: call of nil function")
        raise GoSubsetError(f"line {line}: cannot call {fn!r}")

    def call_closure(self, fn: Closure, args: list, ellipsis: bool = False) -> Any:
        fenv = Env(fn.env)
        params = fn.type.params
        for i, (nm, pt, variadic) in enumerate(params):
            if variadic:
                if ellipsis:
                    val = args[i]
                else:
                    val = list(args[i:])
            else:
                if i >= len(args):
                    raise GoSubsetError(f"too few arguments to {fn.name}")
                val = self.copy_val(args[i])
            if nm is not None:
                fenv.define(nm, val)
        named_results = [(nm, t) for nm, t, _ in fn.type.results if nm is not None]
        for nm, t in named_results:
            fenv.define(nm, self.zero(t))
        try:
            self.exec_block(fn.body, fenv)
        except ReturnSignal as r:
            vals = r.values
            if not vals and named_results:
                vals = [fenv.vars.get(nm) for nm, _ in named_results]
            if len(vals) == 0:
                return None
            if len(vals) == 1:
                return vals[0]
            return tuple(vals)
        if named_results:
            vals = [fenv.vars.get(nm) for nm, _ in named_results]
            return vals[0] if len(vals) == 1 else tuple(vals)
        return None

    # -- statements --------------------------------------------------------
    def exec_block(self, stmts: list, env: Env) -> None:
        for s in stmts:
            self.exec(s, env)

    def exec(self, s: Any, env: Env) -> None:
        m = getattr(self, "s_" + type(s).__name__, None)
        if m is None:
            raise GoSubsetError(f"line {getattr(s, 'line', '?')}: unsupported statement {type(s).__name__}")
        m(s, env)

    def s_ExprStmt(self, s: ExprStmt, env: Env) -> None:
        self.eval(s.x, env)

    def s_Block(self, s: Block, env: Env) -> None:
        self.exec_block(s.body, Env(env))

    def s_DeclGroup(self, s: DeclGroup, env: Env) -> None:
        self.exec_block(s.body, env)

    def s_VarDecl(self, s: VarDecl, env: Env) -> None:
        if s.values:
            vals = [self.eval(v, env, s.type) for v in s.values]
            if len(vals) == 1 and len(s.names) > 1:
                vals = self._unpack(vals[0], len(s.names))
            for nm, v in zip(s.names, vals):
                env.define(nm, self.copy_val(v))
        else:
            for nm in s.names:
                env.define(nm, self.zero(s.type))

    def s_TypeDecl(self, s: TypeDecl, env: Env) -> None:
        self.types[s.name] = s.type

    def s_FuncDecl(self, s: FuncDecl, env: Env) -> None:  # pragma: no cover
        raise GoSubsetError("nested func declaration")

    @staticmethod
    def _unpack(v: Any, n: int) -> list:
        if isinstance(v, Unknown):
            return [Unknown(f"{v.what}#{i}") for i in range(n)]
        if isinstance(v, tuple) and len(v) == n:
            return list(v)
        raise GoSubsetError(f"cannot unpack {v!r} into {n} values")

    def s_Assign(self, s: Assign, env: Env) -> None:
        if s.op in (":=", "="):
            if len(s.rhs) == 1 and len(s.lhs) > 1:
                vals = self._unpack(self.eval(s.rhs[0], env), len(s.lhs))
            else:
                if len(s.rhs) != len(s.lhs):
                    raise GoSubsetError(f"line {s.line}: assignment count mismatch")
                vals = [self.eval(r, env) for r in s.rhs]
            for target, v in zip(s.lhs, vals):
                v = self.copy_val(v)
                if s.op == ":=":
                    if not isinstance(target, Ident):
                        raise GoSubsetError(f"line {s.line}: := to non-identifier")
                    if target.name in env.vars or target.name == "_":
                        # redeclaration in the same scope: plain assignment
                        if target.name != "_":
                            env.vars[target.name] = v
                    else:
                        env.define(target.name, v)
                else:
                    self.assign_to(target, v, env)
            return
        # op-assign
        target = s.lhs[0]
        cur = self.eval(target, env)
        rhs = self.eval(s.rhs[0], env)
        bop = s.op[:-1]
        v = self.e_Binary(Binary(bop, BasicLit(cur), BasicLit(rhs), line=s.line), env, None)
        self.assign_to(target, v, env)

    def assign_to(self, target: Any, v: Any, env: Env) -> None:
        if isinstance(target, Ident):
            if target.name == "_":
                return
            env.set(target.name, v)
        elif isinstance(target, Selector):
            base = self.eval(target.x, env)
            if isinstance(base, Pointer):
                base = base.target
            if isinstance(base, GoStruct):
                base.fields[target.sel] = v
            elif hasattr(base, "go_setattr"):
                base.go_setattr(target.sel, v)
            elif isinstance(base, Unknown):
                pass
            else:
                raise GoSubsetError(f"line {target.line}: cannot set .{target.sel} on {base!r}")
        elif isinstance(target, Index):
            base = self.eval(target.x, env)
            idx = self.eval(target.index, env)
            if isinstance(base, (dict, list)):
                base[idx] = v
            else:
                raise GoSubsetError(f"line {target.line}: cannot index-assign {base!r}")
        elif isinstance(target, Unary) and target.op == "*":
            self.assign_to(target.x, v, env)
        else:
            raise GoSubsetError(f"line {getattr(target, 'line', '?')}: bad assignment target")

    def s_IncDec(self, s: IncDec, env: Env) -> None:
        cur = self.eval(s.x, env)
        self.assign_to(s.x, cur + (1 if s.op == "++" else -1), env)

    def s_If(self, s: If, env: Env) -> None:
        ienv = Env(env)
        if s.init is not None:
            self.exec(s.init, ienv)
        if go_bool(self.eval(s.cond, ienv)):
            self.exec_block(s.body, Env(ienv))
        elif s.els is not None:
            if isinstance(s.els, If):
                self.s_If(s.els, ienv)
            else:
                self.exec_block(s.els, Env(ienv))

    def s_ForRange(self, s: ForRange, env: Env) -> None:
        coll = self.eval(s.x, env)
        if isinstance(coll, Unknown) or coll is None:
            return
        if isinstance(coll, dict):
            items = [(k, coll[k]) for k in sorted(coll, key=lambda k: (str(type(k)), k))]
        elif isinstance(coll, (list, tuple)):
            items = list(enumerate(coll))
        elif isinstance(coll, str):
            items = [(i, ord(ch)) for i, ch in enumerate(coll)]
        elif isinstance(coll, int):
            items = [(i, None) for i in range(coll)]
        else:
            raise GoSubsetError(f"line {s.line}: cannot range over {coll!r}")
        for k, v in items:
            lenv = Env(env)
            if s.define:
                if s.key is not None:
                    lenv.define(s.key.name, k)
                if s.value is not None:
                    lenv.define(s.value.name, self.copy_val(v))
            else:
                if s.key is not None:
                    self.assign_to(s.key, k, env)
                if s.value is not None:
                    self.assign_to(s.value, self.copy_val(v), env)
            try:
                self.exec_block(s.body, lenv)
            except BranchSignal as b:
                if b.kind == "break":
                    break

    def s_For(self, s: For, env: Env) -> None:
        fenv = Env(env)
        if s.init is not None:
            self.exec(s.init, fenv)
        n = 0
        while s.cond is None or go_bool(self.eval(s.cond, fenv)):
            n += 1
            if n > 100000:
                raise GoSubsetError(f"line {s.line}: loop does not terminate")
            try:
                self.exec_block(s.body, Env(fenv))
            except BranchSignal as b:
                if b.kind == "break":
                    break
            if s.post is not None:
                self.exec(s.post, fenv)

    def s_Return(self, s: Return, env: Env) -> None:
        if len(s.values) == 1:
            v = self.eval(s.values[0], env)
            raise ReturnSignal(list(v) if isinstance(v, tuple) else [v])
        raise ReturnSignal([self.eval(v, env) for v in s.values])

    def s_Defer(self, s: Defer, env: Env) -> None:
        # Deferred calls (cleanup of temp dirs and test servers) have no
        # effect on what a test builds; they are not run.
        return

    def s_Branch(self, s: Branch, env: Env) -> None:
        raise BranchSignal(s.kind)


class _Builtin:
    def __init__(self, interp: Interpreter, name: str):
        self.interp = interp
        self.name = name

    def call(self, x: Call, env: Env) -> Any:
        it = self.interp
        n = self.name
        if n == "append":
            base = it.eval(x.args[0], env)
            base = list(base) if base is not None else []
            rest = [it.eval(a, env) for a in x.args[1:]]
            if x.ellipsis:
                extra = rest[-1]
                rest = rest[:-1] + list(extra if not isinstance(extra, str) else extra.encode("utf-8", "surrogateescape"))
            return base + [it.copy_val(r) for r in rest]
        if n == "len":
            v = it.eval(x.args[0], env)
            if isinstance(v, Unknown):
                return v
            if isinstance(v, str):
                return len(v.encode("utf-8", "surrogateescape"))
            return 0 if v is None else len(v)
        if n == "make":
            t = it.eval(x.args[0], env)
            if not isinstance(t, TypeValue):
                raise GoSubsetError("make of a non-type")
            rt = it.resolve_type(t.type)
            if isinstance(rt, TMap):
                return {}
            if isinstance(rt, TSlice):
                size = it.eval(x.args[1], env) if len(x.args) > 1 else 0
                return [it.zero(rt.elem) for _ in range(size)]
            return Unknown("make")
        if n == "new":
            t = it.eval(x.args[0], env)
            return it.zero(t.type)
        if n == "panic":
            raise GoSubsetError(f"line {x.line}: panic")
        raise GoSubsetError(f"builtin {n} unsupported")


_BUILTINS = {n: (lambda name: (lambda interp: _Builtin(interp, name)))(n)
             for n in ("append", "len", "make", "new", "panic")}


def imports_of(src: str) -> dict[str, str]:
    """Map of local package name -> import path ("." for dot imports is keyed
    by the path's last element prefixed with '.')."""
    out = {}
    m = re.search(r"^import\s*\((.*?)^\)", src, re.S | re.M)
    lines = m.group(1).splitlines() if m else re.findall(r"^import\s+(.*)$", src, re.M)
    for ln in lines:
        ln = ln.strip()
        mm = re.match(r'^(?:([A-Za-z_][A-Za-z0-9_]*|\.)\s+)?"([^"]+)"', ln)
        if not mm:
            continue
        alias, path = mm.group(1), mm.group(2)
        base = path.rsplit("/", 1)[-1]
        if alias == ".":
            out["." + base] = path
        else:
            out[alias or base] = path
    return out
