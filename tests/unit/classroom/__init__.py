"""Tests of coreos_lab.classroom."""
