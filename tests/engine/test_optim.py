"""The engine's Adam must train exactly like torch.optim.Adam; it exists only to avoid an import."""

import subprocess
import sys

import pytest
import torch

from napari_seisgrow.engine.optim import Adam
from napari_seisgrow.engine.unet import UNet


def _net(seed: int) -> UNet:
    torch.manual_seed(seed)
    return UNet(3, depth=2, width=4)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_matches_torch_adam_step_by_step(weight_decay):
    ours, ref = _net(0), _net(0)
    opt = Adam(ours.parameters(), lr=3e-3, weight_decay=weight_decay)
    opt_ref = torch.optim.Adam(ref.parameters(), lr=3e-3, weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(1)
    for step in range(5):
        x = torch.randn(2, 1, 16, 24, generator=gen)
        for net, o in ((ours, opt), (ref, opt_ref)):
            o.zero_grad()
            (net(x) ** 2).mean().backward()
            for g in o.param_groups:
                g["lr"] = 3e-3 / (step + 1)  # the session's schedule writes lr like this
            o.step()
        for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_state_dict_round_trip_continues_identically():
    a, b = _net(0), _net(0)
    opt_a = Adam(a.parameters(), lr=1e-2)
    x = torch.randn(1, 1, 16, 16)
    for _ in range(3):
        opt_a.zero_grad()
        a(x).sum().backward()
        opt_a.step()
    b.load_state_dict(a.state_dict())
    opt_b = Adam(b.parameters(), lr=123.0)
    opt_b.load_state_dict(opt_a.state_dict())
    assert opt_b.param_groups[0]["lr"] == 1e-2
    for net, o in ((a, opt_a), (b, opt_b)):
        o.zero_grad()
        net(x).sum().backward()
        o.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_state_dict_of_other_networks_is_refused():
    opt = Adam(_net(0).parameters())
    other = Adam(UNet(3, depth=1, width=4).parameters())
    with pytest.raises(ValueError):
        opt.load_state_dict(other.state_dict())


def test_training_never_imports_dynamo():
    """torch.optim imports torch._dynamo (1.4 s, GIL held) and froze the viewer when training began."""
    code = (
        "import sys\n"
        "from napari_seisgrow.synthetic import make_synthetic, seed_scribbles\n"
        "from napari_seisgrow.engine import GrowConfig, Session\n"
        "s = make_synthetic((16, 24, 32), seed=0)\n"
        "run = Session(s.volume.data, seed_scribbles(s.truth, n_inlines=2, seed=0),\n"
        "              GrowConfig(epochs=1, steps_per_epoch=1, batch_labelled=2, batch_unlabelled=2,\n"
        "                         patch_size=[16, 32], depth=2, width=4))\n"
        "list(run.run())\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_continued_cycle_depends_only_on_its_own_epochs():
    from napari_seisgrow.engine.optim import LR_FLOOR, learning_rate

    first_end = learning_rate(1.0, "cosine", epoch=15, step=9, steps=10, epochs=16)
    assert first_end == pytest.approx(LR_FLOOR, abs=0.01)
    # 16 epochs trained, 4 and 10 more: each continuation starts at its peak and ends at the floor
    for more in (4, 10):
        start = learning_rate(1.0, "cosine", epoch=16, step=0, steps=10, epochs=16 + more, cycle_start=16, peak=0.3)
        end = learning_rate(
            1.0, "cosine", epoch=15 + more, step=9, steps=10, epochs=16 + more, cycle_start=16, peak=0.3
        )
        assert start == pytest.approx(0.3)
        assert end == pytest.approx(LR_FLOOR, abs=0.01)
    assert learning_rate(2e-3, "constant", epoch=3, step=1, steps=10, epochs=4) == 2e-3
