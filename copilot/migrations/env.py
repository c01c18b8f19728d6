"""Alembic environment: runs on the connection handed over by copilot.db.migrate."""

from alembic import context

from copilot import models as _copilot_models  # noqa: F401  (registers tables)
from copilot.accounts import models as _account_models  # noqa: F401
from copilot.hostprompts import models as _prompt_models  # noqa: F401
from knowledge.models import Base
from transcripts.models import TranscriptBase

target_metadata = [Base.metadata, TranscriptBase.metadata]

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
