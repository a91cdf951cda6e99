"""Recommendation: the ONNX session model and its fallbacks fill "Up next" (docs/recommender.md).

Nothing is imported here: ``player.recommend.up_next`` (the Recommender) pulls in the model,
the history and numpy, and a light module of the package (``settings``) must not bring them along.
"""
