from baclovoice.cli import main

main()
