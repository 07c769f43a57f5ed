"""kubectl against a real `ksim up`, for one kubectl version.

Run: KSIM_BINARY=build/ksim /usr/bin/python3 tests/kubectl_test.py
         --kubectl 1.32 [TestClass[.test_method] ...]
($KSIM_KUBECTL_VERSION works instead of --kubectl.) The server reports the
same version (--kube-version), as a cluster of that version would.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kubectl_apply_cases  # noqa: E402
import kubectl_get_cases  # noqa: E402
import kubectl_resources_cases  # noqa: E402
import kubectl_seed_cases  # noqa: E402
import kubectl_support  # noqa: E402

if __name__ == "__main__":
    kubectl_support.main([kubectl_seed_cases, kubectl_resources_cases,
                          kubectl_apply_cases, kubectl_get_cases])
