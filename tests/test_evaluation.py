"""Benchmarks: torch-fidelity metrics fed in memory, domain extractors, condition metrics,
the results store and the leaderboard."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import torch

from zoo.evaluation import classifiers as C
from zoo.evaluation import fidelity
from zoo.evaluation.extractors import DOMAINS, load_classifier
from zoo.results import ResultsStore
from zoo.results.leaderboard import tables

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


class _Images(torch.utils.data.Dataset):
    def __init__(self, images: torch.Tensor):
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.images[i]


def _shapes_uint8(n: int, offset: int = 0, res: int = 32) -> torch.Tensor:
    from zoo.data.shapes import ShapesDataset

    ds = ShapesDataset(n, seed=0, resolution=res, offset=offset)
    return torch.stack([ds[i]["image"] for i in range(n)])


def _metrics(a: torch.Tensor, b: torch.Tensor | None, metrics: list[str], **kw) -> dict:
    return fidelity.calculate(
        _Images(a),
        _Images(b) if b is not None else None,
        metrics=metrics,
        extractor="classifier-shapes",
        num_samples=len(a),
        seed=0,
        device="cpu",
        **kw,
    )


def test_fid_of_data_against_itself_is_zero_and_against_noise_large():
    real = _shapes_uint8(300)
    same = _metrics(real, real, ["fid"])
    assert abs(same["frechet_inception_distance"]) < 1e-3
    shuffled = real.flatten(1)[
        :, torch.randperm(real[0].numel(), generator=torch.Generator().manual_seed(0))
    ]
    shuffled = shuffled.view_as(real)
    noise = torch.randint(
        0, 256, real.shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(1)
    )
    other = _shapes_uint8(300, offset=10**6)
    fid_other = _metrics(other, real, ["fid"])["frechet_inception_distance"]
    fid_shuffled = _metrics(shuffled, real, ["fid"])["frechet_inception_distance"]
    fid_noise = _metrics(noise, real, ["fid"])["frechet_inception_distance"]
    assert fid_shuffled > 20 * max(fid_other, 1e-3) and fid_noise > 20 * max(fid_other, 1e-3)


def test_inception_score_of_one_repeated_image_is_one():
    one = _shapes_uint8(1).expand(200, -1, -1, -1).contiguous()
    isc = _metrics(one, None, ["isc"])
    assert isc["inception_score_mean"] == pytest.approx(1.0, abs=1e-4)


def test_shapes_classifier_is_accurate_on_fresh_indices():
    x, y = C.shapes_batch(0, 10**6, 1200, workers=1)
    acc = C.accuracy(load_classifier("classifier-shapes"), x, y)
    assert acc["label"] >= 0.98, acc


@pytest.mark.skipif(not MNIST.is_dir(), reason="needs ../shared/data/mnist")
def test_lenet_is_accurate_on_held_out_mnist():
    from zoo.data.vision import mnist

    data = mnist(str(MNIST))
    x = C.prepare(data.images[8000:], 28, 1)  # the classifier trained on the first 8000
    acc = C.accuracy(load_classifier("lenet-mnist"), x, {"label": data.labels[8000:]})
    assert acc["label"] >= 0.98, acc


def test_shipped_weights_are_checked(tmp_path, monkeypatch):
    from zoo.errors import ZooError
    from zoo.evaluation import extractors

    bad = tmp_path / "classifier-shapes.safetensors"
    bad.write_bytes(DOMAINS["classifier-shapes"].path.read_bytes()[:-8] + b"\0" * 8)
    monkeypatch.setattr(extractors, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(ZooError, match=r"classifier-shapes: weights .* have sha256"):
        load_classifier("classifier-shapes")


def test_condition_metrics_tell_obeying_from_ignoring():
    from zoo.evaluation import conditions

    real = _shapes_uint8(200, offset=10**6)
    from zoo.data.shapes import attributes

    attrs = [attributes(0, 10**6 + i) for i in range(200)]
    right = conditions.class_accuracy("classifier-shapes", real, [a.label for a in attrs])
    wrong = conditions.class_accuracy(
        "classifier-shapes", real, [(a.label + 1) % 12 for a in attrs]
    )
    assert right > 0.95 and wrong < 0.05
    captions = [a.caption for a in attrs]
    assert conditions.attribute_accuracy("classifier-shapes", real, captions) > 0.9
    assert (
        conditions.attribute_accuracy("classifier-shapes", real, captions[1:] + captions[:1]) < 0.6
    )


def _add(store, model, value, protocol, step=None, series=None, metric="fid"):
    store.add(
        run_id=f"{model}-{step}-{protocol['extractor']}-{protocol['generated_samples']}",
        model=model,
        architecture="x",
        series=series or model,
        step=step,
        scores={metric: value},
        protocol=protocol,
        provenance={},
    )


PROTOCOL = {
    "extractor": "classifier-shapes",
    "extractor_sha256": "ab" * 32,
    "dataset": "shapes",
    "split": "seed 0",
    "resolution": 32,
    "channels": 3,
    "generated_samples": 2048,
    "reference_samples": 2048,
    "conditions": "none",
    "seed": 0,
    "torch_fidelity": "0.4.0",
    "torch": "2.14.1",
    "device": "cpu",
    "git_revision": "abc",
}


def test_different_protocols_are_never_ranked_together(tmp_path):
    store = ResultsStore(tmp_path / "r.sqlite")
    _add(store, "a", 5.0, PROTOCOL)
    _add(store, "b", 3.0, PROTOCOL)
    _add(store, "c", 1.0, {**PROTOCOL, "generated_samples": 512})
    _add(store, "d", 0.5, {**PROTOCOL, "extractor": "lenet-mnist", "dataset": "mnist"})
    _add(store, "e", 4.0, {**PROTOCOL, "device": "cuda", "git_revision": "def"})  # same protocol
    result = tables(store.results())
    assert sorted([r["model"] for r in t["rows"]] for t in result) == [
        ["b", "e", "a"],
        ["c"],
        ["d"],
    ]


def test_leaderboard_series_keeps_the_latest_step(tmp_path):
    store = ResultsStore(tmp_path / "r.sqlite")
    for step, fid in ((100, 9.0), (300, 4.0), (200, 6.0)):
        _add(store, "run", fid, PROTOCOL, step=step)
    (table,) = tables(store.results())
    (row,) = table["rows"]
    assert row["step"] == 300 and [h["step"] for h in row["history"]] == [100, 200, 300]


_WRITER = """
import sys
from zoo.results import ResultsStore
store = ResultsStore(sys.argv[1])
for i in range(25):
    store.add(run_id=f"{sys.argv[2]}-{i}", model=sys.argv[2], architecture="x", series=sys.argv[2],
              step=i, scores={"fid": float(i), "kid": 0.1}, protocol={"extractor": "e"},
              provenance={})
"""


def test_concurrent_writers_lose_nothing(tmp_path):
    db = tmp_path / "r.sqlite"
    ResultsStore(db)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db), f"w{k}"], stderr=subprocess.PIPE, text=True
        )
        for k in range(8)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    rows = ResultsStore(db).results()
    assert len(rows) == 8 * 25 * 2
    assert len({(r.run_id, r.metric) for r in rows}) == 400


def test_bench_and_leaderboard_cli(tmp_path, run):
    out = tmp_path / "run"
    res = run(
        "train",
        "cdcgan-32",
        "--data",
        "shapes:256",
        "--steps",
        "4",
        "--batch-size",
        "16",
        "--set",
        "generator.with.ch=8",
        "--set",
        "discriminator.with.ch=8",
        "--out",
        str(out),
        "--no-progress",
    )
    assert res.returncode == 0, res.stderr
    db = tmp_path / "results.sqlite"
    res = run(
        "bench",
        str(out),
        "--data",
        "shapes:256",
        "--num-samples",
        "256",
        "--metrics",
        "fid,isc,kid,prc",
        "--feature-extractor",
        "classifier-shapes",
        "--db",
        str(db),
        "--json",
    )
    assert res.returncode == 0, res.stderr
    record = json.loads(res.stdout)
    assert {"fid", "isc", "kid", "precision", "recall", "class_accuracy"} <= set(record["scores"])
    p = record["protocol"]
    assert (
        p["extractor"] == "classifier-shapes"
        and p["extractor_sha256"] == DOMAINS["classifier-shapes"].sha256
    )
    assert p["generated_samples"] == 256 and p["conditions"] == "labels uniform over 12 classes"
    assert record["step"] == 4 and "2048" in res.stderr  # few-samples warning
    for fmt in ("md", "json", "html"):
        res = run(
            "leaderboard", "--db", str(db), "--format", fmt, "--out", str(tmp_path / f"lb.{fmt}")
        )
        assert res.returncode == 0, res.stderr
    assert "| 1 | cdcgan-32 (run) | 4 |" in (tmp_path / "lb.md").read_text()
    res = run(
        "bench", "gan-mlp-28", "--data", "mnist:/nowhere", "--db", str(db), env={"ZOO_OFFLINE": "1"}
    )
    assert (
        res.returncode == 1
        and "InceptionV3 weights" in res.stderr
        and "Traceback" not in res.stderr
    )
    res = run(
        "bench",
        str(out),
        "--data",
        "shapes:256",
        "--feature-extractor",
        "lenet-mnist",
        "--db",
        str(db),
    )
    assert res.returncode == 1 and "lenet-mnist knows mnist images" in res.stderr


def _random_inception(path: Path) -> Path:
    from torch_fidelity import feature_extractor_inceptionv3 as m

    with (
        mock.patch.object(m, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(m.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd: None),
    ):
        net = m.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    gen = torch.Generator().manual_seed(0)
    for mod in net.modules():  # features that depend on the image, through all 94 layers
        if isinstance(mod, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu", generator=gen)
        if isinstance(mod, torch.nn.BatchNorm2d):  # away from the identity: folding matters
            mod.running_mean.normal_(0, 0.1, generator=gen)
            mod.running_var.uniform_(0.5, 2, generator=gen)
            mod.weight.data.uniform_(0.5, 1.5, generator=gen)
            mod.bias.data.normal_(0, 0.1, generator=gen)
    torch.save(net.state_dict(), path)
    return path


def test_inception_rewritten_for_the_cpu_gives_the_same_features_and_fid(tmp_path):
    import copy

    import torch_fidelity
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY

    from zoo.evaluation.extractors import for_cpu_inference

    weights = str(_random_inception(tmp_path / "inception-random.pth"))
    layers = ["2048", "logits_unbiased"]
    plain = FeatureExtractorInceptionV3("inception-v3-compat", layers, weights)
    fast = for_cpu_inference(copy.deepcopy(plain))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fast.modules())
    images = _shapes_uint8(6)
    with torch.no_grad():
        for a, b in zip(plain(images), fast(images), strict=True):
            assert a.abs().max() > 1e-3  # features that carry information
            torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-4 * a.abs().max().item())

    noise = torch.randint(0, 256, (24, 3, 32, 32), generator=torch.Generator().manual_seed(0))
    real, fake = _Images(_shapes_uint8(24)), _Images(noise.to(torch.uint8))
    common = {"fid": True, "feature_extractor": "inception-v3-compat", "cuda": False}
    common |= {"feature_extractor_weights_path": weights, "verbose": False, "batch_size": 12}
    expected = torch_fidelity.calculate_metrics(input1=fake, input2=real, **common)
    with mock.patch("zoo.evaluation.extractors.for_cpu_inference", wraps=for_cpu_inference) as spy:
        through_zoo = fidelity.calculate(
            fake,
            real,
            metrics=["fid"],
            extractor="inception-v3-compat",
            num_samples=24,
            seed=0,
            device="cpu",
            batch_size=12,
            inception_weights=weights,
        )
    assert spy.call_count == 1  # zoo's route ran the rewritten network
    assert expected["frechet_inception_distance"] > 1
    assert through_zoo["frechet_inception_distance"] == pytest.approx(
        expected["frechet_inception_distance"], rel=1e-3
    )
    assert FEATURE_EXTRACTORS_REGISTRY["inception-v3-compat"] is FeatureExtractorInceptionV3


def test_inception_path_runs_offline_with_local_weights(tmp_path, run):
    weights = _random_inception(tmp_path / "inception-random.pth")
    db = tmp_path / "results.sqlite"
    res = run(
        "bench",
        "gan-mlp-28",
        "--data",
        "shapes:40",
        "--num-samples",
        "40",
        "--metrics",
        "fid,isc",
        "--inception-weights",
        str(weights),
        "--db",
        str(db),
        "--json",
        env={"ZOO_OFFLINE": "1", "TORCH_HOME": str(tmp_path / "torch")},
    )
    assert res.returncode == 0, res.stderr
    record = json.loads(res.stdout)
    assert record["protocol"]["extractor"] == "inception-v3-compat"
    from zoo.weights import sha256_file

    assert record["protocol"]["extractor_sha256"] == sha256_file(weights)
    assert torch.isfinite(torch.tensor(record["scores"]["fid"]))
    caches = list((tmp_path / "fidelity-cache").iterdir())
    assert [c.name for c in caches] == [f"inception-v3-compat-{sha256_file(weights)[:16]}"]


CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (.ci/run installs it)")
def test_html_leaderboard_renders_in_chromium(tmp_path):
    from PIL import Image

    from zoo.results.leaderboard import to_html
    from zoo.training.report import save_grid

    store = ResultsStore(tmp_path / "r.sqlite")
    grid = save_grid(torch.rand(16, 3, 16, 16) * 2 - 1, tmp_path / "g.png", nrow=4)
    for step, fid in ((100, 9.0), (200, 6.0)):
        store.add(
            run_id=f"r{step}",
            model="cdcgan-32 (demo)",
            architecture="cdcgan-32",
            series="demo",
            step=step,
            scores={"fid": fid, "class_accuracy": 0.5},
            protocol=PROTOCOL,
            provenance={},
            grid=str(grid),
        )
    page = tmp_path / "lb.html"
    page.write_text(to_html(store.results()))
    shot = tmp_path / "shot.png"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert "<table" in dom.stdout and "cdcgan-32 (demo)" in dom.stdout
    assert dom.stdout.count("<img") == 2  # the sample grid and the metric-over-steps plot
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,800", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.size == (1200, 800) and colours is not None and len(colours) > 50  # not blank
