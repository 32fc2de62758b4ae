from helpcenter.cli import main

main()
