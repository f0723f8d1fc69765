"""Hostile input: seeded mutation fuzzing of ELF images, target TOML and .tflite models.

Every case must end as a run result or as an input error that names the file: never a Python
traceback, never a hang (runs have cycle and host-time limits), exit code 2 through the CLI.
The default run covers a few thousand cases; ``pytest -m slow`` many more. Crashers found are
kept in tests/fuzz_corpus/ and replayed by ``test_the_corpus_of_found_crashers_exits_2``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from fuzz import (
    check_elf,
    check_tflite,
    check_toml,
    mutate_elf,
    mutate_tflite,
    mutate_toml,
    tflite_seed,
)
from simtest import ROOT, elf

from mcusim.cli import main
from mcusim.config import load_target

CORPUS = ROOT / "tests" / "fuzz_corpus"
T = "mps2-an386"


def _campaign(name, seeds, one):
    """Run ``one(seed)`` for each seed; fail listing the seeds that broke the rules."""
    outcomes: dict[str, int] = {}
    broken = []
    for seed in seeds:
        try:
            r = one(seed)
            outcomes[r] = outcomes.get(r, 0) + 1
        except Exception as e:  # the thing under test: any exception here is a bug found
            broken.append(f"{name} seed {seed}: {type(e).__name__}: {e}")
    assert broken == [], "\n".join(broken[:20])
    return outcomes


def _elf_campaign(tmp_path, seeds):
    target = load_target(T)

    def one(seed):
        kind, data = mutate_elf(seed)
        path = tmp_path / f"elf-{seed}-{kind}.elf"
        path.write_bytes(data)
        r = check_elf(path, target)
        path.unlink()
        return r

    return _campaign("elf", seeds, one)


def _toml_campaign(tmp_path, seeds):
    def one(seed):
        folder = tmp_path / f"t{seed}"
        folder.mkdir()
        _, path = mutate_toml(seed, folder)
        return check_toml(path)

    return _campaign("toml", seeds, one)


def _tflite_campaign(tmp_path, seeds):
    seed_model = tflite_seed()
    if seed_model is None:
        pytest.skip("no sample .tflite model")
    pytest.importorskip("mcusim.tflite.model")
    src = seed_model.read_bytes()

    def one(seed):
        kind, data = mutate_tflite(seed, src)
        path = tmp_path / f"m-{seed}-{kind}.tflite"
        path.write_bytes(data)
        return check_tflite(path)

    return _campaign("tflite", seeds, one)


def test_mutated_elfs_load_and_run_or_are_rejected_naming_the_file(tmp_path):
    outcomes = _elf_campaign(tmp_path, range(1000))
    # the mutations are strong enough to reject many and mild enough to run some
    assert outcomes["rejected"] > 300 and outcomes["accepted"] > 100


def test_mutated_target_files_are_rejected_naming_file_and_key(tmp_path):
    outcomes = _toml_campaign(tmp_path, range(1500))
    assert outcomes["rejected"] > 1000


def test_mutated_tflite_models_are_rejected_naming_the_file(tmp_path):
    outcomes = _tflite_campaign(tmp_path, range(1000))
    assert outcomes["rejected"] > 300


@pytest.mark.slow
def test_many_more_mutated_elfs(tmp_path):
    _elf_campaign(tmp_path, range(1000, 21000))


@pytest.mark.slow
def test_many_more_mutated_target_files(tmp_path):
    _toml_campaign(tmp_path, range(1500, 21500))


@pytest.mark.slow
def test_many_more_mutated_tflite_models(tmp_path):
    _tflite_campaign(tmp_path, range(1000, 21000))


def _cli_ok(code: int, err: str, path) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert f"mcusim: error: {path}" in err or str(path) in err, err
    else:  # accepted: the run itself ended (firmware exit code, fault, limit)
        assert code in (0, 1, 3, 124), (code, err)


def test_the_cli_exits_2_naming_the_file_for_mutated_inputs(tmp_path, capsys):
    codes = []
    for seed in range(40):
        kind, data = mutate_elf(seed)
        path = tmp_path / f"{seed}.elf"
        path.write_bytes(data)
        code = main(["run", str(path), "-t", T, "--max-cycles", "20000", "-q"])
        _cli_ok(code, capsys.readouterr().err, path)
        codes.append(code)
    for seed in range(40):
        folder = tmp_path / f"t{seed}"
        folder.mkdir()
        _, path = mutate_toml(seed, folder)
        code = main(["run", str(elf(T, "exitcode")), "-t", str(path), "-q"])
        err = capsys.readouterr().err
        _cli_ok(code, err, "")
        if code == 2:
            assert "self.toml" in err or "loop_b.toml" in err, err
        codes.append(code)
    assert codes.count(2) > 30


def test_a_handful_through_a_real_subprocess(tmp_path):
    cases = []
    for seed in (3, 5, 8):
        kind, data = mutate_elf(seed)
        path = tmp_path / f"{seed}.elf"
        path.write_bytes(data)
        cases.append((path, ["run", str(path), "-t", T, "--max-cycles", "20000", "-q"]))
    nan = CORPUS / "active_current_nan.toml"
    cases.append((nan, ["run", str(elf(T, "exitcode")), "-t", str(nan)]))
    for path, args in cases:
        p = subprocess.run(
            [sys.executable, "-m", "mcusim.cli", *args], capture_output=True, text=True, timeout=60
        )
        _cli_ok(p.returncode, p.stderr, path)


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_the_corpus_of_found_crashers_exits_2(path, capsys):
    if path.suffix == ".toml":
        code = main(["run", str(elf(T, "exitcode")), "-t", str(path), "-q"])
    elif path.suffix == ".tflite":
        pytest.importorskip("mcusim.tflite.model")
        from mcusim.errors import InputError
        from mcusim.tflite.model import load_model

        with pytest.raises(InputError, match=str(path)):
            load_model(path)
        return
    else:
        code = main(["run", str(path), "-t", T, "--max-cycles", "20000", "-q"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"mcusim: error: {path}" in err and "Traceback" not in err
