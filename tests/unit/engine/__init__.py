"""Tests of coreos_lab.engine."""
