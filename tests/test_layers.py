"""The dependency direction of DESIGN.md: each layer imports only layers below it (or its own
package), and each third-party library lives in one module."""

from __future__ import annotations

import ast

from simtest import ROOT

LAYERS = {
    "errors": 0,
    "units": 0,
    "cache": 0.5,  # content-hash keyed on-disk cache (stdlib only); elf keeps its tables there
    "config": 1,  # targets, cores, op rules, the project file: TOML -> typed objects
    "result": 2,
    "image": 2.1,  # the ELF reader and the image in the target's memory (uses result)
    "timing": 3,
    "tflite": 3,
    "machine": 3.5,  # cpu, native fast path (a timing.CycleCounter), MMIO, peripherals, ...
    "_native": 3.5,
    "profile": 4,  # observers: op profiler, region of interest, runner loader
    "simulator": 5,  # the one place that wires the layers below into a run
    "opcost": 4,  # the analytic op cost model: model reading, loop counts, fitted tables
    "testing": 5.5,  # runs the simulator over many images in a process pool
    "report": 6,
    "pytest_plugin": 6,
    "sweep": 6.05,  # mcusim sweep's grid, rows and executors (uses report.energy's battery math)
    "cli": 6.1,
}
THIRD_PARTY = {
    "unicorn": {"machine.cpu"},
    "capstone": {"timing.decode"},
    "elftools": {"image.elf"},
    "rich": {"report.*", "cli.*"},
    "ray": {"sweep.executors"},
    "cmsis_svd": {"config.svd"},
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
            if lib in THIRD_PARTY and not any(
                name == allowed or (allowed.endswith(".*") and name.startswith(allowed[:-1]))
                for allowed in THIRD_PARTY[lib]
            ):
                bad.append(f"{name} imports {lib}")
    assert bad == []


MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 250


def test_no_module_is_over_500_lines_nor_any_class_over_250():
    big = []
    for name, path in modules():
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    big.append(f"{name}.{node.name}: class of {size} lines")
    assert big == []


def test_cli_commands_import_nothing_from_one_another():
    # each command module may use the shared option groups (cli.options), never another
    # command; only the dispatcher (cli/__init__.py, run by cli/__main__.py) knows them all
    commands = [
        (n, p)
        for n, p in modules()
        if n.startswith("cli.") and n not in ("cli.options", "cli.__main__")
    ]
    assert len(commands) == 8  # run, profile, energy, targets, test, sweep, estimate, explore
    bad = [
        f"{name} imports {imp}"
        for name, path in commands
        for imp in imports(path)
        if imp.startswith("mcusim.cli") and imp != "mcusim.cli.options"
    ]
    assert bad == []


def test_nothing_below_the_cli_sees_argparse():
    users = {name for name, path in modules() if "argparse" in set(imports(path))}
    assert users and all(name.startswith("cli") for name in users), users
