"""`python -m mobilenet_ssd_ros` runs the offline CLI (see cli.py)."""

import sys

from .cli import main

sys.exit(main())
