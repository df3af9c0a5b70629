"""The settlement agent's plain logic: entry builders, the lifecycle state machine decided
from mined entries, MP-01 reputation and the consensus modes. The Pykka actor shell lives
elsewhere and calls these synchronous functions."""
