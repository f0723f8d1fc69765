"""The dependency direction of DESIGN.md: each layer imports only layers below it (or its own
package), and each third-party library lives in one module."""

from __future__ import annotations

import ast

from simtest import ROOT

LAYERS = {
    "errors": 0,
    "units": 0,
    "cache": 0.5,  # content-hash keyed on-disk cache (stdlib only); elf keeps its tables there
    "config": 1,
    "project": 1.1,  # the project's [tool.mcusim] table, read with config's TOML helpers
    # within a layer, a module sits after the modules it may use (memory uses elf and result;
    # cli uses report)
    "elf": 2,
    "result": 2,
    "baseline": 2,
    "memory": 2.1,
    "cpu": 3,
    "peripherals": 3,
    "semihosting": 3,
    "timing": 3,
    "energy": 3,
    "tflite": 3,
    "native": 3.5,  # the C fast path's loader: a CycleCounter subclass
    "_native": 3.5,
    "cortex": 4,
    "mmio": 4,
    "profiler": 4,
    "roi": 4,
    "runner": 4,
    "runner_contract": 4.01,  # checks a user's runner ELF against the runner contract
    "micro_profiler": 4.02,  # TFLM MicroProfiler lines from the console, matched to op rows
    "memmap": 4.1,  # the memory report: ELF sections/symbols, target regions, measured peaks
    "simulator": 5,
    "testrunner": 5.5,  # runs the simulator over many images in a process pool
    "junit": 5.6,  # JUnit XML from the test runner's outcomes
    "report": 6,
    "opreport": 6.01,  # uses report's quantity_table
    "traces": 6,
    "htmlreport": 6,
    "cli_common": 6,
    "cli_profile": 6.02,
    "cli_energy": 6.03,
    # subcommand modules use report and cli_common; cli dispatches to them
    "cli_run": 6.05,
    "cli_targets": 6.05,
    "cli_test": 6.07,  # reuses cli_run's budget parsing and checks
    "pytest_plugin": 6,
    "cli_sweep": 6.08,  # mcusim run over several images/targets, through the test runner
    "cli": 6.1,
}
THIRD_PARTY = {
    "unicorn": {"cpu"},
    "capstone": {"timing.decode"},
    "elftools": {"elf"},
    "rich": {
        "report",
        "opreport",
        "cli",
        "cli_run",
        "cli_targets",
        "cli_profile",
        "cli_energy",
        "cli_test",
        "cli_sweep",
    },
}


def modules():
    pkg = ROOT / "mcusim"
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if parts:
            yield ".".join(parts), path


def imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_every_module_has_a_layer():
    missing = {name.split(".")[0] for name, _ in modules()} - set(LAYERS)
    assert not missing


def test_modules_import_only_lower_layers():
    bad = []
    for name, path in modules():
        top = name.split(".")[0]
        for imp in imports(path):
            if not imp.startswith("mcusim.") or imp == "mcusim":
                continue
            other = imp.split(".")[1]
            if other != top and LAYERS[other] >= LAYERS[top]:
                bad.append(f"{name} (L{LAYERS[top]}) imports {imp} (L{LAYERS[other]})")
    assert bad == []


def test_each_third_party_library_lives_in_one_place():
    bad = []
    for name, path in modules():
        for imp in imports(path):
            lib = imp.split(".")[0]
            if lib in THIRD_PARTY and name not in THIRD_PARTY[lib]:
                bad.append(f"{name} imports {lib}")
    assert bad == []
