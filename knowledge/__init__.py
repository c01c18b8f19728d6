"""Catalog, FAQ, policies and orders: ingestion, storage and retrieval."""
