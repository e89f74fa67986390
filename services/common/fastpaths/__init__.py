"""Speed tricks that reach into a library's internals, one module each.

Each module says which internal it relies on and why the public way was too slow, and has
a contract test in ``tests/unit`` (named after the library and the behaviour it relies on)
that fails the day a pinned upgrade changes that internal. Nothing else in the code base
may touch those internals: a new trick gets its own module and test here.
"""
