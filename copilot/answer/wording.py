"""The fixed sentences of the grounded composer, in Chinese and English."""

from __future__ import annotations

STATUS = {
    "zh": {
        "pending_payment": "待付款",
        "paid": "已付款，待发货",
        "shipped": "已发货",
        "in_transit": "运输中",
        "delivered": "已签收",
        "cancelled": "已取消",
        "refunded": "已退款",
    },
    "en": {
        "pending_payment": "awaiting payment",
        "paid": "paid, waiting to ship",
        "shipped": "shipped",
        "in_transit": "in transit",
        "delivered": "delivered",
        "cancelled": "cancelled",
        "refunded": "refunded",
    },
}


# How a shop's own texts write each currency; the one written most is the room's.
CURRENCY_MARKS = {
    "¥": ("¥", "￥", "元", "rmb", "cny"),
    "$": ("$", "usd", "dollar"),
    "€": ("€", "eur"),
    "£": ("£", "gbp", "pound"),
}
DEFAULT_CURRENCY = "¥"


def currency_of(texts: list[str]) -> str:
    """The symbol of the currency a shop's catalog and policies write prices in (¥ if none)."""
    lowered = " ".join(texts).lower()
    counts = {symbol: sum(map(lowered.count, marks)) for symbol, marks in CURRENCY_MARKS.items()}
    best = max(counts, key=lambda symbol: counts[symbol])
    return best if counts[best] > counts[DEFAULT_CURRENCY] else DEFAULT_CURRENCY


def money(value: float, symbol: str = DEFAULT_CURRENCY) -> str:
    """An amount as written in the catalog: 99 not 99.0, 59.9 stays 59.9."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{symbol}{text}"


def status(language: str, code: str) -> str:
    """A readable order status; unknown codes are shown as stored."""
    return STATUS[language].get(code, code)


def price_line(
    language: str, name: str, price: float, live: float | None, symbol: str = DEFAULT_CURRENCY
) -> str:
    """The live price with the regular price beside it."""
    if live is not None and live != price:
        if language == "zh":
            return f"{name} 直播价 {money(live, symbol)}（原价 {money(price, symbol)}）"
        return f"{name}: live price {money(live, symbol)} (regular {money(price, symbol)})"
    if language == "zh":
        return f"{name} 价格 {money(price, symbol)}"
    return f"{name}: price {money(price, symbol)}"


def stock_line(language: str, stock: int | None) -> str:
    """Stock as it stands, or nothing when the catalog does not track it."""
    if stock is None:
        return ""
    if stock == 0:
        return "，目前已售罄" if language == "zh" else ", currently sold out"
    return f"，库存 {stock} 件" if language == "zh" else f", {stock} in stock"


def quote_host(language: str, moment: str, text: str) -> str:
    """The host's words with their time on the stream."""
    if language == "zh":
        return f"主播在 {moment} 说：「{text}」"
    return f'At {moment} the host said: "{text}"'


def policy_line(language: str, text: str) -> str:
    """A shop policy, framed in the viewer's language whatever language it is written in."""
    if language == "zh":
        return f"店铺说明：{text}"
    return f"From the shop's policy: {text}"


def details_line(language: str, name: str, lines: list[str]) -> str:
    """A product's details that answer the question, after its name."""
    if language == "zh":
        return f"{name}：{'；'.join(lines)}"
    return f"{name}: {'; '.join(lines)}"
