"""Tests of coreos_lab.views.classroom."""
