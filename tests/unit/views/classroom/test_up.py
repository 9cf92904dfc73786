"""The class views from events alone: a line per change of a lab's state in a pipe (not one
per resource), failures with their sentence, and the JSON of a result."""

from __future__ import annotations

import io

from coreos_lab.classroom.results import ClassUpResult, StudentLabResult
from coreos_lab.lab.events import PhaseEvent, PlanEvent, ResourceEvent, Step
from coreos_lab.lab.kinds import NSG, RESOURCE_GROUP
from coreos_lab.views.classroom.up import PlainClass, class_up_as_dict

PLAN = ((f"{RESOURCE_GROUP}/cs-a", RESOURCE_GROUP, "cs-a"), (f"{NSG}/cs-a-nsg", NSG, "cs-a-nsg"))


def test_piped_lines_follow_each_lab_s_state_not_each_resource() -> None:
    out = io.StringIO()
    view = PlainClass(out)
    view(PhaseEvent("apply", "Applying 4 resources of 2 labs"))
    for lab in ("cs-a", "cs-b"):
        view(PlanEvent(PLAN, lab=lab))
        view(PhaseEvent("preflight", "Checking", lab=lab))
    for lab in ("cs-a", "cs-b"):
        for key, kind, name in PLAN:
            view(ResourceEvent(key, kind, name, Step.CREATING, lab=lab))
    view(ResourceEvent(PLAN[0][0], RESOURCE_GROUP, "cs-a", Step.DONE, 1.0, lab="cs-a"))
    view(ResourceEvent(PLAN[1][0], NSG, "cs-a-nsg", Step.DONE, 2.0, lab="cs-a"))
    view(ResourceEvent(PLAN[0][0], RESOURCE_GROUP, "cs-b", Step.DONE, 1.0, lab="cs-b"))
    view(ResourceEvent(PLAN[1][0], NSG, "cs-b-nsg", Step.FAILED, 2.0, "quota exceeded", lab="cs-b"))
    lines = out.getvalue().splitlines()
    assert "start Applying 4 resources of 2 labs" in lines[0]
    assert [line.split(maxsplit=1)[1] for line in lines[1:]] == [
        "cs-a                     0/2 preflight",
        "cs-b                     0/2 preflight",
        "cs-a                     0/2 building",
        "cs-b                     0/2 building",
        "cs-a                     2/2 done",
        "cs-b                     1/2 failed: quota exceeded",
    ]


def test_the_json_of_a_class_names_each_lab_and_what_it_cost() -> None:
    labs = [
        StudentLabResult("a", "cs-a", "cs-a", 19, 19, 19, 150.0),
        StudentLabResult("b", "cs-b", "cs-b", 19, 12, 12, 90.0, error="NSG failed; run up"),
    ]
    result = ClassUpResult(labs, 160.0, "coreos-lab class up r.csv", {"reads": 9}, 0)
    data = class_up_as_dict(result)
    assert data["complete"] == 1 and data["writes"] == 31
    assert [lab["complete"] for lab in data["labs"]] == [True, False]
    assert data["labs"][1]["error"] == "NSG failed; run up"
    assert data["requests"] == {"reads": 9} and data["throttled"] == 0
