"""The session model's shapes, causality and cold-item representation."""

import pytest
import torch

from trainer.config import ModelConfig
from trainer.model import ExportModel, SessionModel


def _model(**overrides) -> SessionModel:
    torch.manual_seed(0)
    config = ModelConfig(n_items=50, n_artists=8, content_dim=3, hidden=16, heads=2, max_len=10)
    for name, value in overrides.items():
        setattr(config, name, value)
    return SessionModel(config).eval()


def _batch(b: int, n: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    items = torch.randint(2, 50, (b, n), generator=g)
    items[0, :3] = 0  # a left-padded row
    artists = torch.randint(2, 8, (b, n), generator=g).masked_fill(items == 0, 0)
    content = torch.randn(b, n, 3, generator=g) * (items != 0).unsqueeze(-1)
    return items, artists, content


def test_shapes():
    model = _model()
    items, artists, content = _batch(4, 7)
    assert model.encode(items, artists, content).shape == (4, 7, 16)
    assert model(items, artists, content).shape == (4, 16)
    graph = ExportModel(model)
    scores, sessions, candidates = graph(items, artists, content, items[0], artists[0], content[0])
    assert scores.shape == (4, 7) and sessions.shape == (4, 16) and candidates.shape == (7, 16)
    torch.testing.assert_close(scores, sessions @ candidates.T)


def test_future_items_do_not_change_earlier_positions():
    model = _model()
    items, artists, content = _batch(3, 9)
    before = model.encode(items, artists, content)
    changed = items.clone()
    changed[:, 6:] = torch.tensor([5, 6, 7])
    after = model.encode(changed, artists, content)
    torch.testing.assert_close(after[:, :6], before[:, :6])
    assert (after[:, 6:] - before[:, 6:]).abs().max() > 1e-3


def test_left_padding_does_not_change_the_query():
    model = _model()
    items, artists, content = _batch(2, 5, seed=1)
    items[0, :3] = 0
    padded = [
        torch.nn.functional.pad(t, (0, 0, 4, 0) if t.dim() == 3 else (4, 0))
        for t in (items, artists, content)
    ]
    torch.testing.assert_close(model(*padded), model(items, artists, content), atol=1e-5, rtol=1e-5)


def test_unknown_items_are_placed_by_artist_and_content():
    model = _model()
    unknown = torch.tensor([1, 1])
    vectors = model.items(unknown, torch.tensor([2, 3]), torch.zeros(2, 3))
    assert (vectors[0] - vectors[1]).norm() > 0.01
    with_content = model.items(unknown, torch.tensor([2, 2]), torch.tensor([[0.0] * 3, [1.0] * 3]))
    assert (with_content[0] - with_content[1]).norm() > 0.1


def test_config_rejects_heads_that_do_not_divide_hidden():
    with pytest.raises(ValueError, match="hidden=10"):
        ModelConfig(hidden=10, heads=4)
