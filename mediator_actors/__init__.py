"""NatLangChain mediator node: supervised Pykka actors on gevent.

Import :mod:`mediator_actors.runtime.patching` and call ``ensure_patched()`` before anything that
loads pykka, requests, bottle or the LLM SDKs; the ``mediator-node`` entry point does.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
