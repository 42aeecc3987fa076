"""The local dispute resolution ladder every authority must have (IRO Handbook 6.2, PROTOCOL.md §3): the
national default, which an authority replaces with its own, and the checks on a ladder's shape."""

from __future__ import annotations

from dataclasses import dataclass

from portal.errors import ErrorCode, Problems

OVERALL_MIN, OVERALL_MAX = 1, 100
STAGE_DAYS_MIN, STAGE_DAYS_MAX = 1, 60
STAGES_MAX = 10
POST_MAX_LENGTH = 200


@dataclass(frozen=True)
class StageSpec:
    """A formal stage: the post that answers at it, and its working days."""

    answerer: str
    working_days: int


@dataclass(frozen=True)
class LadderSpec:
    stages: tuple[StageSpec, ...]
    # The whole ladder's working days from the first formal stage.
    overall_working_days: int
    # The stage from which the authority's solicitor on the case sees a dispute (None: never).
    solicitor_from_stage: int | None


# Handbook 6.2: informal first, then up the authority's chain (team manager, the IRO manager to the
# service manager, head of service, assistant director, director of children's services), no more than 20
# working days in all. The lawyers see a dispute once it reaches the head of service.
DEFAULT = LadderSpec(
    stages=(
        StageSpec("Team manager", 5),
        StageSpec("Service manager (raised by the IRO manager)", 5),
        StageSpec("Head of service", 5),
        StageSpec("Assistant director", 3),
        StageSpec("Director of children's services", 2),
    ),
    overall_working_days=20,
    solicitor_from_stage=3,
)


def check(spec: LadderSpec) -> LadderSpec:
    """The ladder with its posts trimmed; DomainError with every problem if its shape is wrong."""
    problems = Problems()
    if not spec.stages:
        problems.add(ErrorCode.REQUIRED, "Give the ladder at least one stage", "stages")
    if len(spec.stages) > STAGES_MAX:
        problems.add(ErrorCode.OUT_OF_RANGE, f"A ladder has at most {STAGES_MAX} stages", "stages")
    stages = []
    for n, stage in enumerate(spec.stages):
        post = " ".join(stage.answerer.split())
        if not post:
            problems.add(ErrorCode.REQUIRED, f"Say who answers at stage {n + 1}", f"stages.{n}.answerer")
        elif len(post) > POST_MAX_LENGTH:
            problems.add(
                ErrorCode.TOO_LONG,
                f"The post must be {POST_MAX_LENGTH} characters or fewer",
                f"stages.{n}.answerer",
            )
        if not STAGE_DAYS_MIN <= stage.working_days <= STAGE_DAYS_MAX:
            problems.add(
                ErrorCode.OUT_OF_RANGE,
                f"Allow from {STAGE_DAYS_MIN} to {STAGE_DAYS_MAX} working days for a stage",
                f"stages.{n}.workingDays",
            )
        stages.append(StageSpec(post, stage.working_days))
    if not OVERALL_MIN <= spec.overall_working_days <= OVERALL_MAX:
        problems.add(
            ErrorCode.OUT_OF_RANGE,
            f"Allow from {OVERALL_MIN} to {OVERALL_MAX} working days in all",
            "overallWorkingDays",
        )
    if spec.solicitor_from_stage is not None and not 1 <= spec.solicitor_from_stage <= max(len(stages), 1):
        problems.add(ErrorCode.OUT_OF_RANGE, "Name one of the ladder's stages, or none", "solicitorFromStage")
    problems.raise_if_any()
    return LadderSpec(tuple(stages), spec.overall_working_days, spec.solicitor_from_stage)
