"""The model card (``README.md``) of a saved model: Hub metadata plus a human summary.

The YAML header is built with ``huggingface_hub.ModelCardData``: ``library_name: zoo``, tags,
license, datasets and a ``model-index`` holding each measured metric with its protocol (see
the evaluation protocol in DESIGN.md).
"""

from __future__ import annotations

from typing import Any

_TASK = {
    "none": "unconditional-image-generation",
    "class": "image-generation",
    "text": "text-to-image",
}


def _eval_results(arch: dict, results: list[dict[str, Any]]) -> list:
    from huggingface_hub import EvalResult

    out = []
    for r in results:
        protocol = r.get("protocol") or {}
        extractor = r.get("extractor") or protocol.get("extractor")
        dataset = r.get("dataset") or protocol.get("dataset") or "unknown"
        out.append(
            EvalResult(
                task_type=_TASK[arch["condition"]],
                dataset_type=dataset,
                dataset_name=dataset,
                dataset_split=r.get("split") or protocol.get("split"),
                metric_type=r["metric"],
                metric_value=r["value"],
                metric_name=f"{r['metric']} ({extractor})" if extractor else r["metric"],
                metric_args=protocol or None,
            )
        )
    return out


def _composition(arch: dict) -> list[str]:
    rows = [
        ("generator", arch["generator"]),
        ("discriminator", arch["discriminator"]),
        *((f"encoder ({k})", v) for k, v in arch["encoders"].items()),
        ("objective", arch["objective"]),
        ("loss", arch["loss"]),
        *(("regularizer", r) for r in arch["regularizers"]),
    ]
    lines = ["| part | component | settings |", "|---|---|---|"]
    for part, slot in rows:
        settings = ", ".join(f"{k}={v}" for k, v in slot["with"].items()) or "-"
        lines.append(f"| {part} | `{slot['use']}` | {settings} |")
    return lines


def model_card(
    doc: dict[str, Any],
    *,
    repo_id: str | None = None,
    license: str | None = None,
    grid: str | None = "samples.png",
) -> str:
    """The README.md text for a saved model whose config.json is ``doc``."""
    from huggingface_hub import ModelCard, ModelCardData

    arch = doc["architecture"]
    training = doc.get("training") or {}
    results = doc.get("metrics") or []
    dataset = training.get("data")
    data = ModelCardData(
        library_name="zoo",
        license=license,
        tags=["zoo", "gan", arch["name"], f"condition-{arch['condition']}"],
        datasets=[dataset.split(":", 1)[0]] if dataset else None,
        pipeline_tag=_TASK[arch["condition"]] if arch["condition"] != "class" else None,
        model_name=repo_id or arch["name"],
        eval_results=_eval_results(arch, results) or None,
    )
    name = f"hf-hub:{repo_id}" if repo_id else "local-dir:PATH"
    use = {
        "none": "model.sample(16, seed=0)",
        "class": f"model.sample({arch.get('num_classes')}, "
        f"labels=list(range({arch.get('num_classes')})), seed=0)",
        "text": 'model.sample(4, texts=["a small red circle at the top left"], seed=0)',
    }[arch["condition"]]
    body = [
        f"# {repo_id or arch['name']}",
        "",
        f"A `{arch['name']}` model from the zoo GAN model zoo: {arch['summary']}.",
        f"{arch['resolution']}x{arch['resolution']}, {arch['channels']} channel(s), "
        f"z_dim {arch['z_dim']}, condition: {arch['condition']}.",
        "",
    ]
    if grid:
        body += [f"![samples]({grid})", ""]
    body += [
        "## Use",
        "",
        "```python",
        "import zoo",
        "",
        f'model = zoo.create("{name}")',
        f"images = {use}  # [N, C, H, W] in [-1, 1]",
        "```",
        "",
        "## Composition",
        "",
        *_composition(arch),
        "",
    ]
    if training:
        steps = training.get("step")
        body += [
            "## Training",
            "",
            f"Data `{dataset}`, {steps if steps is not None else '?'} steps, batch size "
            f"{training.get('batch_size')}, lr G {training.get('lr_g')} / D "
            f"{training.get('lr_d')}, EMA {training.get('ema')}, seed {training.get('seed')}.",
            "",
        ]
    if results:
        body += [
            "## Evaluation",
            "",
            "| metric | value | feature extractor | data | samples | protocol |",
            "|---|---|---|---|---|---|",
        ]
        for r in results:
            p = r.get("protocol") or {}
            body.append(
                f"| {r['metric']} | {r['value']:.4g} | {r.get('extractor') or p.get('extractor')} "
                f"| {r.get('dataset') or p.get('dataset')} | {p.get('num_samples', '?')} "
                f"| `{str(r.get('protocol_hash', ''))[:12]}` |"
            )
        body += [
            "",
            "Scores from different feature extractors or protocols are not comparable.",
            "",
        ]
    text = f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body)
    return str(ModelCard(text))
