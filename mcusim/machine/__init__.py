"""The machine (L3.5): the Cortex-M core in Unicorn (``cpu``), the C fast path's wrapper
(``native``), the MMIO bus and map, the peripheral models, exception entry and return
(``cortex``) and semihosting. Nothing here knows about runs, reports or the command line.
"""
