"""The class verbs: up, check, read and down over many labs, side by side."""
