"""A non-editable install (a real wheel) finds registry.yaml and registers the built-ins."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_ships_registry_and_entry_point(tmp_path, run):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("zoo-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "zoo = zoo.components.plugin" in zf.read(entry_points).decode()
    assert "zoo/registry.yaml" in names

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Only the installed copy on the path, run from an unrelated directory.
    code = "import zoo, json; print(json.dumps([zoo.__file__, zoo.info('dcgan-32')['source']]))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    module_file, source = __import__("json").loads(proc.stdout)
    assert module_file.startswith(str(target))
    assert source.startswith(str(target / "zoo" / "registry.yaml"))
