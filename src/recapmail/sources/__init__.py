"""Ingest: files, folders, feeds and web pages -> Article."""
