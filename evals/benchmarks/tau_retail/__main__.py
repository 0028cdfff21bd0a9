"""``python -m ai_missions.evals.benchmarks.tau_retail [PATH] [--tasks] [--messages seen|unseen|FILE]``: the
end-state runner (:mod:`.runner`)."""

from ai_missions.evals.benchmarks.tau_retail.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
