"""``zoo train`` and ``zoo sample``: the commands that import torch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from zoo.errors import ZooError


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``["generator.with.ch=32", "z_dim=64"]`` -> nested overrides (values read as YAML)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ZooError(f"--set {item!r}: expected KEY=VALUE, e.g. generator.with.ch=32")
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ZooError(f"--set {item!r}: {part} is set to a value and used as a mapping")
        node[leaf] = yaml.safe_load(value)
    return out


def add_train(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train an architecture on a dataset (resumable, multi-GPU with torchrun)",
        description="Train ARCH on DATA. Every training default of the architecture can be "
        "overridden here; --set changes the architecture itself. Ctrl-C saves a "
        "checkpoint; --resume continues exactly where a run stopped. Several GPUs: "
        "torchrun --nproc_per_node=N -m zoo train ...",
    )
    p.add_argument("arch", help="architecture name (zoo list)")
    p.add_argument(
        "--data",
        help="NAME[:ARG]: shapes[:N], mnist[:ROOT], cifar10[:ROOT], "
        "imagefolder:PATH, captions:PATH (default: the architecture's, "
        "else shapes)",
    )
    p.add_argument("--steps", type=int, help="total training steps (default: the architecture's)")
    p.add_argument("--out", type=Path, help="run directory (default: runs/ARCH)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (default)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights, noise and data order")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr-g", type=float)
    p.add_argument("--lr-d", type=float)
    p.add_argument("--betas", type=float, nargs=2)
    p.add_argument("--n-dis", type=int, help="D steps per G step")
    p.add_argument("--ema", type=float, help="EMA decay of the generator (0 = none)")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="architecture override, e.g. --set generator.with.ch=32 (repeatable)",
    )
    p.add_argument("--sample-every", type=int, default=500, help="steps between sample grids")
    p.add_argument("--ckpt-every", type=int, default=1000, help="steps between checkpoints")
    p.add_argument("--log-every", type=int, default=10, help="steps between metrics rows")
    p.add_argument("--keep", type=int, default=3, help="checkpoints to keep")
    p.add_argument("--workers", type=int, default=0, help="data loader processes")
    p.add_argument("--no-amp", dest="amp", action="store_false", help="no bf16 autocast on CUDA")
    p.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="channels_last memory format (default: on with CUDA)",
    )
    p.add_argument("--compile", action="store_true", help="torch.compile the networks")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    from zoo.training.trainer import TrainOptions, train

    opts = TrainOptions(
        arch=args.arch,
        data=args.data,
        out=args.out,
        steps=args.steps,
        resume=args.resume,
        device=args.device,
        seed=args.seed,
        batch_size=args.batch_size,
        lr_g=args.lr_g,
        lr_d=args.lr_d,
        betas=args.betas,
        n_dis=args.n_dis,
        ema=args.ema,
        overrides=parse_sets(args.sets),
        sample_every=args.sample_every,
        ckpt_every=args.ckpt_every,
        log_every=args.log_every,
        keep=args.keep,
        workers=args.workers,
        amp=args.amp,
        channels_last=args.channels_last,
        compile=args.compile,
        progress=args.progress,
    )
    try:
        last = train(opts)
    except KeyboardInterrupt:
        return 130
    print(f"checkpoint: {last}")
    return 0


def add_sample(sub) -> None:
    p = sub.add_parser(
        "sample",
        help="write a grid (or files) of generated images",
        description="Sample from a trained run (its directory or a checkpoint) "
        "or from an architecture's untrained weights.",
    )
    p.add_argument(
        "source",
        metavar="ARCH_OR_CHECKPOINT",
        help="run dir, checkpoint dir, local-dir:DIR, hf-hub:ORG/NAME[@REV], ARCH.TAG or ARCH",
    )
    p.add_argument("--n", type=int, default=64, help="number of images (default 64)")
    p.add_argument("--labels", type=int, nargs="+", help="class labels: one for all, or N")
    p.add_argument("--text", action="append", help="caption (repeat: one for all, or N)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="grid PNG to write")
    p.add_argument("--out-dir", type=Path, help="also write each image as its own PNG here")
    p.add_argument("--nrow", type=int, help="images per grid row")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=cmd_sample)


def cmd_sample(args: argparse.Namespace) -> int:
    from zoo.training.report import save_grid

    if args.out is None and args.out_dir is None:
        raise ZooError("say where the images go: --out grid.png and/or --out-dir DIR")
    from zoo.factory import open_model

    model = open_model(args.source).to(args.device)
    images = model.sample(args.n, labels=args.labels, texts=args.text, seed=args.seed).cpu()
    if args.out is not None:
        print(save_grid(images, args.out, nrow=args.nrow))
    if args.out_dir is not None:
        for i, image in enumerate(images):
            save_grid(image[None], args.out_dir / f"{i:05d}.png", nrow=1)
        print(f"{len(images)} images in {args.out_dir}")
    return 0


def add_push(sub) -> None:
    p = sub.add_parser(
        "push",
        help="push a trained model to a Hugging Face Hub model repo (one commit)",
        description="Save CHECKPOINT (a run dir, checkpoint or save_pretrained dir) as a zoo "
        "model repo (config.json, one safetensors file per network, model card, sample grid) "
        "and push it to the Hub in one commit, through huggingface_hub (HF_TOKEN or `hf auth "
        "login`; HF_ENDPOINT for another Hub). Prints the commit and a registry tag that "
        "pins it.",
    )
    p.add_argument(
        "source", metavar="CHECKPOINT", help="run dir, checkpoint or save_pretrained dir"
    )
    p.add_argument(
        "--repo", required=True, metavar="ORG/NAME", help="the model repo (created if missing)"
    )
    p.add_argument(
        "--branch",
        "--revision",
        dest="branch",
        metavar="BRANCH",
        help="commit to this branch (created from main if missing); default main",
    )
    p.add_argument("--private", action="store_true", help="create the repo private")
    p.add_argument("--message", help="commit message")
    p.add_argument("--license", help="license id for the model card, e.g. mit")
    p.add_argument("--tag", default="TAG", help="name for the printed registry tag")
    p.set_defaults(func=cmd_push)


def cmd_push(args: argparse.Namespace) -> int:
    from zoo.factory import open_model
    from zoo.hub import push_to_hub

    if not Path(args.source).exists():
        raise ZooError(f"{args.source} does not exist (expected a run or checkpoint directory)")
    if args.repo.count("/") != 1 or not all(args.repo.split("/")):
        raise ZooError(f"--repo {args.repo!r}: expected ORG/NAME")
    result = push_to_hub(
        open_model(args.source),
        args.repo,
        branch=args.branch,
        private=args.private or None,
        commit_message=args.message,
        license=args.license,
    )
    print(f"pushed {args.repo}@{result.branch}: commit {result.commit}")
    print(f'load it: zoo.create("hf-hub:{args.repo}@{result.commit}")')
    print("registry tag (under the architecture's `pretrained:`):")
    print(result.tag_yaml(args.tag))
    return 0
