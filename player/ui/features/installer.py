"""What the composition root installs: every feature, in two steps around the first paint.

:func:`install_first` is what the first paint needs (the appearance: the palette the window is
painted in); :func:`install_rest` is everything else — menus, panels and status text that may
appear an instant after the library does. ``continuo`` runs the second step once the library is
shown (:func:`player.app.build_window`), so importing and building the features is part of
neither the first paint nor the library's arrival; :func:`install_all` does both at once (tests,
benchmarks). The features are imported inside the steps: importing this module imports none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from player.ui.features.analysis.status import AnalysisRunner
    from player.ui.features.appearance import Appearance
    from player.ui.features.art import AlbumArt
    from player.ui.features.import_history.action import ImportHistory
    from player.ui.features.insights.dialog import InsightsDialog
    from player.ui.features.mpris.service import MprisService
    from player.ui.features.playlists.panel import PlaylistsPanel
    from player.ui.features.retrain.dialog import Retrain
    from player.ui.features.similar.panel import SimilarAction
    from player.ui.features.up_next.panel import UpNext
    from player.ui.shell.context import FeatureContext


@dataclass(frozen=True)
class Features:
    """What was installed (tests and screenshots reach the features here)."""

    analysis: AnalysisRunner
    similar: SimilarAction
    up_next: UpNext | None  # None without a recommender: Up next walks the library
    open_insights: Callable[[], InsightsDialog]  # the window, made on first use
    retrain: Retrain
    demo_notice: QLabel
    art: AlbumArt
    mpris_service: Callable[[], MprisService | None]  # None without a bus, or before shown
    appearance: Appearance
    playlists: PlaylistsPanel
    import_history: ImportHistory

    @property
    def insights(self) -> InsightsDialog:
        """The Insights window (made now when it was not yet opened)."""
        return self.open_insights()

    @property
    def mpris(self) -> MprisService | None:
        """The MPRIS service once registered (after the library is shown); None without a bus."""
        return self.mpris_service()


def install_all(ctx: FeatureContext) -> Features:
    """Install every feature now."""
    return install_rest(ctx, install_first(ctx))


def install_first(ctx: FeatureContext) -> Appearance:
    """What the window's first paint shows: its colours (light, dark or the desktop's)."""
    from player.ui.features import appearance

    return appearance.install(ctx)


def install_rest(ctx: FeatureContext, looks: Appearance) -> Features:
    """Every other feature; the order only decides the order of entries within a menu."""
    from player.ui.features import (
        about,
        analysis,
        art,
        demo_notice,
        import_history,
        insights,
        mpris,
        playlists,
        retrain,
        similar,
        track_actions,
        up_next,
    )

    track_actions.install(ctx)
    runner = analysis.install(ctx)
    similar_action = similar.install(ctx)
    up_next_feature = up_next.install(ctx)
    dialog = insights.install(ctx)
    about.install(ctx)
    retrain_feature = retrain.install(ctx)
    notice = demo_notice.install(ctx)
    art_feature = art.install(ctx)
    media = mpris.install(ctx)
    playlist_panel = playlists.install(ctx)
    importer = import_history.install(ctx)
    return Features(
        runner,
        similar_action,
        up_next_feature,
        dialog,
        retrain_feature,
        notice,
        art_feature,
        media,
        looks,
        playlist_panel,
        importer,
    )
