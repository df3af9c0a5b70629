"""Challenges this node writes against other mediators' proposals (protocol.md section 4)."""
