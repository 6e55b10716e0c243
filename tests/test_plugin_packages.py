"""The plugin packages under plugins/, installed the way users install plugins (pip)."""

from __future__ import annotations

PLUGINS = {
    "zoo-hello": ("hello.tiny", "hello-tiny-16"),
    "zoo-timm": ("timm.projected", "projected-gan-64"),
}


def test_installed_plugins_are_listed_with_their_components_and_architectures(run):
    records = {p["distribution"]: p for p in run("plugins", "--json").json()}
    components = run("components", "--json").json()
    models = {r["name"]: r for r in run("list", "--json").json()}
    for dist, (component, arch) in PLUGINS.items():
        assert records[dist]["status"] == "loaded", records[dist]["error"]
        assert records[dist]["version"] == "0.1.0"
        found = [c for c in components if c["name"] == component]
        assert found and found[0]["origin"]["distribution"] == dist
        assert models[arch]["origin"].startswith(f"{dist} 0.1.0")


def test_blocking_a_plugin_removes_exactly_its_contributions(run):
    def snapshot(env):
        comps = {(c["kind"], c["name"]) for c in run("components", "--json", env=env).json()}
        names = {r["name"] for r in run("list", "--json", env=env).json()}
        return comps, names

    all_comps, all_names = snapshot({})
    comps, names = snapshot({"ZOO_DISABLE_PLUGINS": "zoo-timm"})
    assert all_comps - comps == {("discriminator", "timm.projected"), ("encoder", "timm.pyramid")}
    assert all_names - names == {"projected-gan-64"}
    assert comps <= all_comps and names <= all_names
    statuses = {
        p["distribution"]: p["status"]
        for p in run("plugins", "--json", env={"ZOO_DISABLE_PLUGINS": "zoo-timm"}).json()
    }
    assert statuses["zoo-timm"] == "disabled" and statuses["zoo-hello"] == "loaded"


def test_plugin_architectures_train_a_step(tmp_path, run):
    for arch, extra in (
        ("hello-cgan-16", []),
        ("projected-gan-64", ["--set", "generator.with.ch=8"]),
    ):
        out = tmp_path / arch
        result = run(
            "train",
            arch,
            "--data",
            "shapes:32",
            "--batch-size",
            "4",
            "--steps",
            "1",
            "--out",
            str(out),
            "--no-progress",
            *extra,
        )
        assert result.returncode == 0, result.stderr
        assert (out / "checkpoints" / "step-00000001" / "discriminator.safetensors").is_file()
