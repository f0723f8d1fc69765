"""Session set-up: mcusim's on-disk cache goes to a folder of this test session, never the
user's (subprocesses inherit it); an explicit MCUSIM_CACHE_DIR or MCUSIM_NO_CACHE wins."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if "MCUSIM_CACHE_DIR" not in os.environ:
    _folder = tempfile.mkdtemp(prefix="mcusim-test-cache-")
    os.environ["MCUSIM_CACHE_DIR"] = _folder
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
