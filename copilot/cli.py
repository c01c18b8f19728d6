"""The `copilot` command line (DESIGN.md's stable interface)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from copilot.accounts.models import Role
from copilot.config import get_settings
from copilot.errors import CopilotError, InvalidInput
from copilot.runtime import Copilot

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
kb_app = typer.Typer(no_args_is_help=True, help="Catalog and FAQ/policy entries.")
orders_app = typer.Typer(no_args_is_help=True, help="Order records.")
transcript_app = typer.Typer(no_args_is_help=True, help="Transcript segments.")
viewer_app = typer.Typer(no_args_is_help=True, help="Viewers' personal data (PIPL).")
users_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")
app.add_typer(users_app, name="users")
app.add_typer(kb_app, name="kb")
app.add_typer(orders_app, name="orders")
app.add_typer(transcript_app, name="transcript")
app.add_typer(viewer_app, name="viewer")

DEMO_DATASET = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "demo"
DEMO_SERVER_START_TIMEOUT_S = 120  # the server loads its models before it answers


def _emit(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


def _fail(exc: CopilotError) -> None:
    typer.echo(json.dumps({"error": exc.message, **exc.details}, ensure_ascii=False), err=True)
    raise typer.Exit(code=2)


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        typer.echo(json.dumps({"error": f"no such file: {path}"}), err=True)
        raise typer.Exit(code=2)
    try:
        return path.read_text("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        typer.echo(json.dumps({"error": f"{path} is not UTF-8 ({exc.reason})"}), err=True)
        raise typer.Exit(code=2) from exc


def _copilot() -> Copilot:
    return Copilot(get_settings())


@kb_app.command("load")
def kb_load(room: str, file: Path) -> None:
    """Load products and FAQ/policy entries (JSONL) into ROOM."""
    from copilot.loading import load_kb_lines

    copilot = _copilot()
    lines = _read_lines(file)
    try:
        with copilot.db.session_scope() as session:
            report = load_kb_lines(session, room, lines)
    except CopilotError as exc:
        _fail(exc)
    _emit({"room": room, "products": report.products, "policies": report.policies})


@orders_app.command("load")
def orders_load(file: Path) -> None:
    """Load order records (JSONL)."""
    from copilot.loading import load_order_lines

    copilot = _copilot()
    lines = _read_lines(file)
    try:
        with copilot.db.session_scope() as session:
            report = load_order_lines(session, lines)
    except CopilotError as exc:
        _fail(exc)
    _emit({"orders": report.orders})


@transcript_app.command("load")
def transcript_load(room: str, file: Path) -> None:
    """Import transcript segments (JSONL) for ROOM."""
    from copilot.loading import load_transcript_lines

    copilot = _copilot()
    lines = _read_lines(file)
    try:
        with copilot.db.session_scope() as session:
            count = load_transcript_lines(session, room, lines)
    except CopilotError as exc:
        _fail(exc)
    _emit({"room": room, "segments": count})


@viewer_app.command("erase")
def viewer_erase(viewer: str) -> None:
    """Erase VIEWER's conversations, messages and tickets in every room; print the counts."""
    from copilot.privacy import erase_viewer

    copilot = _copilot()
    try:
        with copilot.db.session_scope() as session:
            report = erase_viewer(session, viewer_id=viewer)
    except CopilotError as exc:
        _fail(exc)
    _emit(report.model_dump())


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="agent, supervisor, host or admin.")],
    room: Annotated[str | None, typer.Option("--room", help="A host's room.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff account; the password is read from standard input (or prompted for)."""
    from copilot.accounts.service import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    copilot = _copilot()
    try:
        with copilot.db.session_scope() as session:
            user = create_user(
                session, username=name, role=_role(role), password=password, room_id=room
            )
            _emit({"username": user.username, "role": user.role, "room": user.room_id})
    except CopilotError as exc:
        _fail(exc)


@users_app.command("list")
def users_list() -> None:
    """Print every staff account, one JSON object a line."""
    from copilot.accounts.repository import UserRepository

    copilot = _copilot()
    with copilot.db.session_scope() as session:
        for user in UserRepository(session).list():
            _emit(
                {
                    "username": user.username,
                    "role": user.role,
                    "room": user.room_id,
                    "disabled": user.disabled,
                }
            )


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        _fail(InvalidInput(f"unknown role {value!r}; roles are {', '.join(Role)}"))
        raise


@app.command()
def token(
    user: Annotated[str | None, typer.Option("--user", help="A staff member's token.")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="admin (an integration) or viewer.")
    ] = None,
    room: Annotated[str | None, typer.Option("--room", help="A viewer's room.")] = None,
    viewer: Annotated[str | None, typer.Option("--viewer", help="A viewer's id.")] = None,
    ttl: Annotated[float | None, typer.Option("--ttl", help="Lifetime in seconds.")] = None,
) -> None:
    """Mint a signed token; it is printed on the last line."""
    from copilot.accounts.repository import UserRepository
    from copilot.accounts.service import mint_token, token_for_user

    copilot = _copilot()
    settings = copilot.settings
    try:
        if user is not None:
            with copilot.db.session_scope() as session:
                account = UserRepository(session).get(user)
                if account is None:
                    raise InvalidInput(f"no user {user!r} (copilot users add)")
                minted, expires = token_for_user(settings, account, ttl)
        elif role is not None and _role(role) == Role.admin:
            minted, expires = mint_token(
                settings, role=Role.admin, subject="integration", ttl_s=ttl
            )
        elif role is not None and _role(role) == Role.viewer:
            if not (room and viewer):
                raise InvalidInput("a viewer token needs --room and --viewer")
            minted, expires = mint_token(
                settings,
                role=Role.viewer,
                subject=viewer,
                room_id=room,
                viewer_id=viewer,
                ttl_s=ttl,
            )
        else:
            raise InvalidInput("give --user NAME, --role admin, or --role viewer --room --viewer")
    except CopilotError as exc:
        _fail(exc)
    typer.echo(f"expires {expires.isoformat()}", err=True)
    typer.echo(minted)


@app.command()
def ask(
    room: str,
    text: str,
    viewer: Annotated[str, typer.Option("--viewer", help="The asking viewer's id.")],
    at: Annotated[float | None, typer.Option("--at", help="Moment of the stream (s).")] = None,
) -> None:
    """Put one question through the whole pipeline and print the result as JSON."""
    from copilot.pipeline import ask as ask_question

    copilot = _copilot()
    try:
        result = ask_question(copilot, room_id=room, viewer_id=viewer, text=text, at=at)
    except CopilotError as exc:
        _fail(exc)
    _emit(result.model_dump(exclude_none=True))


@app.command("eval")
def evaluate(
    folder: Annotated[Path, typer.Argument(help="Dataset folder.")] = DEMO_DATASET,
    out: Annotated[Path | None, typer.Option("--out", help="Write per-question JSONL.")] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report.")
    ] = None,
) -> None:
    """Evaluate a dataset folder in a fresh room and print the metrics."""
    from evals.metrics import score
    from evals.runner import ask_all, write_rows

    copilot = _copilot()
    try:
        rows = ask_all(copilot, folder)
    except CopilotError as exc:
        _fail(exc)
    metrics = score(rows)
    stats = getattr(copilot.composer, "stats", None)  # the LLM path's own counts
    if stats is not None:
        metrics.composers.setdefault("llm", {}).update(stats.summary())
    reader = copilot.intent_reader
    if reader is not None:
        metrics.composers.setdefault("llm", {})["intent_reading"] = {
            "asked": reader.asked,
            "changed": reader.changed,
            "failed": reader.failed,
        }
    if out is not None:
        write_rows(rows, out)
    if report is not None:
        from evals.report import write_report  # matplotlib loads only when a report is asked for

        write_report(rows, metrics, report, title=f"copilot eval {folder.resolve().name}")
    _emit(metrics.model_dump())


@app.command()
def report(
    room: Annotated[str, typer.Argument(help="The room whose show to review.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="The HTML file (default: ROOM-review.html).")
    ] = None,
) -> None:
    """Write the show's review (复盘): questions per minute, topics, escalations, latency."""
    from copilot.hostprompts.review import review_show
    from copilot.hostprompts.review_page import write_review  # matplotlib only here

    copilot = _copilot()
    try:
        review = review_show(copilot, room)
    except CopilotError as exc:
        _fail(exc)
    path = out or Path(f"{room}-review.html")
    write_review(review, path)
    _emit(
        {
            "report": str(path),
            "questions": len(review.questions),
            "topics": len(review.topics),
            "prompted": sum(1 for t in review.topics if t.prompted_at is not None),
            "tickets": sum(review.escalations.values()),
        }
    )


@app.command()
def transcribe(
    audio: Annotated[str, typer.Argument(help="An audio file or stream URL (wav, mp3, HLS...).")],
    room: Annotated[
        str | None, typer.Option("--room", help="Store and index the segments in ROOM.")
    ] = None,
    realtime: Annotated[
        bool, typer.Option("--realtime", help="Feed at real-time pace, as a live stream.")
    ] = False,
    language: Annotated[
        str | None, typer.Option("--language", help="zh or en (default: detected).")
    ] = None,
) -> None:
    """Run the streaming recogniser over AUDIO; print one JSON object per final segment."""
    from copilot.live import LiveStream
    from transcripts.asr.feed import WallClock, run_stream
    from transcripts.asr.streaming import StreamingRecognizer, Update, WhisperStreamer
    from transcripts.audio import AudioError, decode_chunks

    copilot = _copilot()
    recognizer: StreamingRecognizer
    try:
        if room is not None:
            recognizer = LiveStream(copilot, room, language=language)
        else:
            recognizer = WhisperStreamer(copilot.asr_decoder, copilot.stream_options(language))
    except CopilotError as exc:
        _fail(exc)

    def print_finals(update: Update) -> None:
        for segment in update.finals:
            _emit({**segment.record(), "language": segment.language})
        sys.stdout.flush()

    # Live URLs pace themselves; files are read as fast as they decode unless --realtime.
    chunk_seconds = 0.1 if realtime else 1.0
    try:
        run_stream(
            recognizer,
            decode_chunks(audio, chunk_seconds),
            WallClock() if realtime else None,
            on_update=print_finals,
        )
    except AudioError as exc:
        _fail(InvalidInput(str(exc), audio=audio))
    typer.echo(json.dumps({"metrics": recognizer.metrics.as_dict()}), err=True)


@app.command(
    "eval-asr",
    add_help_option=False,  # --help goes to the evaluation's own parser
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def evaluate_asr(ctx: typer.Context) -> None:
    """Evaluate speech recognition through the streaming path (WER/CER, RTF, latency)."""
    from evals.asr import main as asr_main

    asr_main(ctx.args)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes; more than one needs COPILOT_REDIS_URL.")
    ] = 1,
) -> None:
    """Serve the API and the pages."""
    import uvicorn

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        # Each worker's in-process bus would only wake its own streams.
        raise typer.BadParameter(
            "--workers above 1 needs COPILOT_REDIS_URL", param_hint="--workers"
        )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )


def _live_demo_host(base: str, cache_dir: Path, token: str) -> None:
    """Once the server answers, stream the spoken host script into the demo room."""
    from copilot.demo_stream import demo_host_audio, stream_wav, wait_for_health

    try:
        audio = demo_host_audio(cache_dir)
    except (RuntimeError, OSError) as exc:  # espeak-ng or the cache failed: the demo still serves
        typer.echo(f"live host: no audio ({exc})", err=True)
        return
    if audio is None:
        return
    if not wait_for_health(base, DEMO_SERVER_START_TIMEOUT_S):
        typer.echo(f"live host: {base} did not come up; not streaming", err=True)
        return
    typer.echo(f"live host: streaming {audio} into room demo as it is spoken", err=True)
    try:
        report = stream_wav(base, "demo", audio, realtime=True, language="en", token=token)
    except CopilotError as exc:
        typer.echo(f"live host: stream failed: {exc.message}", err=True)
        return
    end = report.segments[-1].end if report.segments else report.clock_start
    typer.echo(
        f"live host: done, {len(report.segments)} segments stored from "
        f"{report.clock_start:.1f}s to {end:.1f}s of the stream "
        f"(real-time factor {report.metrics.get('real_time_factor')}, "
        f"max lag {report.metrics.get('max_lag')}s)",
        err=True,
    )


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live/--no-live",
            help="Stream a spoken host script into the room once the server is up.",
        ),
    ] = True,
) -> None:
    """Load the demo room and serve it; a live host stream then extends its transcript."""
    from copilot.accounts.service import demo_accounts, mint_token
    from evals.runner import load_dataset

    # The viewer picker exists only in the demo: the server built below reads this.
    os.environ["COPILOT_DEMO"] = "true"
    get_settings.cache_clear()
    settings = get_settings()
    copilot = Copilot(settings)
    started = time.perf_counter()
    load_dataset(copilot, DEMO_DATASET, "demo")
    copilot.warm_up(rooms=True)  # fills the on-disk caches the server starts from
    with copilot.db.session_scope() as session:
        accounts = demo_accounts(session, room_id="demo")
    base = f"http://{host or settings.host}:{port or settings.port}"
    typer.echo(f"demo room loaded and indexed in {time.perf_counter() - started:.1f}s", err=True)
    for label, path in (
        ("viewer chat", "/rooms/demo/chat"),
        ("agent console", "/console"),
        ("host panel", "/rooms/demo/host"),
        ("API docs", "/docs"),
    ):
        typer.echo(f"{label:14} {base}{path}")
    typer.echo("demo accounts (new passwords at every start; the chat page picks a demo viewer):")
    for account in accounts:
        typer.echo(f"  {account.role:10} {account.username:12} password {account.password}")
    sys.stdout.flush()
    host_token, _ = mint_token(settings, role=Role.host, subject="demo-live-host", room_id="demo")
    if live:
        # A wildcard bind address is not one to connect to; the server is on this machine.
        bound = host or settings.host
        local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(bound, bound)
        target = f"http://{local}:{port or settings.port}"
        threading.Thread(
            target=_live_demo_host,
            args=(target, settings.home / "demo", host_token),
            name="live-demo-host",
            daemon=True,
        ).start()
    serve(host=host, port=port)


if __name__ == "__main__":
    app()
