"""``zoo train``: one loop for every architecture, driven by its objective.

The objective (a component) owns the step; the trainer owns everything around it:
data, optimizers, EMA, mixed precision, logs, sample grids, checkpoints and resuming.
"""

from __future__ import annotations

import contextlib
import csv
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.optim.swa_utils import AveragedModel

from zoo.data import Prepared, collate, open_dataset
from zoo.errors import ZooError
from zoo.factory import build, build_objective
from zoo.registry import get_registry
from zoo.training import checkpoint as ckpt
from zoo.training import distributed as ddp
from zoo.training.report import plot_curves, save_grid

TRAIN_KEYS = ("batch_size", "lr_g", "lr_d", "betas", "n_dis", "ema", "steps")


@dataclass
class TrainOptions:
    """What ``zoo train`` takes; None means the architecture's default."""

    arch: str
    data: str | None = None
    out: Path | None = None
    steps: int | None = None
    resume: bool = False
    device: str = "auto"
    seed: int = 0
    batch_size: int | None = None
    lr_g: float | None = None
    lr_d: float | None = None
    betas: list[float] | None = None
    n_dis: int | None = None
    ema: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    sample_every: int = 500
    ckpt_every: int = 1000
    log_every: int = 10
    keep: int = 3
    workers: int = 0
    amp: bool = True
    channels_last: bool | None = None
    compile: bool = False
    progress: bool = True


class _Stream:
    """Endless batches in a reproducible order: epoch ``e`` is a permutation seeded by
    ``(seed, e)``; each process takes every ``world``-th index. Resumable by position."""

    def __init__(
        self,
        dataset: Prepared,
        batch_size: int,
        seed: int,
        rank: int,
        world: int,
        workers: int,
        consumed: int = 0,
    ):
        self.dataset, self.batch_size, self.seed = dataset, batch_size, seed
        self.rank, self.world, self.workers = rank, world, workers
        self.consumed = consumed  # batches handed out so far (per process)
        self.per_epoch = len(dataset) // (batch_size * world)
        if self.per_epoch == 0:
            raise ZooError(
                f"the dataset has {len(dataset)} images, fewer than one batch of "
                f"{batch_size} x {world} processes; use a smaller --batch-size"
            )

    def _batches(self) -> Iterator[list[int]]:
        epoch, skip = divmod(self.consumed, self.per_epoch)
        while True:
            perm = torch.randperm(
                len(self.dataset),
                generator=torch.Generator().manual_seed(self.seed * 100_003 + epoch),
            )
            mine = perm[self.rank :: self.world]
            for b in range(skip, self.per_epoch):
                yield mine[b * self.batch_size : (b + 1) * self.batch_size].tolist()
            epoch, skip = epoch + 1, 0

    def __iter__(self):
        # Its own generator: creating the loader must not draw from the global RNG, which
        # the training step uses and a checkpoint restores.
        loader = torch.utils.data.DataLoader(
            self.dataset,
            batch_sampler=self._batches(),
            collate_fn=collate,
            num_workers=self.workers,
            generator=torch.Generator().manual_seed(self.seed),
        )
        for batch in loader:
            self.consumed += 1
            yield batch


def _device(name: str, dist: ddp.Dist) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and dist.world > 1:
        name = f"cuda:{dist.local_rank}"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ZooError(f"--device {name}: CUDA is not available here; use --device cpu")
    return torch.device(name)


def _check_data(config: dict[str, Any], data: Prepared) -> None:
    """The data must carry what the architecture's condition needs."""
    if config["condition"] == "class" and not data.num_classes:
        raise ZooError(f"{config['name']} is class-conditional but {data.name} has no labels")
    if config["condition"] == "text" and not data.captions:
        raise ZooError(
            f"{config['name']} is text-conditional but {data.name} has no captions "
            "(use shapes or captions:PATH)"
        )


def _adopt_classes(config: dict[str, Any], data: Prepared, overrides: dict[str, Any]) -> dict:
    """A class-conditional architecture takes the data's class count unless told otherwise."""
    if (
        config["condition"] == "class"
        and data.num_classes != config["num_classes"]
        and "num_classes" not in overrides
    ):
        return {"num_classes": data.num_classes}
    return {}


def _fixed_conditions(config: dict[str, Any], data: Prepared, n: int) -> dict[str, Any]:
    if config["condition"] == "class":
        return {"labels": [i % config["num_classes"] for i in range(n)]}
    if config["condition"] == "text":
        return {"texts": [data.dataset[i]["caption"] for i in range(n)]}
    return {}


def _ema_with_warmup(decay: float):
    """EMA whose decay ramps up as ``min(decay, (1 + n) / (10 + n))`` after n updates, so the
    average does not sit on the random initial weights for the first few thousand steps.

    A ``multi_avg_fn``: one fused ``_foreach_lerp_`` over all tensors of a device and dtype
    instead of a Python loop over parameters. Integer buffers (BatchNorm's batch counter)
    are copied.
    """

    def multi_avg_fn(averaged: list[torch.Tensor], current: list[torch.Tensor], n) -> None:
        d = min(decay, (1.0 + float(n)) / (10.0 + float(n)))
        if averaged[0].is_floating_point():
            torch._foreach_lerp_(averaged, current, 1.0 - d)
        else:
            torch._foreach_copy_(averaged, current)

    return multi_avg_fn


class _Interrupted(KeyboardInterrupt):
    pass


def _raise_interrupt(signum, frame):
    raise _Interrupted(signal.Signals(signum).name)


def train(opts: TrainOptions) -> Path:
    """Train; returns the directory of the last checkpoint written.

    Raises:
        ZooError: bad arguments, data that does not fit, an existing run without ``--resume``.
    """
    dist = ddp.setup(opts.device)
    device = _device(opts.device, dist)
    out = Path(opts.out or Path("runs") / opts.arch)
    ckpt_dir = out / "checkpoints"
    resume_from = None
    if (ckpt_dir / "latest").is_file():
        if not opts.resume:
            raise ZooError(
                f"{out} already holds a run; pass --resume to continue it or choose another --out"
            )
        resume_from = ckpt.find(ckpt_dir)
    elif opts.resume and dist.main:
        print(f"zoo: no checkpoint in {ckpt_dir}; starting from scratch", file=sys.stderr)

    if resume_from is not None:
        saved = ckpt.read_config(resume_from)
        config, settings = saved["architecture"], saved["training"]
        if opts.steps is not None:
            settings["steps"] = opts.steps
        data = open_dataset(settings["data"], config["resolution"], config["channels"])
    else:
        base = get_registry().resolve(opts.arch, opts.overrides)
        data_spec = opts.data or base["train"].get("data") or "shapes"
        data = open_dataset(data_spec, base["resolution"], base["channels"])
        _check_data(base, data)
        adopted = _adopt_classes(base, data, opts.overrides)
        config = (
            get_registry().resolve(opts.arch, {**opts.overrides, **adopted}) if adopted else base
        )
        if adopted and dist.main:
            print(
                f"zoo: num_classes set to {adopted['num_classes']} to match {data_spec}",
                file=sys.stderr,
            )
        settings = dict(config["train"], data=data_spec, seed=opts.seed)
        for key in TRAIN_KEYS:
            if getattr(opts, key) is not None:
                settings[key] = getattr(opts, key)

    torch.manual_seed(settings["seed"])
    model = build(config).to(device)
    objective = build_objective(config)
    ema = None
    if settings.get("ema"):
        ema = AveragedModel(
            model.generator, multi_avg_fn=_ema_with_warmup(settings["ema"]), use_buffers=True
        )
        ema.requires_grad_(False)
        model.ema_generator = ema.module
    lr = {"g": settings["lr_g"], "d": settings["lr_d"], "e": settings["lr_g"]}
    optimizers = {
        name: torch.optim.Adam(
            params, lr=lr.get(name, settings["lr_g"]), betas=tuple(settings["betas"])
        )
        for name, params in objective.parameter_groups(model).items()
        if params
    }
    start, consumed = 0, 0
    if resume_from is not None:
        ckpt.load_weights(resume_from, model)  # the EMA too: it is model.ema_generator
        meta = ckpt.load_training_state(resume_from, ema, optimizers)
        start, consumed = meta["step"], meta["consumed"]
    if dist.world > 1:
        for module in (model, *([ema] if ema is not None else [])):
            ddp.broadcast_module(module)
        for opt in optimizers.values():
            ddp.average_gradients_before_step(opt, dist.world)
        torch.manual_seed(settings["seed"] * 1000 + dist.rank + start)  # different noise per rank
    cuda = device.type == "cuda"
    if opts.channels_last if opts.channels_last is not None else cuda:
        model.to(memory_format=torch.channels_last)
    if opts.compile:
        model.generator.compile()
        model.discriminator.compile()
    amp = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if cuda and opts.amp
        else contextlib.nullcontext()
    )

    stream = _Stream(
        data,
        settings["batch_size"],
        settings["seed"],
        dist.rank,
        dist.world,
        opts.workers,
        consumed,
    )
    batches = iter(stream)
    steps = settings["steps"]
    classes = config["num_classes"] if config["condition"] == "class" else None
    n_grid, nrow = (
        (classes * max(1, 64 // classes), classes) if classes else (64, 8)
    )  # a class a column
    fixed_z = torch.randn(n_grid, config["z_dim"], generator=torch.Generator().manual_seed(1234))
    fixed_cond = _fixed_conditions(config, data, n_grid)
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
        ckpt.clean_partial(ckpt_dir)
    saved_config = {"architecture": config, "training": settings}
    log_path = out / "metrics.csv"
    writer = _TensorBoard(out / "tb") if dist.main else None

    def save(step: int) -> Path:
        return ckpt.save(
            ckpt_dir,
            step=step,
            config=saved_config,
            model=model,
            ema=ema,
            optimizers=optimizers,
            extra={"consumed": stream.consumed},
            keep=opts.keep,
        )

    def sample_grid(step: int) -> None:
        images = model.sample(n_grid, z=fixed_z, **fixed_cond)
        save_grid(images, out / "samples" / f"step-{step:08d}.png", nrow=nrow)

    previous = {s: signal.signal(s, _raise_interrupt) for s in (signal.SIGTERM,)}
    last = resume_from
    step = start
    bar = None
    try:
        if dist.main and opts.progress:
            from tqdm import tqdm

            bar = tqdm(
                total=steps,
                initial=start,
                unit="step",
                dynamic_ncols=True,
                desc=f"{config['name']} on {settings['data']}",
            )
        fields = None
        t0, done = time.perf_counter(), 0
        while step < steps:
            with amp:
                logs = objective.step(model, batches, optimizers, n_dis=settings["n_dis"])
            if ema is not None:
                ema.update_parameters(model.generator)
            step += 1
            done += 1
            if not dist.main:
                continue
            if step % opts.log_every == 0 or step == steps:
                elapsed = time.perf_counter() - t0
                images = done * settings["batch_size"] * settings["n_dis"] * dist.world
                row = {
                    "step": step,
                    **{k: round(v, 5) for k, v in logs.items()},
                    "steps_per_s": round(done / elapsed, 3),
                    "images_per_s": round(images / elapsed, 1),
                    "elapsed_s": round(elapsed, 4),  # since this process started training
                }
                fields = _append_csv(log_path, row, fields)
                if writer is not None:
                    writer.add(row)
                if bar is not None:
                    bar.set_postfix(
                        {k: row[k] for k in ("d_loss", "g_loss", "images_per_s") if k in row}
                    )
            if bar is not None:
                bar.update(1)
            if step % opts.sample_every == 0 or step == steps:
                sample_grid(step)
            if step % opts.ckpt_every == 0 or step == steps:
                last = save(step)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM turned into _Interrupted
        if dist.main and step > start and (last is None or last.name != f"step-{step:08d}"):
            last = save(step)
            print(
                f"\nzoo: interrupted ({exc or 'Ctrl-C'}); saved {last}; continue with --resume",
                file=sys.stderr,
            )
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if bar is not None:
            bar.close()
        if writer is not None:
            writer.close()
    if dist.world > 1:
        ddp.check_in_sync(model)
        ddp.shutdown()
    if dist.main and log_path.is_file():
        plot_curves(log_path, out / "curve.png")
    return last if last is not None else out


def _append_csv(path: Path, row: dict[str, Any], fields: list[str] | None) -> list[str]:
    new = not path.is_file()
    if fields is None:
        fields = list(row) if new else next(csv.reader(path.open()))
    with path.open("a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        if new:
            w.writeheader()
        w.writerow(row)
    return fields


class _TensorBoard:
    """Scalars to TensorBoard when it is installed; nothing otherwise."""

    def __init__(self, path: Path):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            self.writer = None
        else:
            self.writer = SummaryWriter(str(path))

    def add(self, row: dict[str, Any]) -> None:
        if self.writer is not None:
            for key, value in row.items():
                if key != "step":
                    self.writer.add_scalar(key, value, row["step"])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
