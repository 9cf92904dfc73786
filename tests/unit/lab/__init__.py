"""Tests of coreos_lab.lab."""
