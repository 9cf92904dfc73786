"""Tests of coreos_lab.cli."""
