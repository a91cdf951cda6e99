"""The baselines of the session-based literature, each a :class:`trainer.evaluate.Recommender`.

``make(name, **params)`` builds one; :data:`GRIDS` are the small grids each is tuned over on the
validation split (``trainer.benchmark.tune``). The torch ones (``gru4rec``, ``sasrec``) are
imported only when asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from trainer.evaluate import Recommender

ALGORITHMS = {
    "pop": ("trainer.baselines.pop", "Pop", {}),
    "iknn": ("trainer.baselines.itemknn", "ItemKNN", {}),
    "sr": ("trainer.baselines.sr", "SequentialRules", {}),
    "sknn": ("trainer.baselines.sknn", "SessionKNN", {"decay": "none", "name": "sknn"}),
    "vsknn": ("trainer.baselines.sknn", "SessionKNN", {"decay": "linear", "name": "vsknn"}),
    "gru4rec": ("trainer.baselines.gru4rec", "GRU4Rec", {}),
    "sasrec": ("trainer.baselines.sasrec", "SASRec", {}),
}

GRIDS: dict[str, list[dict[str, Any]]] = {
    "pop": [{}],
    "iknn": [{"alpha": a, "lambda_": lam} for a in (0.5, 0.75) for lam in (0.0, 20.0, 100.0)],
    "sr": [{"steps": s, "weighting": w} for s in (3, 5, 10, 20, 30) for w in ("div", "quadratic")],
    "sknn": [{"k": k, "sample_size": n} for k in (50, 100, 200) for n in (500, 2000)],
    "vsknn": [
        {"k": k, "sample_size": 1000, "decay": d, "idf": idf}
        for k in (20, 50, 100)
        for d in ("linear", "div")
        for idf in (1.0, 3.0)
    ],
    "gru4rec": [{}],
    "sasrec": [{}],
}


def make(name: str, **params: Any) -> Recommender:
    """A fresh, unfitted baseline ``name`` with ``params`` over its defaults."""
    if name not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}")
    module, cls, defaults = ALGORITHMS[name]
    return getattr(import_module(module), cls)(**{**defaults, **params})
