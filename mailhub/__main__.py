from mailhub.cli.launch import main

main()
