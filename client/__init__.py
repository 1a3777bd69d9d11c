"""Yiwei (易维): desktop client and command line for home-furnishing dealers."""

__version__ = "0.1.0"
