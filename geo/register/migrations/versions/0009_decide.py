"""
The connectors decide: group roles with their terms, proposals, meetings and decisions, consultations.

- ``group_role``: a speaker's or moderator's term, with the meeting that elected them.
- ``proposal`` with ``proposal_concern``, ``proposal_support`` and ``proposal_comment``.
- ``group_meeting`` with ``meeting_presence``; ``decision`` with ``decision_input`` (each present person's
  objection, resistance or vote).
- ``consultation`` with ``consultation_answer``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the group's tables."""
    _meetings_and_proposals()
    _decisions_and_consultations()


def _meetings_and_proposals() -> None:
    """Create ``group_meeting``, ``group_role``, ``meeting_presence``, ``proposal``, ``proposal_concern``, ``proposal_support``, ``proposal_comment``."""
    op.create_table(
        "group_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=False, unique=True),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "group_role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("group_meeting.id"), nullable=True),
        sa.Column("recorded_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "meeting_presence",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("group_meeting.id"), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), primary_key=True),
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "proposal_concern",
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), primary_key=True),
        sa.Column("concern_id", sa.Integer(), sa.ForeignKey("concern.id"), primary_key=True),
    )
    op.create_table(
        "proposal_support",
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "proposal_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False, index=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def _decisions_and_consultations() -> None:
    """Create ``decision``, ``decision_input``, ``consultation``, ``consultation_answer``."""
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("group_meeting.id"), nullable=False, index=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("carried_by", sa.Integer(), sa.ForeignKey("connector.id"), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("to_city", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("city_answer", sa.Text(), nullable=False),
        sa.Column("city_changed", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "decision_input",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decision.id"), nullable=False, index=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False),
        sa.Column("option", sa.String(200), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("languages", sa.String(60), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("document_name", sa.String(200), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("changed", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "consultation_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"), nullable=False, index=True
        ),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables `upgrade` created."""
    for table in (
        "consultation_answer",
        "consultation",
        "decision_input",
        "decision",
        "proposal_comment",
        "proposal_support",
        "proposal_concern",
        "proposal",
        "meeting_presence",
        "group_role",
        "group_meeting",
    ):
        op.drop_table(table)
