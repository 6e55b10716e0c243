"""Hub I/O against a local Hub server, through the real huggingface_hub client."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import torch
from hubserver import HubServer
from huggingface_hub import CommitOperationAdd, HfApi, ModelCard, constants

import zoo
from zoo.errors import NotAvailableError, ZooError
from zoo.hub import push_folder

ALLOWED = (".safetensors", ".json", ".md", ".png")


@pytest.fixture(scope="module")
def server():
    with HubServer() as hub:
        yield hub


@pytest.fixture
def hub(server, tmp_path, monkeypatch):
    """Point huggingface_hub (this process and subprocesses) at the test server, with a
    fresh cache and a token; Xet is off because the test server has no Xet storage."""
    cache = tmp_path / "hf-cache"
    for name, value in {
        "ENDPOINT": server.url,
        "HUGGINGFACE_CO_URL_TEMPLATE": server.url + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_DISABLE_XET": True,
        "HF_HUB_OFFLINE": False,
    }.items():
        monkeypatch.setattr(constants, name, value)
    env = {
        "HF_ENDPOINT": server.url,
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_DISABLE_XET": "1",
        "HF_TOKEN": "hf_test_token",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    server.env = env
    return server


def _trained_like(name: str, seed: int = 0, **overrides) -> zoo.model.GANModel:
    """A model whose weights (and EMA) differ from a fresh one's, as after training."""
    torch.manual_seed(seed)
    model = zoo.create(name, **overrides)
    model.ema_generator = copy.deepcopy(model.generator).requires_grad_(False)
    with torch.no_grad():
        for p in model.ema_generator.parameters():
            p.add_(0.01 * torch.randn_like(p))
    return model


def _state(model) -> dict[str, torch.Tensor]:
    state = model.state_dict()
    state.update({f"ema.{k}": v for k, v in model.ema_generator.state_dict().items()})
    return state


def _assert_same(a, b, **cond):
    sa, sb = _state(a), _state(b)
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key
    assert torch.equal(a.sample(6, seed=3, **cond), b.sample(6, seed=3, **cond))


def _repo_suffixes(server: HubServer) -> set[str]:
    return {
        Path(path).suffix
        for repo in server.state.repos.values()
        for commit in repo.commits.values()
        for path in commit.files
    }


@pytest.mark.parametrize(
    ("name", "overrides", "cond"),
    [
        ("gan-mlp-28", {}, {}),
        (
            "cgan-text-mlp-64",
            {"encoders": {"text": {"use": "text-small"}}},
            {"texts": "a red circle"},
        ),
    ],
    ids=["unconditional", "text-conditional"],
)
def test_push_then_create_from_hub_is_identical(hub, name, overrides, cond):
    model = _trained_like(name, **overrides)
    repo = f"org/{name}"
    result = model.push_to_hub(repo, license="mit")
    files = hub.files(repo)
    expected = {"config.json", "README.md", "samples.png", "generator.safetensors"}
    expected |= {"ema_generator.safetensors", "discriminator.safetensors"}
    if overrides:
        expected.add("encoders.safetensors")  # text-small trains: its weights travel
    assert set(files) == expected
    assert result.commit == hub.state.repos[repo].branches["main"]
    assert result.sha256 == {
        n: hashlib.sha256(files[n]).hexdigest() for n in files if n.endswith(".safetensors")
    }

    loaded = zoo.create(f"hf-hub:{repo}")
    _assert_same(model, loaded, **cond)
    assert loaded.provenance["repo"] == repo and loaded.provenance["revision"] == result.commit
    config = json.loads(files["config.json"])
    assert config["architecture"] == model.config
    assert _repo_suffixes(hub) <= set(ALLOWED)


def test_revision_pinning_returns_the_first_weights(hub):
    first = _trained_like("gan-mlp-28", seed=1)
    second = _trained_like("gan-mlp-28", seed=2)
    c1 = first.push_to_hub("org/pinned").commit
    c2 = second.push_to_hub("org/pinned").commit
    assert c1 != c2
    _assert_same(first, zoo.create(f"hf-hub:org/pinned@{c1}"))
    _assert_same(second, zoo.create("hf-hub:org/pinned"))
    _assert_same(second, zoo.create(f"hf-hub:org/pinned@{c2}"))


def test_branch_push_leaves_main_alone(hub):
    main = _trained_like("gan-mlp-28", seed=1)
    dev = _trained_like("gan-mlp-28", seed=2)
    main.push_to_hub("org/branched")
    dev.push_to_hub("org/branched", branch="dev")
    _assert_same(main, zoo.create("hf-hub:org/branched"))
    _assert_same(dev, zoo.create("hf-hub:org/branched@dev"))


def _tag_file(path: Path, result, *, corrupt: bool = False) -> Path:
    sha = dict(result.sha256)
    if corrupt:
        sha["generator.safetensors"] = "0" * 64
    arch = {
        "summary": "an MLP GAN with pushed weights",
        "resolution": 28,
        "channels": 1,
        "z_dim": 16,
        "generator": {"use": "mlp", "with": {"hidden": [32]}},
        "discriminator": {"use": "mlp", "with": {"hidden": [32]}},
        "loss": "bce",
        "pretrained": {"digits": {"hub": result.repo_id, "revision": result.commit, "sha256": sha}},
    }
    path.write_text(json.dumps({"architectures": {"my-mlp": arch}}))  # JSON is YAML
    return path


def _my_mlp_arch(tmp_path: Path) -> None:
    (tmp_path / "bare.yaml").write_text(
        "architectures:\n  my-mlp:\n    summary: an MLP GAN with pushed weights\n"
        "    resolution: 28\n    channels: 1\n    z_dim: 16\n"
        "    generator: {use: mlp, with: {hidden: [32]}}\n"
        "    discriminator: {use: mlp, with: {hidden: [32]}}\n    loss: bce\n"
    )
    zoo.add_registry(tmp_path / "bare.yaml")


def test_registry_tag_resolves_to_a_pushed_repo_and_checks_sha256(hub, tmp_path):
    _my_mlp_arch(tmp_path)
    model = _trained_like("my-mlp")
    result = model.push_to_hub("org/my-mlp")
    zoo.registry.reset()
    zoo.add_registry(_tag_file(tmp_path / "tags.yaml", result))
    assert zoo.list_models(pretrained=True) == ["my-mlp.digits"]
    _assert_same(model, zoo.create("my-mlp.digits", pretrained=True))
    _assert_same(model, zoo.create("my-mlp", pretrained=True))  # the only tag

    zoo.registry.reset()
    zoo.add_registry(_tag_file(tmp_path / "bad.yaml", result, corrupt=True))
    with pytest.raises(ZooError, match=r"checksum mismatch for generator\.safetensors"):
        zoo.create("my-mlp.digits", pretrained=True)


def test_corrupted_repo_file_is_refused(hub):
    model = _trained_like("gan-mlp-28")
    model.push_to_hub("org/tampered")
    other = _trained_like("gan-mlp-28", seed=5)
    with torch.no_grad():
        other.generator.out.weight.mul_(2)
    from safetensors.torch import save

    blob = save({k: v.contiguous() for k, v in other.generator.state_dict().items()})
    HfApi().create_commit(
        "org/tampered",
        [CommitOperationAdd("generator.safetensors", blob)],
        commit_message="replace the generator, keep config.json",
    )
    with pytest.raises(ZooError, match=r"checksum mismatch for generator\.safetensors"):
        zoo.create("hf-hub:org/tampered")


def test_offline_loads_from_cache_and_fails_clearly_without_it(hub, monkeypatch):
    model = _trained_like("gan-mlp-28")
    commit = model.push_to_hub("org/cached").commit
    zoo.create("hf-hub:org/cached")  # fills the cache
    before = len(hub.state.requests)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    _assert_same(model, zoo.create("hf-hub:org/cached"))
    _assert_same(model, zoo.create(f"hf-hub:org/cached@{commit}"))
    with pytest.raises(NotAvailableError, match=r"HF_HUB_OFFLINE is set and config\.json"):
        zoo.create("hf-hub:org/never-downloaded")
    assert len(hub.state.requests) == before  # offline means no request at all


def test_config_naming_an_unknown_component_fails_naming_it(hub, tmp_path):
    folder = _trained_like("gan-mlp-28").save_pretrained(tmp_path / "m")
    doc = json.loads((folder / "config.json").read_text())
    doc["architecture"]["generator"]["use"] = "mystery-gen"
    doc["components"]["generator"] = {"use": "mystery-gen", "distribution": "zoo-mystery"}
    (folder / "config.json").write_text(json.dumps(doc))
    push_folder(folder, "org/mystery")
    with pytest.raises(ZooError, match=r"generator 'mystery-gen' \(it came from zoo-mystery"):
        zoo.create("hf-hub:org/mystery")


def test_hub_errors_say_what_happened(hub):
    _trained_like("gan-mlp-28").push_to_hub("org/exists")
    with pytest.raises(ZooError, match="hub repo 'org/nope' not found"):
        zoo.create("hf-hub:org/nope")
    with pytest.raises(ZooError, match="has no revision 'v9'"):
        zoo.create("hf-hub:org/exists@v9")
    with pytest.raises(ZooError, match="expected hf-hub:ORG/NAME"):
        zoo.create("hf-hub:just-a-name")
    with pytest.raises(ZooError, match="cannot be applied"):
        zoo.create("hf-hub:org/exists", z_dim=3)


def test_only_model_files_are_pushed(hub, tmp_path):
    folder = _trained_like("gan-mlp-28").save_pretrained(tmp_path / "m")
    (folder / "optimizer.pt").write_bytes(b"\x80\x04pickle")
    requests = len(hub.state.requests)
    with pytest.raises(ZooError, match=r"refusing to push optimizer\.pt"):
        push_folder(folder, "org/pickles")
    assert len(hub.state.requests) == requests and "org/pickles" not in hub.state.repos


def test_save_pretrained_and_local_dir(tmp_path):
    model = _trained_like("cdcgan-32", z_dim=16, generator={"with": {"ch": 8}})
    metrics = [
        {
            "metric": "fid",
            "value": 12.5,
            "extractor": "classifier-shapes",
            "dataset": "shapes",
            "protocol": {"extractor": "classifier-shapes", "num_samples": 2048},
            "protocol_hash": "abc123",
        }
    ]
    folder = model.save_pretrained(tmp_path / "saved", metrics=metrics, license="mit")
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "discriminator.safetensors",
        "ema_generator.safetensors",
        "generator.safetensors",
        "samples.png",
    ]
    _assert_same(model, zoo.create(f"local-dir:{folder}"), labels=[0, 1, 2, 3, 4, 5])
    card = ModelCard.load(folder / "README.md")
    assert card.data.library_name == "zoo" and card.data.license == "mit"
    assert "cdcgan-32" in card.data.tags
    (result,) = card.data.eval_results
    assert (result.metric_type, result.metric_value) == ("fid", 12.5)
    assert result.metric_args["extractor"] == "classifier-shapes"

    model.save_pretrained(folder)  # saving again over a previous save is fine
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ZooError, match=r"holds files that save_pretrained did not write \(notes"):
        model.save_pretrained(folder)


def test_weights_that_do_not_fit_name_the_keys(tmp_path):
    folder = _trained_like("gan-mlp-28").save_pretrained(tmp_path / "a", grid=False)
    other = _trained_like("dcgan-32").save_pretrained(tmp_path / "b", grid=False)
    shutil.copy(other / "generator.safetensors", folder / "generator.safetensors")
    doc = json.loads((folder / "config.json").read_text())
    doc.pop("files")  # no manifest: the key check is what catches it
    (folder / "config.json").write_text(json.dumps(doc))
    with pytest.raises(ZooError, match=r"generator\.safetensors does not fit .* missing keys"):
        zoo.create(f"local-dir:{folder}")


def test_cli_push_a_training_run_and_sample_it(hub, tmp_path, run):
    out = tmp_path / "run"
    res = run(
        "train",
        "gan-mlp-28",
        "--data",
        "shapes:64",
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--out",
        str(out),
        "--no-progress",
    )
    assert res.returncode == 0, res.stderr
    res = run("push", str(out), "--repo", "org/from-cli", "--tag", "shapes", env=hub.env)
    assert res.returncode == 0, res.stderr
    commit = hub.state.repos["org/from-cli"].branches["main"]
    assert f"commit {commit}" in res.stdout and "  revision: " + commit in res.stdout
    doc = json.loads(hub.files("org/from-cli")["config.json"])
    assert doc["training"]["step"] == 2 and doc["training"]["data"] == "shapes:64"
    res = run(
        "sample", "hf-hub:org/from-cli", "--n", "4", "--out", str(tmp_path / "g.png"), env=hub.env
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "g.png").is_file()
    res = run("push", str(tmp_path / "nothing"), "--repo", "org/x", env=hub.env)
    assert (
        res.returncode == 1
        and res.stderr.startswith("zoo: error:")
        and "does not exist" in res.stderr
    )
