"""Spiders only discover and request; extraction happens in the item pipelines."""
