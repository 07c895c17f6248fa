"""The ``mammocad`` operator command line (typer): the composition root that wires the layers."""
