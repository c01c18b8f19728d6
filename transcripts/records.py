"""The transcript segment format of DESIGN.md."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SegmentRecord(BaseModel):
    """One final segment: times in seconds on the stream's clock."""

    model_config = ConfigDict(extra="ignore")

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str = Field(min_length=1)
    speaker: str = "host"

    @model_validator(mode="after")
    def _ordered(self) -> SegmentRecord:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self
