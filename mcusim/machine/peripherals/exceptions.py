"""Exception state of the NVIC: pending, enabled, active and priorities (L3).

Pure logic shared by the SCS register model and the simulator's exception entry/return.
Numbers follow the architecture: 2 NMI, 3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault,
11 SVCall, 12 DebugMonitor, 14 PendSV, 15 SysTick, 16 + n external interrupt n.
"""

from __future__ import annotations

NAMES = {
    1: "Reset",
    2: "NMI",
    3: "HardFault",
    4: "MemManage",
    5: "BusFault",
    6: "UsageFault",
    11: "SVCall",
    12: "DebugMonitor",
    14: "PendSV",
    15: "SysTick",
}
FIXED_PRIORITY = {1: -3, 2: -2, 3: -1}
NO_PRIORITY = 256  # execution priority in Thread mode with no boosting


def exception_name(number: int) -> str:
    return NAMES.get(number, f"IRQ{number - 16}" if number >= 16 else f"exception {number}")


class Exceptions:
    """Pending/active bookkeeping and the priority rules of Armv7-M / Armv6-M."""

    def __init__(self, *, num_irqs: int, priority_bits: int):
        self.num_irqs = num_irqs
        self.priority_mask = (0xFF << (8 - priority_bits)) & 0xFF
        self.pending: set[int] = set()
        self.active: list[int] = []
        self.irq_enabled: set[int] = set()
        self.priority: dict[int, int] = {}
        self.prigroup = 0
        self.taken: dict[int, int] = {}

    def set_priority(self, number: int, value: int) -> None:
        self.priority[number] = value & self.priority_mask

    def group_priority(self, number: int) -> int:
        if number in FIXED_PRIORITY:
            return FIXED_PRIORITY[number]
        value = self.priority.get(number, 0)
        return value & ~((1 << (self.prigroup + 1)) - 1) & 0xFF if self.prigroup < 7 else 0

    def execution_priority(self, *, primask: int, faultmask: int, basepri: int) -> int:
        prio = min((self.group_priority(n) for n in self.active), default=NO_PRIORITY)
        if basepri & self.priority_mask:
            prio = min(prio, basepri & self.priority_mask)
        if primask & 1:
            prio = min(prio, 0)
        if faultmask & 1:
            prio = min(prio, -1)
        return prio

    def can_fire(self, number: int) -> bool:
        return number < 16 or (number - 16) in self.irq_enabled

    def next_to_take(self, *, primask: int, faultmask: int, basepri: int) -> int | None:
        """The pending exception that preempts now, or None."""
        ready = [n for n in self.pending if self.can_fire(n)]
        if not ready:
            return None
        best = min(ready, key=lambda n: (self.group_priority(n), n))
        current = self.execution_priority(primask=primask, faultmask=faultmask, basepri=basepri)
        return best if self.group_priority(best) < current else None

    def enter(self, number: int) -> None:
        self.pending.discard(number)
        self.active.append(number)
        self.taken[number] = self.taken.get(number, 0) + 1

    def leave(self, number: int) -> None:
        if number in self.active:
            self.active.remove(number)
