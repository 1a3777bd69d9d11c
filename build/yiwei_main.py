"""Entry point of the PyInstaller bundle: the `yiwei` command line (client.cli.main.main)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from client.cli.main import main

    sys.exit(main())
