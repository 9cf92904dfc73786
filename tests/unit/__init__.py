"""Unit tests, one folder per package of coreos_lab and one file per module."""
