"""The profile options of a run: which per-op/per-function reports and exports are wanted (L4).

Built once by the CLI (or by a library user); :meth:`ProfileOptions.observers` gives the
observers the simulator attaches, and :func:`mcusim.report.profile.finish_profile` writes the
exports it names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProfileOptions:
    """``profile``: None, "ops" or "functions"; the others: export file paths (None: not
    written); ``op_rules``: rule set names or TOML paths (empty: all of cost_models/ops)."""

    profile: str | None = None
    trace: str | None = None
    speedscope: str | None = None
    callgrind: str | None = None
    html: str | None = None
    op_rules: tuple[str, ...] = ()

    @property
    def wanted(self) -> bool:
        return bool(self.profile or self.trace or self.speedscope or self.callgrind or self.html)

    def observers(self) -> tuple:
        if not self.wanted:
            return ()
        from mcusim.config.oprules import load_rules
        from mcusim.profile.profiler import OpProfiler

        rules = load_rules(list(self.op_rules)) if self.op_rules else None
        functions = self.profile == "functions" or bool(self.callgrind)
        return (OpProfiler(rules=rules, functions=functions),)
