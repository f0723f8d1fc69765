"""JUnit XML for CI systems (GitHub Actions, GitLab, Jenkins) from test outcomes (L5).

One ``<testcase>`` per image: ``classname`` is the target, ``name`` the image, ``time`` the
host seconds; the console goes in ``<system-out>``; a failure carries its reason as ``type``
and a one-line ``message``, with the run's key numbers in the body. Characters XML 1.0 cannot
hold (firmware may print any byte) are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mcusim.errors import InputError
from mcusim.testing.testrunner import Outcome

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def to_xml(outcomes: list[Outcome], *, suite: str = "mcusim") -> str:
    failures = sum(1 for o in outcomes if not o.passed and not o.input_error)
    errors = sum(1 for o in outcomes if o.input_error)
    total = sum(o.host_seconds for o in outcomes)
    root = ET.Element("testsuites", name=suite)
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(outcomes)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{total:.3f}",
    )
    for o in outcomes:
        tc = ET.SubElement(
            ts, "testcase", classname=o.case.target, name=o.case.image, time=f"{o.host_seconds:.3f}"
        )
        if o.result is not None:
            r = o.result
            props = ET.SubElement(tc, "properties")
            for name in ("cycles", "instructions", "energy_uj", "stack_peak_bytes", "exit_code"):
                ET.SubElement(props, "property", name=name, value=str(r.get(name)))
            ET.SubElement(props, "property", name="time_ms", value=f"{r['time_ms']:.6f}")
        if not o.passed:
            tag = "error" if o.input_error else "failure"
            el = ET.SubElement(tc, tag, type=o.reason, message=_clean(o.message))
            el.text = _clean(_body(o))
        if o.console:
            ET.SubElement(tc, "system-out").text = _clean(o.console)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _body(o: Outcome) -> str:
    lines = [f"reason: {o.reason}", o.message]
    r = o.result
    if r is not None:
        lines.append(
            f"exit: {r['exit_reason']}, code {o.exit_code}; cycles {r['cycles']:,}; "
            f"stack peak {r['stack_peak_bytes']:,} B"
        )
        f = r.get("fault")
        if f:
            lines.append(
                f"PC 0x{f['pc']:08x} ({f['pc_symbol']}), LR 0x{f['lr']:08x} ({f['lr_symbol']})"
            )
    return "\n".join(lines)


def write(path: Path, outcomes: list[Outcome]) -> None:
    try:
        path.write_text(to_xml(outcomes), encoding="utf-8")
    except OSError as e:
        raise InputError(f"--junit: cannot write '{path}': {e.strerror}") from None
