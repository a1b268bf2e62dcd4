"""A tiny PyTorch training loop written for TensorBoard (`torch.utils.tensorboard`).

    python examples/train_tensorboard.py runs/tiny          # TensorBoard event files

To log it to streamvis instead, change the one import line below to

    from streamvis.tensorboard import SummaryWriter

and run it the same way (the server from $STREAMVIS_URI, default localhost:8001): the
scalars, the weight histogram, the input image and the text land in the run, and the
workspace shows them (docs/compat.md). Nothing else in the script changes.
"""

import sys

import torch
from torch.utils.tensorboard import SummaryWriter


def main() -> None:
    log_dir = sys.argv[1] if len(sys.argv) > 1 else "runs/tiny"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(256, 8)
    y = x[:, :1] * 2 - x[:, 1:2] + 0.1 * torch.randn(256, 1)
    writer = SummaryWriter(log_dir=log_dir)
    for step in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        writer.add_scalar("train/loss", loss.item(), step)
        writer.add_scalar("train/lr", opt.param_groups[0]["lr"], step)
        if step % 10 == 0:
            writer.add_histogram("weights/first", model[0].weight, step)
    # An 8x8 checkerboard, red on blue: one image of the inputs, CHW as TensorBoard wants.
    board = (torch.arange(8)[:, None] + torch.arange(8)[None, :]) % 2
    image = torch.stack([board.float(), torch.zeros(8, 8), 1 - board.float()])
    writer.add_image("inputs/board", image, steps - 1)
    writer.add_text("notes", f"final loss **{loss.item():.4f}**", steps - 1)
    writer.close()
    print(f"final loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
