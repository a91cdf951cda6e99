"""A generated classical library imitating how real collections are tagged (soundfile + mutagen).

Each convention appears in several spellings, so the grouping is checked against what listeners'
files look like rather than against one tidy tagger:

- two recordings of one symphony with the same WORK tag (Picard: WORK, MOVEMENTNAME, MOVEMENT),
  one of them spread over two discs;
- a composer written "Last, First" on one album and "First Last" on another;
- "Op.18 No.1" on one album and "Op. 18 No. 1" on another;
- a composer with and without diacritics (ID3 in MP3 and Vorbis comments in FLAC);
- untagged folders ``Composer/Work (Performers, Year)/01 - Movement.flac`` whose file numbers,
  not the movement names' alphabet, give the order, one of them a third recording of the
  symphony named without its opus number;
- "Mvt. N – Name" titles without track numbers;
- ARTIST = composer without a COMPOSER tag (a CD rip);
- "Work: I. Movement" titles with two works on one album, and an opera over two discs with
  "Act I:" titles.

:data:`EXPECTED` says what ``continuo library --json`` must show for it.
"""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import TALB, TCOM, TIT1, TIT2, TPE1, TPE3, TRCK

from tests.library.audio_files import tag_id3, tag_vorbis, write_audio

SECONDS = 0.25


def _flac(path: Path, **tags: str) -> Path:
    write_audio(path, seconds=SECONDS, freq=220.0 + 20 * len(path.name))
    if tags:
        tag_vorbis(path, **tags)
    return path


def _picard_symphony(root: Path) -> None:
    """Beethoven 5 twice: Karajan (one disc, "Beethoven, Ludwig van") and Kleiber (two discs)."""
    movements = ["Allegro con brio", "Andante con moto", "Scherzo. Allegro", "Allegro"]
    work = "Symphony No. 5 in C minor, Op. 67"
    for n, name in enumerate(movements, 1):
        _flac(
            root / "Karajan 1963" / f"{n:02d}.flac",
            composer="Beethoven, Ludwig van",
            work=work,
            movementname=name,
            movement=str(n),
            movementtotal="4",
            title=f"{work}: {['I', 'II', 'III', 'IV'][n - 1]}. {name}",
            tracknumber=str(n),
            album="Beethoven: Symphonies 5 & 7",
            conductor="Herbert von Karajan",
            orchestra="Berliner Philharmoniker",
            date="1963",
        )
        disc = 1 if n <= 2 else 2
        _flac(
            root / "Kleiber 1975" / f"CD{disc}" / f"{n:02d}.flac",
            composer="Ludwig van Beethoven",
            work=work,
            movementname=name,
            movement=str(n),
            title=name,
            tracknumber=str(n if disc == 1 else n - 2),
            discnumber=str(disc),
            album=f"Beethoven 5 (CD {disc})",
            conductor="Carlos Kleiber",
            orchestra="Wiener Philharmoniker",
            date="1975-03-01",
        )


def _quartets(root: Path) -> None:
    """Op.18 No.1 by two quartets, the opus spelled two ways, the composer two ways."""
    for folder, composer, work, ensemble, year in (
        (
            "ABQ",
            "Beethoven, Ludwig van",
            "String Quartet No. 1 in F major, Op.18 No.1",
            "Alban Berg Quartett",
            "1980",
        ),
        (
            "Emerson",
            "Ludwig van Beethoven",
            "String Quartet No. 1 in F major, Op. 18 No. 1",
            "Emerson String Quartet",
            "1996",
        ),
    ):
        for n, name in enumerate(["Allegro con brio", "Adagio affettuoso ed appassionato"], 1):
            _flac(
                root / f"Quartets {folder}" / f"{n}.flac",
                composer=composer,
                work=work,
                movementname=name,
                movement=str(n),
                title=name,
                album=f"Beethoven Quartets ({folder})",
                artist=ensemble,
                date=year,
            )


def _dvorak(root: Path) -> None:
    """The New World with and without diacritics: an MP3 with ID3 and a FLAC."""
    for n, name in enumerate(["Adagio – Allegro molto", "Largo"], 1):
        path = write_audio(root / "Dvorak Kertesz" / f"{n:02d}.mp3", seconds=SECONDS)
        tag_id3(
            path,
            [
                TCOM(encoding=3, text=["Antonín Dvořák"]),
                TIT1(encoding=3, text=['Symphony No. 9 in E minor "From the New World", Op. 95']),
                TIT2(encoding=3, text=[f"{['I', 'II'][n - 1]}. {name}"]),
                TPE1(encoding=3, text=["London Symphony Orchestra"]),
                TPE3(encoding=3, text=["István Kertész"]),
                TALB(encoding=3, text=["Dvořák: New World"]),
                TRCK(encoding=3, text=[str(n)]),
            ],
        )
        _flac(
            root / "Dvorak Fricsay" / f"{n:02d}.flac",
            composer="Antonin Dvorak",
            work="Symphony No. 9 in E minor, Op. 95",
            title=f"{['I', 'II'][n - 1]}. {name}",
            tracknumber=str(n),
            album="New World",
            conductor="Ferenc Fricsay",
            date="1959",
        )


def _untagged(root: Path) -> None:
    """``Composer/Work (Performers, Year)/NN - Movement.flac``, no tags at all; the movement
    names' alphabetical order is not the playing order."""
    folder = root / "Brahms" / "Symphony No. 4 (Carlos Kleiber, Wiener Philharmoniker, 1980)"
    for n, name in enumerate(
        [
            "Allegro non troppo",
            "Andante moderato",
            "Allegro giocoso",
            "Allegro energico e passionato",
        ],
        1,
    ):
        _flac(folder / f"{n:02d} - {name}.flac")
    # the symphony of the Picard albums again, without its opus number in the folder name
    folder = (
        root
        / "Beethoven"
        / "Symphony No. 5 in C minor (Furtwängler, Berliner Philharmoniker, 1943)"
    )
    for n, name in enumerate(["Allegro con brio", "Andante con moto"], 1):
        _flac(folder / f"{n:02d} - {name}.flac")


def _mvt_titles(root: Path) -> None:
    """ "Mvt. N – Name" titles, no track numbers, files named against the order."""
    for stem, title in (
        ("b", "Mvt. 1 – Adagio"),
        ("a", "Mvt. 2 – Allegro"),
        ("c", "Mvt. 3 – Presto"),
    ):
        _flac(
            root / "Haydn Sonata" / f"{stem}.flac",
            composer="Joseph Haydn",
            work="Piano Sonata No. 62 in E-flat major, Hob. XVI:52",
            title=title,
            album="Haydn Sonatas",
            performer="Alfred Brendel",
        )


def _cd_rip(root: Path) -> None:
    """ARTIST = composer and no COMPOSER tag, in a composer folder."""
    for n, name in enumerate(["Introitus", "Kyrie"], 1):
        _flac(
            root / "Mozart" / "Requiem" / f"{n:02d} {name}.flac",
            artist="Mozart",
            album="Requiem",
            title=name,
            tracknumber=str(n),
        )


def _two_works_and_an_opera(root: Path) -> None:
    """ "Work: I. Movement" titles with two works on one album; an opera over two discs."""
    album = root / "Bach Brandenburg"
    titles = [
        "Brandenburg Concerto No. 1 in F major, BWV 1046: I. Allegro",
        "Brandenburg Concerto No. 1 in F major, BWV 1046: II. Adagio",
        "Brandenburg Concerto No. 2 in F major, BWV 1047: I. Allegro",
    ]
    for n, title in enumerate(titles, 1):
        _flac(
            album / f"{n:02d}.flac",
            composer="J.S. Bach",
            title=title,
            tracknumber=str(n),
            album="Brandenburg Concertos",
            performer="Il Giardino Armonico",
        )
    for disc, tracks in (
        (1, ["Act I: Overture", "Act I: No. 1 Duettino"]),
        (2, ["Act II: No. 10 Cavatina"]),
    ):
        for n, title in enumerate(tracks, 1):
            _flac(
                root / "Figaro" / f"{disc}-{n:02d}.flac",
                composer="Wolfgang Amadeus Mozart",
                work="Le nozze di Figaro, K. 492",
                title=title,
                tracknumber=str(n),
                discnumber=str(disc),
                album="Le nozze di Figaro",
                conductor="Erich Kleiber",
                date="1955",
            )


def make_classical_library(root: Path) -> Path:
    """Write the whole library under ``root`` (about 35 short files)."""
    for part in (
        _picard_symphony,
        _quartets,
        _dvorak,
        _untagged,
        _mvt_titles,
        _cd_rip,
        _two_works_and_an_opera,
    ):
        part(root)
    return root
