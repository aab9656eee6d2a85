"""Benchmarks on the large generated organisation: ``python -m bench`` runs them all."""
