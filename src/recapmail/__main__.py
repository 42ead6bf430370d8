from recapmail.entry import main

main()
