"""The window's features, each a widget plus the logic that drives it, installed on the shell.

Every feature has ``install(ctx)`` taking the shell's
:class:`~player.ui.shell.context.FeatureContext` and nothing else; they talk to each other only
through the context's signals, so any subset installs in any order. :func:`install_all` is what
the composition root (:mod:`player.app`) installs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from player.ui.features import (
    about,
    analysis,
    appearance,
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
from player.ui.features.analysis.status import AnalysisRunner
from player.ui.features.appearance import Appearance
from player.ui.features.art import AlbumArt
from player.ui.features.import_history.action import ImportHistory
from player.ui.features.playlists.panel import PlaylistsPanel
from player.ui.features.retrain.dialog import Retrain
from player.ui.features.similar.panel import SimilarAction
from player.ui.features.up_next.panel import UpNext
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.insights.dialog import InsightsDialog
    from player.ui.features.mpris.service import MprisService


@dataclass(frozen=True)
class Features:
    """What :func:`install_all` installed (tests and screenshots reach the features here)."""

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
    """Install every feature; the order only decides the order of entries within a menu."""
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
    looks = appearance.install(ctx)
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
