#!/usr/bin/env python3
"""Fails when an example shown in README.md differs from the file its test runs."""
import pathlib
import sys

top = pathlib.Path(__file__).resolve().parent.parent
readme = (top / "README.md").read_text()
examples = [
    "tests/client/readme-example.c",
    "tests/bindings/example.py",
    "tests/bindings/example.js",
    "tests/cli/readme-example.sh",
]

failed = 0
for example in examples:
    text = (top / example).read_text().rstrip("\n")
    if f"\n{text}\n```" in readme:
        print(f"ok - {example}")
    else:
        print(f"FAIL - {example}: README.md does not show this file verbatim")
        failed += 1

print(f"{len(examples) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
