"""The builtin-op name table exists twice, kept by hand: in C for the engine's error messages
(firmware_samples/engine/mce_opnames.c, ``k_op_names``) and in Python for mcusim's reports
(mcusim/tflite/schema.py, ``BUILTIN_OPS``). Both index the TFLite ``BuiltinOperator`` enum by
value, so they must agree entry by entry: this test reads the C array and compares."""

from __future__ import annotations

import re
from pathlib import Path

from mcusim.tflite.schema import BUILTIN_OPS

C_TABLE = Path(__file__).resolve().parent.parent / "firmware_samples/engine/mce_opnames.c"

# One array entry: a string literal or NULL (a code with no name), then a comma or the end.
_ENTRY = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(NULL))\s*(?:,|$)')


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def read_c_table(path: Path = C_TABLE) -> tuple[int | None, list[str]]:
    """(declared size or None, entries) of ``k_op_names``; NULL reads as ""."""
    text = _strip_comments(path.read_text(encoding="utf-8"))
    m = re.search(r"\bk_op_names\s*\[\s*(\d*)\s*\]\s*=\s*\{(.*?)\}\s*;", text, flags=re.S)
    assert m, f"{path}: no 'k_op_names[...] = {{ ... }};' array found"
    declared = int(m.group(1)) if m.group(1) else None
    body = m.group(2).strip()
    entries: list[str] = []
    pos = 0
    while pos < len(body):
        e = _ENTRY.match(body, pos)
        assert e and e.end() > pos, (
            f"{path}: cannot read k_op_names entry {len(entries)} near {body[pos : pos + 40]!r}"
        )
        entries.append("" if e.group(2) else e.group(1))
        pos = e.end()
    return declared, entries


def test_c_op_name_table_reads_as_names():
    declared, entries = read_c_table()
    assert entries, "k_op_names is empty"
    assert declared is None or declared == len(entries), (
        f"k_op_names is declared with {declared} entries but lists {len(entries)}: the "
        "missing ones would be NULL and mce_op_name() would return NULL for them"
    )
    bad = [
        (code, name) for code, name in enumerate(entries) if not re.fullmatch(r"[A-Z0-9_]+", name)
    ]
    assert not bad, f"k_op_names entries that are not op names (code, text): {bad}"


def test_c_and_python_op_names_agree_entry_by_entry():
    _, c_names = read_c_table()
    py_names = list(BUILTIN_OPS)
    diffs = [
        f"code {code}: C {c!r} != Python {p!r}"
        for code, (c, p) in enumerate(zip(c_names, py_names, strict=False))
        if c != p
    ]
    for code in range(len(py_names), len(c_names)):
        diffs.append(f"code {code}: C {c_names[code]!r}, missing from Python BUILTIN_OPS")
    for code in range(len(c_names), len(py_names)):
        diffs.append(f"code {code}: Python {py_names[code]!r}, missing from C k_op_names")
    assert not diffs, (
        "firmware_samples/engine/mce_opnames.c and mcusim/tflite/schema.py BUILTIN_OPS "
        f"differ ({len(c_names)} C entries, {len(py_names)} Python):\n  " + "\n  ".join(diffs)
    )


def test_the_parser_reports_a_differing_code(tmp_path):
    """The comparison above is only as good as the C reader: check it on a small table."""
    src = tmp_path / "names.c"
    src.write_text(
        '/* head */\nstatic const char *const k_op_names[3] = {\n    "ADD", // zero\n    NULL,\n'
        '    "CONV_2D",\n};\n',
        encoding="utf-8",
    )
    assert read_c_table(src) == (3, ["ADD", "", "CONV_2D"])
