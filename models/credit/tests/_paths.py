"""Put models/credit on sys.path so the tests import the modules as the scripts do."""

import sys
from pathlib import Path

CREDIT = Path(__file__).resolve().parents[1]
if str(CREDIT) not in sys.path:
    sys.path.insert(0, str(CREDIT))
