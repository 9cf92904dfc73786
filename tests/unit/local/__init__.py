"""Tests of coreos_lab.local."""
