"""`coreos-lab class check` end to end: the real CLI against the emulator, quotas set through
its admin API; and the prices `plan` and `check` show, from the emulator's sample."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Lab

LAB_PER_HOUR = 3 * 0.0104 + 2 * 0.0416 + 5 * 0.005  # the sample's West Europe figures


def _roster(lab: Lab, lines: str) -> str:
    path = Path(lab.home) / "roster.csv"
    path.write_text("student,location\n" + lines)
    return str(path)


def test_a_class_that_fits_is_placed_and_priced(lab: Lab) -> None:
    roster = _roster(lab, "alice,\nbob,\ncarol,\n")
    out = lab.run("class", "check", roster, "--prefix", "cs", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] and report["fitting"] == 3 and report["problems"] == []
    assert [p["lab"] for p in report["placement"]] == ["cs-alice", "cs-bob", "cs-carol"]
    (region,) = report["regions"]
    needed = {u["name"]: u["needed"] for u in region["usages"]}
    assert needed["cores"] == 30 and needed["standardBasv2Family"] == 30
    assert needed["PublicIPAddresses"] == 15
    assert abs(report["cost"]["lab_per_hour"] - LAB_PER_HOUR) < 1e-9
    assert abs(report["cost"]["class_per_hour"] - 3 * LAB_PER_HOUR) < 1e-9
    assert not lab.writes(), "class check wrote to Azure"


def test_a_class_too_big_for_the_quota_says_how_many_labs_fit(lab: Lab) -> None:
    lab.emulator.admin.configure(quotas={"cores": 100, "standardBasv2Family": 25})
    roster = _roster(lab, "alice,\nbob,\ncarol,\n")
    out = lab.run("class", "check", roster)
    assert out.returncode == 1, out.stdout + out.stderr
    text = " ".join(out.stdout.split())
    assert "Only 2 of 3 labs fit" in text and "Standard Basv2 Family vCPUs in westeurope" in text
    assert "--locations westeurope," in text, text
    assert "✗ too small" in text  # the family's row: 30 needed, 25 free
    # Public IPs count too: 12 allowed is two labs of five.
    lab.emulator.admin.configure(quotas={"cores": 100, "*": 100, "PublicIPAddresses": 12})
    out = lab.run("class", "check", roster, "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["fitting"] == 2


def test_locations_spread_the_class_over_two_regions(lab: Lab) -> None:
    lab.emulator.admin.configure(
        quotas={"cores": 100, "*": 100},
        quotas_by_location={"westeurope": {"standardBasv2Family": 20}},
    )
    roster = _roster(lab, "alice,\nbob,\ncarol,\ndan,eastus\n")
    out = lab.run("class", "check", roster, "--locations", "westeurope,northeurope", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    where = {p["student"]: p["location"] for p in report["placement"]}
    assert where == {
        "alice": "westeurope",
        "bob": "westeurope",
        "carol": "northeurope",
        "dan": "eastus",
    }
    assert {r["location"]: r["labs"] for r in report["regions"]} == {
        "westeurope": 2,
        "northeurope": 1,
        "eastus": 1,
    }
    assert all(r["images"].startswith("etcd ") for r in report["regions"])


def test_plan_and_check_show_the_price_of_the_lab(lab: Lab) -> None:
    plan = json.loads(lab.run("plan", "--json").stdout)
    assert abs(plan["cost"]["lab_per_hour"] - LAB_PER_HOUR) < 1e-9
    assert plan["cost"]["source"].endswith("/api/retail/prices")
    out = lab.run("check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Estimated price: 0.1394 USD per hour for a lab" in out.stdout


def test_check_refuses_every_student_key_class_up_would_refuse(lab: Lab) -> None:
    private = Path(lab.home) / "id_rsa"
    private.write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    path = Path(lab.home) / "roster.csv"
    path.write_text(
        "student,public_key\n"
        "alice,\n"
        f"bob,{lab.home}/missing.pub\n"
        f"carol,{private}\n"
        "dan,/etc/passwd\n"
    )
    out = lab.run("class", "check", str(path), "--json")
    assert out.returncode == 1, out.stdout + out.stderr
    problems = json.loads(out.stdout)["problems"]
    named = [p.split(": student ")[1].split(":")[0] for p in problems if ": student " in p]
    assert named == ["bob", "carol", "dan"], problems
    assert all(p.startswith(f"{path}:") for p in problems[:3])
    assert not lab.writes()


def test_a_region_azure_does_not_offer_names_its_student_and_is_not_priced(lab: Lab) -> None:
    roster = _roster(lab, "alice,\nbob,mars\n")
    out = lab.run("class", "check", roster)
    assert out.returncode == 1, out.stdout + out.stderr
    text = " ".join(out.stdout.split())
    assert "Location 'mars' (" in text and "roster.csv:3, student bob" in text, text
    assert "0.0000 USD" not in text and "not priced" in text, text
