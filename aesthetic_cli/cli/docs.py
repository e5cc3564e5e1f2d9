"""docs/cli.md, generated from the commands' own --help so the reference cannot drift from them.

python -m aesthetic_cli.cli.docs > docs/cli.md    (a test fails when the file is stale)"""

from __future__ import annotations

from typer.testing import CliRunner


def render() -> str:
    from aesthetic_cli.cli import app
    from aesthetic_cli.cli.root import tree

    runner = CliRunner()
    parts = [
        "# aesops command reference",
        "",
        (
            "Generated from `--help` by `python -m aesthetic_cli.cli.docs`; do not edit by hand. "
            "Each command: its Chinese help (the default), then its English help (`--lang en`)."
        ),
        "",
    ]
    for path, _ in tree():
        parts += [f"## {' '.join(['aesops', *path])}", ""]
        for lang in ("zh", "en"):  # what a Chinese reader sees by default, then --lang en
            out = runner.invoke(
                app, [*path, "--help"], prog_name="aesops", env={"COLUMNS": "100", "NO_COLOR": "1", "AESOPS_LANG": lang}
            )
            parts += ["```", out.stdout.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
