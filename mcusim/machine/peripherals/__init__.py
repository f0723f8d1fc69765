"""Peripheral models behind a small bus protocol; none of them knows Unicorn (L3).

A model is built from a target's ``[[peripheral]]`` entry by :func:`build` through the
registry in :mod:`mcusim.machine.peripherals.registry`.
"""
