"""Answer composition behind the AnswerComposer Protocol."""

from copilot.answer.composer import AnswerComposer, GroundedComposer

__all__ = ["AnswerComposer", "GroundedComposer"]
