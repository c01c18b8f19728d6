"""Where the real utterances come from, and how they are sampled (stdlib only).

Every source is read from a snapshot of its public repository (a bare git directory, as
the search tool's `fetch` leaves it under /work/.mirror, or any clone): `git show
COMMIT:PATH`. Nothing here is copied from the sources; the sample is drawn anew, the same
every time, from the pools defined below.

Reserved for the independent evaluation and never read here: the E-commerce Dialogue
Corpus (ECD, Taobao) and the Bitext customer-support dataset.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import zipfile
from dataclasses import dataclass

SEED = "realword-v1"
MIRRORS = os.environ.get("REALWORD_MIRRORS", "/work/.mirror")


@dataclass(frozen=True)
class Source:
    key: str  # short name used in refs and as source_group
    corpus: str  # human name
    repo: str
    commit: str
    path: str
    licence: str
    redistributable: bool  # may the utterance text itself be committed?
    kind: str


SOURCES = {s.key: s for s in [
    Source("jddc", "JDDC 2019 sample (JD.com customer-service chats)",
           "EndlessLethe/jddc2019-3th-retrieve-model", "2d443d1679cc3d00022d0ff1697eb0e4cbeedb01",
           "data/chat_0.1per.txt", "none stated (JDDC competition data, JD.com terms)", False,
           "real JD.com customers writing to customer service (placeholders such as [订单x])"),
    Source("os10", "online_shopping_10_cats (SophonPlus ChineseNlpCorpus)",
           "SophonPlus/ChineseNlpCorpus", "a0b781d72158bde242c0626c9e354d2b328865ff",
           "datasets/online_shopping_10_cats/online_shopping_10_cats.zip",
           "none stated (collected from e-commerce sites, origin unknown)", False,
           "real shoppers' product reviews, positive and negative"),
    Source("mgshop", "MG-ShopDial (Bernard & Balog, SIGIR 2023)",
           "iai-group/MG-ShopDial", "7bed1fbbce47684d15f3f017d68865dfbced3add",
           "MGShopDial/MGShopDial.json", "none stated in the repository", False,
           "coached human-human e-commerce chats; the client side, typed by people"),
    Source("abcd", "ABCD sample (Chen et al., NAACL 2021)",
           "asappresearch/abcd", "6b8700ce67c6b37b062dd7a60abc76d7ef832a97",
           "data/abcd_sample.json", "MIT", True,
           "crowd workers playing customers of an online clothing store, live chat"),
    Source("clinc", "CLINC150 (Larson et al., EMNLP 2019)",
           "clinc/oos-eval", "828f8093932c8fe6ca7936c3d2e52903b1c523de",
           "data/data_full.json", "CC BY 3.0", True,
           "crowd-written requests to a virtual assistant (order status, payments, greetings)"),
    Source("banking77", "BANKING77 (Casanueva et al., 2020)",
           "PolyAI-LDN/task-specific-datasets", "57ec275d8078af65b7731c2a98be812d844a6d6b",
           "banking_data/test.csv", "CC BY 4.0", True,
           "online-banking customer queries (card payments, refunds, charges)"),
]}

GITDIRS = {
    "jddc": "EndlessLethe+jddc2019-3th-retrieve-model/repo",
    "os10": "SophonPlus+ChineseNlpCorpus/repo/.git",
    "mgshop": "iai-group+MG-ShopDial/repo",
    "abcd": "asappresearch+abcd/repo",
    "clinc": "clinc+oos-eval/repo",
    "banking77": "PolyAI-LDN+task-specific-datasets/repo",
}


def gitdir(key: str) -> str:
    base = os.path.join(MIRRORS, GITDIRS[key])
    if os.path.isdir(base):
        return base
    alt = os.path.join(MIRRORS, GITDIRS[key].split("/")[0], "repo")
    if os.path.isdir(os.path.join(alt, ".git")):
        return os.path.join(alt, ".git")
    raise FileNotFoundError(
        f"no snapshot of {SOURCES[key].repo} under {MIRRORS}: fetch github:{SOURCES[key].repo} "
        "(or clone it) and point REALWORD_MIRRORS at the folder")


def read_blob(key: str) -> bytes:
    s = SOURCES[key]
    return subprocess.run(["git", "--git-dir", gitdir(key), "show", f"{s.commit}:{s.path}"],
                          check=True, capture_output=True).stdout


# --------------------------------------------------------------------------- pools
# A pool is a list of (ref, text, meta). Refs are stable: line numbers, ids, indexes.

JDDC_PLACEHOLDER = re.compile(
    r"\[(订单x|数字x|金额x|日期x|时间x|地址x|姓名x|站点x|电话x|邮箱x|子|父原始|组织机构x|链接x)\]")
JDDC_CARD = re.compile(r"(咨询)?订单(编)?号[:：]\s*\[订单x\][，,\s]*(订单金额[:：]\s*\[金额x\][，,\s]*)?"
                       r"(下单时间[:：]\s*\[日期x\]\s*(\[时间x\])?)?|商品ID[:：]\s*\[数字x\]")


def jddc_is_form_only(text: str) -> bool:
    """A turn that is only an order card, ids, numbers or an address/name: not a message."""
    t = JDDC_CARD.sub("", text)
    t = JDDC_PLACEHOLDER.sub("", t)
    t = re.sub(r"^(地址是?|收货地址|电话|手机号?|姓名)[:：]?", "", t.strip())
    t = re.sub(r"[\s\W\d_a-zA-Z]+", "", t)
    # an address line (province + address placeholder) or a bare name
    if re.fullmatch(r"[\u4e00-\u9fff]{0,4}(省|市|区|县)?", t) and "[地址x]" in text:
        return True
    return t == ""


def pool_jddc():
    out = []
    for n, line in enumerate(read_blob("jddc").decode("utf-8").split("\n"), 1):
        cols = line.split("\t")
        if len(cols) != 7 or cols[2] != "0":
            continue
        text = cols[6].strip()
        if not text or text in ("nan", "NULL") or jddc_is_form_only(text):
            continue
        out.append((f"jddc:{n}", text, {"session": cols[0]}))
    return out


OS10_CATS = ("衣服", "洗发水", "手机", "平板", "蒙牛", "热水器", "水果")


def pool_os10():
    z = zipfile.ZipFile(io.BytesIO(read_blob("os10")))
    rows = list(csv.reader(io.StringIO(z.read("online_shopping_10_cats.csv").decode("utf-8"))))
    out = []
    for n, r in enumerate(rows[1:], 2):  # n = CSV row number, header is row 1
        cat, label, review = r[0], r[1], r[2].lstrip("\ufeff").strip()
        if cat in OS10_CATS and review and len(review) <= 60:  # chat-length messages only
            out.append((f"os10:{n}", review, {"cat": cat, "label": label}))
    return out


def pool_mgshop():
    d = json.loads(read_blob("mgshop"))
    out = []
    for c in d:
        for u in c["utterances"]:
            if u["participant"] == "Client" and u["utterance"].strip():
                out.append((f"mgshop:{c['id']}#{u['utterance_id']}", u["utterance"].strip(),
                            {"goal": u["goal"], "domain": c["id"].split(":")[0]}))
    return out


def pool_abcd():
    out = []
    for c in json.loads(read_blob("abcd")):
        for i, (speaker, text) in enumerate(c["original"]):
            if speaker == "customer":
                out.append((f"abcd:{c['convo_id']}#{i}", text.strip(), {"subflow": c["scenario"]["subflow"]}))
    return out


def pool_clinc():
    d = json.loads(read_blob("clinc"))
    return [(f"clinc:test#{i}", t, {"intent": lab}) for i, (t, lab) in enumerate(d["test"])]


def pool_banking77():
    rows = list(csv.reader(io.StringIO(read_blob("banking77").decode("utf-8"))))
    return [(f"banking77:test.csv#{n}", r[0].strip(), {"category": r[1]})
            for n, r in enumerate(rows[1:], 2)]


POOLS = {"jddc": pool_jddc, "os10": pool_os10, "mgshop": pool_mgshop, "abcd": pool_abcd,
         "clinc": pool_clinc, "banking77": pool_banking77}

# --------------------------------------------------------------------------- strata
# (name, pool, predicate over (text, meta), k). k=None takes every item.
# Strata are drawn in order; an item drawn once is not drawn again. Keyword strata exist
# because a uniform draw from customer-service chats almost never contains live-stream
# questions (gifts, coupons, "this one", the host): their keyword lists were fixed before
# looking at which items they would draw, and within a stratum the draw is uniform.


def kw(pattern):
    rx = re.compile(pattern, re.I)
    return lambda text, meta: bool(rx.search(text))


def meta_is(field, *values):
    return lambda text, meta: meta.get(field) in values


def both(*preds):
    return lambda text, meta: all(p(text, meta) for p in preds)


STRATA = {
    "zh": [
        ("jddc_uniform", "jddc", None, 110),
        ("jddc_promotion", "jddc", kw(r"赠品|赠送|优惠券|优惠|活动|满减|秒杀|券|礼品|送的"), 14),
        ("jddc_this_one", "jddc", kw(r"这款|这个(商品|宝贝|东西)"), 10),
        ("jddc_price_stock", "jddc", kw(r"有货|没货|现货|库存|多少钱|价格|什么价"), 10),
        ("jddc_presale_shipping", "jddc", kw(r"发货|什么快递|发的?快递|几天(能|到|送)|多久(能|到|送)"), 10),
        ("jddc_payment", "jddc", kw(r"付款|支付|分期|白条|花呗|信用卡|货到付款|微信|支付宝"), 10),
        ("jddc_invoice_warranty", "jddc", kw(r"发票|保修|质保|维修"), 8),
        ("jddc_cancel", "jddc", kw(r"取消"), 6),
        ("jddc_address", "jddc", kw(r"改.{0,4}地址|地址.{0,6}(改|错|换)"), 6),
        ("jddc_earlier_words", "jddc", kw(r"刚才|刚刚|之前说|你说的"), 6),
        ("jddc_bargain", "jddc", kw(r"便宜|少点|降价|价保|价格保护|差价|优惠点"), 6),
        ("jddc_abroad", "jddc", kw(r"国外|海外|香港|台湾|澳门|美国|日本|出国|境外"), 5),
        ("jddc_anger", "jddc", kw(r"投诉|骗|垃圾|差评|太差|气死|什么破|坑|无语|12315"), 8),
        ("os10_negative", "os10", meta_is("label", "0"), 22),
        ("os10_positive", "os10", meta_is("label", "1"), 10),
        ("jddc_you_said", "jddc", kw(r"你(刚才|刚刚)?说的?|刚说|说好的"), 6),
        ("jddc_ship_to", "jddc", kw(r"(寄|发|送)到.{0,6}(吗|么|哪)|偏远|新疆|西藏|港澳"), 6),
        ("jddc_what_said", "jddc", kw(r"说什么|说啥|再说一|没听清|没看到|没看清"), 6),
        # a second, later draw from the pre-sale strata (the first round was mostly after-sales)
        ("jddc_promotion_2", "jddc", kw(r"赠品|赠送|优惠券|优惠|活动|满减|秒杀|券|礼品|送的"), 12),
        ("jddc_this_one_2", "jddc", kw(r"这款|这个(商品|宝贝|东西)"), 10),
        ("jddc_price_stock_2", "jddc", kw(r"有货|没货|现货|库存|多少钱|价格|什么价"), 10),
        ("jddc_presale_shipping_2", "jddc", kw(r"发货|什么快递|发的?快递|几天(能|到|送)|多久(能|到|送)"), 10),
        ("jddc_payment_2", "jddc", kw(r"付款|支付|分期|白条|花呗|信用卡|货到付款|微信|支付宝"), 8),
    ],
    "en": [
        ("mgshop_qa", "mgshop", meta_is("goal", "qa"), 100),
        ("mgshop_search", "mgshop", meta_is("goal", "search"), 16),
        ("mgshop_meta", "mgshop", meta_is("goal", "meta"), 12),
        ("mgshop_recommendation", "mgshop", meta_is("goal", "recommendation"), 10),
        ("abcd_all", "abcd", None, None),
        ("clinc_order_status", "clinc", meta_is("intent", "order_status"), 8),
        ("clinc_order", "clinc", meta_is("intent", "order"), 4),
        ("clinc_cancel", "clinc", meta_is("intent", "cancel"), 3),
        ("clinc_card_declined", "clinc", meta_is("intent", "card_declined"), 5),
        ("clinc_redeem_rewards", "clinc", meta_is("intent", "redeem_rewards"), 3),
        ("clinc_international_fees", "clinc", meta_is("intent", "international_fees"), 2),
        ("clinc_greeting", "clinc", meta_is("intent", "greeting"), 4),
        ("clinc_thank_you", "clinc", meta_is("intent", "thank_you"), 3),
        ("clinc_goodbye", "clinc", meta_is("intent", "goodbye"), 2),
        ("clinc_are_you_a_bot", "clinc", meta_is("intent", "are_you_a_bot"), 2),
        ("banking77_charged_twice", "banking77", meta_is("category", "transaction_charged_twice"), 4),
        ("banking77_declined", "banking77", meta_is("category", "declined_card_payment"), 4),
        ("banking77_not_recognised", "banking77", meta_is("category", "card_payment_not_recognised"), 3),
        ("banking77_pending", "banking77", meta_is("category", "pending_card_payment"), 3),
        ("banking77_request_refund", "banking77", meta_is("category", "request_refund"), 4),
        ("banking77_refund_missing", "banking77", meta_is("category", "Refund_not_showing_up"), 4),
        ("banking77_supported_cards", "banking77", meta_is("category", "supported_cards_and_currencies"), 4),
        ("banking77_wallets", "banking77", meta_is("category", "apple_pay_or_google_pay"), 3),
        ("banking77_fee_charged", "banking77", meta_is("category", "card_payment_fee_charged"), 3),
        ("banking77_reverted", "banking77", meta_is("category", "reverted_card_payment?"), 2),
        ("banking77_country", "banking77", meta_is("category", "country_support"), 3),
        ("clinc_repeat", "clinc", meta_is("intent", "repeat"), 5),
        ("banking77_edit_details", "banking77", meta_is("category", "edit_personal_details"), 3),
    ],
}


def draw(lang: str):
    """The sample for one language: a list of dicts {ref, text, stratum, source, meta}."""
    pools = {}
    taken = set()
    out = []
    for name, pool, pred, k in STRATA[lang]:
        if pool not in pools:
            pools[pool] = POOLS[pool]()
        cands = [x for x in pools[pool] if x[0] not in taken and (pred is None or pred(x[1], x[2]))]
        if k is not None and k < len(cands):
            cands = random.Random(f"{SEED}/{lang}/{name}").sample(cands, k)
        for ref, text, meta in cands:
            taken.add(ref)
            out.append({"ref": ref, "text": text, "stratum": name, "source": pool, "meta": meta})
    return out
