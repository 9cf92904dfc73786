#!/usr/bin/env python3
"""Rewrite the emulator's Retail Prices sample (coreos_lab/emulator/data/retail_prices.json)
with live items from https://prices.azure.com/api/retail/prices.

Run it by hand where prices.azure.com is reachable; tests never do. It asks for the default
VM sizes (every item: Linux, Windows, Spot, Low Priority, so the emulator keeps what a client
must skip) and the Standard static public IP meter, in the regions below, follows
NextPageLink, keeps the Consumption items and records the date and the URLs it asked.
"""

from __future__ import annotations

import datetime
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

URL = "https://prices.azure.com/api/retail/prices"
SIZES = ("Standard_B2ats_v2", "Standard_B2als_v2")
REGIONS = ("westeurope", "northeurope", "eastus", "uksouth")
OUT = Path(__file__).resolve().parent.parent / "coreos_lab/emulator/data/retail_prices.json"


def items(odata_filter: str) -> list[dict[str, object]]:
    url: str | None = f"{URL}?{urllib.parse.urlencode({'$filter': odata_filter})}"
    found: list[dict[str, object]] = []
    while url:
        with urllib.request.urlopen(url, timeout=30) as answer:
            page = json.load(answer)
        found += page["Items"]
        url = page.get("NextPageLink")
    return found


def main() -> int:
    filters = []
    for region in REGIONS:
        filters += [
            f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' and "
            f"armSkuName eq '{size}' and priceType eq 'Consumption'"
            for size in SIZES
        ]
        filters.append(
            f"serviceName eq 'Virtual Network' and armRegionName eq '{region}' and "
            "meterName eq 'Standard IPv4 Static Public IP' and priceType eq 'Consumption'"
        )
    found = [item for f in filters for item in items(f)]
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    doc = {
        "_about": {
            "source": URL,
            "taken": today,
            "filters": filters,
            "figures": "live items of the Azure Retail Prices API, as answered that day",
        },
        "Items": found,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{len(found)} items from {URL} written to {OUT} ({today})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
