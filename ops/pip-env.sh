#!/bin/sh
# Runs a command with the pip build arguments that are set; pip misreads empty PIP_* values.
for name in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_TRUSTED_HOST PIP_CERT; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then unset "$name"; fi
done
exec "$@"
