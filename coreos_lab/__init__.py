"""coreos-lab: the Container Linux (Flatcar) on Azure teaching lab, in one command."""

__version__ = "0.1.0"
