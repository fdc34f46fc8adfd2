"""What a scorer asks its judge for (a JSON schema) and how the judge's answer is read back.

`yes_no` answers are the strings "yes" and "no" (not booleans): they read the same in the
rationale, in the schema and in the result, and a stray `true`/`false` is still accepted.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from core.domain.errors import DomainError
from core.domain.scorer import ResultType, ScorerVersion

YES_NO = ("yes", "no")
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ScorerResult:
    """A judged value of the scorer's result type, with the judge's reason."""

    value: str | int | float
    rationale: str


class MalformedAnswer(DomainError):
    """The judge model answered, but not with a value of the scorer's result type (a bad gateway)."""

    code = "MALFORMED_SCORER_ANSWER"

    def __init__(self, scorer: str, problem: str) -> None:
        super().__init__(f"scorer '{scorer}': the judge's answer is unusable: {problem}")
        self.problem = problem


def response_format(scorer: ScorerVersion) -> dict[str, Any]:
    """OpenAI's `response_format` asking for `{rationale, value}` with `value` typed as the scorer's."""
    schema = {
        "type": "object",
        # rationale first: models write keys in schema order, so the reasoning precedes the verdict
        "properties": {"rationale": {"type": "string"}, "value": value_schema(scorer)},
        "required": ["rationale", "value"],
        "additionalProperties": False,
    }
    return {"type": "json_schema", "json_schema": {"name": "scorer_result", "strict": True, "schema": schema}}


def value_schema(scorer: ScorerVersion) -> dict[str, Any]:
    if scorer.result_type is ResultType.YES_NO:
        return {"type": "string", "enum": list(YES_NO)}
    kind = "integer" if scorer.result_type is ResultType.INTEGER else "number"
    schema: dict[str, Any] = {"type": kind}
    if scorer.min_value is not None:
        schema["minimum"] = _plain(scorer.min_value)
    if scorer.max_value is not None:
        schema["maximum"] = _plain(scorer.max_value)
    return schema


def describe_value(scorer: ScorerVersion) -> str:
    """The expected value in words, for the judge's instructions (providers may ignore schemas)."""
    if scorer.result_type is ResultType.YES_NO:
        return 'the string "yes" or "no"'
    kind = "an integer" if scorer.result_type is ResultType.INTEGER else "a number"
    low, high = scorer.min_value, scorer.max_value
    if low is not None and high is not None:
        return f"{kind} from {_plain(low)} to {_plain(high)}"
    if low is not None:
        return f"{kind} of at least {_plain(low)}"
    if high is not None:
        return f"{kind} of at most {_plain(high)}"
    return kind


def parse_answer(scorer: ScorerVersion, content: Any) -> ScorerResult:
    """Read `{value, rationale}` from the judge's text: plain JSON, fenced JSON, or JSON amid prose."""
    label = f"{scorer.namespace}/{scorer.name}"
    if not isinstance(content, str) or not content.strip():
        raise MalformedAnswer(label, "the model returned no text")
    found = _find_object(content)
    if found is None:
        raise MalformedAnswer(label, f"no JSON object with a 'value' in {_excerpt(content)}")
    value = _typed_value(scorer, label, found["value"])
    rationale = found.get("rationale", "")
    return ScorerResult(value, rationale if isinstance(rationale, str) else json.dumps(rationale))


def _find_object(text: str) -> dict[str, Any] | None:
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for start in (i for i, ch in enumerate(candidate) if ch == "{"):
            try:
                parsed, _ = decoder.raw_decode(candidate, start)
            except ValueError:
                continue
            if isinstance(parsed, dict) and "value" in parsed:
                return parsed
    return None


def _typed_value(scorer: ScorerVersion, label: str, raw: Any) -> str | int | float:
    if scorer.result_type is ResultType.YES_NO:
        return _yes_no(label, raw)
    number = _number(label, raw)
    if scorer.result_type is ResultType.INTEGER:
        if not number.is_integer():
            raise MalformedAnswer(label, f"value {raw!r} is not an integer")
        _check_range(scorer, label, number)
        return int(number)
    _check_range(scorer, label, number)
    return number


def _yes_no(label: str, raw: Any) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str) and raw.strip().lower() in YES_NO:
        return raw.strip().lower()
    raise MalformedAnswer(label, f'value {raw!r} is not "yes" or "no"')


def _number(label: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise MalformedAnswer(label, f"value {raw!r} is not a number")
    try:
        number = float(raw)
    except ValueError:
        raise MalformedAnswer(label, f"value {raw!r} is not a number") from None
    if not math.isfinite(number):
        raise MalformedAnswer(label, f"value {raw!r} is not a finite number")
    return number


def _check_range(scorer: ScorerVersion, label: str, number: float) -> None:
    low, high = scorer.min_value, scorer.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise MalformedAnswer(label, f"value {_plain(number)} is outside {describe_value(scorer)}")


def _plain(number: float) -> int | float:
    """2.0 → 2, so schemas and messages show integers as integers."""
    return int(number) if float(number).is_integer() else number


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")
