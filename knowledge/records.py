"""Pydantic records for the JSONL formats of DESIGN.md."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_PRICE = 1e9  # no live-room product costs a billion
MAX_STOCK = 2**31 - 1  # an INTEGER column on PostgreSQL


class FaqItem(BaseModel):
    q: str = Field(min_length=1)
    a: str = Field(min_length=1)


class ProductRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    price: float = Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)
    live_price: float | None = Field(default=None, ge=0, le=MAX_PRICE, allow_inf_nan=False)
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    description: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    faq: list[FaqItem] = Field(default_factory=list)

    @field_validator("attributes", mode="before")
    @classmethod
    def _stringify_attributes(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value


class PolicyRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=128)
    q: str = Field(min_length=1)
    a: str = Field(min_length=1)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1)
    qty: int = Field(ge=1)


class OrderRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str = Field(min_length=1, max_length=64)
    viewer_id: str = Field(min_length=1, max_length=64)
    items: list[OrderItem] = Field(min_length=1)
    status: str = Field(min_length=1, max_length=40)
    carrier: str | None = None
    tracking_no: str | None = None
    created_at: datetime
    updated_at: datetime
