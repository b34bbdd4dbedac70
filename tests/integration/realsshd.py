"""The real-sshd harness (tests/sshd.py) for the integration tests, importable the way their
sibling modules are:

    from .realsshd import Sshd          # in a test module of this package
    from realsshd import Sshd           # run as a script, or discovered without -t

    with Sshd() as sshd:
        sshd.port, sshd.key_path, sshd.user, sshd.dir, sshd.fingerprint()
        sshd.set_smi("NVIDIA GeForce RTX 3060, 8192, 8.6\\n")
        sshd.kill_children(); sshd.rekey()

See tests/sshd.py for everything it offers. `available()` is False when sshd or ssh-keygen is
missing (skip the test then).
"""

import importlib.util
import os
import sys

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sshd.py")

# tests/ is not a package of its own here, so load the file by path, once
_module = sys.modules.get("gpuwarden_test_sshd")
if _module is None:
    _spec = importlib.util.spec_from_file_location("gpuwarden_test_sshd", _PATH)
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["gpuwarden_test_sshd"] = _module
    _spec.loader.exec_module(_module)

Sshd = _module.Sshd
available = _module.available
SSHD = _module.SSHD
