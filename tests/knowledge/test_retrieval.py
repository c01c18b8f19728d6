"""Tokenisation, name linking and hybrid retrieval with the bundled embedder."""

from __future__ import annotations

from knowledge.embedder import Embedder
from knowledge.lexical import BM25, cjk_ratio, tokenize
from knowledge.retrieve import Document, HybridIndex, NameLinker


def test_tokenize_segments_chinese_and_lowercases_english() -> None:
    tokens = tokenize("桂花乌龙茶 Travel Mug 多少钱？")
    assert "乌龙" in tokens and "travel" in tokens and "？" not in tokens


def test_bm25_prefers_the_document_with_the_term() -> None:
    bm25 = BM25([tokenize("顺丰包邮 48小时发货"), tokenize("七天无理由退货")])
    scores = bm25.scores(tokenize("退货"))
    assert scores[1] > scores[0] == 0


def test_cjk_ratio() -> None:
    assert cjk_ratio("这个price多少") > 0.3
    assert cjk_ratio("how much") == 0


def test_name_linker_finds_partial_and_latin_names() -> None:
    linker = NameLinker(
        {
            "T1": ["桂花乌龙茶 250g罐装", "T1"],
            "T2": ["明前龙井绿茶", "T2"],
            "M1": ["Bamboo Travel Mug", "M1"],
        }
    )
    assert linker.mentioned("桂花乌龙多少钱") == "T1"
    assert linker.mentioned("the bamboo travel mug, is it leak proof?") == "M1"
    assert linker.mentioned("今天天气不错") is None
    assert 0 < linker.scores("龙井怎么样")["T2"] < 0.5


def test_a_sku_is_one_token_never_a_word_of_the_sentence() -> None:
    linker = NameLinker(
        {"TEA-008": ["Earl Grey Black Tea"], "TEA-009": ["武夷山大红袍 岩茶"]},
        {"TEA-008": "TEA-008", "TEA-009": "TEA-009"},
    )
    assert linker.mentioned("this rock tea is roasted over charcoal") is None
    assert linker.scores("this rock tea is roasted over charcoal").get("TEA-008", 0) < 0.5
    for said in ("is TEA-008 in stock", "tea008 多少钱", "tea 008 还有吗", "TEA_008?"):
        assert linker.mentioned(said) == "TEA-008", said
    assert linker.mentioned("TEA-0081 多少钱") is None  # another code, not this one
    assert linker.mentioned("earl grey black tea please") == "TEA-008"


def test_hybrid_search_ranks_the_relevant_document_first(embedder: Embedder) -> None:
    docs = [
        Document("faq", "shipping", "默认顺丰速运，付款后48小时内发货"),
        Document("faq", "returns", "支持7天无理由退货，商品需未拆封"),
        Document("faq", "invoice", "可以开电子普通发票"),
    ]
    index = HybridIndex(docs, embedder)
    assert index.search("能退货吗", k=1)[0].doc.id == "returns"
    assert index.search("which courier do you ship with?", k=1)[0].doc.id == "shipping"


def test_one_generic_word_is_not_a_mention() -> None:
    linker = NameLinker({"J1": ["便携榨汁杯 350ml"], "T1": ["武夷山大红袍 岩茶礼盒"]})
    assert linker.mentioned("每一单都送一套便携旅行茶具") is None
    assert linker.mentioned("这个榨汁杯充一次电能用多久") == "J1"
    assert linker.mentioned("武夷山大红袍送的是什么") == "T1"
    assert 0.25 < linker.scores("大红袍送的是什么")["T1"] < 0.5  # partial: resolved with a lead


def test_a_spoken_size_identifies_the_product() -> None:
    linker = NameLinker({"B1": ["宽口径PPSU奶瓶240ml"], "B2": ["玻璃奶瓶160ml"]})
    scores = linker.scores("price of the 160ml bottle?")
    assert scores["B2"] > scores["B1"]


def test_two_short_words_of_a_name_are_a_mention() -> None:
    linker = NameLinker({"S1": ["轻旅折叠婴儿推车"], "B1": ["玻璃奶瓶160ml"]})
    assert linker.mentioned("最后一款，轻旅推车，一只手就能收") == "S1"


def test_query_vectors_are_remembered(embedder: Embedder) -> None:
    first = embedder.encode_queries(["这个多少钱", "how much is this"])
    again = embedder.encode_queries(["how much is this"])
    assert (first[1] == again[0]).all() and first.shape[0] == 2
