"""Checks on the sample firmware: committed ELFs match their hashes and rebuild identically.

The rebuild needs Debian's arm-none-eabi-gcc 12.2 (CI installs it); only that test is skipped
when the compiler is absent.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

FIRMWARE = Path(__file__).resolve().parent.parent / "firmware_samples"
ELF_DIR = FIRMWARE / "elf"


def _committed_elfs() -> list[Path]:
    return sorted(ELF_DIR.glob("*/*.elf"))


def test_every_committed_elf_has_a_matching_sha256_file():
    elfs = _committed_elfs()
    assert elfs, f"no ELFs under {ELF_DIR}"
    for elf in elfs:
        sha_file = elf.with_name(elf.name + ".sha256")
        assert sha_file.is_file(), f"{elf.relative_to(FIRMWARE)} has no .sha256 file"
        digest = hashlib.sha256(elf.read_bytes()).hexdigest()
        # sha256sum format: "<hex>  <bare file name>\n"
        assert sha_file.read_text() == f"{digest}  {elf.name}\n", (
            f"{sha_file.relative_to(FIRMWARE)} does not match {elf.name}"
        )


def test_every_sha256_file_has_its_elf():
    for sha_file in sorted(ELF_DIR.glob("*/*.sha256")):
        elf = sha_file.with_suffix("")
        assert elf.is_file(), f"{sha_file.relative_to(FIRMWARE)} names a missing ELF"


def test_each_target_builds_each_app():
    targets = sorted(p.name for p in (FIRMWARE / "targets").iterdir() if (p / "board.mk").is_file())
    apps = sorted(p.name for p in (FIRMWARE / "apps").iterdir() if any(p.glob("*.c")))
    assert "mps2-an386" in targets
    for target in targets:
        for app in apps:
            if target in _skipped_targets(app):
                continue
            assert (ELF_DIR / target / f"{app}.elf").is_file(), f"missing elf/{target}/{app}.elf"


def _skipped_targets(app: str) -> set[str]:
    """Targets an app's app.mk excludes with SKIP_TARGETS_<app> := ..."""
    mk = FIRMWARE / "apps" / app / "app.mk"
    if not mk.is_file():
        return set()
    for line in mk.read_text().splitlines():
        if line.startswith(f"SKIP_TARGETS_{app}"):
            return set(line.split("=", 1)[1].split())
    return set()


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc absent")
@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_rebuild_reproduces_the_committed_hashes():
    result = subprocess.run(
        ["make", "-C", str(FIRMWARE), "-j2", "--no-print-directory", "check"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"make check failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
