"""Evaluation speed: FID of N generated samples computed in memory through zoo against the
usual route, writing the samples as PNG files and running torch-fidelity on the folder.

Both sides use the same model, the same N, the same feature extractor and torch-fidelity's
own FID code; the reference statistics are cached once beforehand, so what is timed is the
generated side: sampling + features (zoo) vs sampling + PNG encoding + reading the folder
back + features (PNG route, torch-fidelity's defaults for folders). Runs alternate, median
of each. Goal: zoo >= 3x faster.

The InceptionV3 case (``--extractor inception-v3-compat``) uses randomly initialised
weights written by this script (the real ones cannot be downloaded offline): the cost is
the same, the FID value is meaningless. On a CPU, zoo runs InceptionV3 with its batch norms
folded and in channels_last (``zoo.evaluation.extractors.for_cpu_inference``); a third
column times zoo's route with the network exactly as torch-fidelity builds it, to show what
that rewrite is worth apart from leaving out the PNG files.

    python benchmarks/bench_fid.py [--arch dcgan-32] [--data shapes:20000]
        [--extractors classifier-shapes,inception-v3-compat:1000] [--num-samples 5000]
        [--runs 3] [--device cpu] [--no-record]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import statistics
import tempfile
from pathlib import Path
from unittest import mock

import torch
from _record import append, flops, matmul_ceiling, timed_call


def random_inception(path: Path) -> str:
    """torch-fidelity's InceptionV3 with random weights, saved where it can load them."""
    from torch_fidelity import feature_extractor_inceptionv3 as m

    with (
        mock.patch.object(m, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(m.FeatureExtractorInceptionV3, "load_state_dict", lambda s, sd: None),
    ):
        net = m.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    torch.save(net.state_dict(), path)
    return str(path)


def fid_in_memory(model, common: dict, n: int) -> float:
    """zoo's route (``zoo bench``): ``fidelity.calculate`` has torch-fidelity pull samples
    from the generator wrapper, in memory."""
    from zoo.evaluation import fidelity

    sampler = fidelity.ConditionSampler(model, None, seed=0)
    return fidelity.calculate(
        fidelity.generator_input(model, sampler),
        common["input2"],
        metrics=["fid"],
        extractor=common["feature_extractor"],
        num_samples=n,
        seed=0,
        device="cuda" if common["cuda"] else "cpu",
        batch_size=common["batch_size"],
        cache_root=Path(common["cache_root"]),
        reference_cache_name=common["input2_cache_name"],
        inception_weights=common.get("feature_extractor_weights_path"),
    )["frechet_inception_distance"]


def inception_flops(weights: str) -> int:
    """FLOPs of one InceptionV3 forward (torch-fidelity's network, 299x299 after resizing)."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    net = FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], weights)
    with torch.no_grad():
        return flops(lambda: net((torch.rand(1, 3, 32, 32) * 255).to(torch.uint8)))


def plain_network(in_memory) -> float:
    """zoo's route with the feature extractor exactly as torch-fidelity builds it."""
    with mock.patch("zoo.evaluation.extractors.cpu_inference", lambda *a: contextlib.nullcontext()):
        return in_memory()


def fid_png_folder(model, common: dict, n: int, batch_size: int, tmp: Path) -> float:
    """The usual route: write N PNG files, then torch-fidelity on the folder."""
    import torch_fidelity
    from PIL import Image

    from zoo.evaluation import fidelity

    folder = tmp / "png"
    folder.mkdir()
    gen = torch.Generator().manual_seed(0)
    for start in range(0, n, batch_size):
        b = min(batch_size, n - start)
        z = torch.randn(b, model.z_dim, generator=gen)
        images = fidelity.quantize(model.sample(b, z=z)).permute(0, 2, 3, 1).cpu()
        for i, im in enumerate(images.numpy()):
            Image.fromarray(im).save(folder / f"{start + i:06d}.png")
    fid = torch_fidelity.calculate_metrics(input1=str(folder), **common)
    shutil.rmtree(folder)
    return fid["frechet_inception_distance"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="dcgan-32")
    parser.add_argument("--data", default="shapes:20000", help="the reference data")
    parser.add_argument(
        "--extractors",
        default="classifier-shapes,inception-v3-compat:1000",
        help="NAME[:N] each; N overrides --num-samples (InceptionV3 on a CPU is slow)",
    )
    parser.add_argument("--num-samples", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    from zoo.evaluation.extractors import extractor_names

    unknown = {e.partition(":")[0] for e in args.extractors.split(",")} - set(extractor_names())
    if unknown:
        parser.error(
            f"--extractors: unknown {', '.join(sorted(unknown))} "
            f"(choose from {', '.join(extractor_names())})"
        )

    import zoo
    from zoo.data import open_dataset
    from zoo.evaluation import fidelity
    from zoo.evaluation.extractors import INCEPTION, register_with_fidelity

    register_with_fidelity()
    model = zoo.create(args.arch).to(args.device)
    data = open_dataset(args.data, model.config["resolution"], model.config["channels"])
    cuda = args.device.startswith("cuda")
    notes = [f"{args.arch} (untrained), reference {args.data} (statistics cached)."]
    rows = [
        "| extractor | N | zoo in memory s | zoo in memory, torch-fidelity's network s "
        "| PNG folder s | speed-up | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for item in args.extractors.split(","):
            extractor, _, count = item.partition(":")
            n = int(count or args.num_samples)
            reference = fidelity.ReferenceImages(data, n)
            weights = (
                random_inception(tmp / "inception.pth")
                if extractor.startswith("inception")
                else None
            )
            common = {
                "fid": True,
                "feature_extractor": extractor,
                "batch_size": args.batch_size,
                "cuda": cuda,
                "verbose": False,
                "cache": True,
                "cache_root": str(tmp / "cache"),
                "input2": reference,
                "input2_cache_name": f"bench-{extractor}-{n}",
                **({"feature_extractor_weights_path": weights} if weights else {}),
            }

            in_memory = functools.partial(fid_in_memory, model, common, n)
            png_folder = functools.partial(fid_png_folder, model, common, n, args.batch_size, tmp)
            sides = {"memory": in_memory, "png": png_folder}
            if extractor == INCEPTION and not cuda:
                sides["memory, plain network"] = functools.partial(plain_network, in_memory)
            in_memory()  # fills the reference cache and warms everything up
            times: dict[str, list[float]] = {name: [] for name in sides}
            for _ in range(args.runs):
                for name, fn in sides.items():
                    times[name].append(timed_call(fn, args.device))
                    print(f"{extractor} {name}: {times[name][-1]:.2f} s", flush=True)
            med = {name: statistics.median(t) for name, t in times.items()}
            mem, png = med["memory"], med["png"]
            plain = med.get("memory, plain network")
            goal = "met" if png / mem >= 3 else "NOT met"
            rows.append(
                f"| {extractor} | {n} | {mem:.2f} | {f'{plain:.2f}' if plain else '-'} "
                f"| {png:.2f} | {png / mem:.2f}x | >= 3x: {goal} |"
            )
            if weights:  # how close the features run to what this device can compute
                flops, ceiling = inception_flops(weights) * n, matmul_ceiling(args.device) * 1e12
                notes.append(
                    f"InceptionV3 is {flops / n / 1e9:.1f} GFLOP per image. zoo's route ran at "
                    f"{flops / mem / 1e9:.0f} GFLOP/s (sampling included), "
                    f"{flops / mem / ceiling:.0%} of this device's measured fp32 matmul rate "
                    f"({ceiling / 1e9:.0f} GFLOP/s); 3x the PNG route would need "
                    f"{3 * flops / png / 1e9:.0f} GFLOP/s."
                )
    table = "\n".join(rows) + "\n\n" + " ".join(notes)
    print(table)
    if not args.no_record:
        append(
            f"Evaluation: FID in memory vs PNG folder ({args.device})",
            f"python benchmarks/bench_fid.py --arch {args.arch} --data {args.data} "
            f"--extractors {args.extractors} --num-samples {args.num_samples} --runs {args.runs} "
            f"--device {args.device}",
            table,
            device_name=args.device,
        )


if __name__ == "__main__":
    main()
