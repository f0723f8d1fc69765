"""Reports of results (L6): text tables and JSON (``summary``), per-op tables (``ops``),
memory map (``memmap``), traces, HTML, JUnit, baselines, energy budgets and test outcomes.

Importing the package is free: each module imports rich where it draws.
"""
