"""The class's quota, summed and spread (class_quota.py), and its price (costs.py): pure."""

from __future__ import annotations

import dataclasses

import pytest

from coreos_lab.classroom.quota import (
    Need,
    Room,
    candidates,
    lab_need,
    labs_that_fit,
    spread,
)
from coreos_lab.lab.costs import IP_KEY, PriceBook, estimate, lab_cost, money, vm_key
from coreos_lab.lab.settings import LabSettings

BASV2 = "standardBasv2Family"
DEFAULT_LAB = lab_need([(BASV2, 2)] * 5, 5)  # 3 etcd + 2 hosts, all B*_v2


def test_a_default_lab_needs_ten_basv2_vcpus_and_five_public_ips() -> None:
    assert DEFAULT_LAB.get("cores") == 10 and DEFAULT_LAB.get(BASV2) == 10
    assert DEFAULT_LAB.get("PublicIPAddresses") == DEFAULT_LAB.get("StaticPublicIPAddresses") == 5
    mixed = lab_need([(BASV2, 2), ("standardDSv5Family", 4)], 2)
    assert (mixed.get("cores"), mixed.get(BASV2), mixed.get("standardDSv5Family")) == (6, 2, 4)
    assert (DEFAULT_LAB + mixed).get("cores") == 16 and DEFAULT_LAB.times(3).get(BASV2) == 30


def test_the_smallest_free_quota_decides_how_many_labs_fit() -> None:
    room = Room({"cores": 100, BASV2.lower(): 35, "publicipaddresses": 1000})
    assert labs_that_fit(DEFAULT_LAB, room) == 3
    assert labs_that_fit(DEFAULT_LAB, Room({"cores": 100, "publicipaddresses": 12})) == 2
    # A quota Azure does not report does not limit; a lab with every VM built needs nothing.
    assert labs_that_fit(DEFAULT_LAB, Room({})) > 1000
    assert Room({"cores": 0}).fits(lab_need([], 0))
    assert Room({"cores": 100, BASV2.lower(): 9}).short(DEFAULT_LAB) == [BASV2.lower()]


def _needs(labs: list[str], regions: list[str]) -> dict[tuple[str, str], Need | None]:
    return {(lab, r): DEFAULT_LAB for lab in labs for r in regions}


def test_spread_fills_each_region_in_order_and_roster_locations_go_first() -> None:
    rooms = {
        "westeurope": Room({"cores": 20, BASV2.lower(): 20}),
        "northeurope": Room({"cores": 100, BASV2.lower(): 100}),
    }
    names = ["a", "b", "c", "d"]
    # d's roster names westeurope: she takes a place there before a, b and c are spread.
    labs = [(n, ("westeurope", "northeurope")) for n in names[:3]] + [("d", ("westeurope",))]
    placed = spread(labs, _needs(names, list(rooms)), rooms)
    assert dict(placed.regions) == {
        "d": "westeurope",
        "a": "westeurope",
        "b": "northeurope",
        "c": "northeurope",
    }
    assert placed.unplaced == ()
    assert placed.left["westeurope"].free == {"cores": 0, BASV2.lower(): 0}


def test_spread_names_the_labs_no_region_has_room_for_in_roster_order() -> None:
    rooms = {"westeurope": Room({"cores": 25})}
    labs = [(n, ("westeurope",)) for n in ("a", "b", "c", "d")]
    needs = _needs(["a", "b", "c", "d"], ["westeurope"])
    needs[("b", "westeurope")] = None  # a size not offered there: never placed
    placed = spread(labs, needs, rooms)
    assert dict(placed.regions) == {"a": "westeurope", "c": "westeurope"}
    assert placed.unplaced == ("b", "d")


@pytest.mark.parametrize(
    ("roster", "locations", "default", "expected"),
    [
        ("uksouth", ["westeurope"], "westeurope", ("uksouth",)),
        ("", ["WestEurope", "northeurope"], "eastus", ("westeurope", "northeurope")),
        ("", [], "EastUS", ("eastus",)),
    ],
)
def test_a_lab_goes_to_its_roster_location_else_the_listed_regions_else_the_class_s(
    roster: str, locations: list[str], default: str, expected: tuple[str, ...]
) -> None:
    assert candidates(roster, locations, default) == expected


def test_a_lab_s_price_is_its_vms_and_public_ips_and_a_missing_price_is_named() -> None:
    book = PriceBook(
        {
            (vm_key("Standard_B2ats_v2"), "westeurope"): 0.0104,
            (vm_key("Standard_B2als_v2"), "westeurope"): 0.0416,
            (IP_KEY, "westeurope"): 0.005,
        }
    )
    cost = lab_cost(LabSettings(), book)
    assert cost.per_hour == pytest.approx(3 * 0.0104 + 2 * 0.0416 + 5 * 0.005)
    assert cost.unpriced == ()
    north = dataclasses.replace(LabSettings(), location="northeurope", name="b")
    both = estimate([LabSettings(), north], book)
    assert both.lab_per_hour == pytest.approx(0.1394)
    assert both.class_per_hour == pytest.approx(0.1394)  # northeurope has no price at all
    assert "Standard static public IP in northeurope" in both.unpriced
    nowhere = estimate([dataclasses.replace(north, name="c")], book)
    assert (
        not nowhere.available
        and nowhere.note == "prices unavailable: the price list lists no price for northeurope"
    )
    assert money(0.1394, "USD") == "0.1394 USD" and money(1234.5, "USD") == "1,234.50 USD"


def test_a_partly_priced_class_is_shown_as_a_lower_bound_naming_what_is_missing() -> None:
    from rich.console import Console

    from coreos_lab.views.cost import cost_as_dict, render_cost

    book = PriceBook(
        {(vm_key(s), "westeurope"): 0.01 for s in ("Standard_B2ats_v2", "Standard_B2als_v2")}
        | {(IP_KEY, "westeurope"): 0.005},
        source="https://prices.example/api/retail/prices",
    )
    north = dataclasses.replace(LabSettings(), location="northeurope", name="b")
    cost = estimate([LabSettings(), north], book)
    console = Console(record=True, width=400)
    render_cost(cost, console, whole_class=True)
    text = console.export_text()
    assert "Estimated price: 0.0750 USD per hour for a lab" in text
    assert "For the class of 2 labs: at least 0.0750 USD per hour" in text
    assert "no price was found for Standard_B2ats_v2 (etcd members) in northeurope" in text
    data = cost_as_dict(cost)
    assert data["lab_per_hour"] == 0.075 and data["class_per_hour"] == 0.075
    assert "Standard static public IP in northeurope" in data["not_priced"]
