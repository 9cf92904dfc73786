"""Tests of coreos_lab.boot."""
