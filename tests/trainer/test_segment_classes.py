import numpy as np

from player.analysis.segments import DESCRIPTOR_DIM
from trainer.segment_classes import ClassConfig, calibrate_temperature, fit, kmeans


def test_kmeans_finds_separated_clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, (4, 3))
    x = np.concatenate([c + rng.normal(0, 0.5, (50, 3)) for c in centres])
    found = kmeans(x, 4, iterations=50, rng=rng)
    nearest = np.linalg.norm(found[:, None] - centres[None], axis=2).min(axis=0)
    assert (nearest < 0.5).all()


def test_fitted_classes_separate_track_groups_and_soften_for_content():
    rng = np.random.default_rng(1)
    styles = rng.normal(0, 1, (3, DESCRIPTOR_DIM))
    tracks = [styles[i % 3] + rng.normal(0, 0.3, (20, DESCRIPTOR_DIM)) for i in range(9)]
    config = ClassConfig(n_classes=3, n_components=8, n_init=2, iterations=50)
    model = fit(np.concatenate(tracks), config)
    assert model.centroids.shape == (3, 8) and model.temperature > 0
    dominant = [np.argmax(model.probabilities(t).sum(axis=0)) for t in tracks]
    assert len({dominant[i] for i in (0, 3, 6)}) == 1  # one style, one dominant class
    assert dominant[0] != dominant[1] and dominant[0] != dominant[2]
    calibrated = calibrate_temperature(model, tracks)
    assert calibrated.temperature / model.temperature in 2.0 ** np.arange(-2, 8)
