"""Starts nimbus's Python runtime (_nimbus_runtime.py): `python3 -s bootstrap.py
[--zygote]`. The runtime is imported rather than run as this script, so the
byte-compiled copy nimbus makes at start is used: a script is compiled
again at every start, ~2 ms of each cold start."""
import sys

import _nimbus_runtime

_nimbus_runtime.main(sys.argv[1:])
