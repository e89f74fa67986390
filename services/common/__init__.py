"""The shared kernel: event contracts, messaging, storage, security, observability, settings.

It knows no service. Services import from here; nothing here imports a service.
"""
