from aesthetic_cli.cli import main

main()
