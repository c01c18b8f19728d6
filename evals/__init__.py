"""Datasets and runners that measure the copilot's quality and speed."""
