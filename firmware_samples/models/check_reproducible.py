"""Re-run make_<name>.py into a temporary folder and compare every file it writes, byte for
byte, with the copy in this folder (or --against DIR). Run with the model-making venv:

    /tmp/tfenv/bin/python firmware_samples/models/check_reproducible.py [NAME ...]

Exit status 0 when every file is identical.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = ["sine", "digits", "kws", "vision", "anomaly"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=NAMES)
    ap.add_argument("--against", type=Path, default=HERE)
    a = ap.parse_args()
    bad = 0
    for name in a.names:
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run([sys.executable, str(HERE / f"make_{name}.py"), "--out", tmp],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print(f"{name}: make_{name}.py failed\n{p.stderr[-2000:]}")
                bad += 1
                continue
            for f in sorted(Path(tmp).iterdir()):
                ref = a.against / f.name
                same = ref.exists() and ref.read_bytes() == f.read_bytes()
                print(f"{name}: {f.name}: {'identical' if same else 'DIFFERENT'}")
                bad += not same
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
