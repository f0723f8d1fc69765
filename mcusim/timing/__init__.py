"""Cycle model: decode translated blocks (capstone) and cost them from a core table (L3)."""
