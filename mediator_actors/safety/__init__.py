"""What keeps secrets and hostile text in their place: secret values that never print, the
secret scanner (the last gate before logs and the chain), and prompt-injection hygiene."""
