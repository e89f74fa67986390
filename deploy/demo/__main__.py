import sys

from deploy.demo.cli import main

sys.exit(main())
