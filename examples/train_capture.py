"""A small CPU training loop that records everything about its run (docs/logging.md,
"Capture"): command, git and environment (automatic), its config (log_config), the
console (print, logger.print, print_table), progress bars and a spinner, and system
metrics; it pauses logging for a stretch with disable()/enable(). It saves its model
each epoch as an artifact (logger.save) and reads its learning rate from a slider the
run page shows (logger.control), which a person can move while it trains.

    python examples/train_capture.py --uri localhost:8001 --epochs 3

Then open the run page (the run's handle in the run search links to it), or:

    streamvis run HANDLE
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import time

from streamvis import DataLogger


@dataclasses.dataclass
class Optimizer:
    lr: float = 0.05
    momentum: float = 0.9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default=None, help="server (default: $STREAMVIS_URI)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40, help="steps per epoch")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - toy data, not secrets
    with DataLogger(args.uri, tags=("capture-example",), system_metrics=0.5) as logger:
        logger.declare({"step": "int", "loss": "float"}, {"capture-train": ["step", "loss"]})
        logger.log_config({"args": vars(args), "optimizer": Optimizer()})
        logger.control("lr", "slider", default=Optimizer.lr, min=0.0, max=0.2)
        with logger.spinner("loading data") as spin:
            for _ in range(5):
                time.sleep(0.01)
                spin.update()
        w, step, results = 0.0, 0, []
        for epoch in range(args.epochs):
            total = 0.0
            for _ in logger.progress(range(args.steps), desc=f"epoch {epoch}"):
                x = rng.uniform(-1, 1)
                grad = 2 * (w * x - 3 * x) * x
                w -= float(logger.controls["lr"]) * grad  # the slider, read without waiting
                loss = (w * x - 3 * x) ** 2
                total += loss
                logger.write("capture-train", step=step, loss=loss)
                step += 1
            mean = total / args.steps
            print(f"epoch {epoch}: mean loss {mean:.4f}, w={w:.3f}")
            results.append((epoch, mean, w))
            logger.save({"w": w, "epoch": epoch}, "model", step=epoch)  # a checkpoint
            if epoch == 0:
                logger.disable()  # e.g. a warm-up whose rows are not worth keeping
                logger.write("capture-train", step=-1, loss=math.nan)
                logger.enable()
        logger.eprint("done; the weight should be near 3")
        logger.print_table(results, headers=["epoch", "mean loss", "w"])
        print(f"logged run {logger.run_handle}")


if __name__ == "__main__":
    main()
