"""Reads a JUnit XML file with junitparser (a real consumer) and prints its counts as JSON.

Used by tests/report.rs: the counts must equal those of the signoff run.
"""
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
counts = {"suites": 0, "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "cases": 0,
          "case_failures": 0, "case_errors": 0, "case_skipped": 0, "names": []}
for suite in xml:
    counts["suites"] += 1
    counts["tests"] += suite.tests
    counts["failures"] += suite.failures
    counts["errors"] += suite.errors
    counts["skipped"] += suite.skipped
    for case in suite:
        counts["cases"] += 1
        counts["names"].append(case.classname)
        for result in case.result:
            if isinstance(result, Failure):
                counts["case_failures"] += 1
            elif isinstance(result, Error):
                counts["case_errors"] += 1
            elif isinstance(result, Skipped):
                counts["case_skipped"] += 1
print(json.dumps(counts))
