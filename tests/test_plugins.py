"""Plugin discovery through real entry points of real (temporary) distributions."""

from __future__ import annotations

ACME_PLUGIN = """
    from pathlib import Path

    from zoo.plugins import hookimpl

    ZOO_PLUGIN_API = "1.0"


    @hookimpl
    def register_components(register):
        register(
            kind="generator", name="acme.tiny", target="acme_zoo.nets:TinyGenerator",
            params={"z_dim": (int, None), "resolution": (int, None), "channels": (int, None),
                    "width": (int, 32, "hidden width")},
            doc="A tiny fully connected generator.",
        )


    @hookimpl
    def register_architectures(register):
        register(Path(__file__).with_name("archs.yaml"))
"""

ACME_NETS = """
    import torch
    from torch import nn


    class TinyGenerator(nn.Module):
        def __init__(self, z_dim, resolution, channels, width=32):
            super().__init__()
            self.shape = (channels, resolution, resolution)
            self.net = nn.Sequential(nn.Linear(z_dim, width), nn.ReLU(),
                                     nn.Linear(width, channels * resolution * resolution))

        def forward(self, z, cond=None):
            return torch.tanh(self.net(z)).view(-1, *self.shape)
"""

ACME_ARCHS = """
    architectures:
      acme-tiny-28:
        summary: A tiny plugin GAN
        resolution: 28
        channels: 1
        z_dim: 16
        generator: {use: acme.tiny, with: {width: 8}}
        discriminator: {use: mlp, with: {hidden: [8]}}
        loss: bce
"""


def acme_files(package: str = "acme_zoo") -> dict[str, str]:
    return {
        f"{package}/__init__.py": "",
        f"{package}/plugin.py": ACME_PLUGIN.replace("acme_zoo", package),
        f"{package}/nets.py": ACME_NETS,
        f"{package}/archs.yaml": ACME_ARCHS,
    }


def test_third_party_distribution_is_discovered_with_its_origin(plugin_factory, run):
    site = plugin_factory("acme-zoo", "acme_zoo.plugin", acme_files(), version="2.3.4")

    plugins = {p["name"]: p for p in run("plugins", "--json", path=[site]).json()}
    assert plugins["acme-zoo"]["distribution"] == "acme-zoo"
    assert plugins["acme-zoo"]["version"] == "2.3.4"
    assert plugins["acme-zoo"]["status"] == "loaded"
    assert plugins["zoo"]["status"] == "loaded"

    components = run("components", "--kind", "generator", "--json", path=[site]).json()
    tiny = next(c for c in components if c["name"] == "acme.tiny")
    assert tiny["origin"]["distribution"] == "acme-zoo"
    assert tiny["origin"]["version"] == "2.3.4"

    listed = {r["name"]: r for r in run("list", "--json", path=[site]).json()}
    assert "acme-tiny-28" in listed and "dcgan-32" in listed
    assert "acme-zoo 2.3.4" in listed["acme-tiny-28"]["origin"]


def test_plugin_architecture_builds_and_samples(plugin_factory, run):
    site = plugin_factory("acme-zoo", "acme_zoo.plugin", acme_files())
    result = run(
        path=[site],
        code=(
            "import zoo; m = zoo.create('acme-tiny-28'); x = m.sample(3, seed=1);"
            "print(tuple(x.shape), type(m.generator).__module__)"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 1, 28, 28) acme_zoo.nets"


def test_plugin_that_raises_on_import_is_recorded_and_skipped(plugin_factory, run):
    broken = plugin_factory(
        "broken-zoo",
        "broken_zoo",
        {
            "broken_zoo/__init__.py": "raise RuntimeError('kaboom at import')\n",
        },
    )
    good = plugin_factory("acme-zoo", "acme_zoo.plugin", acme_files())

    plugins = {p["name"]: p for p in run("plugins", "--json", path=[broken, good]).json()}
    assert plugins["broken-zoo"]["status"] == "failed"
    assert "RuntimeError: kaboom at import" in plugins["broken-zoo"]["error"]
    assert plugins["acme-zoo"]["status"] == "loaded"

    listed = run("list", "--json", path=[broken, good])
    assert listed.returncode == 0
    names = [r["name"] for r in listed.json()]
    assert "dcgan-32" in names and "acme-tiny-28" in names
    assert "kaboom at import" in listed.stderr  # a warning, not a crash
    for args in (["components"], ["info", "dcgan-32"], ["validate"], ["list", "--pretrained"]):
        other = run(*args, path=[broken, good])
        assert other.returncode == 0, (args, other.stderr)
        assert "kaboom at import" in other.stderr and "Traceback" not in other.stderr

    strict = run("list", path=[broken, good], env={"ZOO_STRICT_PLUGINS": "1"})
    assert strict.returncode == 1
    assert "broken-zoo" in strict.stderr and "kaboom at import" in strict.stderr
    assert "Traceback" not in strict.stderr
    assert strict.stdout == ""


def test_plugin_that_fails_midway_leaves_nothing_behind(plugin_factory, run):
    site = plugin_factory(
        "half-zoo",
        "half_zoo",
        {
            "half_zoo/__init__.py": """
        from zoo.plugins import hookimpl

        ZOO_PLUGIN_API = "1.0"

        @hookimpl
        def register_components(register):
            register(kind="loss", name="half.first", target="half_zoo:First")
            register(kind="loss", name="Not A Valid Name", target="half_zoo:Second")
    """
        },
    )
    plugins = {p["name"]: p for p in run("plugins", "--json", path=[site]).json()}
    assert plugins["half-zoo"]["status"] == "failed"
    assert "invalid name" in plugins["half-zoo"]["error"]
    losses = [c["name"] for c in run("components", "--kind", "loss", "--json", path=[site]).json()]
    assert "half.first" not in losses and "bce" in losses


def test_unknown_hook_is_an_error_of_that_plugin(plugin_factory, run):
    site = plugin_factory(
        "typo-zoo",
        "typo_zoo",
        {
            "typo_zoo/__init__.py": """
        from zoo.plugins import hookimpl

        ZOO_PLUGIN_API = "1.0"

        @hookimpl
        def register_component(register):
            pass
    """
        },
    )
    plugins = {p["name"]: p for p in run("plugins", "--json", path=[site]).json()}
    assert plugins["typo-zoo"]["status"] == "failed"
    assert "unknown hook 'register_component'" in plugins["typo-zoo"]["error"]


def test_block_and_allow_lists_apply_before_import(plugin_factory, run):
    # This plugin would fail if imported: "disabled"/"not allowed" prove it never was.
    site = plugin_factory(
        "loud-zoo", "loud_zoo", {"loud_zoo/__init__.py": "raise SystemError('imported')\n"}
    )
    acme = plugin_factory("acme-zoo", "acme_zoo.plugin", acme_files())

    blocked = {
        p["name"]: p
        for p in run(
            "plugins", "--json", path=[site, acme], env={"ZOO_DISABLE_PLUGINS": "loud-zoo"}
        ).json()
    }
    assert blocked["loud-zoo"]["status"] == "disabled" and blocked["loud-zoo"]["error"] is None
    assert blocked["acme-zoo"]["status"] == "loaded"

    only = {
        p["name"]: p
        for p in run("plugins", "--json", path=[site, acme], env={"ZOO_PLUGINS": "acme_zoo"}).json()
    }
    assert only["loud-zoo"]["status"] == "not allowed"
    assert only["acme-zoo"]["status"] == "loaded"

    builtins_only = run("plugins", "--json", path=[site, acme], env={"ZOO_PLUGINS": ""}).json()
    statuses = {p["name"]: p["status"] for p in builtins_only}
    assert statuses.pop("zoo") == "loaded"
    assert set(statuses.values()) == {"not allowed"}  # every other plugin, installed ones too
    assert {"acme-zoo", "loud-zoo"} <= set(statuses)
    names = [
        r["name"] for r in run("list", "--json", path=[site, acme], env={"ZOO_PLUGINS": ""}).json()
    ]
    assert "acme-tiny-28" not in names and "dcgan-32" in names


def test_name_clash_names_both_origins_and_override_wins(plugin_factory, run, tmp_path):
    one = plugin_factory("acme-zoo", "acme_zoo.plugin", acme_files("acme_zoo"), version="1.0")
    two = plugin_factory("rival-zoo", "rival_zoo.plugin", acme_files("rival_zoo"), version="9.9")

    check = run("validate", path=[one, two])
    assert check.returncode == 1
    assert "generator 'acme.tiny' is registered twice" in check.stderr
    assert "architecture 'acme-tiny-28' is registered twice" in check.stderr
    assert "acme-zoo 1.0" in check.stderr and "rival-zoo 9.9" in check.stderr

    create = run(path=[one, two], code="import zoo; zoo.create('acme-tiny-28')")
    assert create.returncode == 1
    assert "ConflictError" in create.stderr
    assert "acme-zoo 1.0" in create.stderr and "rival-zoo 9.9" in create.stderr

    user = tmp_path / "mine.yaml"
    user.write_text(
        "architectures:\n"
        "  acme-tiny-28:\n"
        "    override: true\n"
        "    summary: my own\n"
        "    resolution: 28\n"
        "    channels: 1\n"
        "    z_dim: 8\n"
        "    generator: {use: mlp, with: {hidden: [8]}}\n"
        "    discriminator: {use: mlp, with: {hidden: [8]}}\n"
        "    loss: hinge\n"
    )
    info = run("info", "acme-tiny-28", "--json", path=[one, two], env={"ZOO_REGISTRY": str(user)})
    assert info.returncode == 0, info.stderr
    data = info.json()
    assert data["summary"] == "my own" and data["z_dim"] == 8
    assert data["origin"] == f"user file {user}"
    built = run(
        path=[one, two],
        env={"ZOO_REGISTRY": str(user)},
        code="import zoo; print(tuple(zoo.create('acme-tiny-28').sample(2).shape))",
    )
    assert built.stdout.strip() == "(2, 1, 28, 28)", built.stderr


def test_plugin_api_version_is_checked(plugin_factory, run):
    def plugin(api_line):
        return {
            "old_zoo/__init__.py": f"""
            from zoo.plugins import hookimpl
            {api_line}

            @hookimpl
            def register_components(register):
                register(kind="loss", name="old.loss", target="old_zoo:Loss")
        """
        }

    future = plugin_factory("future-zoo", "old_zoo", plugin('ZOO_PLUGIN_API = "2.0"'))
    records = {p["name"]: p for p in run("plugins", "--json", path=[future]).json()}
    assert records["future-zoo"]["status"] == "incompatible"
    assert (
        "targets zoo plugin API 2.0, but this zoo provides plugin API 1.0"
        in (records["future-zoo"]["error"])
    )
    silent = plugin_factory("silent-zoo", "old_zoo", plugin(""))
    records = {p["name"]: p for p in run("plugins", "--json", path=[silent]).json()}
    assert "does not declare the zoo plugin API" in records["silent-zoo"]["error"]
    fine = plugin_factory("fine-zoo", "old_zoo", plugin('ZOO_PLUGIN_API = "1.0"'))
    losses = run("components", "--kind", "loss", "--json", path=[fine]).json()
    assert "old.loss" in [c["name"] for c in losses]
