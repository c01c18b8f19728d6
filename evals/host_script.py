"""Synthetic host speech: lines of a script spoken by Debian's espeak-ng into one 16 kHz WAV.

The text is known exactly, so a long stream of it measures word error rate and lag over
any length of broadcast; espeak-ng's voice is robotic, so it complements real recordings
rather than replacing them.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

import numpy as np
from faster_whisper.audio import decode_audio

SAMPLE_RATE = 16_000
VOICE = "en-us"
WORDS_PER_MINUTE = 165
# espeak-ng pads each file with silence; trimmed so that the script's pauses are the pauses.
_SILENCE_LEVEL = 1e-3


class TimedLine(TypedDict):
    """Where one line of the script sits in the WAV (seconds)."""

    start: float
    end: float
    text: str


class SpeechSynthesisError(RuntimeError):
    """espeak-ng is missing or failed."""


def espeak_available() -> bool:
    """Whether espeak-ng is installed (scripts/services.sh installs it)."""
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: str = VOICE, speed: int = WORDS_PER_MINUTE) -> np.ndarray:
    """One line as 16 kHz float32 samples, without the leading and trailing silence."""
    if not espeak_available():
        raise SpeechSynthesisError("espeak-ng is not installed (run scripts/services.sh)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.wav"
        result = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), "--stdin"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not path.exists():
            raise SpeechSynthesisError(f"espeak-ng failed on {text!r}: {result.stderr}")
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)  # resamples 22.05 -> 16 kHz
    voiced = np.flatnonzero(np.abs(audio) > _SILENCE_LEVEL)
    if len(voiced) == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(audio[voiced[0] : voiced[-1] + 1], dtype=np.float32)


def synthesize_lines(
    lines: Sequence[str],
    out_wav: Path,
    pauses: Sequence[float],
    *,
    lead_in: float = 0.5,
    voice: str = VOICE,
    speed: int = WORDS_PER_MINUTE,
) -> list[TimedLine]:
    """Speak `lines` into `out_wav`, with `pauses[i]` seconds of silence after line i.

    Returns where each line starts and ends in the WAV.
    """
    if len(pauses) != len(lines):
        raise ValueError(f"{len(lines)} lines but {len(pauses)} pauses")
    pieces = [np.zeros(round(lead_in * SAMPLE_RATE), dtype=np.float32)]
    at = len(pieces[0])
    timed: list[TimedLine] = []
    for text, pause in zip(lines, pauses, strict=True):
        audio = speak(text, voice, speed)
        timed.append(
            TimedLine(start=at / SAMPLE_RATE, end=(at + len(audio)) / SAMPLE_RATE, text=text)
        )
        silence = np.zeros(round(max(0.0, pause) * SAMPLE_RATE), dtype=np.float32)
        pieces += [audio, silence]
        at += len(audio) + len(silence)
    write_wav(out_wav, np.concatenate(pieces))
    return timed


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16-bit mono 16 kHz WAV, written beside the target and renamed (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    samples = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    partial.replace(path)


# -- a host's patter ----------------------------------------------------------------------

PRODUCTS = (  # (short name, full name, price in dollars)
    ("thermos", "steel thermos", 59),
    ("face cream", "night face cream", 129),
    ("phone case", "clear phone case", 25),
    ("rice cooker", "small rice cooker", 199),
    ("yoga mat", "thick yoga mat", 79),
    ("water bottle", "glass water bottle", 35),
    ("backpack", "travel backpack", 149),
    ("desk lamp", "reading desk lamp", 45),
)


def host_products() -> list[tuple[str, str, int]]:
    """The products as a catalog holds them: (full name, SKU, price); the host never says SKUs."""
    return [(full, f"HS-{100 + i}", price) for i, (_, full, price) in enumerate(PRODUCTS)]


GIFTS = ("a free tote bag", "a free sample kit", "a free travel mug", "a free charger")

# Numbers are written as Whisper writes them (digits), and prices are said in dollars:
# espeak-ng's "yuan" is not a word Whisper recovers, which would measure the voice, not ASR.
_TEMPLATES = (
    "Welcome back everyone, today we have the {full} for just {price} dollars.",
    "The {name} is {price} dollars right now, and the first 50 orders get {gift}.",
    "If you buy a pair of the {name} you pay only {double} dollars in total.",
    "Remember to claim the coupon worth {coupon} dollars before you check out.",
    "Stock of the {name} is running low, only {stock} left.",
    "Every order over {threshold} dollars comes with {gift}.",
    "Let me show you the {full} up close, look at the quality.",
    "Free shipping on the {name} for everyone in the live room today.",
    "Use the coupon and the {name} drops to {after} dollars.",
    "Questions about the {name}? Type them in the chat and I will answer.",
)
# A host on a roll: clauses strung together without a breath, so that no pause closes the
# utterance and the recogniser must commit while the speaker is still talking.
_RUN_ON = (
    "and honestly the {name} is one of my favorite things we sell because it works so well",
    "and you can use the coupon worth {coupon} dollars on top of the live price",
    "and the first orders also get {gift} which is a lovely bonus",
    "and if you are not sure just add it to your cart and decide later",
    "and we ship everything within 48 hours from our own warehouse",
    "and the {full} is only {price} dollars which is the lowest price this year",
)
RUN_ON_SHARE = 0.08  # fraction of lines that run on for 15-20 s
# espeak-ng says about 3.3 script words a second at 165 "words" a minute; estimating a little
# fast makes the script at least as long as asked (exact times come from synthesis).
_SCRIPT_WORDS_PER_S = 3.6


def host_script(seconds: float, seed: int = 7) -> tuple[list[str], list[float]]:
    """Lines and pauses for about `seconds` of host speech (deterministic for a seed)."""
    rng = random.Random(seed)
    lines: list[str] = []
    pauses: list[float] = []
    spoken = 0.0
    while spoken < seconds:
        name, full, price = rng.choice(PRODUCTS)
        fields = {
            "name": name,
            "full": full,
            "price": price,
            "double": price * 2 - 10,
            "after": price - 10,
            "coupon": rng.choice((5, 10, 20)),
            "gift": rng.choice(GIFTS),
            "stock": rng.randint(3, 40),
            "threshold": rng.choice((99, 199, 299)),
        }
        if rng.random() < RUN_ON_SHARE:
            clauses = rng.sample(_RUN_ON, k=rng.randint(4, 6))
            line = " ".join(c.format(**fields) for c in clauses)
            line = "So " + line.removeprefix("and ") + "."
        else:
            line = rng.choice(_TEMPLATES).format(**fields)
        pause = round(rng.uniform(0.3, 2.5), 2)
        lines.append(line)
        pauses.append(pause)
        spoken += len(line.split()) / _SCRIPT_WORDS_PER_S + pause
    return lines, pauses
