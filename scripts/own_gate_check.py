#!/usr/bin/env python3
"""Runs the gate step of docs/examples/github-gate.yml as GitHub would, on a small workload of a user's own:

1. Makes a baseline with `Bench check --baseline ... --update -- <run options>` in a scratch workspace, and checks
   it records the workload and keeps the pollers' model band but no hot-path figure.
2. Runs the job's gate step (its `run:` script, under bash, with the job's environment and BENCH pointing at the
   Bench given): against the baseline as made it passes (exit 0) and writes a JUnit file junitparser reads with no
   failure; against a baseline that expected one request fewer it fails (exit 2) with a failed test case naming the
   figure; against one that expected one request more it passes with a notice (the gate's exit 4).
3. A check asked for another workload than its baseline's is refused with exit 64 naming both.
Exits non-zero on the first failure.

Usage: scripts/own_gate_check.py PATH_TO_BENCH_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml
from junitparser import JUnitXml
from serverprocess import check

WORKFLOW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "examples", "github-gate.yml")
WORKLOAD = ["--vendor", "zendesk-growth", "--documents", "60", "--review-delay", "10s...2m",
            "--strategies", "webhook,hybrid:60s,poll-fixed:10s"]


def gate_step():
    with open(WORKFLOW) as file:
        workflow = yaml.safe_load(file)
    job = workflow["jobs"]["gate"]
    step = next(step for step in job["steps"] if step.get("name") == "Gate")
    check(any(step.get("uses", "").startswith("mikepenz/action-junit-report") for step in job["steps"])
          and any(step.get("uses", "").startswith("actions/upload-artifact") for step in job["steps"]),
          "the job publishes the JUnit file as a check and as an artifact")
    return job["env"], step["run"]


def run_step(script, env, bench, workspace):
    environment = {**os.environ, **env, "BENCH": bench, "RUNNER_TEMP": os.path.join(workspace, "runner-temp")}
    os.makedirs(environment["RUNNER_TEMP"], exist_ok=True)
    done = subprocess.run(["bash", "-e", "-c", script], cwd=workspace, env=environment, capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout, done.stderr


def failed_cases(workspace):
    report = JUnitXml.fromfile(os.path.join(workspace, "gate-junit.xml"))
    cases = [case for suite in report for case in suite]
    check(len(cases) > 10, f"the JUnit file has a test case per figure ({len(cases)})")
    return [case.name for case in cases if any(type(result).__name__ in ("Failure", "Error") for result in case.result)]


def main():
    bench = os.path.abspath(sys.argv[1])
    env, script = gate_step()
    with tempfile.TemporaryDirectory() as workspace:
        baseline = os.path.join(workspace, env["BASELINE"])
        made = subprocess.run([bench, "check", "--baseline", baseline, "--out", os.path.join(workspace, "first-run"), "--update", "--", *WORKLOAD],
                              capture_output=True, text=True, timeout=900)
        check(made.returncode == 0 and os.path.isfile(baseline), f"the baseline of a workload of your own is made (exit {made.returncode}: {made.stderr[-400:]})")
        with open(baseline) as file:
            kept = json.load(file)
        names = {figure["name"]: figure for figure in kept["figures"]}
        check(kept.get("workload") == WORKLOAD, f"the baseline records its workload ({kept.get('workload')})")
        check(names.get("comparison/poll-fixed:10s/latency_ratio", {}).get("kind") == "band",
              "the poller's latency is kept against its model (a band)")
        check(not any(name.startswith("hotpath/") for name in names), "a workload of your own keeps no hot-path figure")

        code, out, err = run_step(script, env, bench, workspace)
        passed = code == 0 and "every figure holds" in out
        check(passed, f"the job's gate step passes on the baseline as made (exit {code}{'' if passed else ': ' + (out + err)[-600:]})")
        check(failed_cases(workspace) == [], "its JUnit file has no failure")

        figure = "comparison/poll-fixed:10s/requests_total"
        original = json.dumps(kept)
        for delta, expected_code, expected_text in [(-1, 2, "::error::the integration regressed"), (+1, 0, "::notice::some figures improved")]:
            changed = json.loads(original)
            for entry in changed["figures"]:
                if entry["name"] == figure:
                    entry["value"] += delta
            with open(baseline, "w") as file:
                json.dump(changed, file)
            code, out, err = run_step(script, env, bench, workspace)
            judged = code == expected_code and expected_text in out
            check(judged, f"a baseline expecting {'fewer' if delta < 0 else 'more'} requests: the step exits {expected_code} with {expected_text!r}"
                          f" (exit {code}{'' if judged else ': ' + (out + err)[-600:]})")
            failed = failed_cases(workspace)
            check(failed == ([figure] if delta < 0 else []), f"the JUnit file fails exactly the figure that regressed ({failed})")
        with open(baseline, "w") as file:
            file.write(original)

        other = subprocess.run([bench, "check", "--baseline", baseline, "--out", os.path.join(workspace, "other"), "--", "--documents", "7"],
                               capture_output=True, text=True, timeout=120)
        check(other.returncode == 64 and "was measured on the workload" in other.stderr and "--documents 7" in other.stderr,
              f"a check of another workload than the baseline's is refused naming both (exit {other.returncode}: {other.stderr.strip().splitlines()[0][:300]})")
    print("own gate: the example job's gate step passes, fails and notices as it says")


if __name__ == "__main__":
    main()
