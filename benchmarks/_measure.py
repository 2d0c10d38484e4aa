"""Measuring helpers shared by the benchmark scripts (run them from the repo root)."""

from __future__ import annotations

import threading
import time


class PeakRSS:
    """Samples this process's RSS every `interval` s; `lap()` gives the peak since the last lap."""

    def __init__(self, interval: float = 0.01) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, self.now())
            time.sleep(self._interval)

    def now(self) -> int:
        return int(self._proc.memory_info().rss)

    def lap(self) -> int:
        peak = max(self._peak, self.now())
        self._peak = self.now()
        return peak

    def stop(self) -> None:
        self._stop.set()
