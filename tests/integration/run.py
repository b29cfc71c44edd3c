"""Runs the integration tests: python3 tests/integration/run.py [PATTERN]."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

for name in sorted(os.listdir(os.path.dirname(os.path.abspath(__file__)))):
    if name.startswith("test_") and name.endswith(".py"):
        __import__(name[:-3])

sys.exit(harness.main(sys.argv))
