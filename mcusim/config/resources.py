"""The one place that knows where mcusim's data folders live (L1).

In a wheel the top-level ``targets/`` and ``cost_models/`` folders are packed into
``mcusim/_data/``; in a source checkout (editable install) they sit beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(kind: str) -> Path:
    """Folder of a data kind: ``"targets"`` or ``"cost_models"``.

    Raises:
        FileNotFoundError: neither the wheel's copy nor the checkout's folder exists.
    """
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mcusim data folder '{kind}' is missing from the installation")
