"""Tests of coreos_lab.verify."""
