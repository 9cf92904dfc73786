"""Tests of coreos_lab.azure."""
