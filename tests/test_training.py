"""Training: exact resume, checkpoints that survive SIGKILL, interrupts, DDP on gloo, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import REPO
from safetensors.torch import load_file

from zoo.data import open_dataset
from zoo.training import checkpoint as ckpt
from zoo.training.trainer import TrainOptions, _Stream, train

SMALL = {"generator": {"with": {"ch": 16}}, "discriminator": {"with": {"ch": 16}}}


def _opts(arch, out, steps, **kw):
    base = dict(
        data="shapes:256",
        batch_size=8,
        sample_every=5,
        ckpt_every=5,
        log_every=5,
        progress=False,
        overrides=SMALL if arch != "gan-mlp-28" else {},
    )
    return TrainOptions(arch, out=out, steps=steps, **{**base, **kw})


@pytest.mark.parametrize("arch", ["cdcgan-32", "gan-mlp-28"])
def test_ten_plus_ten_resumed_steps_equal_twenty_straight(tmp_path, arch):
    straight = train(_opts(arch, tmp_path / "a", 20))
    train(_opts(arch, tmp_path / "b", 10))
    resumed = train(_opts(arch, tmp_path / "b", 20, resume=True))
    assert straight.name == resumed.name == "step-00000020"
    files = ["generator", "discriminator"] + (["ema_generator"] if arch == "cdcgan-32" else [])
    for name in files:
        a = load_file(str(straight / f"{name}.safetensors"))
        b = load_file(str(resumed / f"{name}.safetensors"))
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), f"{name} differs after resume"
    rows = (tmp_path / "b" / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["5", "10", "15", "20"]


def test_a_run_is_never_silently_overwritten(tmp_path):
    train(_opts("cdcgan-32", tmp_path / "run", 5))
    with pytest.raises(Exception, match="already holds a run; pass --resume"):
        train(_opts("cdcgan-32", tmp_path / "run", 5))


def test_outputs_of_a_run(tmp_path):
    last = train(_opts("cdcgan-32", tmp_path / "run", 10, keep=1))
    out = tmp_path / "run"
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["latest", "step-00000010"]
    assert (out / "samples" / "step-00000010.png").is_file()
    assert (out / "curve.png").stat().st_size > 5000
    header = (out / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"step", "d_loss", "g_loss", "steps_per_s", "images_per_s"} <= set(header)
    model = ckpt.load_model(out)
    assert model.config["num_classes"] == 12  # adopted from shapes
    assert model.ema_generator is not None
    ema = load_file(str(last / "ema_generator.safetensors"))
    assert all(torch.equal(v, model.ema_generator.state_dict()[k]) for k, v in ema.items())


def _train_cmd(out: Path, steps: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "zoo",
        "train",
        "dcgan-64",
        "--data",
        "shapes:512",
        "--batch-size",
        "4",
        "--steps",
        str(steps),
        "--out",
        str(out),
        "--ckpt-every",
        "1",
        "--sample-every",
        "1000",
        "--keep",
        "2",
        "--no-progress",
        *extra,
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def test_sigkill_while_checkpointing_never_breaks_latest(tmp_path):
    out = tmp_path / "run"
    ckpt_dir = out / "checkpoints"
    caught_mid_write = 0
    for attempt in range(6):
        args = _train_cmd(out, 10_000, *(["--resume"] if attempt else []))
        proc = subprocess.Popen(
            args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 120
        while not (ckpt_dir / "latest").is_file() and time.time() < deadline:
            time.sleep(0.05)
        start = (ckpt_dir / "latest").read_text()
        while (ckpt_dir / "latest").read_text() == start and time.time() < deadline:
            time.sleep(0.01)  # wait until at least one more checkpoint landed
        if attempt % 2:  # kill as soon as the next write has begun
            while not any(p.name.startswith(".tmp-") for p in ckpt_dir.iterdir()):
                time.sleep(0.001)
        else:  # or anywhere in the next step or write
            time.sleep(0.03 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        caught_mid_write += any(p.name.startswith(".tmp-") for p in ckpt_dir.iterdir())
        found = ckpt.find(out)  # latest always names a complete, loadable checkpoint
        model = ckpt.load_model(found)
        assert model.sample(1, seed=0).shape == (1, 3, 64, 64)
        meta = ckpt.load_training_state(found, None, {})
        assert meta["step"] == int(found.name.split("-")[1])
    assert caught_mid_write >= 1, (
        "no kill landed during a checkpoint write; the test proved nothing"
    )
    before = ckpt.find(out)
    done = subprocess.run(
        _train_cmd(out, int(before.name.split("-")[1]) + 1, "--resume"),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not any(p.name.startswith(".tmp-") for p in ckpt_dir.iterdir())  # cleaned on resume


def test_ctrl_c_saves_a_checkpoint_and_resume_continues(tmp_path):
    out = tmp_path / "run"
    args = _train_cmd(out, 10_000)
    args[args.index("--ckpt-every") + 1] = "100000"  # only the interrupt writes one
    proc = subprocess.Popen(args, env=_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "metrics.csv").is_file() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted" in err and "continue with --resume" in err and "Traceback" not in err
    found = ckpt.find(out)
    assert int(found.name.split("-")[1]) >= 10


def test_shards_are_disjoint_and_resumable():
    data = open_dataset("shapes:64", 8, 3)
    streams = [_Stream(data, 4, seed=3, rank=r, world=2, workers=0) for r in range(2)]
    epoch = [
        sorted(i for b in list(zip(range(8), s._batches(), strict=False)) for i in b[1])
        for s in streams
    ]
    assert not set(epoch[0]) & set(epoch[1])
    assert sorted(epoch[0] + epoch[1]) == list(range(64))
    full = [b for _, b in zip(range(12), _Stream(data, 4, 3, 0, 1, 0)._batches(), strict=False)]
    later = [
        b
        for _, b in zip(range(5), _Stream(data, 4, 3, 0, 1, 0, consumed=7)._batches(), strict=False)
    ]
    assert later == full[7:12]


def test_data_parallel_on_two_cpu_processes(tmp_path):
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master-port",
        "29531",
        "-m",
        "zoo",
        "train",
        "cdcgan-32",
        "--data",
        "shapes:128",
        "--batch-size",
        "4",
        "--steps",
        "4",
        "--out",
        str(out),
        "--device",
        "cpu",
        "--log-every",
        "1",
        "--set",
        "generator.with.ch=8",
        "--set",
        "discriminator.with.ch=8",
        "--no-progress",
    ]
    result = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert ckpt.find(out).name == "step-00000004"
    rows = (out / "metrics.csv").read_text().splitlines()
    assert len(rows) == 5  # rank 0 alone writes the log: a header and one row per step
    assert result.stdout.count("checkpoint:") == 2  # both ranks finished, weights checked in sync


def test_cli_train_and_sample(tmp_path, run):
    out = tmp_path / "run"
    trained = run(
        "train",
        "cdcgan-32",
        "--data",
        "shapes:64",
        "--batch-size",
        "4",
        "--steps",
        "2",
        "--out",
        str(out),
        "--set",
        "generator.with.ch=8",
        "--set",
        "discriminator.with.ch=8",
        "--no-progress",
    )
    assert trained.returncode == 0, trained.stderr
    assert "checkpoint:" in trained.stdout
    grid = tmp_path / "grid.png"
    sampled = run(
        "sample",
        str(out),
        "--n",
        "6",
        "--labels",
        "2",
        "--out",
        str(grid),
        "--out-dir",
        str(tmp_path / "each"),
    )
    assert sampled.returncode == 0, sampled.stderr
    from PIL import Image

    assert Image.open(grid).size == (2 * 34 + 2, 3 * 34 + 2)  # floor(sqrt(6)) per row, 2px gaps
    assert len(list((tmp_path / "each").glob("*.png"))) == 6
    bad = run("sample", str(out), "--labels", "99", "--out", str(grid))
    assert bad.returncode == 1 and "label 99 is out of range" in bad.stderr
    bad = run("train", "cdcgan-32", "--data", "nonsense", "--out", str(tmp_path / "x"))
    assert bad.returncode == 1 and "unknown dataset 'nonsense'" in bad.stderr
    assert "Traceback" not in bad.stderr
