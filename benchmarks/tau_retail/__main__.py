"""``python -m ai_missions.benchmarks.tau_retail [PATH] [--tasks] [--messages seen|unseen|FILE]``: the
end-state runner (:mod:`.runner`); ``--check [PATH]``: the ground-truth actions the benchmark's own tools refuse and
the first messages' tasks (:func:`.emulator.main`)."""

import sys

from ai_missions.benchmarks.tau_retail import emulator, runner

if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        raise SystemExit(emulator.main([a for a in sys.argv[1:] if a != "--check"]))
    raise SystemExit(runner.main())
