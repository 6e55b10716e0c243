"""The reference for the training-step benchmark: DCGAN written by hand in plain PyTorch.

The networks are the ones zoo's ``dcgan`` components build for ``dcgan-32`` / ``dcgan-64``
(same layers, widths, biases and init), and the loop is the minimal one from the DCGAN
paper and the PyTorch example: one D update on a real and a fake batch, one G update,
BCE on logits, Adam(2e-4, betas 0.5/0.999). No zoo import anywhere in this file.
"""

from __future__ import annotations

import itertools
import time

import torch
from torch import nn
from torch.nn import functional as F


def _init(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def generator(resolution: int, z_dim: int = 100, ch: int = 64, channels: int = 3) -> nn.Module:
    """z [B, z_dim, 1, 1] -> 4x4 -> ... -> image; widths 4ch, 2ch, ch at 32 px (8ch first at 64)."""
    widths = {32: [ch * 4, ch * 2, ch], 64: [ch * 8, ch * 4, ch * 2, ch]}[resolution]
    layers: list[nn.Module] = [
        nn.ConvTranspose2d(z_dim, widths[0], 4, 1, 0, bias=False),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU(True),
    ]
    for w_in, w_out in itertools.pairwise(widths):
        layers += [
            nn.ConvTranspose2d(w_in, w_out, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w_out),
            nn.ReLU(True),
        ]
    layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh()]
    net = nn.Sequential(*layers)
    _init(net)
    return net


def discriminator(resolution: int, ch: int = 64, channels: int = 3) -> nn.Module:
    layers: list[nn.Module] = [nn.Conv2d(channels, ch, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    width = ch
    for _ in range({32: 2, 64: 3}[resolution]):
        layers += [
            nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width * 2),
            nn.LeakyReLU(0.2, True),
        ]
        width *= 2
    layers += [nn.Conv2d(width, 1, 4, 1, 0, bias=False), nn.Flatten(0)]
    net = nn.Sequential(*layers)
    _init(net)
    return net


def train(
    batches,
    resolution: int,
    steps: int,
    warmup: int,
    device: str = "cpu",
    z_dim: int = 100,
) -> float:
    """Run ``warmup + steps`` steps on ``batches`` (an iterator of image tensors in [-1, 1]);
    returns the seconds the last ``steps`` took."""
    G = generator(resolution, z_dim).to(device)
    D = discriminator(resolution).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    start = None
    for step in range(warmup + steps):
        if step == warmup:
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            start = time.perf_counter()
        real = next(batches).to(device)
        b = real.shape[0]
        z = torch.randn(b, z_dim, 1, 1, device=device)
        fake = G(z)
        real_logits, fake_logits = D(real), D(fake.detach())
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.ones_like(real_logits)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        logits = D(fake)
        g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        d_loss.item(), g_loss.item()  # what a loop that logs its losses each step pays
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start
