"""The bottom bar: what is playing (composer, work, movement, performers) and the transport controls."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from player.audio.backend import PlaybackState
from player.store.tracks import Track
from player.ui.icons import media_icon
from player.ui.shell.controller import PlaybackController
from player.ui.shell.library_models import format_duration
from player.ui.style import INK, MUTED, named

POLL_MS = 200


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" instead of growing the window when the text is long."""

    def __init__(self, objectName: str) -> None:
        super().__init__()
        self.setObjectName(objectName)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))


class NowPlaying(QWidget):
    """Composer (small caps, muted), work (prominent), movement, and the recording (performers,
    year), so two recordings of one work are told apart."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.composer = ElidedLabel("npComposer")
        self.work = ElidedLabel("npWork")
        self.movement = ElidedLabel("npMovement")
        self.performers = ElidedLabel("npPerformers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        for label in (self.composer, self.work, self.movement, self.performers):
            layout.addWidget(label)
        self.show_track(None)

    def show_track(self, track: Track | None) -> None:
        if track is None:
            texts = ("", "Nothing playing", "Double-click a movement to play it", "")
        else:
            number = track.movement_number
            movement = f"{number}. {track.display_title}" if number else track.display_title
            composer = (track.composer_name if track.composer_key else track.composer).upper()
            texts = (composer, track.work_title or track.title, movement, track.recording_label)
            if not track.work:
                texts = (composer, track.title, "", track.recording_label)
        for label, text in zip(
            (self.composer, self.work, self.movement, self.performers), texts, strict=True
        ):
            label.set_full_text(text)


class TransportBar(QWidget):
    """Play/pause, previous/next, seek with elapsed/total time, and volume."""

    volume_changed = Signal(float)

    def __init__(self, controller: PlaybackController, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("transport")
        self.controller = controller
        self.now_playing = NowPlaying()
        self._play_icons = {False: media_icon("play", "white"), True: media_icon("pause", "white")}

        def button(icon, tip, slot, name="transportButton", size=18):
            b = named(QToolButton(), name)
            b.setIcon(icon)
            b.setIconSize(QSize(size, size))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            return b

        self.previous_button = button(
            media_icon("previous", INK), "Previous (Ctrl+Left)", controller.previous
        )
        self.play_button = button(
            self._play_icons[False], "Play / pause (Space)", controller.toggle, "playButton", 16
        )
        self.next_button = button(media_icon("next", INK), "Next (Ctrl+Right)", controller.next)
        self.elapsed = named(QLabel("0:00"), "timeLabel")
        self.total = named(QLabel("0:00"), "timeLabel")
        self.seek_slider = named(QSlider(Qt.Orientation.Horizontal), "seekSlider")
        self.seek_slider.setRange(0, 0)
        self.seek_slider.sliderReleased.connect(self._seek_released)
        self.seek_slider.sliderMoved.connect(
            lambda v: self.elapsed.setText(format_duration(v / 1000))
        )
        volume_icon = QLabel()
        volume_icon.setPixmap(media_icon("volume", MUTED).pixmap(18, 18))
        self.volume_slider = named(QSlider(Qt.Orientation.Horizontal), "volumeSlider")
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setToolTip("Volume")
        self.volume_slider.valueChanged.connect(self._volume_moved)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch()
        for b in (self.previous_button, self.play_button, self.next_button):
            buttons.addWidget(b)
        buttons.addStretch()
        seek = QHBoxLayout()
        seek.addWidget(self.elapsed)
        seek.addWidget(self.seek_slider, 1)
        seek.addWidget(self.total)
        center = QVBoxLayout()
        center.setSpacing(2)
        center.addLayout(buttons)
        center.addLayout(seek)
        volume = QHBoxLayout()
        volume.addStretch()
        volume.addWidget(volume_icon)
        volume.addWidget(self.volume_slider)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(18)
        layout.addWidget(self.now_playing, 3)
        layout.addLayout(center, 4)
        layout.addLayout(volume, 2)

        controller.now_playing.connect(self.now_playing.show_track)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def set_volume(self, volume: float) -> None:
        self.volume_slider.setValue(round(volume * 100))

    def _volume_moved(self, value: int) -> None:
        self.controller.backend.set_volume(value / 100)
        self.volume_changed.emit(value / 100)

    def _seek_released(self) -> None:
        self.controller.seek(self.seek_slider.value() / 1000)

    def refresh(self) -> None:
        """Poll the backend (cheap property reads) for position and state."""
        backend = self.controller.backend
        playing = backend.state == PlaybackState.PLAYING
        if self.play_button.property("playing") != playing:
            self.play_button.setProperty("playing", playing)
            self.play_button.setIcon(self._play_icons[playing])
        duration = backend.duration_s if backend.current is not None else 0.0
        self.seek_slider.setMaximum(int(duration * 1000))
        self.total.setText(format_duration(duration))
        if not self.seek_slider.isSliderDown():
            position = backend.position_s if backend.current is not None else 0.0
            self.seek_slider.setValue(int(position * 1000))
            self.elapsed.setText(format_duration(position))
