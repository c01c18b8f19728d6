"""host prompts: what many viewers ask, the log of their changes; questions' product and latency"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_sku', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('latency_ms', sa.Float(), nullable=True))

    op.create_table('host_prompts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('view', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('host_prompts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_prompts_room_id'), ['room_id'], unique=False)

    op.create_table('host_prompt_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('prompt_id', sa.String(length=32), nullable=False),
    sa.Column('view', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('host_prompt_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_prompt_events_room_id'), ['room_id'], unique=False)


def downgrade() -> None:
    op.drop_table('host_prompt_events')
    op.drop_table('host_prompts')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('latency_ms')
        batch_op.drop_column('product_sku')
