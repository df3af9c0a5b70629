"""The ``.env.example`` the runbook's Docker deployment copies (``cp .env.example .env``).

Every variable of :data:`~mediator_actors.config.SPECS` with its help and its default,
commented out, so a copy changes nothing until an operator uncomments a line. Secrets stay
commented too: Compose and the image give the key and the token as files
(``MEDIATOR_PRIVATE_KEY_FILE``, ``API_TOKEN_FILE``), and setting a secret both ways is a
start error. Regenerate after adding a setting::

    PYTHONPATH=. python -m tests.contract.env_example > .env.example
"""

from __future__ import annotations

from mediator_actors.config import SPECS

HEADER = """\
# mediator-node settings: copy to .env (`cp .env.example .env`) and uncomment what you change.
# Every variable is listed with its default; a commented line means the default.
# `mediator-node init` writes the same settings, and a fresh signing key in its own file.
# Secrets: prefer the NAME_FILE form (MEDIATOR_PRIVATE_KEY_FILE=/run/secrets/...);
# docker-compose.yml passes the key and the API token as files: create secrets/mediator_private_key
# and secrets/api_token first (docs/operations.md, "Docker Compose").
"""


def env_example() -> str:
    lines = [HEADER]
    for spec in SPECS:
        if spec.name == "ENV_FILE":
            continue  # read before .env: naming it inside .env would do nothing
        help_text = spec.help + (f" (secret; or {spec.name}_FILE=path)" if spec.secret else "")
        lines.append(f"# {help_text}")
        lines.append(f"# {spec.name}={spec.default or ''}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(env_example(), end="")
