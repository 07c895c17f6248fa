"""Labelled data sets behind one interface (see ``records`` for the shape, ``spec`` to open one)."""
