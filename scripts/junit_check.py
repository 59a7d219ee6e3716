#!/usr/bin/env python3
"""Reads a `Bench check --format junit` report with junitparser, as a CI system's JUnit reader would, and checks it
holds the gate's judgement: suites named bench-check.*, one test case per figure, and exactly as many failures as
the gate reported regressions (its exit code says whether there were any).

Usage: scripts/junit_check.py REPORT.xml GATE_EXIT_CODE
"""
import sys

from junitparser import JUnitXml
from serverprocess import check


def main():
    path, gate = sys.argv[1], int(sys.argv[2])
    report = JUnitXml.fromfile(path)
    suites = list(report)
    cases = [case for suite in suites for case in suite]
    failed = [case for case in cases if any(type(result).__name__ in ("Failure", "Error") for result in case.result)]
    check(suites and all(suite.name.startswith("bench-check.") for suite in suites),
          f"{path} parses as JUnit XML with the gate's suites ({', '.join(suite.name for suite in suites)})")
    check(len(cases) > 100, f"{path} has a test case per figure ({len(cases)})")
    check((gate == 2) == bool(failed), f"{path} fails {len(failed)} test cases, as the gate's exit {gate} says")
    print(f"junit: {len(cases)} test cases in {len(suites)} suites, {len(failed)} failed")


if __name__ == "__main__":
    main()
