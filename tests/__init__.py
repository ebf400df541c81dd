"""The test suite.

Bytecode is cached even where PYTHONDONTWRITEBYTECODE=1 is set (as on this project's build
machines): pytest then keeps its assertion-rewritten test modules instead of rewriting every
one in every worker, and the `python -m reflect_bot` processes the tests start (several
hundred) read the package's compiled modules instead of compiling them each time. Nothing
but `__pycache__/` folders, which git ignores, is written.
"""

import sys

sys.dont_write_bytecode = False
