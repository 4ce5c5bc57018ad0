"""
The installed app: ``sozialraum-karte serve`` starts it, the other commands are those of ``python -m geo``.

The wheel carries the Streamlit entry point (``app.py``), its pages (``app_pages``), the data tools (``geo``)
and the Streamlit settings (``streamlit.toml``, the same file as ``.streamlit/config.toml`` in a checkout).
"""

from geo import __version__

__all__ = ["__version__"]
