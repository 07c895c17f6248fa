"""``mammocad``: one console script for every operator task.

Heavy libraries (torch, MONAI) are imported inside the commands that need them so that
``mammocad --help`` answers at once.
"""

from __future__ import annotations

import typer

from cli import data, evaluate, ingest, registry, release, serve, synth, train

app = typer.Typer(
    name="mammocad",
    help="mammocad: explainable computer-aided diagnosis for mammograms.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
app.command("synth")(synth.synth)
app.command("ingest")(ingest.ingest)
app.add_typer(data.app, name="data")
app.command("train")(train.train)
app.command("evaluate")(evaluate.evaluate)
app.command("crossval")(evaluate.crossval)
app.command("ood-eval")(evaluate.ood_eval)
app.command("release")(release.release)
app.add_typer(registry.app, name="registry")
app.command("serve")(serve.serve)
app.command("openapi")(serve.export_openapi)

if __name__ == "__main__":
    app()
