"""Tests of coreos_lab.ssh."""
