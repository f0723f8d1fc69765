"""Observers of a run (L4): the op profiler and its rules, the region of interest, the
runner firmware's loader, and the profile options that choose them.
"""
