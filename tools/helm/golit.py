"""A small reader of Go source *data*: tokens, string literals and plain composite literals.

Used by extract_suites.py to turn Go test tables into JSON.  It understands only
what test tables need: raw and interpreted strings (with Go escapes), rune and
number literals, `+` concatenation of strings, nil/true/false, and composite
literals of maps and slices of plain values (`map[string]any{...}`,
`[]interface{}{...}`, `[]string{...}`, `map[string]map[string]string{...}` with
elided inner types).  Anything else (struct values, function calls, variables
of Go types) is reported as unresolvable (raises Unresolvable).
"""
import re


class Unresolvable(Exception):
    pass


TOKEN_RX = re.compile(r"""
    (?P<ws>[ \t\r]+|//[^\n]*|/\*.*?\*/)
  | (?P<nl>\n)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<rune>'(?:[^'\\\n]|\\.[^']*)')
  | (?P<num>(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)i?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>:=|\.\.\.|&&|\|\||==|!=|<=|>=|<<|>>|\+=|-=|[{}()\[\],;:.+\-*/%&|^<>=!~])
""", re.S | re.X)


def tokenize(src):
    toks = []
    pos = 0
    while pos < len(src):
        m = TOKEN_RX.match(src, pos)
        if not m:
            toks.append(("op", src[pos]))
            pos += 1
            continue
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        toks.append((kind, m.group(0)))
    return toks


def unquote(tok):
    kind, text = tok
    if kind == "raw":
        return text[1:-1].replace("\r", "")
    if kind == "str":
        return _unescape(text[1:-1])
    raise Unresolvable(text)


_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
        "'": "'", '"': '"'}


def _unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        n = s[i + 1]
        if n in _ESC:
            out += _ESC[n].encode()
            i += 2
        elif n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n == "u":
            out += chr(int(s[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        elif n == "U":
            out += chr(int(s[i + 2:i + 10], 16)).encode("utf-8")
            i += 10
        elif n in "01234567":
            out.append(int(s[i + 1:i + 4], 8))
            i += 4
        else:
            raise Unresolvable("escape \\" + n)
    return out.decode("utf-8", "surrogateescape")


def parse_number(text):
    t = text.replace("_", "")
    if t.endswith("i"):
        raise Unresolvable("complex")
    if re.match(r"^0[xX]", t):
        return int(t, 16)
    if re.match(r"^0[oO]", t):
        return int(t[2:], 8)
    if re.match(r"^0[bB]", t):
        return int(t[2:], 2)
    if re.match(r"^0[0-7]+$", t):
        return int(t, 8)
    if re.match(r"^\d+$", t):
        return int(t)
    return float(t)


class Parser:
    """Parses an expression starting at toks[i]; returns (value, next_index)."""

    def __init__(self, toks, env=None):
        self.toks = toks
        self.env = env or {}

    def skip_type(self, i):
        """Skip a Go type expression; returns (typetext, next)."""
        t = self.toks
        start = i
        if t[i][1] == "map":
            i += 1
            assert t[i][1] == "["
            i += 1
            _, i = self.skip_type(i)
            assert t[i][1] == "]", t[i]
            i += 1
            _, i = self.skip_type(i)
            return "map", i
        if t[i][1] == "[":
            i += 1
            if t[i][1] != "]":
                i += 1  # [N]
            i += 1
            _, i = self.skip_type(i)
            return "slice", i
        if t[i][1] == "*":
            _, i = self.skip_type(i + 1)
            return "ptr", i
        if t[i][1] == "interface":
            i += 1  # interface
            assert t[i][1] == "{"
            i += 1
            assert t[i][1] == "}"
            return "any", i + 1
        if t[i][1] == "struct":
            raise Unresolvable("struct type")
        if t[i][0] == "ident":
            i += 1
            if i < len(t) and t[i][1] == ".":
                i += 2
            return " ".join(x[1] for x in t[start:i]), i
        raise Unresolvable("type " + t[i][1])

    def value(self, i, elided=None):
        t = self.toks
        while t[i][0] == "nl":
            i += 1
        k, x = t[i]
        if k in ("raw", "str"):
            s = unquote(t[i])
            i += 1
            while i + 1 < len(t) and t[i][1] == "+":
                j = i + 1
                while t[j][0] == "nl":
                    j += 1
                if t[j][0] not in ("raw", "str"):
                    raise Unresolvable("concat with non-literal")
                s += unquote(t[j])
                i = j + 1
            return s, i
        if k == "num":
            return parse_number(x), i + 1
        if k == "op" and x == "-" and t[i + 1][0] == "num":
            return -parse_number(t[i + 1][1]), i + 2
        if k == "rune":
            raise Unresolvable("rune")
        if k == "ident" and x in ("nil", "true", "false"):
            return {"nil": None, "true": True, "false": False}[x], i + 1
        if k == "op" and x == "{" and elided:
            return self.composite(elided, i)
        if (k == "ident" and x in ("map", "interface")) or (k == "op" and x == "["):
            ty, j = self.skip_type(i)
            if t[j][1] != "{":
                raise Unresolvable("conversion")
            return self.composite(self.type_at(i), j)
        if k == "ident" and x in ("any", "string", "int", "int64", "float64", "bool", "uint", "int32"):
            # conversion like int64(3) or string("x")
            if t[i + 1][1] == "(":
                v, j = self.value(i + 2)
                if t[j][1] != ")":
                    raise Unresolvable("conv")
                if x in ("int", "int64", "int32", "uint") and isinstance(v, (int, float)):
                    return int(v), j + 1
                if x == "float64" and isinstance(v, (int, float)):
                    return float(v), j + 1
                return v, j + 1
        if k == "ident" and x in self.env:
            return self.env[x], i + 1
        raise Unresolvable(x)

    def type_at(self, i):
        t = self.toks
        if t[i][1] == "map":
            # map[K]V : remember element type start for elided composites
            j = i + 2
            _, j = self.skip_type(j)
            j += 1
            return ("map", j)
        if t[i][1] == "[":
            j = i + 1
            if t[j][1] != "]":
                j += 1
            j += 1
            return ("slice", j)
        return ("other", i)

    def composite(self, ty, i):
        t = self.toks
        kind, elem_at = ty
        assert t[i][1] == "{"
        i += 1
        elem_ty = None
        if kind in ("map", "slice") and t[elem_at][1] in ("map", "["):
            elem_ty = self.type_at(elem_at)
        if kind == "map":
            out = {}
            while True:
                while t[i][0] == "nl" or t[i][1] == ",":
                    i += 1
                if t[i][1] == "}":
                    return out, i + 1
                key, i = self.value(i)
                while t[i][0] == "nl":
                    i += 1
                if t[i][1] != ":":
                    raise Unresolvable("map key")
                v, i = self.value(i + 1, elided=elem_ty)
                if not isinstance(key, (str, int, float, bool)):
                    raise Unresolvable("key")
                out[key if isinstance(key, str) else _keystr(key)] = v
        if kind == "slice":
            out = []
            while True:
                while t[i][0] == "nl" or t[i][1] == ",":
                    i += 1
                if t[i][1] == "}":
                    return out, i + 1
                v, i = self.value(i, elided=elem_ty)
                out.append(v)
        raise Unresolvable("composite")


def _keystr(k):
    raise Unresolvable("non-string map key")


def split_groups(toks, i):
    """toks[i] is an opening bracket; returns (list of element token-ranges, index after close)."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    close = pairs[toks[i][1]]
    depth = 0
    elems = []
    start = i + 1
    j = i
    while j < len(toks):
        x = toks[j][1]
        if toks[j][0] == "op" and x in pairs:
            depth += 1
        elif toks[j][0] == "op" and x in ("}", ")", "]"):
            depth -= 1
            if depth == 0:
                if start < j:
                    elems.append((start, j))
                return elems, j + 1
        elif toks[j][0] == "op" and x == "," and depth == 1:
            elems.append((start, j))
            start = j + 1
        j += 1
    raise Unresolvable("unbalanced")


def strip_nl(toks, a, b):
    while a < b and toks[a][0] == "nl":
        a += 1
    while b > a and toks[b - 1][0] == "nl":
        b -= 1
    return a, b
