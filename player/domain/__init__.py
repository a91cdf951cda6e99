"""The vocabulary every layer shares: composers, works, recordings, movements and play rules.

Pure functions and small frozen dataclasses over the standard library only, so the library
scanner, the store, the recommender, the window and the trainer agree on what "the same work"
means (DESIGN.md, contract 5). Each rule lives in exactly one module here and is table-tested
in ``tests/domain/``.
"""
