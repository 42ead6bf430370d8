from recapmail.cli import main

main()
