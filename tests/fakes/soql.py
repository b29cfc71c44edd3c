"""A SOQL subset for the Salesforce emulator: parse, check against the
schema, evaluate on records.

SELECT f1, Parent.f2, ... FROM Object [WHERE cond] [ORDER BY f [ASC|DESC]
[NULLS FIRST|LAST], ...] [LIMIT n]; conditions with = != <> < <= > >= IN,
NOT IN, LIKE, AND, OR, NOT and parentheses; string literals with
Salesforce's backslash escapes, numbers, true/false/null, date and
dateTime literals (never quoted). Errors raise SoqlError with the
errorCode Salesforce uses (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE).
"""
import datetime
import re


class SoqlError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by",
            "asc", "desc", "limit", "nulls", "first", "last", "true", "false", "null"}

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
""", re.X)

ESCAPES = {"n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t",
           "b": "\b", "B": "\b", "f": "\f", "F": "\f", '"': '"', "'": "'", "\\": "\\"}


def parse_datetime(s):
    s = s.replace("Z", "+00:00")
    return int(datetime.datetime.fromisoformat(s).timestamp() * 1000)


def unescape(body, like):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append((("wild" if c in "%_" else "lit"), c) if like else c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise SoqlError("MALFORMED_QUERY", "invalid escape at the end of a string")
        n = body[i + 1]
        if n in ESCAPES:
            ch = ESCAPES[n]
            out.append(("lit", ch) if like else ch)
            i += 2
        elif n == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
            ch = chr(int(body[i + 2:i + 6], 16))
            out.append(("lit", ch) if like else ch)
            i += 6
        elif like and n in "%_":
            out.append(("lit", n))      # escaped: matches itself
            i += 2
        else:
            raise SoqlError("MALFORMED_QUERY", "Invalid string literal: the escape "
                            "\\%s is not allowed" % n)
    return out if like else "".join(out)


def tokenize(q):
    pos, out = 0, []
    while pos < len(q):
        m = TOKEN.match(q, pos)
        if not m:
            raise SoqlError("MALFORMED_QUERY", "unexpected token at position %d: %r"
                            % (pos, q[pos:pos + 20]))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        val = m.group(kind)
        if kind == "ident" and val.lower() in KEYWORDS:
            kind, val = "kw", val.lower()
        out.append((kind, val))
    out.append(("end", None))
    return out


class Query:
    def __init__(self):
        self.fields = []        # as written
        self.obj = None
        self.where = None
        self.order = []         # (field, desc, nulls_last)
        self.limit = None


class Parser:
    def __init__(self, q):
        self.t = tokenize(q)
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def take(self, kind=None, val=None):
        tk = self.t[self.i]
        if (kind and tk[0] != kind) or (val and tk[1] != val):
            raise SoqlError("MALFORMED_QUERY", "unexpected %r, expected %s"
                            % (tk[1], val or kind))
        self.i += 1
        return tk

    def parse(self):
        q = Query()
        self.take("kw", "select")
        while True:
            q.fields.append(self.take("ident")[1])
            if self.peek() != ("punct", ","):
                break
            self.take()
        self.take("kw", "from")
        q.obj = self.take("ident")[1]
        if self.peek() == ("kw", "where"):
            self.take()
            q.where = self.cond()
        if self.peek() == ("kw", "order"):
            self.take()
            self.take("kw", "by")
            while True:
                f = self.take("ident")[1]
                desc, nulls_last = False, None
                if self.peek()[0] == "kw" and self.peek()[1] in ("asc", "desc"):
                    desc = self.take()[1] == "desc"
                if self.peek() == ("kw", "nulls"):
                    self.take()
                    nulls_last = self.take("kw")[1] == "last"
                q.order.append((f, desc, nulls_last))
                if self.peek() != ("punct", ","):
                    break
                self.take()
        if self.peek() == ("kw", "limit"):
            self.take()
            q.limit = int(self.take("number")[1])
        if self.peek()[0] != "end":
            raise SoqlError("MALFORMED_QUERY", "unexpected token %r" % (self.peek()[1],))
        return q

    def cond(self):
        left = self.conj()
        while self.peek() == ("kw", "or"):
            self.take()
            left = ("or", left, self.conj())
        return left

    def conj(self):
        left = self.neg()
        while self.peek() == ("kw", "and"):
            self.take()
            left = ("and", left, self.neg())
        return left

    def neg(self):
        if self.peek() == ("kw", "not"):
            self.take()
            return ("not", self.neg())
        if self.peek() == ("punct", "("):
            self.take()
            c = self.cond()
            self.take("punct", ")")
            return c
        return self.comparison()

    def value(self, like=False):
        kind, val = self.take()
        if kind == "string":
            return ("string", unescape(val[1:-1], like))
        if kind == "number":
            return ("number", float(val))
        if kind == "datetime":
            return ("datetime", parse_datetime(val))
        if kind == "date":
            return ("date", val)
        if kind == "kw" and val in ("true", "false"):
            return ("boolean", val == "true")
        if kind == "kw" and val == "null":
            return ("null", None)
        raise SoqlError("MALFORMED_QUERY", "expected a value, found %r" % (val,))

    def comparison(self):
        field = self.take("ident")[1]
        kind, val = self.peek()
        if kind == "op":
            self.take()
            return ("cmp", field, "!=" if val == "<>" else val, self.value())
        negate = False
        if (kind, val) == ("kw", "not"):
            self.take()
            negate = True
            kind, val = self.peek()
        if (kind, val) == ("kw", "in"):
            self.take()
            self.take("punct", "(")
            vals = [self.value()]
            while self.peek() == ("punct", ","):
                self.take()
                vals.append(self.value())
            self.take("punct", ")")
            node = ("in", field, vals)
            return ("not", node) if negate else node
        if (kind, val) == ("kw", "like") and not negate:
            self.take()
            v = self.value(like=True)
            if v[0] != "string":
                raise SoqlError("MALFORMED_QUERY", "LIKE needs a string")
            return ("like", field, v[1])
        raise SoqlError("MALFORMED_QUERY", "unexpected %r after %s" % (val, field))


def parse(q):
    return Parser(q).parse()


def like_regex(parts):
    rx = ""
    for kind, c in parts:
        if kind == "wild":
            rx += ".*" if c == "%" else "."
        else:
            rx += re.escape(c)
    return re.compile("^" + rx + "$", re.I | re.S)


# ---- evaluation against the emulator's schema and records ----

NUMERIC = {"double", "currency", "percent", "int"}
TEXT = {"id", "string", "picklist", "reference", "textarea", "url", "email", "phone"}


class Context:
    """schema: {object_lower: {"name": Name, "fields": {lower: field}}};
    field: {"name", "type", "referenceTo"?, "relationshipName"?};
    records: {object_lower: {Id: {FieldName: value}}}, values typed:
    datetime as epoch milliseconds, date as "YYYY-MM-DD"."""

    def __init__(self, schema, records):
        self.schema = schema
        self.records = records

    def obj(self, name):
        o = self.schema.get(name.lower())
        if o is None:
            raise SoqlError("INVALID_TYPE", "sObject type '%s' is not supported." % name)
        return o

    def resolve(self, obj, path):
        """The chain of (object, field) for a dotted path, or INVALID_FIELD."""
        parts = path.split(".")
        chain, o = [], obj
        for i, p in enumerate(parts):
            if i < len(parts) - 1:
                rel = [f for f in o["fields"].values()
                       if f.get("relationshipName", "").lower() == p.lower()]
                if not rel:
                    raise SoqlError("INVALID_FIELD", "Didn't understand relationship "
                                    "'%s' in field path. If you are attempting to use a "
                                    "custom relationship, be sure to append the '__r' "
                                    "after the custom relationship name." % p)
                chain.append((o, rel[0]))
                o = self.obj(rel[0]["referenceTo"])
            else:
                f = o["fields"].get(p.lower())
                if f is None:
                    raise SoqlError("INVALID_FIELD", "No such column '%s' on entity "
                                    "'%s'. If you are attempting to use a custom field, be "
                                    "sure to append the '__c' after the custom field name. "
                                    "Please reference your WSDL or the describe call for "
                                    "the appropriate names." % (p, o["name"]))
                chain.append((o, f))
        return chain

    def value(self, rec, chain):
        for o, f in chain[:-1]:
            ref = rec.get(f["name"]) if rec else None
            rec = self.records.get(f["referenceTo"].lower(), {}).get(ref) if ref else None
        return rec.get(chain[-1][1]["name"]) if rec else None


def check_literal(field, lit, path):
    t = field["type"]
    kind = lit[0]
    if kind == "null":
        return
    ok = {"datetime": kind == "datetime", "date": kind == "date",
          "boolean": kind == "boolean"}.get(t, kind == "number" if t in NUMERIC
                                             else kind == "string")
    if not ok:
        if t in ("datetime", "date"):
            raise SoqlError("INVALID_FIELD", "value of filter criterion for field '%s' "
                            "must be of type %s and should not be enclosed in quotes"
                            % (path, "dateTime" if t == "datetime" else "date"))
        raise SoqlError("INVALID_FIELD", "value of filter criterion for field '%s' must "
                        "be of type %s" % (path, t))


def compare(t, a, op, b):
    if op == "=":
        if a is None or b is None:
            return a is None and b is None
        return a.lower() == b.lower() if t in TEXT else a == b
    if op == "!=":
        if a is None or b is None:
            return (a is None) != (b is None)
        return a.lower() != b.lower() if t in TEXT else a != b
    if a is None or b is None:
        return False
    if t in TEXT:
        a, b = a.lower(), b.lower()
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def compile_where(ctx, obj, node):
    """Checks the condition against the schema; returns a predicate."""
    kind = node[0]
    if kind in ("and", "or"):
        l, r = compile_where(ctx, obj, node[1]), compile_where(ctx, obj, node[2])
        return (lambda x: l(x) and r(x)) if kind == "and" else (lambda x: l(x) or r(x))
    if kind == "not":
        inner = compile_where(ctx, obj, node[1])
        return lambda x: not inner(x)
    chain = ctx.resolve(obj, node[1])
    field = chain[-1][1]
    t = field["type"]
    if kind == "cmp":
        check_literal(field, node[3], node[1])
        op, lit = node[2], node[3][1]
        return lambda x: compare(t, ctx.value(x, chain), op, lit)
    if kind == "in":
        for v in node[2]:
            check_literal(field, v, node[1])
        vals = [v[1] for v in node[2]]
        return lambda x: any(compare(t, ctx.value(x, chain), "=", v) for v in vals)
    if kind == "like":
        if t not in TEXT:
            raise SoqlError("INVALID_FIELD", "invalid operator on %s field: LIKE" % t)
        rx = like_regex(node[2])
        return lambda x: (ctx.value(x, chain) is not None and
                          rx.match(ctx.value(x, chain)) is not None)
    raise SoqlError("MALFORMED_QUERY", "unsupported condition")


def fmt_value(t, v):
    if v is None:
        return None
    if t == "datetime":
        d = datetime.datetime.fromtimestamp(v / 1000, datetime.timezone.utc)
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+0000" % (v % 1000)
    return v


def project(ctx, obj, rec, chains, version):
    """A record as Salesforce sends it: attributes, every selected field
    (null when empty), parent fields nested under the relationship name."""
    def attrs(o, r):
        return {"type": o["name"],
                "url": "/services/data/v%s/sobjects/%s/%s" % (version, o["name"], r["Id"])}
    out = {"attributes": attrs(obj, rec)}
    for path, chain in chains:
        node, r = out, rec
        for o, f in chain[:-1]:
            rel = f["relationshipName"]
            ref = r.get(f["name"]) if r else None
            parent = ctx.records.get(f["referenceTo"].lower(), {}).get(ref) if ref else None
            po = ctx.obj(f["referenceTo"])
            if rel not in node:
                node[rel] = {"attributes": attrs(po, parent)} if parent else None
            if node[rel] is None:
                break
            node, r = node[rel], parent
        else:
            f = chain[-1][1]
            node[f["name"]] = fmt_value(f["type"], r.get(f["name"]) if r else None)
    return out


def run(ctx, q, include_deleted, version):
    obj = ctx.obj(q.obj)
    chains = [(f, ctx.resolve(obj, f)) for f in q.fields]
    pred = compile_where(ctx, obj, q.where) if q.where else (lambda x: True)
    order = [(ctx.resolve(obj, f), desc, nl) for f, desc, nl in q.order]
    rows = [r for r in ctx.records.get(obj["name"].lower(), {}).values()
            if (include_deleted or not r.get("IsDeleted")) and pred(r)]
    for chain, desc, nulls_last in reversed(order):
        t = chain[-1][1]["type"]
        if nulls_last is None:
            nulls_last = desc          # Salesforce: NULLS FIRST for ASC
        def key(r, chain=chain, t=t):
            v = ctx.value(r, chain)
            if v is not None and t in TEXT:
                v = v.lower()
            return (v is None, v) if v is not None else (True, 0)
        nonnull = [r for r in rows if ctx.value(r, chain) is not None]
        nulls = [r for r in rows if ctx.value(r, chain) is None]
        nonnull.sort(key=key, reverse=desc)
        rows = nonnull + nulls if nulls_last else nulls + nonnull
    if q.limit is not None:
        rows = rows[:q.limit]
    return [project(ctx, obj, r, chains, version) for r in rows]
