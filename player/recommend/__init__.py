"""Recommendation: the ONNX session model and its fallbacks fill "Up next" (docs/recommender.md)."""

from player.recommend.up_next import MODES, Recommender, Status, Suggestion

__all__ = ["MODES", "Recommender", "Status", "Suggestion"]
