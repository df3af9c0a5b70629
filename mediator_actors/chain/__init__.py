"""The chain side of the node: codec, HTTP client, follower, writer and the dev chain."""
