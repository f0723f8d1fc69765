"""The README's GitHub Actions workflow parses as YAML, uploads the reports it makes, and every
``mcusim`` command in it is accepted by mcusim's own argument parser."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from simtest import ROOT

from mcusim.cli import build_parser


def workflow() -> dict:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    assert len(blocks) == 1
    return yaml.safe_load(blocks[0])


def steps() -> list[dict]:
    return [s for job in workflow()["jobs"].values() for s in job["steps"]]


def mcusim_commands() -> list[list[str]]:
    out = []
    for step in steps():
        for line in step.get("run", "").splitlines():
            argv = shlex.split(line)
            if argv and argv[0] == "mcusim":
                out.append(argv)
    return out


def test_the_workflow_is_a_complete_github_actions_file():
    wf = workflow()
    # PyYAML reads the bare key 'on' as the boolean True (YAML 1.1)
    assert wf["name"] == "firmware" and (wf.get("on") or wf.get(True))
    (job,) = wf["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    uses = [s.get("uses", "") for s in job["steps"]]
    assert uses[0].startswith("actions/checkout@")
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any("pip install mcusim" in s.get("run", "") for s in job["steps"])


def test_the_reports_are_uploaded_even_when_the_tests_fail():
    (cmd,) = [c for c in mcusim_commands() if "--junit" in c]
    junit, json_file = cmd[cmd.index("--junit") + 1], cmd[cmd.index("--json") + 1]
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()"
    paths = upload["with"]["path"].split()
    assert junit in paths and json_file in paths


def test_the_job_fails_on_regressions_because_mcusim_test_exits_non_zero():
    (cmd,) = [c for c in mcusim_commands() if "--baseline" in c]
    run_step = next(s for s in steps() if "--baseline" in s.get("run", ""))
    assert "continue-on-error" not in run_step and "|| true" not in run_step["run"]
    assert cmd[1] == "test" and "--tolerance" in cmd


@pytest.mark.parametrize("argv", mcusim_commands(), ids=lambda a: " ".join(a[:2]))
def test_every_mcusim_command_parses(argv):
    parser = build_parser()
    try:
        ns = parser.parse_args(argv[1:])
    except SystemExit as e:  # argparse reports the problem on stderr and exits
        pytest.fail(f"'{' '.join(argv)}' does not parse (exit {e.code})")
    assert ns.command == argv[1] and callable(ns.func)


def test_a_wrong_command_would_be_caught():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["test", "--no-such-flag"])
