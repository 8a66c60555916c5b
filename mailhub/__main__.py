from mailhub.cli.main import main

main()
