"""The firmware image (L2): the ELF reader (``elf``) and the image placed in a target's
memory (``memory``: placement checks, footprint, stack region).
"""
