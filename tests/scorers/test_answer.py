"""Reading a judge's answer: JSON however it is wrapped, typed and range-checked, or a clear error."""

from __future__ import annotations

import pytest

from core.domain.audit import Audit
from core.domain.scorer import ResultType, ScorerVersion
from core.services.scorer_answer import MalformedAnswer, parse_answer, response_format


def scorer(result_type: ResultType, low: float | None = None, high: float | None = None) -> ScorerVersion:
    return ScorerVersion(
        scorer_id="s1",
        namespace="exp",
        name="judge",
        version=1,
        instructions="Rate {{ outputs }}",
        result_type=result_type,
        endpoint_id="e1",
        min_value=low,
        max_value=high,
        audit=Audit.new(0, None),
    )


YES_NO = scorer(ResultType.YES_NO)
ONE_TO_FIVE = scorer(ResultType.INTEGER, 1, 5)
FLOAT = scorer(ResultType.FLOAT)


@pytest.mark.parametrize(
    "content",
    [
        '{"value": "yes", "rationale": "correct"}',
        '```json\n{"rationale": "correct", "value": "yes"}\n```',
        'Sure! Here is my verdict: {"value": "Yes", "rationale": "correct"} Hope that helps.',
        '```\n{"value": true, "rationale": "correct"}\n```',
    ],
)
def test_yes_no_answers_are_read_however_they_are_wrapped(content: str) -> None:
    result = parse_answer(YES_NO, content)
    assert (result.value, result.rationale) == ("yes", "correct")


def test_integer_answers_become_ints_and_numeric_strings_are_accepted() -> None:
    assert parse_answer(ONE_TO_FIVE, '{"value": 4, "rationale": "good"}').value == 4
    assert parse_answer(ONE_TO_FIVE, '{"value": "3", "rationale": "ok"}').value == 3
    assert parse_answer(ONE_TO_FIVE, '{"value": 5.0, "rationale": "ok"}').value == 5
    assert isinstance(parse_answer(ONE_TO_FIVE, '{"value": 5.0, "rationale": "ok"}').value, int)


def test_float_answers() -> None:
    assert parse_answer(FLOAT, '{"value": 0.75, "rationale": "mostly"}').value == 0.75


def test_an_object_without_value_is_skipped_for_a_later_one() -> None:
    text = 'Example: {"note": 1}. Answer: {"value": "no", "rationale": "wrong"}'
    assert parse_answer(YES_NO, text).value == "no"


def test_missing_rationale_is_empty_not_an_error() -> None:
    assert parse_answer(YES_NO, '{"value": "no"}').rationale == ""


@pytest.mark.parametrize(
    ("judge", "content", "problem"),
    [
        (YES_NO, "I think it is fine.", "no JSON object"),
        (YES_NO, "", "no text"),
        (YES_NO, None, "no text"),
        (YES_NO, '{"value": "maybe", "rationale": "?"}', '"yes" or "no"'),
        (ONE_TO_FIVE, '{"value": 7, "rationale": "great"}', "outside an integer from 1 to 5"),
        (ONE_TO_FIVE, '{"value": 2.5, "rationale": "meh"}', "not an integer"),
        (ONE_TO_FIVE, '{"value": "four", "rationale": "x"}', "not a number"),
        (FLOAT, '{"value": NaN, "rationale": "x"}', "not a finite number"),
        (FLOAT, '{"value": [1], "rationale": "x"}', "not a number"),
    ],
)
def test_unusable_answers_are_a_clear_error(judge: ScorerVersion, content: str | None, problem: str) -> None:
    with pytest.raises(MalformedAnswer) as raised:
        parse_answer(judge, content)
    assert problem in raised.value.message
    assert "exp/judge" in raised.value.message


def test_the_schema_types_the_value_and_bounds_integers() -> None:
    schema = response_format(ONE_TO_FIVE)["json_schema"]["schema"]
    assert schema["properties"]["value"] == {"type": "integer", "minimum": 1, "maximum": 5}
    assert set(schema["required"]) == {"value", "rationale"}
    yes_no = response_format(YES_NO)["json_schema"]["schema"]["properties"]["value"]
    assert yes_no == {"type": "string", "enum": ["yes", "no"]}
    assert response_format(FLOAT)["json_schema"]["schema"]["properties"]["value"] == {"type": "number"}
