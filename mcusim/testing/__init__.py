"""Firmware tests (L5.5, beside the simulator): many images run in a process pool and
judged by exit code, console pattern and budget.
"""
