"""Goal buttons say back exactly what they were made with, and nothing the bot never made."""

from __future__ import annotations

import pytest

from reflect_bot.ui.callbacks import (
    AnswerFollowUp,
    ChooseFollowUp,
    DecideGoal,
    GoalDecision,
    decode_goal,
)


@pytest.mark.parametrize(
    "pressed",
    [
        ChooseFollowUp(7, 1),
        ChooseFollowUp(2**40, 0),
        AnswerFollowUp(12, tried=True),
        AnswerFollowUp(12, tried=False),
        *(DecideGoal(99, decision) for decision in GoalDecision),
    ],
)
def test_a_goal_button_reads_back_as_made(
    pressed: ChooseFollowUp | AnswerFollowUp | DecideGoal,
) -> None:
    assert decode_goal(pressed.encode()) == pressed


@pytest.mark.parametrize(
    "data",
    ["gl:", "gl:f:1", "gl:f:1:x", "gl:t:-1", "gl:t:²", "gl:z:1", "gl:k:1:2", "rf:t:1", "gl:t:"],
)
def test_data_the_bot_never_made_reads_as_nothing(data: str) -> None:
    assert decode_goal(data) is None
