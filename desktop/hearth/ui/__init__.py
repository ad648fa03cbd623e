"""The PySide6 desktop interface: widgets and Qt adapters over :mod:`hearth.core`.

Nothing here talks to llama.cpp or Chroma directly; pages ask core objects and show what they answer.
"""
