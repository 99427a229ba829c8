import sys

from calc._cli import main

sys.exit(main())
