"""Scorer versions and the scorer binding rules (PRODUCT §1, Scorer 1–4)."""

from __future__ import annotations

import pytest

from core.domain.binding import ResourceType
from core.domain.scorer import (
    DesiredBinding,
    ResultType,
    ScorerVersion,
    desired_scorer_binding,
    render_instructions,
)
from tests.unit.builders import AUDIT, rejected

INSTRUCTIONS = "Is {{ outputs }} a good answer to {{ inputs }}?"


def version(
    number: int = 1,
    endpoint_id: str | None = "ep-1",
    *,
    scorer_id: str = "sc-1",
    name: str = "relevance",
    namespace: str = "exp-1",
    instructions: str = INSTRUCTIONS,
    result_type: ResultType = ResultType.YES_NO,
    min_value: float | None = None,
    max_value: float | None = None,
) -> ScorerVersion:
    return ScorerVersion(
        scorer_id=scorer_id,
        namespace=namespace,
        name=name,
        version=number,
        instructions=instructions,
        result_type=result_type,
        endpoint_id=endpoint_id,
        min_value=min_value,
        max_value=max_value,
        audit=AUDIT,
    )


class TestScorerVersion:
    @pytest.mark.parametrize("field", ["namespace", "name", "instructions"])
    def test_required_text_fields_may_not_be_blank(self, field: str) -> None:
        with rejected(field):
            version(**{field: " "})  # type: ignore[arg-type]

    def test_instructions_are_limited_to_100000_characters(self) -> None:
        long = "{{ inputs }}" + "x" * 100_000
        with rejected("instructions"):
            version(instructions=long)

    @pytest.mark.parametrize("number", [0, -1])
    def test_versions_start_at_one(self, number: int) -> None:
        with rejected("version"):
            version(number)

    @pytest.mark.parametrize("placeholder", ["{{ inputs }}", "{{ outputs }}", "{{ expectations }}"])
    def test_any_one_template_field_is_enough(self, placeholder: str) -> None:
        assert version(instructions=f"Judge {placeholder}").instructions == f"Judge {placeholder}"

    @pytest.mark.parametrize("text", ["Judge the answer", "Judge {{ answer }}", "Judge {{inputs}}"])
    def test_instructions_without_a_template_field_are_rejected(self, text: str) -> None:
        with rejected("instructions"):
            version(instructions=text)

    def test_integer_scorers_need_min_and_max(self) -> None:
        with rejected("min"):
            version(result_type=ResultType.INTEGER, min_value=1)
        with rejected("min"):
            version(result_type=ResultType.INTEGER, max_value=5)

    def test_integer_min_may_not_exceed_max(self) -> None:
        with rejected("min"):
            version(result_type=ResultType.INTEGER, min_value=5, max_value=1)

    def test_integer_min_may_equal_max(self) -> None:
        assert version(result_type=ResultType.INTEGER, min_value=3, max_value=3).max_value == 3

    def test_yes_no_and_float_need_no_bounds(self) -> None:
        assert version(result_type=ResultType.FLOAT).min_value is None


class TestDesiredScorerBinding:
    def test_a_first_version_binds_the_scorer_id_to_its_endpoint_under_its_name(self) -> None:
        assert desired_scorer_binding([version(1, "ep-1")]) == DesiredBinding(
            "ep-1", ResourceType.SCORER, "sc-1", "relevance"
        )

    def test_the_newest_version_decides_the_one_binding(self) -> None:
        versions = [version(2, "ep-2"), version(3, "ep-3"), version(1, "ep-1")]
        desired = desired_scorer_binding(versions)
        assert desired is not None
        assert desired.endpoint_id == "ep-3"

    def test_the_resource_id_is_the_scorer_id_never_the_name(self) -> None:
        desired = desired_scorer_binding([version(scorer_id="sc-42", name="relevance")])
        assert desired is not None
        assert (desired.resource_id, desired.display_name) == ("sc-42", "relevance")

    def test_deleting_the_newest_version_re_points_to_the_newest_remaining(self) -> None:
        versions = [version(1, "ep-1"), version(2, "ep-2"), version(3, "ep-3")]
        remaining = [v for v in versions if v.version != 3]
        desired = desired_scorer_binding(remaining)
        assert desired is not None
        assert desired.endpoint_id == "ep-2"

    def test_a_deleted_scorer_has_no_binding(self) -> None:
        assert desired_scorer_binding([]) is None

    def test_versions_whose_endpoint_was_deleted_have_no_binding(self) -> None:
        assert desired_scorer_binding([version(1, None), version(2, None)]) is None

    def test_when_the_newest_versions_endpoint_was_deleted_no_stale_binding_remains(self) -> None:
        assert desired_scorer_binding([version(1, "ep-1"), version(2, None)]) is None


class TestRenderInstructions:
    def test_fills_each_template_field(self) -> None:
        text = "Q: {{ inputs }} A: {{ outputs }} Expected: {{ expectations }}"
        rendered = render_instructions(text, {"inputs": "2+2?", "outputs": "4", "expectations": "4"})
        assert rendered == "Q: 2+2? A: 4 Expected: 4"

    def test_missing_values_render_empty_and_unknown_placeholders_stay(self) -> None:
        assert render_instructions("{{ inputs }}|{{ other }}", {}) == "|{{ other }}"
