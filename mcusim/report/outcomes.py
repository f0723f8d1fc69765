"""The table of test outcomes that ``mcusim test`` and a ``mcusim run`` sweep print (L6)."""

from __future__ import annotations

from pathlib import Path


def print_table(
    outcomes: list, console, *, quiet: bool = False, title: str = "mcusim test"
) -> None:
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for col, right in (
        ("image", False),
        ("target", False),
        ("verdict", False),
        ("cycles", True),
        ("time", True),
        ("energy µJ", True),
        ("stack peak B", True),
        ("host s", True),
    ):
        t.add_column(col, justify="right" if right else "left", overflow="fold")
    for o in outcomes:
        if quiet and o.passed:
            continue
        r = o.result or {}
        clock = r.get("clock_hz")
        verdict = "[green]PASS[/]" if o.passed else f"[red]FAIL[/] ({o.reason})"
        t.add_row(
            escape(short_path(o.case.image)),
            escape(o.case.target),
            verdict,
            f"{r['cycles']:,}" if r else "-",
            f"{r['time_ms']:.4f} ms @ {clock / 1e6:g} MHz" if r else "-",
            f"{r['energy_uj']:.3f}" if r else "-",
            f"{r['stack_peak_bytes']:,}" if r else "-",
            f"{o.host_seconds:.2f}",
        )
    console.print(t)
    for o in outcomes:
        if not o.passed:
            # the message is the firmware's (a fault quotes "ldrd r0, r1, [r0, #4]"): not markup
            line = f"[red]FAIL[/] {escape(o.case.key)}: {escape(o.message)}"
            console.print(line, highlight=False)


def short_path(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
