"""Provenance of stored runs: the environment a results folder records."""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy
import pandas
import scipy

from model.experiments.provenance import environment


def test_the_environment_names_the_versions_the_libraries_report():
    env = environment()
    for library in (numpy, pandas, scipy, mesa):
        assert env[library.__name__] == library.__version__


def test_naming_the_versions_imports_no_mesa_or_scipy():
    code = (
        "import sys\n"
        "from model.experiments.provenance import environment\n"
        "environment()\n"
        "print(sorted({'mesa', 'scipy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
