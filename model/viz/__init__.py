"""Figures in one style, maps and the app."""
