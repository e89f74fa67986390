"""Identity: regencies, org units, employees, accounts and tokens.

Every use case (``employees``, ``units``, ``tenants``, ``imports``, ...) takes its
arguments keyword-only, ``sessions`` and the verified ``principal`` first; rules are
checked before anything is written, and rows and events go in one transaction.
"""
