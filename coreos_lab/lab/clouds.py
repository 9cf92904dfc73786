"""The clouds coreos-lab builds in: Azure's public and sovereign clouds, and the emulator. Pure.

One row per cloud; ``--cloud`` accepts exactly these names, its help text lists them, and
azure/clients.py builds the SDK clients from the row. Code asks the row a question (does a
subscription apply? how long to back off? where are the prices?) rather than testing the
cloud's name, so a new cloud, or a second kind of local target, is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    """A cloud coreos-lab can build in, and its answers.

    ``sdk_name`` is a member of azure.core.AzureClouds (None for the emulator, whose address
    and token come from its connection file); ``authority`` is azure-identity's login host;
    ``storage_suffix`` the blob endpoint suffix (`az cloud show -n <cloud> --query
    suffixes.storageEndpoint`) that boot diagnostics' storageUri is built on.
    """

    name: str
    sdk_name: str | None
    authority: str
    storage_suffix: str
    # The local emulator: no sign-in, one subscription, machines that are loopback addresses.
    local: bool = False
    # azure-core's RetryPolicy: backoff factor and cap, in seconds. The emulator answers in
    # milliseconds, so its retries need not wait as long as Azure's.
    retry_backoff: float = 0.5
    retry_backoff_max: float = 30.0
    # Why the Azure Retail Prices API cannot price this cloud; "" when it can.
    unpriced: str = ""

    @property
    def subscription_applies(self) -> bool:
        """Whether --subscription (and AZURE_SUBSCRIPTION_ID) choose anything here: the
        emulator serves one subscription, named by its connection file."""
        return not self.local

    @property
    def described(self) -> str:
        """The cloud in a sentence: "the local emulator", "cloud usgov"."""
        return "the local emulator" if self.local else f"cloud {self.name}"

    def refused_token(self, endpoint: str) -> str | None:
        """The sentence for a token the cloud refused (401), when the usual advice to sign in
        again with 'az login' does not apply; None when it does."""
        if not self.local:
            return None
        return (
            f"The emulator at {endpoint or 'its address'} refused the token of its connection "
            "file (another or a restarted emulator?); check COREOS_LAB_EMULATOR_DIR, or restart "
            "`coreos-lab emulator` and run the command again."
        )


PUBLIC = Cloud("azure", "AZURE_PUBLIC_CLOUD", "login.microsoftonline.com", "core.windows.net")
AZURE_CLOUDS = {
    "azure": PUBLIC,
    "usgov": Cloud(
        "usgov", "AZURE_US_GOVERNMENT", "login.microsoftonline.us", "core.usgovcloudapi.net"
    ),
    "china": Cloud(
        "china",
        "AZURE_CHINA_CLOUD",
        "login.chinacloudapi.cn",
        "core.chinacloudapi.cn",
        # The Retail Prices API lists global Azure (and US Government) regions, not 21Vianet's.
        unpriced="the Azure Retail Prices API does not price Azure China",
    ),
}
# The local ARM emulator (coreos_lab/emulator/); it mimics the public cloud's suffixes.
EMULATOR = "emulator"
EMULATOR_CLOUD = Cloud(
    EMULATOR,
    None,
    "",
    PUBLIC.storage_suffix,
    local=True,
    retry_backoff=0.05,
    retry_backoff_max=1.0,
)
CLOUDS = {**AZURE_CLOUDS, EMULATOR: EMULATOR_CLOUD}
CLOUD_NAMES = tuple(CLOUDS)


def cloud_of(name: str) -> Cloud:
    """The row of ``name`` (validated settings only name these; anything else is public)."""
    return CLOUDS.get(name, PUBLIC)


def storage_suffix(cloud: str) -> str:
    """The storage endpoint suffix of ``cloud``."""
    return cloud_of(cloud).storage_suffix
