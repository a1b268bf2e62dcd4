"""The system sampler: CPU, memory, disk and network I/O, and GPUs, every N seconds.

`DataLogger(system_metrics=N)` starts a daemon thread that writes one row to the
`system` series every N seconds (psutil), and one row per GPU to `system.gpu` when
NVIDIA's management library (nvidia-ml-py, the `capture` extra) is importable and
finds a GPU. Disk and network figures count bytes since the sampler started, so a
plot of them is the run's own I/O (and the machine's, which psutil cannot tell apart).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from streamvis.model import capture as cap


class SystemSampler:
    """A daemon thread that logs a sample now and every `every` seconds until stopped."""

    def __init__(self, write: Callable[..., object], every: float) -> None:
        self._write = write
        self.every = max(float(every), 0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="streamvis-system",
                                        daemon=True)
        self._gpus = _Gpus()
        self._base: tuple[int, int, int, int] | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self.every + 5.0)
        self._gpus.close()

    def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a sensor that fails skips one sample
                self.sample()
            if self._stop.wait(self.every):
                return

    def sample(self) -> None:
        import psutil  # noqa: PLC0415 - loaded by a sampler only

        now = time.time()
        disk = psutil.disk_io_counters()
        net = psutil.net_io_counters()
        counters = (
            int(disk.read_bytes) if disk else 0, int(disk.write_bytes) if disk else 0,
            int(net.bytes_sent) if net else 0, int(net.bytes_recv) if net else 0,
        )
        if self._base is None:
            self._base = counters
        since = [c - b for c, b in zip(counters, self._base, strict=True)]
        mem = psutil.virtual_memory()
        self._write(cap.SYSTEM_SERIES, **{
            "system.time": now,
            "system.cpu_percent": float(psutil.cpu_percent(interval=None)),
            "system.memory_percent": float(mem.percent),
            "system.memory_used": int(mem.used),
            "system.disk_read": since[0], "system.disk_write": since[1],
            "system.net_sent": since[2], "system.net_recv": since[3],
        })
        for row in self._gpus.sample():
            self._write(cap.GPU_SERIES, **{"system.time": now, **row})


class _Gpus:
    """NVIDIA GPUs through NVML, when nvidia-ml-py is installed and finds any."""

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[Any] = []
        try:
            import pynvml  # noqa: PLC0415 - optional: the `capture` extra
        except ImportError:
            return
        try:
            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
        except Exception:  # noqa: BLE001 - no driver, no GPU: no GPU rows
            self._handles = []

    def sample(self) -> list[dict[str, Any]]:
        nv = self._nvml
        rows: list[dict[str, Any]] = []
        for i, h in enumerate(self._handles):
            util = nv.nvmlDeviceGetUtilizationRates(h)
            mem = nv.nvmlDeviceGetMemoryInfo(h)
            rows.append({
                "gpu.index": i,
                "gpu.utilization": float(util.gpu),
                "gpu.memory_used": int(mem.used),
                "gpu.temperature": float(nv.nvmlDeviceGetTemperature(h, 0)),
                "gpu.power": nv.nvmlDeviceGetPowerUsage(h) / 1000.0,
            })
        return rows

    def close(self) -> None:
        if self._nvml is not None:
            with contextlib.suppress(Exception):
                self._nvml.nvmlShutdown()
