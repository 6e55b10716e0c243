"""registry.yaml validation: every problem at once, located by file, line and dotted path."""

from __future__ import annotations

import textwrap

import pytest

import zoo
from zoo.registry import get_registry, validate_file

BAD = """\
architectures:
  typo-gan:
    summary: wrong type and unknown key
    resolution: 64
    channels: 3
    z_dim: sixty-four
    colour: red
    generator: {use: dcgan, with: {ch: 64}}
    discriminator: {use: dcgan}
    loss: bce
  unknown-gan:
    summary: unknown component
    resolution: 64
    channels: 3
    z_dim: 64
    generator: {use: dcgna}
    discriminator: {use: dcgan}
    loss: bce
  shape-gan:
    summary: generator and discriminator disagree
    resolution: 64
    channels: 3
    z_dim: 64
    generator: {use: dcgan, with: {resolution: 32}}
    discriminator: {use: dcgan}
    loss: bce
"""


def write(tmp_path, text, name="archs.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def by_path(problems):
    return {p.path: p for p in problems}


def test_all_problems_reported_at_once_with_line_and_path(tmp_path):
    path = write(tmp_path, BAD)
    problems = by_path(validate_file(path))

    wrong_type = problems["architectures.typo-gan.z_dim"]
    assert (wrong_type.source, wrong_type.line) == (str(path), 6)
    assert wrong_type.message == "expected int, got 'sixty-four'"

    unknown_key = problems["architectures.typo-gan.colour"]
    assert unknown_key.line == 7 and "unknown key 'colour'" in unknown_key.message

    unknown = problems["architectures.unknown-gan.generator.use"]
    assert unknown.line == 16
    assert "unknown generator 'dcgna'; did you mean 'dcgan'?" in unknown.message

    shapes = problems["architectures.shape-gan.discriminator"]
    assert shapes.line == 25
    assert (
        "generator outputs [3, 32, 32] images but discriminator expects [3, 64, 64]"
        in shapes.message
    )
    assert len(problems) == 4
    assert str(wrong_type).startswith(f"{path}:6: architectures.typo-gan.z_dim: expected int")


def test_cli_validate_prints_every_problem_and_fails(tmp_path, run):
    path = write(tmp_path, BAD)
    result = run("validate", str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"4 problems in {path}"
    assert f"{path}:6: architectures.typo-gan.z_dim: expected int, got 'sixty-four'" in lines
    assert "Traceback" not in result.stderr


def test_builtin_registry_is_valid():
    assert get_registry().validate() == []


def test_component_parameters_are_checked_against_their_schema(tmp_path):
    path = write(
        tmp_path,
        """\
        architectures:
          p-gan:
            summary: bad parameters
            resolution: 32
            channels: 3
            z_dim: 64
            generator: {use: dcgan, with: {ch: wide, widht: 3}}
            discriminator: {use: dcgan}
            loss: hinje
    """,
    )
    problems = by_path(validate_file(path))
    assert problems["architectures.p-gan.generator.with.ch"].message == "expected int, got 'wide'"
    typo = problems["architectures.p-gan.generator.with.widht"]
    assert typo.line == 7 and "generator 'dcgan' has no parameter 'widht'" in typo.message
    assert "did you mean 'hinge'?" in problems["architectures.p-gan.loss.use"].message


def test_condition_sizes_and_kinds_are_checked_across_slots(tmp_path):
    path = write(
        tmp_path,
        """\
        architectures:
          size-gan:
            summary: generator expects another condition size
            resolution: 28
            channels: 1
            z_dim: 64
            condition: class
            num_classes: 10
            encoders: {class: {use: onehot}}
            generator: {use: mlp, with: {cond_dim: 7}}
            discriminator: {use: mlp}
            loss: bce
          half-gan:
            summary: conditional discriminator, unconditional generator
            resolution: 28
            channels: 1
            z_dim: 64
            generator: {use: mlp}
            discriminator: {use: mlp, with: {cond_dim: 10}}
            loss: bce
          noenc-gan:
            summary: class condition without an encoder
            resolution: 28
            channels: 1
            z_dim: 64
            condition: class
            num_classes: 10
            generator: {use: mlp}
            discriminator: {use: mlp}
            loss: bce
    """,
    )
    problems = by_path(validate_file(path))
    size = problems["architectures.size-gan.generator.with.cond_dim"]
    assert size.line == 10
    assert size.message == "generator expects a condition of size 7, but encoders.class produces 10"
    half = problems["architectures.half-gan.discriminator.with.cond_dim"]
    assert "the architecture is unconditional" in half.message
    assert "needs an encoder" in problems["architectures.noenc-gan.encoders"].message


def test_yaml_syntax_error_and_duplicate_keys_are_located(tmp_path):
    dup = write(
        tmp_path,
        """\
        architectures:
          a-gan:
            summary: one
            summary: two
    """,
        "dup.yaml",
    )
    problems = validate_file(dup)
    assert any(
        p.line == 4 and "duplicate key (first defined on line 3)" in p.message for p in problems
    )

    broken = write(tmp_path, "architectures:\n  a-gan: {summary: [unclosed\n", "broken.yaml")
    (problem,) = validate_file(broken)
    assert problem.line is not None and "invalid YAML" in problem.message


def test_yaml_1_2_floats_are_numbers(tmp_path):
    path = write(
        tmp_path,
        """\
        architectures:
          lr-gan:
            summary: 1e-4 without a dot is a float, not a string
            resolution: 32
            channels: 3
            z_dim: 64
            generator: {use: dcgan}
            discriminator: {use: dcgan}
            loss: bce
            train: {lr_g: 1e-4, lr_d: 4e-4}
    """,
    )
    zoo.add_registry(path)
    train = get_registry().resolve("lr-gan")["train"]
    assert train["lr_g"] == pytest.approx(1e-4) and train["lr_d"] == pytest.approx(4e-4)


def test_add_registry_refuses_an_invalid_file_whole(tmp_path):
    path = write(tmp_path, BAD)
    with pytest.raises(zoo.ValidationError) as info:
        zoo.add_registry(path)
    assert len(info.value.problems) == 4
    assert "typo-gan" not in zoo.list_models()


def test_user_file_clash_without_override_is_a_problem(tmp_path):
    path = write(
        tmp_path,
        """\
        architectures:
          dcgan-32:
            summary: mine
            resolution: 32
            channels: 3
            z_dim: 64
            generator: {use: dcgan}
            discriminator: {use: dcgan}
            loss: bce
    """,
    )
    (problem,) = validate_file(path)
    assert problem.line == 2
    assert "registered twice" in problem.message and "zoo 0.1.0" in problem.message

    path.write_text(path.read_text().replace("summary: mine", "override: true\n    summary: mine"))
    assert validate_file(path) == []
    zoo.add_registry(path)
    assert zoo.info("dcgan-32")["summary"] == "mine"


def test_overrides_are_merged_and_validated_like_yaml():
    config = get_registry().resolve("dcgan-32", {"z_dim": 64, "generator": {"with": {"ch": 32}}})
    assert config["z_dim"] == 64
    assert config["generator"]["with"]["z_dim"] == 64  # the context follows the override
    assert config["generator"]["with"]["ch"] == 32
    assert config["discriminator"]["with"]["ch"] == 64  # untouched by the merge

    with pytest.raises(zoo.ValidationError) as info:
        zoo.create("dcgan-32", z_dim="x", resolution=28, generator={"with": {"bogus": 1}})
    problems = by_path(info.value.problems)
    assert problems["architectures.dcgan-32.z_dim"].source == "<overrides>"
    assert problems["architectures.dcgan-32.z_dim"].message == "expected int, got 'x'"
    assert (
        "has no parameter 'bogus'"
        in problems["architectures.dcgan-32.generator.with.bogus"].message
    )
    assert "supports resolutions" in problems["architectures.dcgan-32.resolution"].message


def test_inconsistent_override_of_one_slot_is_caught_before_construction():
    with pytest.raises(zoo.ValidationError) as info:
        zoo.create("dcgan-64", discriminator={"with": {"resolution": 32}})
    (problem,) = info.value.problems
    assert problem.path == "architectures.dcgan-64.discriminator"
    assert "[3, 64, 64] images but discriminator expects [3, 32, 32]" in problem.message
