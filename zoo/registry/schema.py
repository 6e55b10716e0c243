"""The schema of an architecture entry, as strict pydantic models (unknown keys rejected).

Imported only when something is validated: listing names does not need it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Condition = Literal["none", "class", "text", "image"]
Encodes = Literal["class", "text", "image", "latent"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Slot(_Strict):
    """Which component fills a slot, and with which parameters."""

    use: str
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")


class Train(_Strict):
    """Training defaults; the trainer and the command line may override each."""

    batch_size: int = Field(64, ge=1)
    steps: int = Field(10_000, ge=1)
    lr_g: float = Field(2.0e-4, gt=0)
    lr_d: float = Field(2.0e-4, gt=0)
    betas: list[float] = Field(default_factory=lambda: [0.5, 0.999], min_length=2, max_length=2)
    n_dis: int = Field(1, ge=1)
    ema: float | None = Field(None, ge=0, lt=1)
    data: str | None = None

    @field_validator("betas")
    @classmethod
    def _betas_in_range(cls, value: list[float]) -> list[float]:
        if not all(0.0 <= b < 1.0 for b in value):
            raise ValueError("each beta must be in [0, 1)")
        return value


class Pretrained(_Strict):
    """A tag: where its weights live on the Hub, how to check them, what they scored."""

    hub: str
    revision: str = "main"
    sha256: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    dataset: str | None = None
    license: str | None = None


class Architecture(_Strict):
    """One named architecture: a composition of components plus its defaults."""

    summary: str
    resolution: int = Field(ge=4)
    channels: int = Field(ge=1, le=4)
    z_dim: int = Field(ge=1)
    condition: Condition = "none"
    num_classes: int | None = Field(None, ge=2)
    generator: Slot
    discriminator: Slot
    encoders: dict[Encodes, Slot] = Field(default_factory=dict)
    objective: Slot
    loss: Slot
    regularizers: list[Slot] = Field(default_factory=list)
    train: Train = Field(default_factory=Train)
    pretrained: dict[str, Pretrained] = Field(default_factory=dict)
    override: bool = False


#: The objective of an architecture that names none.
DEFAULT_OBJECTIVE = "gan"
#: Keys whose value may be written as a bare component name (``loss: hinge``).
SHORTHAND_SLOTS = ("objective", "loss")
