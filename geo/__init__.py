"""Sozialraum-Karte: the domain package (no streamlit imports)."""

__version__ = "0.1.0"
