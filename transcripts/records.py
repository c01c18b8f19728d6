"""The transcript segment format of DESIGN.md."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The longest stream clock anything may name: a week of broadcast. Bounds every time field, so
# a forged `clock_start: 1e15` cannot move a room's clock out of reach for good.
MAX_STREAM_S = 7 * 24 * 3600.0
StreamSeconds = Field(ge=0, le=MAX_STREAM_S, allow_inf_nan=False)


class SegmentRecord(BaseModel):
    """One final segment: times in seconds on the stream's clock."""

    model_config = ConfigDict(extra="ignore")

    start: float = StreamSeconds
    end: float = StreamSeconds
    text: str = Field(min_length=1, max_length=5_000)
    speaker: str = Field(default="host", max_length=64)

    @model_validator(mode="after")
    def _ordered(self) -> SegmentRecord:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self
