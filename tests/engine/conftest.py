import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mce_testlib import build_harness  # noqa: E402


@pytest.fixture(scope="session")
def mce_run(tmp_path_factory) -> Path:
    """Host build of the engine harness (built once per session into a temp dir)."""
    return build_harness(tmp_path_factory.mktemp("mce_build"), "host")


@pytest.fixture(scope="session")
def mce_run_asan(tmp_path_factory) -> Path:
    """Harness built with -fsanitize=address,undefined."""
    return build_harness(tmp_path_factory.mktemp("mce_build_asan"), "asan")
