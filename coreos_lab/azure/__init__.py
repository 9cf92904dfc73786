"""The Azure layer: applies a plan and reads a lab through the Azure SDK clients.

Only the engine imports it; the CLI and the views never do (pyproject's import contracts).
"""
