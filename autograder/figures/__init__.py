"""Figures of the book: one module per chapter, sharing the style of :mod:`.common`.

Each routine takes tensors or arrays and returns a :class:`matplotlib.figure.Figure`
(not pyplot), so a chapter shows one by ending a cell with it, and importing these
modules changes no global state.
"""
