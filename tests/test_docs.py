"""The command reference in docs/cli.md is generated from --help; it must not drift from it."""

from __future__ import annotations

from pathlib import Path


def test_cli_reference_is_current():
    from aesthetic_cli.cli.docs import render

    doc = Path(__file__).parent.parent / "docs" / "cli.md"
    assert doc.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `.venv/bin/python -m aesthetic_cli.cli.docs > docs/cli.md`"
    )


def test_every_command_has_help_text():
    from aesthetic_cli.cli.docs import render

    sections = render().split("\n## ")[1:]
    for section in sections:
        name, _, body = section.partition("\n")
        zh, en = body.split("```")[1], body.split("```")[3]
        assert "用法：" in zh and "Usage:" in en, name
        for text, options in ((zh, "选项："), (en, "Options:")):
            usage_and_help = text.split(options)[0]
            # Below the usage line there is at least one sentence of help.
            assert len(usage_and_help.strip().splitlines()) >= 3, f"{name} has no help text"
