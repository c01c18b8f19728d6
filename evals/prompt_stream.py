"""Simulated live chat for evaluating host prompts: planted question bursts amid noise, host lines.

Written apart from copilot/hostprompts/ on purpose, so that the stream is not fitted to the
clusterer. Stdlib only; one seed gives one byte-identical stream. The format is documented in
docs/host_prompts.md ("The simulated chat stream").

    python -m evals.prompt_stream --room-dir evals/datasets/demo --seed 1 --out /tmp/stream.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

# The product rule the stream is built around (not read from the clusterer): the host is
# prompted when >= MIN_VIEWERS unique viewers ask the same thing within WINDOW_S.
WINDOW_S = 120.0
MIN_VIEWERS = 5

MAX_BURST_VIEWERS = 40
SUB_BURST_SHARE = 0.3  # of bursts: 1..MIN_VIEWERS-1 viewers, so that precision can be measured
HOT_EXTRA_MEAN = 16.0  # viewers above MIN_VIEWERS in a hot burst (exponential mean)
BURST_S = (60.0, 240.0)
BURST_MAX_SHARE = 0.6  # of a short stream: a burst never spans the whole of it
ANSWER_SHARE = 0.6  # of hot bursts the host answers on air
ANSWER_DELAY_S = (5.0, 40.0)  # after the MIN_VIEWERS-th asker
RECUR_SHARE = 0.25  # of hot bursts that bring back a topic the host already answered
RECUR_GAP_S = 180.0  # after the answer, so the recurrence is a new build-up
HOST_GAP_S = (8.0, 15.0)  # between the starts of two host lines
LOOP_GAP_S = 5.0  # between two plays of a transcript shorter than the stream
STAGE_LOOKBACK_S = 60.0  # the product named most in this window is on stage
STAGE_LOOKAHEAD_S = 10.0
# Hosts name a product when it comes on and then say "这款 / this one": a product stays on
# stage this long after it was last named (about one product's slot in a show).
STAGE_HOLD_S = 300.0
FULL_NAME_SHARE = 0.15  # of product mentions that type the catalog name in full
DEICTIC_SHARE = 0.4  # of questions about the product on stage that say "这个 / this one"
STAGE_TOPIC_SHARE = 0.5  # of new topics about the product on stage
SHOP_TOPIC_SHARE = 0.35  # of new topics that are shop-wide
HOST_OTHER_LANG_SHARE = 0.2  # host answers in the room's other language
REPEAT_GAP_S = (2.0, 15.0)
REPEATS_PER_SOURCE = (1, 3)
ONEOFF_CAP_PER_WINDOW = 3  # askers of one one-off meaning per WINDOW_S: never a crowd
SPAM_BOTS = 6
SPAM_FLOOD = (2, 6)  # posts per flood
SPAM_FLOOD_GAP_S = (0.5, 4.0)
MIN_VIEWER_POOL = 100

DEFAULT_MIX = {"topic": 0.45, "oneoff": 0.20, "reaction": 0.20, "spam": 0.10, "repeat": 0.05}

_CJK = re.compile(r"[\u3400-\u9fff]")
_QUANTITY = re.compile(r"^[\d.+×xX*%/-]+[A-Za-z\u4e00-\u9fff]{0,3}$")
_PARENS = re.compile(r"\s*[(（][^)）]*[)）]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s")


class RoomError(ValueError):
    """A room dir that is missing or not in the products/transcript format."""


@dataclass(frozen=True)
class Product:
    """One catalog row with a sku."""

    sku: str
    name: str
    short: str
    price: float | None
    live_price: float | None
    stock: int | None
    description: str
    attributes: tuple[tuple[str, str], ...]
    faq: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Policy:
    """One shop-wide row: {"id", "q", "a"}."""

    id: str
    q: str
    a: str


@dataclass(frozen=True)
class Segment:
    """One host transcript segment (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Room:
    """What the generator reads from a room dir."""

    path: Path
    products: tuple[Product, ...]
    policies: tuple[Policy, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StreamConfig:
    """The knobs of one stream; `mix` shares are normalised."""

    seed: int = 1
    questions: int = 5000
    minutes: float = 30.0
    en_share: float = 0.3
    viewers: int = 3000
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))

    def validate(self) -> None:
        """Raise ValueError on a config that cannot make a stream."""
        if self.questions < 1:
            raise ValueError("--questions must be at least 1")
        if not 0 < self.minutes <= 24 * 60:
            raise ValueError("--minutes must be in (0, 1440]")
        if not 0.0 <= self.en_share <= 1.0:
            raise ValueError("--en-share must be in [0, 1]")
        if self.viewers < MIN_VIEWER_POOL:
            raise ValueError(f"--viewers must be at least {MIN_VIEWER_POOL}")
        if set(self.mix) != set(DEFAULT_MIX):
            raise ValueError(f"mix needs exactly the shares {sorted(DEFAULT_MIX)}")
        if any(share < 0 for share in self.mix.values()) or sum(self.mix.values()) <= 0:
            raise ValueError("mix shares must be >= 0 and not all 0")


@dataclass(frozen=True)
class TopicSpec:
    """A plantable topic: its id, kind and wording bank ({n} zh / {N} en = the product)."""

    id: str
    kind: str
    sku: str | None
    zh: tuple[str, ...]
    en: tuple[str, ...]
    weight: float
    key: str | None = None


# --- wording banks -------------------------------------------------------------------------

PRODUCT_BANKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "price": (
        (
            "{n}多少钱",
            "{n}什么价格",
            "{n}直播间什么价",
            "{n}到手价多少",
            "请问{n}怎么卖",
            "{n}今天多少米",
            "{n}价格是多少",
            "{n}几块钱一份",
            "{n}的价格报一下",
            "{n}现在卖多少",
        ),
        (
            "how much is {N}",
            "what's the price of {N}",
            "{N} price?",
            "how much does {N} cost",
            "price for {N} please",
            "what are you selling {N} for today",
        ),
    ),
    "stock": (
        (
            "{n}还有货吗",
            "{n}有现货吗",
            "{n}库存还有多少",
            "{n}还能拍到吗",
            "{n}卖完了没",
            "{n}还剩几件",
            "{n}是现货还是预售",
            "{n}货还够吗",
            "{n}抢光了吗",
        ),
        (
            "is {N} still in stock",
            "do you still have {N}",
            "is {N} sold out yet",
            "how many of {N} are left",
            "{N} still available?",
            "can I still get {N}",
        ),
    ),
    "restock": (
        (
            "{n}什么时候补货",
            "{n}还会补吗",
            "{n}卖完了还会再上吗",
            "{n}没货了什么时候再有",
            "{n}下次什么时候上架",
            "{n}缺货了啥时候到货",
            "{n}能不能多补点货",
            "{n}补货了能通知一下吗",
            "{n}断货多久了 还补不补",
        ),
        (
            "when will {N} be back in stock",
            "will you restock {N}",
            "{N} is sold out, when is it coming back",
            "any restock date for {N}",
            "when can I buy {N} again",
            "are you getting more of {N}",
        ),
    ),
    "smaller_pack": (
        (
            "{n}有小包装吗",
            "{n}有没有小份的",
            "{n}有试用装吗",
            "{n}能买小规格的吗",
            "{n}有没有迷你装",
            "{n}一个人用不完 有小一点的吗",
            "{n}有半份装吗",
            "{n}有没有体验装",
            "{n}能不能出个小号装",
        ),
        (
            "is there a smaller pack of {N}",
            "does {N} come in a smaller size",
            "any trial size of {N}",
            "can I get a mini version of {N}",
            "is there a travel size for {N}",
            "{N} is too much for me, any smaller option?",
        ),
    ),
    "usage": (
        (
            "{n}怎么用",
            "{n}怎么使用啊",
            "{n}的用法讲一下",
            "{n}第一次用要注意什么",
            "{n}怎么用效果最好",
            "{n}具体怎么操作",
            "{n}用起来麻不麻烦",
            "{n}一次用多少合适",
            "{n}使用方法是什么",
        ),
        (
            "how do you use {N}",
            "how do I use {N}",
            "any instructions for {N}?",
            "what's the best way to use {N}",
            "is {N} hard to use",
            "how much of {N} do I use each time",
        ),
    ),
    "suitable_for": (
        (
            "{n}适合什么人",
            "{n}老人小孩能用吗",
            "{n}孕妇可以用吗",
            "{n}适合哪些人群",
            "{n}小朋友能用吗",
            "{n}敏感体质可以吗",
            "{n}男生女生都适合吗",
            "{n}有没有人群限制",
            "{n}谁都能用吗",
        ),
        (
            "who is {N} for",
            "is {N} ok for kids",
            "can pregnant women use {N}",
            "is {N} suitable for the elderly",
            "is {N} fine for sensitive people",
            "is {N} for men or women",
        ),
    ),
}

# Attribute questions by family; "generic" takes the catalog's key as {k}.
ATTR_BANKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "origin": (
        (
            "{n}是哪里产的",
            "{n}产地是哪",
            "{n}哪里生产的",
            "{n}是哪个地方的",
            "{n}是国产还是进口的",
            "{n}原产地在哪",
            "{n}出自哪个产区",
            "{n}是什么地方做的",
            "{n}产自哪里",
        ),
        (
            "where is {N} made",
            "where does {N} come from",
            "what's the origin of {N}",
            "is {N} made in china",
            "which country makes {N}",
            "where's {N} produced",
        ),
    ),
    "amount": (
        (
            "{n}多少克",
            "{n}净含量多少",
            "{n}一份有多少",
            "{n}有多重",
            "{n}分量大吗",
            "{n}容量是多少",
            "{n}规格多大",
            "{n}一盒有多少量",
            "{n}里面装了多少",
        ),
        (
            "how big is {N}",
            "how much do you get with {N}",
            "what's the net weight of {N}",
            "how many grams is {N}",
            "what's the capacity of {N}",
            "what quantity comes in {N}",
        ),
    ),
    "shelf_life": (
        (
            "{n}保质期多久",
            "{n}能放多久",
            "{n}保质期多长时间",
            "{n}过期时间是多久",
            "{n}能保存多长时间",
            "{n}保质期几个月",
            "{n}多久之内要用完",
            "{n}放久了会坏吗",
            "{n}有效期到什么时候",
        ),
        (
            "what's the shelf life of {N}",
            "how long does {N} keep",
            "when does {N} expire",
            "how long can I store {N}",
            "does {N} go off quickly",
            "what's the expiry on {N}",
        ),
    ),
    "material": (
        (
            "{n}什么材质",
            "{n}是什么做的",
            "{n}用的什么料",
            "{n}成分是什么",
            "{n}里面都有什么",
            "{n}材质怎么样",
            "{n}用料是啥",
            "{n}原料是什么",
            "{n}含什么东西",
        ),
        (
            "what is {N} made of",
            "what's in {N}",
            "what material is {N}",
            "ingredients of {N}?",
            "what's the fabric of {N}",
            "what goes into {N}",
        ),
    ),
    "colour": (
        (
            "{n}有哪些颜色",
            "{n}有几个颜色",
            "{n}有没有别的颜色",
            "{n}颜色可以选吗",
            "{n}还有什么色",
            "{n}颜色有几种",
            "{n}有几种配色",
            "{n}有黑色的吗",
            "{n}出不出其他色",
        ),
        (
            "what colours does {N} come in",
            "does {N} come in other colors",
            "how many colors for {N}",
            "color options for {N}?",
            "any other colour of {N}",
            "is there {N} in black",
        ),
    ),
    "generic": (
        (
            "{n}的{k}是什么",
            "{n}{k}是多少",
            "想问下{n}的{k}",
            "{n}的{k}怎么样",
            "请问{n}{k}呢",
            "主播说下{n}的{k}",
            "{n}{k}是啥呀",
            "{n}的{k}能介绍下吗",
            "{k}这块{n}怎么样",
        ),
        (
            "what's the {k} of {N}",
            "{k} for {N}?",
            "can you tell us the {k} of {N}",
            "what about the {k} on {N}",
            "what {k} does {N} have",
            "tell me the {k} of {N} please",
        ),
    ),
}

ATTR_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("origin", ("产地", "产区", "原产", "origin", "made in", "country")),
    (
        "amount",
        ("净含量", "含量", "重量", "容量", "片数", "数量", "规格", "weight", "net ", "capacity"),
    ),
    ("shelf_life", ("保质期", "保存", "有效期", "shelf", "expir", "best before")),
    (
        "material",
        ("材质", "面料", "材料", "成分", "配料", "原料", "material", "fabric", "ingredient"),
    ),
    ("colour", ("颜色", "配色", "色号", "color", "colour")),
)
# Keys whose question another topic already asks are not attribute topics: sizes are the
# shop-wide size_fit, "who is it for" keys are suitable_for. One meaning, one topic.
COVERED_KEYS = ("尺码", "尺寸", "码数", "size", "适用", "适合", "人群", "suitable")
MAX_ATTR_TOPICS = 4  # per product

PRODUCT_KIND_WEIGHTS = {
    "price": 3.0,
    "stock": 2.0,
    "restock": 2.0,
    "usage": 1.0,
    "smaller_pack": 1.0,
    "suitable_for": 0.8,
    "attr": 0.8,
}


@dataclass(frozen=True)
class ShopTopic:
    """A room-independent topic: wordings, how the host names it, a generic fact, policy words."""

    zh: tuple[str, ...]
    en: tuple[str, ...]
    label_zh: str
    label_en: str
    fact_zh: str
    fact_en: str
    keywords: tuple[str, ...]
    weight: float


SHOP_TOPICS: dict[str, ShopTopic] = {
    "shipping_time": ShopTopic(
        (
            "多久发货",
            "什么时候发货啊",
            "今天拍明天能发吗",
            "拍了几天发货",
            "发货快不快",
            "下单后多长时间发出",
            "现在拍什么时候能发",
            "几天内发货",
            "付款后啥时候发",
        ),
        (
            "when do you ship",
            "how soon will my order ship",
            "how long until it ships",
            "do you ship same day",
            "when will orders be sent out",
            "how fast is dispatch",
        ),
        "发货时间",
        "shipping",
        "付款后48小时内就发出",
        "we ship within 48 hours",
        ("发货", "ship", "dispatch"),
        2.0,
    ),
    "shipping_fee": ShopTopic(
        (
            "包邮吗",
            "运费多少",
            "要不要运费",
            "邮费怎么算",
            "满多少包邮",
            "运费谁出",
            "免运费吗",
            "快递费多少钱",
            "要另外付邮费吗",
        ),
        (
            "is shipping free",
            "how much is shipping",
            "do I pay for delivery",
            "free shipping?",
            "what's the shipping fee",
            "is there a minimum for free shipping",
        ),
        "运费",
        "shipping costs",
        "全场包邮，偏远地区除外",
        "shipping is free except for remote areas",
        ("包邮", "运费", "邮费", "free shipping", "shipping fee", "shipping cost"),
        2.0,
    ),
    "delivery_area": ShopTopic(
        (
            "发新疆吗",
            "能寄到国外吗",
            "香港能发吗",
            "西藏可以发吗",
            "海外能买吗",
            "能发马来西亚吗",
            "偏远地区发不发",
            "港澳台发货吗",
            "我在国外可以下单吗",
        ),
        (
            "do you ship to singapore",
            "can you deliver overseas",
            "do you ship internationally",
            "can I order from malaysia",
            "do you deliver to hong kong",
            "is international shipping available",
        ),
        "能发哪些地方",
        "where we deliver",
        "大陆都能发，海外暂时只发新加坡和马来西亚",
        "we deliver nationwide, and overseas only to Singapore and Malaysia for now",
        ("海外", "国外", "港澳", "international", "overseas", "area"),
        1.0,
    ),
    "returns": ShopTopic(
        (
            "可以退货吗",
            "支持七天无理由吗",
            "不喜欢能退吗",
            "拆封了还能退吗",
            "买了不合适可以退吗",
            "能无理由退换吗",
            "退货麻烦吗",
            "收到不满意能退不",
            "退货流程是怎样的",
        ),
        (
            "can I return it",
            "what's the return policy",
            "can I get a refund if I don't like it",
            "do you accept returns",
            "is there a 7 day return",
            "how do returns work",
        ),
        "退货",
        "returns",
        "支持七天无理由退货，不影响二次销售就行",
        "you can return within 7 days, no reason needed",
        ("退货", "return"),
        1.5,
    ),
    "gift_claim": ShopTopic(
        (
            "赠品怎么领",
            "赠品在哪领",
            "送的东西怎么拿",
            "赠品要备注吗",
            "怎么才能拿到赠品",
            "赠品是自动发的吗",
            "拍了有赠品吗 怎么领",
            "赠品需要另外拍吗",
            "小礼物怎么领取",
        ),
        (
            "how do I get the free gift",
            "how to claim the gift",
            "is the gift added automatically",
            "do I need to leave a note for the freebie",
            "where do I get the giveaway item",
            "is the free gift included in my order",
        ),
        "赠品",
        "the free gift",
        "下单备注直播赠品就行，跟着订单一起发",
        "just add 'live gift' in the order note and it ships with your parcel",
        ("赠品", "gift"),
        2.0,
    ),
    "coupon": ShopTopic(
        (
            "优惠券在哪领",
            "券怎么领",
            "有没有优惠券",
            "优惠券怎么用",
            "满减券在哪",
            "领券的地方在哪里",
            "还有券吗",
            "优惠券能叠加吗",
            "直播间有券吗",
        ),
        (
            "where's the coupon",
            "how do I get the coupon",
            "is there a discount code",
            "how do I use the coupon",
            "any coupons today",
            "can coupons be stacked",
        ),
        "优惠券",
        "coupons",
        "点右下角购物袋就能领，下单自动抵扣",
        "tap the shopping bag at the bottom right to grab it, it applies at checkout",
        ("优惠券", "coupon"),
        2.0,
    ),
    "size_fit": ShopTopic(
        (
            "尺码怎么选",
            "我160斤穿什么码",
            "偏大还是偏小",
            "尺码标准吗",
            "165 50kg穿多大",
            "要不要拍大一码",
            "码数正不正",
            "胖一点的穿什么号",
            "身高170选哪个码",
        ),
        (
            "what size should I get",
            "does it run small or large",
            "I'm 5'6 and 130 lbs, which size",
            "is the sizing true to size",
            "should I size up",
            "what size for 170cm",
        ),
        "尺码",
        "sizing",
        "按平时的码数拍就行，详情页有尺码表",
        "take your usual size, the size chart is on the product page",
        ("尺码", "size"),
        1.0,
    ),
    "payment": ShopTopic(
        (
            "能用花呗吗",
            "可以信用卡付款吗",
            "支持什么支付方式",
            "能货到付款吗",
            "微信能付吗",
            "可以用支付宝吗",
            "能分期付款吗",
            "付款方式有哪些",
            "能用云闪付吗",
        ),
        (
            "can I pay with paypal",
            "do you take credit cards",
            "what payment methods do you accept",
            "can I pay cash on delivery",
            "is apple pay ok",
            "can I pay in installments",
        ),
        "付款方式",
        "payment",
        "微信支付宝都可以，花呗也能用",
        "WeChat Pay, Alipay and credit cards all work",
        ("付款", "支付", "payment", "pay "),
        1.0,
    ),
    "link": ShopTopic(
        (
            "链接在哪",
            "几号链接",
            "怎么买啊",
            "在哪里拍",
            "链接发一下",
            "小黄车里哪个是",
            "找不到链接",
            "购物车里是哪个",
            "怎么下单",
        ),
        (
            "where's the link",
            "which link number is it",
            "how do I buy",
            "can you drop the link",
            "I can't find the link",
            "where do I order",
        ),
        "在哪拍",
        "where to buy",
        "点左下角小黄车，正在讲的这款就在最上面",
        "tap the cart icon, the item I'm showing is at the top",
        ("链接", "link"),
        1.5,
    ),
    "invoice": ShopTopic(
        (
            "能开发票吗",
            "可以开票吗",
            "发票怎么开",
            "公司能报销吗 有发票吗",
            "能开专票吗",
            "电子发票有吗",
            "开发票要备注吗",
            "发票在哪申请",
            "能不能开个票",
        ),
        (
            "can I get an invoice",
            "do you issue invoices",
            "how do I get a receipt for my company",
            "is a VAT invoice available",
            "can you send an e-invoice",
            "where do I request an invoice",
        ),
        "发票",
        "invoices",
        "都能开电子发票，在订单详情里申请",
        "e-invoices are available, request one from your order page",
        ("发票", "invoice"),
        0.8,
    ),
    "authenticity": ShopTopic(
        (
            "是正品吗",
            "保真吗",
            "是不是假货",
            "有防伪吗",
            "正品有保证吗",
            "是官方的吗",
            "怎么保证是真的",
            "是原厂的吗",
            "假一赔十吗",
        ),
        (
            "is it authentic",
            "is this genuine",
            "are these real or fake",
            "is this the official brand",
            "how do I know it's not a knockoff",
            "is it original",
        ),
        "是不是正品",
        "authenticity",
        "全部品牌方直供，假一赔十",
        "everything comes straight from the brand, guaranteed genuine",
        ("正品", "authentic", "genuine"),
        1.0,
    ),
    "lucky_draw": ShopTopic(
        (
            "什么时候抽奖",
            "福袋几点开",
            "还有抽奖吗",
            "抽奖怎么参加",
            "福袋怎么抢",
            "下一轮抽奖啥时候",
            "怎么参与抽奖",
            "今天有福袋吗",
            "抽奖结果在哪看",
        ),
        (
            "when is the giveaway",
            "how do I join the lucky draw",
            "is there a raffle today",
            "when's the next giveaway",
            "how do I enter the draw",
            "where are the giveaway results",
        ),
        "抽奖",
        "the giveaway",
        "整点开福袋，点关注加入粉丝团就能参与",
        "the next draw is on the hour, follow the shop to enter",
        ("抽奖", "福袋", "giveaway", "draw"),
        1.0,
    ),
    "address_change": ShopTopic(
        (
            "下单后能改地址吗",
            "地址填错了怎么办",
            "怎么修改收货地址",
            "能换个地址吗",
            "拍完能改地址不",
            "收货地址写错了",
            "已经付款了还能改地址吗",
            "地址能改成公司的吗",
            "收件人能改吗",
        ),
        (
            "can I change my address after ordering",
            "I put the wrong address, what do I do",
            "how do I update my shipping address",
            "can I change the delivery address",
            "wrong address on my order, can you fix it",
            "is it possible to edit the address",
        ),
        "改地址",
        "changing your address",
        "发货前在订单详情里自己改一次就行",
        "you can edit it once on the order page before it ships",
        ("地址", "address"),
        0.8,
    ),
    "replay": ShopTopic(
        (
            "有回放吗",
            "能看回放吗",
            "回放在哪看",
            "错过了前面的能回看吗",
            "直播有录屏吗",
            "前面讲的在哪回看",
            "回放多久能出",
            "等下能看重播吗",
            "刚进来 能看回放吗",
        ),
        (
            "is there a replay",
            "can I watch the replay later",
            "where can I rewatch this",
            "will the stream be recorded",
            "I missed the start, is there a replay",
            "is a recording available",
        ),
        "回放",
        "the replay",
        "下播后主页就有回放，讲过的商品都在购物车里",
        "the replay goes up on our page right after the stream",
        ("回放", "replay"),
        0.8,
    ),
    "price_protection": ShopTopic(
        (
            "买了降价怎么办",
            "之前买的能补差价吗",
            "昨天刚买 今天便宜了能退差价吗",
            "有价保吗",
            "价格保护多久",
            "降价了能补吗",
            "上周买的贵了能补吗",
            "保价吗",
            "买贵了能退差价吗",
        ),
        (
            "do you have price protection",
            "I bought it yesterday for more, can I get the difference back",
            "will you refund the difference if the price drops",
            "is there a price match",
            "can I get a price adjustment",
            "price dropped after I bought, what now",
        ),
        "补差价",
        "price protection",
        "签收后十天内降价都能找客服补差价",
        "if the price drops within 10 days of delivery, customer service refunds the difference",
        ("降价", "差价", "价保", "price protection", "price drop"),
        0.8,
    ),
    "customer_service": ShopTopic(
        (
            "客服在哪",
            "怎么联系客服",
            "客服电话多少",
            "找不到客服",
            "人工客服怎么找",
            "客服不回消息怎么办",
            "联系客服的入口在哪",
            "有售后电话吗",
            "客服几点上班",
        ),
        (
            "how do I contact customer service",
            "where's customer support",
            "is there a support phone number",
            "customer service isn't replying",
            "how do I reach a human agent",
            "what are support hours",
        ),
        "找客服",
        "customer service",
        "店铺主页右上角点客服，晚上十点前都有人",
        "tap 'support' on the shop page, someone is on until 10 pm",
        ("客服", "customer service", "support"),
        0.8,
    ),
    "warranty": ShopTopic(
        (
            "有保修吗",
            "保修多久",
            "坏了能修吗",
            "质保几年",
            "出问题包换吗",
            "售后保修怎么弄",
            "保修期多长",
            "电器类有质保吗",
            "坏了找谁修",
        ),
        (
            "is there a warranty",
            "how long is the warranty",
            "what if it breaks",
            "do you repair faulty items",
            "is there a guarantee",
            "what does the warranty cover",
        ),
        "保修",
        "the warranty",
        "电器都是一年保修，质量问题七天包换",
        "electronics have a one-year warranty",
        ("保修", "质保", "warranty"),
        0.8,
    ),
    "points": ShopTopic(
        (
            "积分怎么用",
            "会员积分能抵钱吗",
            "积分在哪看",
            "积分怎么算",
            "积分能换东西吗",
            "积分会过期吗",
            "积分怎么兑换",
            "下单有积分吗",
            "积分可以抵扣多少",
        ),
        (
            "how do loyalty points work",
            "can I use my points",
            "do I earn points on this order",
            "do points expire",
            "how many points do I get",
            "where do I see my points",
        ),
        "积分",
        "points",
        "每消费一块钱积一分，一百分抵一块",
        "every yuan earns a point, 100 points take 1 yuan off",
        ("积分", "points", "membership"),
        0.6,
    ),
}

# One-offs: real questions nobody else asks. Each row is one meaning (zh, en; either may be
# absent), and a meaning is capped per window in both languages together.
ONEOFFS: tuple[tuple[str | None, str | None], ...] = (
    ("主播你那边下雪了吗", "is it snowing where you are"),
    ("背景音乐叫什么名字", "what's the song playing right now"),
    ("主播身上这件外套哪里买的", None),
    (None, "where did you get your earrings"),
    ("主播今天几点下播", "what time does the stream end tonight"),
    ("主播是哪里人呀 听口音像{province}的", None),
    ("{n}能带上飞机吗", "can {N} go through airport security"),
    ("{n}放车里暴晒会不会坏", "will {N} survive a week in a hot car"),
    ("我家{pet}能不能碰{n}", "is my {pet_en} going to chew {N}?"),
    ("上次买的{n}我{relative}说很好 这次还是一样的吗", None),
    ("{n}可以刻字吗", "can {N} be engraved"),
    ("主播你用什么手机直播的", "what camera are you using for the stream"),
    ("直播间的灯是什么牌子的", "what brand is your ring light"),
    ("我在{city}，今天下午能自提吗", None),
    ("主播能转个身看看背面吗", "can you turn around and show the back"),
    ("主播养的猫叫什么名字", "what's your cat's name"),
    ("昨天那场的{n}和今天的一样吗", None),
    ("{n}的盒子能回收吗", "is the box for {N} recyclable"),
    ("我{age}岁第一次看直播 怎么关注啊", None),
    ("主播你喝的是什么水", "what are you drinking"),
    ("你们在{city}有实体店吗", "do you guys have a store in {city_en}"),
    ("主播的指甲在哪做的", None),
    ("主播明天还播吗", "are you streaming again tomorrow"),
    ("有没有人买过{n}的 说说感受", "has anyone here tried {N} before, thoughts?"),
    ("主播后面那幅画是谁画的", "who painted the picture behind you"),
    ("{n}上面的logo可以去掉吗", None),
    (None, "what's the logo on {N} supposed to be"),
    ("主播你眼镜什么牌子", None),
    ("能不能连麦", None),
    ("你们招主播吗", "are you hiring hosts"),
    ("{n}的说明书有英文版吗", "does {N} come with an english manual"),
    ("主播今天怎么没戴那条项链", None),
    ("隔壁直播间也在卖{n} 是同一个厂吗", None),
    ("{n}包装上画的是什么动物", None),
    ("主播会说粤语吗", "do you speak cantonese"),
    ("可以跟我{relative}打个招呼吗 她叫{name}", "can you say hi to my {relative_en} {name_en}?"),
    ("{n}和手机放一个包里会不会刮花", None),
    ("直播间的桌布在哪买的", None),
    ("主播今天化的什么妆", "did you do your own makeup today"),
    ("{n}的设计师是谁", None),
    ("主播有小红书吗", "do you have an instagram"),
    ("{n}可以当{num}个人的伴手礼分吗", "could {N} be a secret santa gift for {num} people"),
    ("主播你那边几点了", "what time is it there right now"),
    ("你们直播间在{city}哪个区", None),
    ("{n}能不能做成{pet}的形状", None),
    ("我{relative}{age}岁了 能学会在直播间下单吗", None),
    (None, "is that a real plant behind you"),
    (None, "can I visit your warehouse in person"),
    (None, "is this stream on {city_en} time"),
)
ONEOFF_FILL = {
    "{city}": ("北京", "上海", "成都", "杭州", "武汉", "西安", "长沙", "厦门", "青岛", "昆明"),
    "{city_en}": ("Sydney", "Toronto", "Kuala Lumpur", "London", "Vancouver", "Penang"),
    "{province}": ("四川", "湖南", "东北", "广东", "山东", "福建"),
    "{pet}": ("猫", "狗", "仓鼠", "鹦鹉", "兔子"),
    "{pet_en}": ("cat", "puppy", "parrot", "rabbit", "hamster"),
    "{relative}": ("妈", "奶奶", "姐", "婆婆", "闺蜜"),
    "{relative_en}": ("mom", "grandma", "sister", "aunt"),
    "{name}": ("小芳", "丽丽", "阿珍", "婷婷", "秀英"),
    "{name_en}": ("Linda", "Grace", "Mei", "Anna", "Rose"),
    "{age}": ("58", "63", "67", "71", "75"),
    "{num}": ("6", "8", "12", "15", "20"),
}

REACTIONS_ZH = (
    "666",
    "哈哈哈",
    "主播好美",
    "❤️❤️",
    "来了来了",
    "好看",
    "冲冲冲",
    "已拍",
    "111",
    "打卡",
    "主播声音好好听",
    "晚上好",
    "支持主播",
    "拍了拍了",
    "🔥🔥",
    "yyds",
    "太可爱了",
    "爱了爱了",
    "主播辛苦了",
    "刚来",
    "想要",
    "绝了",
    "👍👍",
    "主播今天好漂亮",
)
REACTIONS_EN = (
    "love it",
    "lol",
    "gorgeous",
    "nice",
    "hi from singapore",
    "hello everyone",
    "omg",
    "so cute",
    "wow",
    "❤️",
    "👍",
    "hahaha",
    "this is great",
    "just ordered",
    "first time here",
    "good evening",
)
# Runs of one character get a random length ("6666", "哈哈哈哈哈").
_REACTION_RUNS = ("6", "1", "哈")

SPAM_TEMPLATES = (
    "加V看福利 vx{d6}",
    "兼职日结200+ 扣1了解 qq{d9}",
    "点我头像有惊喜",
    "低价代购正品 微信{w}",
    "一折清仓 看我主页",
    "加群领红包 群号{d8}",
    "想赚钱的私我",
    "免费领iPhone 戳主页链接",
    "cheap followers at http://{dom}.{tld}/{code}",
    "free iphone giveaway click bit.ly/{code}",
    "DM me for wholesale prices",
    "earn $500/day from home http://{dom}.{tld}",
    "check my profile for 90% off",
    "buy likes and views cheap {dom}.{tld}",
)

FILLER_ZH = (
    "欢迎新进来的宝宝，点个关注不迷路。",
    "喜欢的宝宝可以直接拍，库存有限。",
    "我们看一下细节，做工真的很好。",
    "公屏上扣个1让我看到你们好不好？",
    "谢谢大家送的小心心，爱你们！",
    "今晚福利一波接一波，别走开哦。",
    "给大家看一下实物，没有开滤镜的。",
    "拍了的宝宝记得付款哦。",
)
FILLER_EN = (
    "Welcome everyone who just joined!",
    "Drop a heart if you like it.",
    "Let me show you this up close.",
    "Thanks for all the likes tonight.",
    "Stay tuned, more deals coming.",
)

HOST_LEADS_ZH = (
    "刚才好多宝宝问{label}，",
    "看到很多人在问{label}，统一回复一下：",
    "{label}这个问题，",
)
HOST_LEADS_EN = (
    "for everyone asking about {label}: ",
    "lots of you asking about {label}, so: ",
    "quick answer on {label}: ",
)

DEICTIC_ZH = ("这个", "这款", "这个宝贝", "主播手上这个")
DEICTIC_EN = ("this one", "this", "the one you're showing", "this item")

# --- per-message noise -----------------------------------------------------------------------

ZH_TYPOS = (
    ("券", "卷"),
    ("再", "在"),
    ("什么", "啥"),
    ("什么", "神马"),
    ("怎么", "咋"),
    ("怎么", "怎莫"),
    ("吗", "嘛"),
    ("吗", "马"),
    ("链接", "连接"),
    ("包邮", "包油"),
    ("赠品", "增品"),
    ("发货", "发火"),
    ("尺码", "尺吗"),
    ("时候", "时后"),
    ("在哪", "在那"),
    ("还有", "还又"),
    ("这个", "这各"),
    ("保质期", "保值期"),
    ("发票", "发漂"),
    ("退货", "退获"),
    ("多少", "多小"),
)
ZH_PREFIXES = (
    "亲 ",
    "亲，",
    "请问",
    "主播",
    "主播主播",
    "姐姐",
    "问一下",
    "@主播 ",
    "那个",
    "宝宝们 ",
)
ZH_PARTICLES = ("呢", "呀", "哈", "啊", "嘛", "哦")
EN_SLANG = (
    (" you ", " u "),
    ("please", "pls"),
    ("please", "plz"),
    ("what's", "whats"),
    ("what is", "whats"),
    (" are ", " r "),
    ("how much", "hw much"),
    ("do you", "do u"),
)
EN_PREFIXES = ("hi ", "hey ", "@host ", "host ", "quick q: ", "hello ")
EMOJI = ("🙏", "😭", "🤔", "😂", "❤️", "👀", "🥺", "😍")
URGE_ZH = ("主播看看我", "回答一下呀", "怎么没人回", "再问一次", "？？？", "主播!!")
URGE_EN = ("hello??", "anyone?", "asking again", "pls answer", "host??")
_PUNCT = "？?！!。，,、~～"


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese character."""
    return _CJK.search(text) is not None


def zh_noise(text: str, rng: random.Random) -> str:
    """Chat-style noise on a Chinese message: typos, particles, prefixes, punctuation, emoji."""
    if rng.random() < 0.25:
        typos = [pair for pair in ZH_TYPOS if pair[0] in text]
        if typos:
            wrong, typo = rng.choice(typos)
            text = text.replace(wrong, typo, 1)
    if rng.random() < 0.35:
        text = "".join(ch for ch in text if ch not in _PUNCT)
    if rng.random() < 0.3:
        body = text.rstrip(_PUNCT + " ")
        if body and body[-1] not in "吗嘛呢呀哈啊哦":
            text = body + rng.choice(ZH_PARTICLES) + text[len(body) :]
    if rng.random() < 0.3:
        prefix = rng.choice(ZH_PREFIXES)
        if not text.startswith(prefix.strip(" ，")):
            text = prefix + text
    if rng.random() < 0.25 and not text.endswith(("？", "?")):
        text += rng.choice(("？", "?", "？？", "???"))
    if rng.random() < 0.15:
        text += rng.choice(EMOJI) * rng.randint(1, 2)
    return text.strip()


def _en_typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    else:
        word = word[:j] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def en_noise(text: str, rng: random.Random) -> str:
    """Chat-style noise on an English message: slang, typos, case, punctuation, emoji."""
    if rng.random() < 0.3:
        slang = [pair for pair in EN_SLANG if pair[0] in f" {text} "]
        if slang:
            plain, short = rng.choice(slang)
            text = f" {text} ".replace(plain, short, 1).strip()
    if rng.random() < 0.3:
        text = _en_typo(text, rng)
    roll = rng.random()
    if roll < 0.5:
        text = text.lower()
    elif roll < 0.8:
        text = text[:1].upper() + text[1:]
    roll = rng.random()
    if roll < 0.35:
        text = text.rstrip("?")
    elif roll < 0.6 and not text.endswith("?"):
        text += rng.choice(("?", "??", "?!"))
    if rng.random() < 0.25:
        text = rng.choice(EN_PREFIXES) + text
    if rng.random() < 0.12:
        text += " " + rng.choice(EMOJI)
    return text.strip()


def noisy(text: str, lang: str, rng: random.Random) -> str:
    """The per-message noise of `lang`."""
    return zh_noise(text, rng) if lang == "zh" else en_noise(text, rng)


# --- the room --------------------------------------------------------------------------------


def short_name(name: str) -> str:
    """The name viewers type: a Chinese name's first chunk, an English name's last two words."""
    chunks = [chunk for chunk in name.split() if not _QUANTITY.match(chunk)] or name.split()
    if not chunks:
        return name
    if has_cjk(chunks[0]) or len(chunks) == 1:
        return chunks[0]
    plain = _PARENS.sub(" ", " ".join(chunks))
    title = plain.split(" by ")[0].split()
    if " by " in plain and 0 < len(title) <= 3 and any(ch.isalpha() for ch in "".join(title)):
        return " ".join(title)  # a book: viewers say the title, not the author
    # Sizes and model numbers ("A5", "12-pack", "6a") are not what viewers call a thing.
    words = [word for word in plain.split() if not any(ch.isdigit() for ch in word)]
    return " ".join(words[-2:]) if words else plain.strip()


def _unique_shorts(products: list[Product]) -> list[Product]:
    """Products whose short name another product shares go by their full name."""
    shorts = [product.short.lower() for product in products]
    return [
        product
        if shorts.count(product.short.lower()) == 1
        else replace(product, short=product.name)
        for product in products
    ]


def mention_forms(product: Product) -> tuple[str, ...]:
    """Strings whose presence in a host segment means the product is being talked about."""
    chunks = product.name.split()
    forms = [product.name, product.short]
    # A first chunk names the product when it is Chinese or a brand ("AirLite"), not "Smart".
    if chunks and not _QUANTITY.match(chunks[0]):
        first = chunks[0]
        if has_cjk(first) or any(ch.isupper() for ch in first[1:]):
            forms.append(first)
    if len(chunks) >= 2 and not has_cjk(product.name):
        forms.append(" ".join(chunks[:2]))
    kept: list[str] = []
    for form in forms:
        if form not in kept and len(form) >= (2 if has_cjk(form) else 4):
            kept.append(form)
    return tuple(kept)


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RoomError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RoomError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise RoomError(f"{path}:{number}: expected a JSON object")
        rows.append(row)
    return rows


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: object) -> str:
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return "" if value is None else str(value)


def _product(row: dict[str, object], where: str) -> Product:
    sku, name = row.get("sku"), row.get("name")
    if not isinstance(sku, str) or not sku or not isinstance(name, str) or not name.strip():
        raise RoomError(f"{where}: a product row needs a non-empty 'sku' and 'name'")
    attributes = row.get("attributes") or {}
    faq = row.get("faq") or []
    if not isinstance(attributes, dict) or not isinstance(faq, list):
        raise RoomError(f"{where}: 'attributes' must be an object and 'faq' a list")
    stock = _number(row.get("stock"))
    return Product(
        sku=sku,
        name=name.strip(),
        short=short_name(name.strip()),
        price=_number(row.get("price")),
        live_price=_number(row.get("live_price")),
        stock=None if stock is None else int(stock),
        description=_text(row.get("description")),
        attributes=tuple(
            (str(key), _text(value)) for key, value in attributes.items() if _text(value).strip()
        ),
        faq=tuple(
            (_text(item.get("q")), _text(item.get("a"))) for item in faq if isinstance(item, dict)
        ),
    )


def load_room(room_dir: Path) -> Room:
    """Read products.jsonl (products and shop-wide policies) and transcript.jsonl of a room."""
    if not room_dir.is_dir():
        raise RoomError(f"{room_dir}: not a directory")
    products_path = room_dir / "products.jsonl"
    if not products_path.is_file():
        raise RoomError(f"{products_path}: missing (a room dir holds products.jsonl)")
    products: list[Product] = []
    policies: list[Policy] = []
    for number, row in enumerate(_read_jsonl(products_path), 1):
        where = f"{products_path}:{number}"
        if "sku" in row:
            products.append(_product(row, where))
        elif isinstance(row.get("id"), str) and "q" in row:
            policies.append(Policy(str(row["id"]), _text(row.get("q")), _text(row.get("a"))))
        else:
            raise RoomError(f"{where}: neither a product ('sku') nor a policy ('id', 'q', 'a')")
    if not products:
        raise RoomError(f"{products_path}: no product rows (with 'sku')")
    segments: list[Segment] = []
    transcript_path = room_dir / "transcript.jsonl"
    # Without a transcript the host only says filler and every question names its product.
    if transcript_path.is_file():
        for number, row in enumerate(_read_jsonl(transcript_path), 1):
            start, end, text = _number(row.get("start")), _number(row.get("end")), row.get("text")
            if start is None or not isinstance(text, str):
                raise RoomError(f"{transcript_path}:{number}: a segment needs 'start' and 'text'")
            if row.get("speaker", "host") == "host" and text.strip():
                segments.append(Segment(start, start if end is None else end, text.strip()))
    segments.sort(key=lambda segment: segment.start)
    return Room(room_dir, tuple(_unique_shorts(products)), tuple(policies), tuple(segments))


# --- topics ----------------------------------------------------------------------------------


def attr_family(key: str) -> str:
    """A catalog key's attribute family: a named one, generic, or covered by another topic."""
    lowered = key.lower()
    if any(word in lowered for word in COVERED_KEYS):
        return "covered"
    for family, words in ATTR_FAMILIES:
        if any(word in lowered for word in words):
            return family
    return "generic"


def product_topics(product: Product) -> list[TopicSpec]:
    """The plantable topics of one product."""
    sku = product.sku

    def spec(kind: str, bank: tuple[tuple[str, ...], tuple[str, ...]]) -> TopicSpec:
        return TopicSpec(f"{kind}:{sku}", kind, sku, bank[0], bank[1], PRODUCT_KIND_WEIGHTS[kind])

    availability = "restock" if product.stock == 0 else "stock"
    topics = [
        spec(kind, PRODUCT_BANKS[kind])
        for kind in ("price", availability, "smaller_pack", "usage", "suitable_for")
    ]
    families: list[str] = []
    for key, _value in product.attributes:
        family = attr_family(key)
        if family == "covered" or (family != "generic" and family in families):
            continue
        families.append(family)
        zh, en = ATTR_BANKS[family]
        topics.append(
            TopicSpec(
                f"attr:{sku}:{key}",
                "attr",
                sku,
                tuple(t.replace("{k}", key) for t in zh),
                tuple(t.replace("{k}", key) for t in en),
                PRODUCT_KIND_WEIGHTS["attr"],
                key,
            )
        )
        if len(families) == MAX_ATTR_TOPICS:
            break
    return topics


def shop_topics() -> list[TopicSpec]:
    """The room-independent topics."""
    return [
        TopicSpec(topic_id, topic_id, None, topic.zh, topic.en, topic.weight)
        for topic_id, topic in SHOP_TOPICS.items()
    ]


def _money(value: float) -> str:
    return f"{value:g}"


def _first_sentence(text: str, words: Sequence[str] = ()) -> str:
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    if not sentences:
        return ""
    lowered = [(s, s.lower()) for s in sentences]
    picked = next((s for s, low in lowered if any(w.lower() in low for w in words)), sentences[0])
    return _clip(picked.rstrip("。. "))


def _clip(text: str, limit: int = 70) -> str:
    """At most `limit` characters, cut after a comma or a space: a host line is 4-12 s of speech."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in "，, ")
    return text[: cut if cut > 0 else limit].rstrip("，, ")


def _product_fact(spec: TopicSpec, product: Product, lang: str) -> tuple[str, str]:
    """(label, fact) for the host's answer to a product topic, from the catalog where it can."""
    zh = lang == "zh"
    name = product.short if zh else f"the {product.short}"
    amount = next((v for k, v in product.attributes if attr_family(k) == "amount"), "")
    if spec.kind == "price":
        label = f"{name}的价格" if zh else f"the price of {name}"
        if product.live_price is not None and product.price is not None:
            live, price = _money(product.live_price), _money(product.price)
            return label, (
                f"直播间到手{live}元，平时卖{price}元"
                if zh
                else f"it's {live} tonight, not {price}"
            )
        if product.price is not None:
            price = _money(product.price)
            return label, (f"就是{price}元，今晚不涨价" if zh else f"it's {price}, same all night")
        return label, (
            "价格在小黄车里看，今晚最低" if zh else "the price is in the cart, lowest tonight"
        )
    if spec.kind == "stock":
        label = f"{name}还有没有货" if zh else f"whether {name} is in stock"
        if product.stock:
            return label, (
                f"还有{product.stock}件，放心拍" if zh else f"yes, {product.stock} still in stock"
            )
        return label, ("还有货，放心拍" if zh else "yes, it's still in stock")
    if spec.kind == "restock":
        label = f"{name}补货" if zh else f"restocking {name}"
        return label, (
            "这批卖空了，我们在加紧补货，到了第一时间通知"
            if zh
            else "this batch is sold out, more is coming next week, follow us for the update"
        )
    if spec.kind == "smaller_pack":
        label = f"{name}有没有小包装" if zh else f"a smaller pack of {name}"
        if amount:
            return label, (
                f"目前只有{amount}这一个规格，暂时没有小包装"
                if zh
                else f"it only comes as {amount} for now, no smaller pack yet"
            )
        return label, (
            "目前就这一个规格，小包装我们记下了" if zh else "one size only for now, sorry"
        )
    if spec.kind == "usage":
        label = f"{name}的用法" if zh else f"how to use {name}"
        how = next((a for q, a in product.faq if re.search(r"怎么|如何|用法|how", q, re.I)), "")
        fact = _first_sentence(how)
        if fact and has_cjk(fact) == zh:
            return label, fact
        return label, (
            "很简单，盒子里有说明卡"
            if zh
            else "it's easy, the card in the box walks you through it"
        )
    if spec.kind == "suitable_for":
        label = f"{name}适合谁" if zh else f"who {name} is for"
        return label, (
            "大部分人都能放心用，体质特殊的先少量试一下"
            if zh
            else "it suits most people, if you're sensitive try a little first"
        )
    key = spec.key or ""
    value = dict(product.attributes).get(key, "")
    label = f"{name}的{key}" if zh else f"the {key} of {name}"
    return label, (f"是{value}" if zh else f"it's {value}")


# --- the stream ------------------------------------------------------------------------------


@dataclass
class _Row:
    t: float
    seq: int
    data: dict[str, object]


@dataclass
class _HostSlot:
    t: float
    text: str
    answers: str | None = None


@dataclass
class _TopicState:
    spec: TopicSpec
    tier: str  # "hot": bursts meant to reach MIN_VIEWERS; "sub": never MIN_VIEWERS in WINDOW_S
    bursts: list[list[float]] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)
    askers: set[str] = field(default_factory=set)
    arrivals: list[float] = field(default_factory=list)
    wordings: set[tuple[str, int]] = field(default_factory=set)
    last_end: float = -math.inf


@dataclass(frozen=True)
class _Asked:
    t: float
    viewer: str
    lang: str
    text: str
    state: _TopicState


class _Stage:
    """The product on stage at time t: the one named most near t, else the last one named."""

    def __init__(self, mentions: list[tuple[float, str]]) -> None:
        mentions.sort(key=lambda mention: mention[0])
        self._times = [t for t, _ in mentions]
        self._skus = [sku for _, sku in mentions]

    def at(self, t: float) -> str | None:
        """The sku on stage at `t`, or None when no product was named near it."""
        lo = bisect.bisect_left(self._times, t - STAGE_LOOKBACK_S)
        hi = bisect.bisect_right(self._times, t + STAGE_LOOKAHEAD_S)
        counts: dict[str, int] = {}
        latest: dict[str, int] = {}
        for i in range(lo, hi):
            counts[self._skus[i]] = counts.get(self._skus[i], 0) + 1
            latest[self._skus[i]] = i
        if counts:
            return max(counts, key=lambda sku: (counts[sku], latest[sku]))
        before = bisect.bisect_right(self._times, t) - 1
        if before >= 0 and t - self._times[before] <= STAGE_HOLD_S:
            return self._skus[before]
        return None


def budget(total: int, mix: dict[str, float]) -> dict[str, int]:
    """Split `total` questions by the normalised `mix`, exactly (largest remainders)."""
    weight = sum(mix.values())
    raw = {kind: total * share / weight for kind, share in mix.items()}
    counts = {kind: math.floor(value) for kind, value in raw.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(raw, key=lambda kind: (-(raw[kind] - counts[kind]), kind))
    for kind in by_remainder[:left]:
        counts[kind] += 1
    return counts


class _Builder:
    """Builds one stream; every random draw comes from one seeded Random, in a fixed order."""

    def __init__(self, room: Room, config: StreamConfig) -> None:
        self.room = room
        self.config = config
        self.rng = random.Random(config.seed)
        self.duration = config.minutes * 60.0
        self.products = {product.sku: product for product in room.products}
        self.rows: list[_Row] = []
        self.states: dict[str, _TopicState] = {}
        self.asked: list[_Asked] = []
        viewers = [f"v{i:05d}" for i in range(1, config.viewers + 1)]
        self.bots = self.rng.sample(viewers, SPAM_BOTS)
        bots = set(self.bots)
        self.humans = [viewer for viewer in viewers if viewer not in bots]
        self.lang = {
            viewer: "en" if self.rng.random() < config.en_share else "zh" for viewer in self.humans
        }
        # Chat activity is skewed: a few viewers post most of the reactions and one-offs.
        ranks = list(range(len(self.humans)))
        self.rng.shuffle(ranks)
        self.activity = list(itertools.accumulate(1.0 / (rank + 20) for rank in ranks))
        segment_zh = sum(has_cjk(segment.text) for segment in room.segments)
        names_zh = sum(has_cjk(product.name) for product in room.products)
        if room.segments:
            self.room_lang = "zh" if segment_zh * 2 >= len(room.segments) else "en"
        else:
            self.room_lang = "zh" if names_zh * 2 >= len(room.products) else "en"
        timeline = self._timeline()
        self.stage = _Stage(self._mentions(timeline))
        self.slots = self._host_slots(timeline)
        self.slot_times = [slot.t for slot in self.slots]
        self.unused = [spec for p in room.products for spec in product_topics(p)] + shop_topics()

    # -- host ---------------------------------------------------------------------------------

    def _timeline(self) -> list[Segment]:
        """The transcript, played again from the top while the stream lasts."""
        segments = self.room.segments
        if not segments:
            return []
        period = max(segments[-1].end, segments[-1].start) + LOOP_GAP_S
        base = segments[0].start
        timeline: list[Segment] = []
        loop = 0
        while True:
            offset = loop * (period - base)
            for segment in segments:
                start = segment.start + offset
                if start > self.duration:
                    return timeline
                timeline.append(Segment(start, segment.end + offset, segment.text))
            loop += 1

    def _mentions(self, timeline: list[Segment]) -> list[tuple[float, str]]:
        every = [form.lower() for p in self.room.products for form in mention_forms(p)]
        # A form two products share ("Running Shoes") names neither of them.
        forms = [
            (
                product.sku,
                [f.lower() for f in mention_forms(product) if every.count(f.lower()) == 1],
            )
            for product in self.room.products
        ]
        mentions: list[tuple[float, str]] = []
        for segment in timeline:
            lowered = segment.text.lower()
            for sku, names in forms:
                if any(name in lowered for name in names):
                    mentions.append((segment.start, sku))
        return mentions

    def _filler(self) -> str:
        bank = FILLER_ZH if self.room_lang == "zh" else FILLER_EN
        return self.rng.choice(bank)

    def _host_slots(self, timeline: list[Segment]) -> list[_HostSlot]:
        """One host line every HOST_GAP_S: the transcript segment nearest the target, or filler."""
        slots: list[_HostSlot] = []
        last: float | None = None
        i = 0
        while True:
            if last is None:
                earliest, latest = 0.0, HOST_GAP_S[1]
                target = self.rng.uniform(0.0, HOST_GAP_S[0])
            else:
                earliest, latest = last + HOST_GAP_S[0], last + HOST_GAP_S[1]
                target = last + self.rng.uniform(*HOST_GAP_S)
            while i < len(timeline) and timeline[i].start < earliest:
                i += 1
            best: int | None = None
            j = i
            while j < len(timeline) and timeline[j].start <= latest:
                if best is None or abs(timeline[j].start - target) < abs(
                    timeline[best].start - target
                ):
                    best = j
                j += 1
            if best is not None:
                t, text = timeline[best].start, timeline[best].text
                i = best + 1
            else:
                t, text = target, self._filler()
            if t > self.duration:
                return slots
            slots.append(_HostSlot(round(t, 1), text))
            last = round(t, 1)

    def _take_slot(self, desired: float) -> _HostSlot | None:
        i = bisect.bisect_left(self.slot_times, desired)
        while i < len(self.slots) and self.slots[i].answers is not None:
            i += 1
        return self.slots[i] if i < len(self.slots) else None

    def _answer_text(self, spec: TopicSpec) -> str:
        rng = self.rng
        lang = self.room_lang
        if rng.random() < HOST_OTHER_LANG_SHARE:
            lang = "en" if lang == "zh" else "zh"
        if spec.key is not None:
            lang = "zh" if has_cjk(spec.key) else "en"  # the catalog's key is said as written
        if spec.sku is not None:
            label, fact = _product_fact(spec, self.products[spec.sku], lang)
        else:
            topic = SHOP_TOPICS[spec.id]
            label = topic.label_zh if lang == "zh" else topic.label_en
            fact = topic.fact_zh if lang == "zh" else topic.fact_en
            for policy in self.room.policies:
                haystack = f"{policy.id} {policy.q}".lower()
                if any(word.lower() in haystack for word in topic.keywords):
                    sentence = _first_sentence(policy.a, topic.keywords)
                    if sentence and has_cjk(sentence) == (lang == "zh"):
                        fact = sentence.rstrip("。.")
                    break
        if lang == "zh":
            return rng.choice(HOST_LEADS_ZH).replace("{label}", label) + fact + "。"
        line = rng.choice(HOST_LEADS_EN).replace("{label}", label) + fact
        return line[:1].upper() + line[1:] + "."

    # -- planted topics -----------------------------------------------------------------------

    def _burst_sizes(self, planted: int) -> list[tuple[int, str]]:
        rng = self.rng
        sizes: list[tuple[int, str]] = []
        left = planted
        while left > 0:
            if rng.random() < SUB_BURST_SHARE:
                n, tier = rng.randint(2, MIN_VIEWERS - 1), "sub"
            else:
                extra = int(rng.expovariate(1.0 / HOT_EXTRA_MEAN))
                n, tier = min(MAX_BURST_VIEWERS, MIN_VIEWERS + extra), "hot"
            if n > left:
                n = left
                tier = "hot" if n >= MIN_VIEWERS else "sub"
            if n == 1:
                # A lone asker is merged into a burst with room, not planted as a "burst" of one.
                roomy = [i for i, (size, _) in enumerate(sizes) if size < MAX_BURST_VIEWERS]
                if roomy:
                    i = roomy[-1]
                    size, kind = sizes[i]
                    grown = size + 1
                    sizes[i] = (grown, "hot" if kind == "hot" or grown >= MIN_VIEWERS else "sub")
                    break
            sizes.append((n, tier))
            left -= n
        return sizes

    def _pick(self, specs: list[TopicSpec]) -> TopicSpec:
        return self.rng.choices(specs, weights=[spec.weight for spec in specs])[0]

    def _new_topic(self, start: float) -> TopicSpec | None:
        on_stage = self.stage.at(start)
        stage = [spec for spec in self.unused if on_stage is not None and spec.sku == on_stage]
        product = [spec for spec in self.unused if spec.sku is not None]
        shop = [spec for spec in self.unused if spec.sku is None]
        roll = self.rng.random()
        if roll < STAGE_TOPIC_SHARE:
            order = [stage, product, shop]
        elif roll < STAGE_TOPIC_SHARE + SHOP_TOPIC_SHARE:
            order = [shop, product]
        else:
            order = [product, shop]
        for pool in order:
            if pool:
                spec = self._pick(pool)
                self.unused.remove(spec)
                return spec
        return None

    def _topic_for(self, start: float, tier: str) -> _TopicState:
        states = list(self.states.values())
        if tier == "hot" and self.rng.random() < RECUR_SHARE:
            answered = [
                s
                for s in states
                if s.tier == "hot"
                and s.answered_at
                and start >= s.answered_at[-1] + RECUR_GAP_S
                and start > s.last_end + WINDOW_S
            ]
            if answered:
                return self.rng.choice(answered)
        spec = self._new_topic(start)
        if spec is not None:
            state = _TopicState(spec, tier)
            self.states[spec.id] = state
            return state
        # Every topic of the room is in play: reuse one without breaking a "sub" promise.
        apart = [s for s in states if start > s.last_end + WINDOW_S]
        hot = [s for s in states if s.tier == "hot"]
        pools = [[s for s in apart if s.tier == tier], [s for s in apart if s.tier == "hot"], hot]
        chosen = next((self.rng.choice(pool) for pool in pools if pool), None)
        if chosen is None:
            chosen = self.rng.choice(states)
        if chosen.tier == "sub" and not (tier == "sub" and chosen in apart):
            chosen.tier = "hot"  # it may now reach MIN_VIEWERS; it is no longer a negative
        return chosen

    def _topic_text(self, state: _TopicState, lang: str, t: float) -> str:
        spec = state.spec
        bank = spec.zh if lang == "zh" or not spec.en else spec.en
        lang = "zh" if bank is spec.zh else "en"
        i = self.rng.randrange(len(bank))
        state.wordings.add((lang, i))
        text = bank[i]
        if spec.sku is not None:
            product = self.products[spec.sku]
            deictic = self.stage.at(t) == spec.sku and self.rng.random() < DEICTIC_SHARE
            if lang == "zh":
                name = self.rng.choice(DEICTIC_ZH) if deictic else self._name_form(product)
                text = text.replace("{n}", name)
            else:
                phrase = (
                    self.rng.choice(DEICTIC_EN) if deictic else f"the {self._name_form(product)}"
                )
                text = text.replace("{N}", phrase)
        return noisy(text, lang, self.rng)

    def _name_form(self, product: Product) -> str:
        if product.short != product.name and self.rng.random() >= FULL_NAME_SHARE:
            return product.short
        return product.name

    def plant(self, planted: int) -> None:
        """Plant `planted` topic questions in bursts, with the host's answers to some."""
        rng = self.rng
        bursts: list[tuple[float, float, int, str]] = []
        for n, tier in self._burst_sizes(planted):
            length = min(rng.uniform(*BURST_S), self.duration * BURST_MAX_SHARE)
            start = rng.uniform(0.0, self.duration - length)
            bursts.append((start, length, n, tier))
        bursts.sort(key=lambda burst: burst[0])
        for start, length, n, tier in bursts:
            state = self._topic_for(start, tier)
            if tier == "hot":
                # Hot bursts build up quickly and tail off (Beta(2, 4) peaks at a quarter).
                arrivals = sorted(start + length * rng.betavariate(2, 4) for _ in range(n))
            else:
                arrivals = sorted(start + length * rng.random() for _ in range(n))
            fresh = [viewer for viewer in self.humans if viewer not in state.askers]
            askers = rng.sample(fresh if len(fresh) >= n else self.humans, n)
            for t, viewer in zip(arrivals, askers, strict=True):
                lang = self.lang[viewer]
                text = self._topic_text(state, lang, t)
                self._question(t, viewer, text, lang, state.spec.id, None)
                self.asked.append(_Asked(t, viewer, lang, text, state))
                state.askers.add(viewer)
            state.arrivals.extend(arrivals)
            state.bursts.append([round(arrivals[0], 1), round(arrivals[-1], 1), n])
            state.last_end = max(state.last_end, arrivals[-1])
            if tier == "hot" and state.tier == "hot" and rng.random() < ANSWER_SHARE:
                built_up = arrivals[min(n, MIN_VIEWERS) - 1]
                slot = self._take_slot(built_up + rng.uniform(*ANSWER_DELAY_S))
                if slot is not None:
                    slot.answers = state.spec.id
                    slot.text = self._answer_text(state.spec)
                    state.answered_at.append(slot.t)

    def repeat(self, count: int) -> None:
        """`count` repeats: a viewer asking their topic again within seconds."""
        rng = self.rng
        left = count
        while left > 0:
            source = rng.choice(self.asked)
            t = source.t
            for _ in range(min(rng.randint(*REPEATS_PER_SOURCE), left)):
                t = min(t + rng.uniform(*REPEAT_GAP_S), self.duration)
                roll = rng.random()
                if roll < 0.35:
                    text = source.text
                elif roll < 0.7:
                    urge = rng.choice(URGE_ZH if source.lang == "zh" else URGE_EN)
                    text = (
                        f"{urge} {source.text}" if rng.random() < 0.5 else f"{source.text} {urge}"
                    )
                else:
                    text = self._topic_text(source.state, source.lang, t)
                self._question(t, source.viewer, text, source.lang, source.state.spec.id, "repeat")
                left -= 1

    # -- noise --------------------------------------------------------------------------------

    def _active_viewer(self) -> str:
        return self.rng.choices(self.humans, cum_weights=self.activity)[0]

    def _times(self, count: int) -> list[float]:
        return sorted(self.rng.uniform(0.0, self.duration) for _ in range(count))

    def _fill(self, template: str) -> str:
        rng = self.rng
        if "{n}" in template or "{N}" in template:
            product = rng.choice(self.room.products)
            template = template.replace("{n}", self._name_form(product))
            template = template.replace("{N}", f"the {self._name_form(product)}")
        for slot, values in ONEOFF_FILL.items():
            if slot in template:
                template = template.replace(slot, rng.choice(values))
        return template

    def oneoffs(self, count: int) -> None:
        """`count` real questions nobody else asks (no meaning too often in one window)."""
        uses: dict[int, list[float]] = {}
        for t in self._times(count):
            viewer = self._active_viewer()
            lang = self.lang[viewer]
            column = 0 if lang == "zh" else 1
            shuffled = self.rng.sample(range(len(ONEOFFS)), len(ONEOFFS))
            order = [i for i in shuffled if ONEOFFS[i][column] is not None]
            pick = order[0]
            for i in order:
                times = uses.get(i, [])
                if len(times) - bisect.bisect_left(times, t - WINDOW_S) < ONEOFF_CAP_PER_WINDOW:
                    pick = i
                    break
            uses.setdefault(pick, []).append(t)
            text = noisy(self._fill(str(ONEOFFS[pick][column])), lang, self.rng)
            self._question(t, viewer, text, lang, None, "oneoff")

    def reactions(self, count: int) -> None:
        """`count` reactions: 666, 哈哈哈, emoji, "love it"."""
        rng = self.rng
        for t in self._times(count):
            viewer = self._active_viewer()
            lang = self.lang[viewer]
            text = rng.choice(REACTIONS_ZH if lang == "zh" else REACTIONS_EN)
            if text[0] in _REACTION_RUNS and set(text) == {text[0]}:
                text = text[0] * rng.randint(2, 7)
            elif rng.random() < 0.3:
                text += rng.choice(EMOJI) * rng.randint(1, 3)
            self._question(t, viewer, text, lang, None, "reaction")

    def _ad(self, template: str) -> str:
        rng = self.rng
        fills = {
            "{d6}": str(rng.randint(100_000, 999_999)),
            "{d8}": str(rng.randint(10_000_000, 99_999_999)),
            "{d9}": str(rng.randint(100_000_000, 999_999_999)),
            "{w}": "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))
            + str(rng.randint(10, 99)),
            "{dom}": rng.choice(("fanboost", "likes4u", "topgrowth", "promo-hub", "getviral")),
            "{tld}": rng.choice(("xyz", "top", "cc", "shop")),
            "{code}": "".join(rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(6)),
        }
        for slot, value in fills.items():
            template = template.replace(slot, value)
        return template

    def spam(self, count: int) -> None:
        """`count` spam posts: copy-paste floods by SPAM_BOTS bot accounts."""
        rng = self.rng
        ads = {bot: [self._ad(t) for t in rng.sample(SPAM_TEMPLATES, 2)] for bot in self.bots}
        left = count
        while left > 0:
            bot = rng.choice(self.bots)
            text = rng.choice(ads[bot])
            t = rng.uniform(0.0, self.duration)
            for _ in range(min(rng.randint(*SPAM_FLOOD), left)):
                post = text + rng.choice(EMOJI) if rng.random() < 0.3 else text
                lang = "zh" if has_cjk(post) else "en"
                self._question(t, bot, post, lang, None, "spam")
                t = min(t + rng.uniform(*SPAM_FLOOD_GAP_S), self.duration)
                left -= 1

    # -- output -------------------------------------------------------------------------------

    def _question(
        self, t: float, viewer: str, text: str, lang: str, topic: str | None, noise: str | None
    ) -> None:
        t = round(min(max(t, 0.0), self.duration), 1)
        data: dict[str, object] = {
            "t": t,
            "kind": "question",
            "viewer_id": viewer,
            "text": text,
            "lang": lang,
            "topic": topic,
            "noise": noise,
        }
        self.rows.append(_Row(t, len(self.rows), data))

    def events(self) -> list[dict[str, object]]:
        """Questions and host lines, sorted by t (creation order breaks ties)."""
        rows = list(self.rows)
        for slot in self.slots:
            data: dict[str, object] = {
                "t": slot.t,
                "kind": "host",
                "text": slot.text,
                "answers": slot.answers,
            }
            rows.append(_Row(slot.t, len(rows), data))
        rows.sort(key=lambda row: (row.t, row.seq))
        return [row.data for row in rows]

    def truth(self, counts: dict[str, int]) -> dict[str, object]:
        """The planted topics, for reading; evaluations recompute what they need from events."""
        topics: dict[str, object] = {}
        for topic_id, state in self.states.items():
            topics[topic_id] = {
                "kind": state.spec.kind,
                "product_sku": state.spec.sku,
                "wordings_used": len(state.wordings),
                "bursts": state.bursts,
                "answered_at": sorted(state.answered_at),
                "max_unique_120s": _max_in_window(sorted(state.arrivals)),
            }
        return {
            "topics": topics,
            "seed": self.config.seed,
            "questions": self.config.questions,
            "minutes": self.config.minutes,
            "room_dir": str(self.room.path),
            "counts": counts,
        }


def _max_in_window(times: list[float]) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > WINDOW_S:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def generate(room: Room, config: StreamConfig) -> tuple[list[dict[str, object]], dict[str, object]]:
    """The events of one stream (sorted by t) and its truth sidecar."""
    config.validate()
    builder = _Builder(room, config)
    counts = budget(config.questions, config.mix)
    if counts["topic"] == 0 and counts["repeat"]:
        counts["oneoff"] += counts["repeat"]  # nothing to repeat
        counts["repeat"] = 0
    builder.plant(counts["topic"])
    builder.repeat(counts["repeat"])
    builder.oneoffs(counts["oneoff"])
    builder.reactions(counts["reaction"])
    builder.spam(counts["spam"])
    return builder.events(), builder.truth(counts)


def truth_path(out: Path) -> Path:
    """Where the sidecar of `out` goes: the same path plus ".truth.json"."""
    return out.with_name(out.name + ".truth.json")


def write_stream(events: list[dict[str, object]], truth: dict[str, object], out: Path) -> None:
    """Write the JSONL events to `out` and the truth to its sidecar."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    truth_path(out).write_text(
        json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals.prompt_stream",
        description="Simulated live chat (planted question bursts, noise, host lines) as JSONL.",
    )
    parser.add_argument("--room-dir", type=Path, required=True, help="holds products.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="JSONL events; OUT.truth.json too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--questions", type=int, default=5000, help="question events in total")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--en-share", type=float, default=0.3, help="share of English viewers")
    parser.add_argument("--viewers", type=int, default=3000, help="size of the viewer pool")
    for kind, share in DEFAULT_MIX.items():
        parser.add_argument(
            f"--{kind}-share", type=float, default=share, help=f"of questions (default {share})"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI; a bad room dir or option exits with a one-line message."""
    args = _parser().parse_args(argv)
    config = StreamConfig(
        seed=args.seed,
        questions=args.questions,
        minutes=args.minutes,
        en_share=args.en_share,
        viewers=args.viewers,
        mix={kind: getattr(args, f"{kind}_share") for kind in DEFAULT_MIX},
    )
    try:
        room = load_room(args.room_dir)
        events, truth = generate(room, config)
    except ValueError as exc:  # RoomError included
        raise SystemExit(f"prompt_stream: {exc}") from None
    write_stream(events, truth, args.out)
    topics = truth["topics"]
    print(
        f"wrote {len(events)} events ({config.questions} questions, "
        f"{len(topics) if isinstance(topics, dict) else 0} topics) to {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
