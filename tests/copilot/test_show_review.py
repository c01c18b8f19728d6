"""The show's review from a stored show: the topics the audience asked, the host's answers on
air, escalations by reason, and the HTML file with its plots."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot import cli
from copilot.errors import NotFound
from copilot.hostprompts.review import reason_kind, review_show
from copilot.hostprompts.review_page import write_review
from copilot.loading import load_transcript_lines
from copilot.pipeline import ask
from copilot.runtime import Copilot
from tests.conftest import new_room

SHIPPING = [
    "什么时候发货",
    "几天能发货呀",
    "拍了多久发货呀",
    "when will you ship it",
    "how soon does it ship",
]
ANGRY = "你们太坑了，我要投诉！"


@pytest.fixture
def show(sqlite_copilot: Copilot) -> str:
    room = new_room(sqlite_copilot)
    for i, text in enumerate(SHIPPING):
        ask(sqlite_copilot, room_id=room, viewer_id=f"fan{i}", text=text, at=100.0 + 5 * i)
    ask(sqlite_copilot, room_id=room, viewer_id="grumpy", text=ANGRY, at=130.0)
    ask(sqlite_copilot, room_id=room, viewer_id="fan0", text="666", at=131.0)
    ask(sqlite_copilot, room_id=room, viewer_id="tea", text="明前龙井绿茶多少钱", at=132.0)
    line = '{"start": 140.0, "end": 146.0, "text": "好多宝宝问发货，我们付款后四十八小时内发货"}'
    with sqlite_copilot.db.session_scope() as session:
        load_transcript_lines(session, room, [line])
    return room


def test_the_review_replays_the_show_into_topics(sqlite_copilot: Copilot, show: str) -> None:
    review = review_show(sqlite_copilot, show)
    assert len(review.questions) == 8
    assert {q.action for q in review.questions} >= {"answer", "escalate", "ignore"}
    assert all(q.latency_ms is not None and q.latency_ms > 0 for q in review.questions)
    top = review.topics[0]
    assert top.viewers == 5 and set(top.samples) == set(SHIPPING)
    assert top.prompted_at == 120.0  # the fifth viewer
    assert top.answered_at == 140.0 and "发货" in top.answered_by
    assert sum(review.escalations.values()) >= 1
    assert all(not re.search(r"\d\.\d", kind) for kind in review.escalations)


def test_the_review_page_embeds_its_plots(
    sqlite_copilot: Copilot, show: str, tmp_path: Path
) -> None:
    path = tmp_path / "review" / "show.html"
    write_review(review_show(sqlite_copilot, show), path)
    page = path.read_text("utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2  # questions per minute, escalations by reason
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "什么时候发货" in page or "几天能发货呀" in page
    assert "2:20" in page  # when the host answered on air
    assert "<script" not in page and "http" not in page.split("</style>")[1]


def test_reasons_are_grouped_without_their_scores() -> None:
    assert reason_kind("product unclear: 红茶 250g / 红茶 500g") == "product unclear"
    assert reason_kind("intent: complaint") == "intent: complaint"
    assert reason_kind("sources do not answer") == "sources do not answer"


def test_the_command_writes_the_review_and_refuses_an_unknown_room(
    sqlite_copilot: Copilot, show: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NotFound):
        review_show(sqlite_copilot, "no-such-room")
    monkeypatch.setattr(cli, "_copilot", lambda: sqlite_copilot)  # the session's models
    missing = CliRunner().invoke(cli.app, ["report", "no-such-room", "--out", str(tmp_path / "x")])
    assert missing.exit_code != 0 and "no-such-room" in missing.output
    assert not (tmp_path / "x").exists()
    path = tmp_path / "show.html"
    done = CliRunner().invoke(cli.app, ["report", show, "--out", str(path)])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["questions"] == 8 and summary["prompted"] == 1 and path.exists()
