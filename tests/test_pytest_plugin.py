"""The pytest plugin: installed through the ``pytest11`` entry point, its ``mcusim`` fixture
returns the run result and a failing test's report shows the firmware console."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

from simtest import ROOT, elf

import mcusim.simulator  # noqa: F401  (loaded once here: inline pytester runs drop new modules)

pytest_plugins = ["pytester"]

HELLO = elf("mps2-an386", "hello")
EXITCODE = elf("mps2-an386", "exitcode")


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    eps = [e for e in entry_points(group="pytest11") if e.name == "mcusim"]
    assert [e.value for e in eps] == ["mcusim.pytest_plugin"]
    text = (ROOT / "pyproject.toml").read_text()
    assert '[project.entry-points.pytest11]\nmcusim = "mcusim.pytest_plugin"' in text


def test_the_fixture_returns_the_run_result(pytester):
    pytester.makepyfile(
        f"""
        def test_hello(mcusim):
            result = mcusim.run({str(HELLO)!r}, target="mps2-an386", args=["a", "b"])
            assert result.exit_code == 0
            assert "hello: done, exit 0" in result.console
            assert result.cycles > 50_000
            # deterministic: a second run gives the same count
            assert mcusim.run({str(HELLO)!r}, target="mps2-an386").cycles == result.cycles
            assert result.stack_peak_bytes < 1024
        """
    )
    res = pytester.runpytest("-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)


def test_a_failing_test_shows_the_firmware_console(pytester):
    pytester.makepyfile(
        f"""
        def test_exit_code(mcusim):
            result = mcusim.run({str(EXITCODE)!r}, target="mps2-an386")
            assert result.exit_code == 0
        """
    )
    res = pytester.runpytest("-p", "no:cacheprovider")
    res.assert_outcomes(failed=1)
    out = res.stdout.str()
    assert "mcusim console: exitcode.elf on mps2-an386" in out
    assert "exit, exit code 3" in out
    # the console itself appears in that section
    section = out.split("mcusim console: exitcode.elf")[1]
    assert "exitcode" in section


def test_a_passing_test_adds_no_console_section(pytester):
    pytester.makepyfile(
        f"""
        def test_ok(mcusim):
            assert mcusim.run({str(HELLO)!r}, target="mps2-an386").exit_code == 0
        """
    )
    res = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    res.assert_outcomes(passed=1)
    assert "mcusim console" not in res.stdout.str()


def test_the_readme_example_test_passes(pytester):
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    example = next(b for b in blocks if "def test_" in b and "mcusim.run(" in b)
    # the README names the sample by its repository path; run it from the repository
    example = example.replace('"firmware_samples/', f'"{ROOT}/firmware_samples/')
    pytester.makepyfile(example)
    res = pytester.runpytest("-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)
