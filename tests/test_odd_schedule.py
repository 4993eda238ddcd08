"""docs/ODD.md's schedule (section 3) is the model's: every step, in order, with its call."""

from __future__ import annotations

import re

from model.jointmodel import JointVillageModel
from model.paths import DOCS_DIR
from model.scenario import load_scenario

STEP_LINE = re.compile(r"^\d+\. \*\*(?P<name>[^*]+)\*\* \([^)]*\): `(?P<call>[\w.]+)`\.$", re.M)


def test_the_odd_lists_every_step_of_the_month_in_order_with_its_call():
    text = (DOCS_DIR / "ODD.md").read_text(encoding="utf-8")
    section = text.split("## 3. Process overview and scheduling", 1)[1].split("\n## ", 1)[0]
    documented = [(m["name"], m["call"]) for m in STEP_LINE.finditer(section)]
    model = JointVillageModel(load_scenario("baseline", ["county.scale=0.05", "years=1"]))
    actual = [
        (step.name, f"{type(step.action.__self__).__name__}.{step.action.__name__}")
        for step in model.steps_of_month
    ]
    assert documented == actual
