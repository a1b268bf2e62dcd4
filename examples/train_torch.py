"""Train a tiny PyTorch model on synthetic data and log it with streamvis.

    streamvis serve &                   # or keep `streamvis demo` running
    python examples/train_torch.py --steps 500 --lr 3e-3

The loss and the gradient norm are logged as tensors, as they come: `logger.write`
neither copies them to the host nor waits for the device (there is no `.item()`), so on
a GPU the training loop never stalls for logging. The logger copies them in one batch
per flush, on its own thread.
"""

import argparse

import torch

import streamvis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", help="server address (default: $STREAMVIS_URI or localhost:8001)")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=32)
    args = parser.parse_args()

    streamvis.declare_schema(
        fields={"step": "int", "loss": "float", "grad_norm": "float",
                "lr": "float", "hidden": "int"},
        series={"torch-train": ["step", "loss", "grad_norm"]},
        uri=args.uri,
    )

    # Synthetic data: y = sin(3x) plus noise; a two-layer perceptron learns it.
    torch.manual_seed(0)
    x = torch.rand(4096, 1) * 4 - 2
    y = torch.sin(3 * x) + 0.1 * torch.randn_like(x)
    model = torch.nn.Sequential(
        torch.nn.Linear(1, args.hidden), torch.nn.Tanh(), torch.nn.Linear(args.hidden, 1)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    attributes = {"lr": args.lr, "hidden": args.hidden}
    with streamvis.DataLogger(args.uri, tags=["torch-example"], attributes=attributes) as logger:
        for step in range(args.steps):
            batch = torch.randint(0, len(x), (256,))
            loss = torch.nn.functional.mse_loss(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            logger.write("torch-train", step=step, loss=loss, grad_norm=grad_norm)

    print(f"logged run {logger.run_handle}: streamvis runs --tag-any torch-example")


if __name__ == "__main__":
    main()
