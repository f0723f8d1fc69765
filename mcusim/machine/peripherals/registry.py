"""Peripheral registry: model name in a target TOML -> class (L3)."""

from __future__ import annotations

import inspect

from mcusim.config.target import PeripheralSpec
from mcusim.errors import ConfigError
from mcusim.machine.peripherals.bus import Peripheral, System
from mcusim.machine.peripherals.counter import Counter
from mcusim.machine.peripherals.easydma import EasyDmaUart
from mcusim.machine.peripherals.efm32dma import Efm32Dma
from mcusim.machine.peripherals.flashctl import FlashControl
from mcusim.machine.peripherals.rp2040 import Sio, Timer, Watchdog
from mcusim.machine.peripherals.rp2040dma import Rp2040Dma
from mcusim.machine.peripherals.samd51dma import Samd51Dmac
from mcusim.machine.peripherals.simple import Registers, Uart
from mcusim.machine.peripherals.stm32dma import Stm32Dma
from mcusim.machine.peripherals.stm32dmach import Stm32DmaChannels

MODELS = {
    "uart": Uart,
    "registers": Registers,
    "flash_control": FlashControl,
    "easydma_uart": EasyDmaUart,
    "counter": Counter,
    "stm32_dma": Stm32Dma,
    "stm32_dma_channels": Stm32DmaChannels,
    "rp2040_sio": Sio,
    "rp2040_timer": Timer,
    "rp2040_watchdog": Watchdog,
    "rp2040_dma": Rp2040Dma,
    "efm32_dma": Efm32Dma,
    "samd51_dmac": Samd51Dmac,
}


def build(spec: PeripheralSpec, system: System, *, where: str) -> Peripheral:
    """Instantiate the model a ``[[peripheral]]`` entry names."""
    cls = MODELS.get(spec.model)
    if cls is None:
        raise ConfigError(
            f"{where}.model '{spec.model}' is not a known peripheral model "
            f"({', '.join(sorted(MODELS))})"
        )
    kwargs = dict(spec.params)
    kwargs.pop("source", None)
    kwargs = {k: v for k, v in kwargs.items() if not k.endswith("_source")}
    known = inspect.signature(cls).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in known.values()):
        unknown = sorted(set(kwargs) - set(known) - {"source"})
        if unknown:
            allowed = sorted(set(known) - {"name", "base", "size_bytes", "system", "where"})
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)} for model '{spec.model}' "
                f"(known: {', '.join(allowed)})"
            )
    try:
        return cls(spec.name, spec.base, spec.size_bytes, system=system, where=where, **kwargs)
    except TypeError as e:
        raise ConfigError(f"{where}: {e}") from None
