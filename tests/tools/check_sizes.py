"""Checks the house's sizes: no source file in src/ over 1,200 lines and
no function over 120 (a function runs from its name at the start of a
line to the closing brace at the start of a line). Prints each one over
and exits 1 if any.  Usage: python3 tests/tools/check_sizes.py"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FILE_MAX, FUNC_MAX = 1200, 120


def functions(lines):
    i = 0
    while i < len(lines):
        m = re.match(r"^([a-z_][a-z0-9_]*)\(", lines[i])
        if m and i > 0 and lines[i - 1].strip() and not lines[i - 1].startswith("#") \
                and not lines[i].rstrip().endswith(";"):
            j = i
            while j < len(lines) and lines[j] != "{":
                j += 1
            k = j
            while k < len(lines) and lines[k] != "}":
                k += 1
            yield m.group(1), i + 1, k - i + 1
            i = k
        i += 1


def main():
    bad = 0
    longest = (0, "")
    for root, _, files in os.walk(os.path.join(ROOT, "src")):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(root, f), ROOT)
            with open(os.path.join(root, f)) as fh:
                lines = fh.read().split("\n")
            if len(lines) - 1 > FILE_MAX:
                print("%s: %d lines, more than %d" % (path, len(lines) - 1, FILE_MAX))
                bad = 1
            for name, at, n in functions(lines):
                if n > longest[0]:
                    longest = (n, "%s:%d %s" % (path, at, name))
                if n > FUNC_MAX:
                    print("%s:%d: %s is %d lines, more than %d" % (path, at, name, n,
                                                                 FUNC_MAX))
                    bad = 1
    if not bad:
        print("sizes: no file over %d lines; the longest function is %s (%d lines)"
              % (FILE_MAX, longest[1], longest[0]))
    return bad


sys.exit(main())
