#!/usr/bin/env python3
"""Prints "<passed> <failed>" from a pytest log summary line."""
import re
import sys

text = open(sys.argv[1], errors="replace").read()
lines = [l for l in text.splitlines() if re.search(r"\d+ (passed|failed|error)", l)]
if not lines:
    print(0, 1)
    sys.exit(0)
last = lines[-1]
passed = sum(int(n) for n in re.findall(r"(\d+) passed", last))
failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", last))
print(passed, failed)
