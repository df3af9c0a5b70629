"""The node's actors: thin Pykka shells over the plain classes that hold the logic.

One module per role. Actors talk with the small frozen messages in :mod:`.messages`, sent
with ``RoleRegistry.tell`` (fire and forget): a mailbox is a hint, every piece of work whose
loss matters is a durable row first, and each actor rescans its rows when it (re)starts.
"""
