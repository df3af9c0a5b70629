"""Disputes (protocol.md section 7, MP-03): followed from mined entries, never decided."""
