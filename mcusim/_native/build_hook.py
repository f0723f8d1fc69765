"""Hatchling build hook: compile mcusim's native fast path with the system C compiler.

Runs on ``pip install`` (wheel and editable). Without a compiler it prints one line and the
package installs without the fast path (mcusim then uses its pure-Python block hook).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

HERE = Path(__file__).resolve().parent


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        sources = [str(p) for p in sorted(HERE.glob("*.c"))]
        out = HERE / "_fastpath.so"
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            print("mcusim: no C compiler found: installing without the native fast path")
            return
        cmd = [cc, "-O2", "-shared", "-fPIC", "-std=c99", "-Wall", "-o", str(out), *sources]
        try:
            subprocess.run(cmd, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as e:
            detail = getattr(e, "stderr", "") or str(e)
            print(
                f"mcusim: compiling the native fast path failed ({detail.strip()[:200]}); "
                "installing without it"
            )
            return
        build_data["artifacts"].append("mcusim/_native/_fastpath.so")
        if version != "editable":
            build_data["pure_python"] = False
            build_data["tag"] = (
                f"py3-none-{sysconfig.get_platform().replace('-', '_').replace('.', '_')}"
            )
