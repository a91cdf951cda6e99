"""Continuo: a desktop player for classical music with a recommender built in."""

__version__ = "0.1.0"
