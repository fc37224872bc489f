from keras_mm.options import check_options as check_values
from keras_mm.options import check_processes


def check_options(args):
    """Raise `ValueError` naming the first option whose value is invalid.

    Runs before any work, so a bad value never costs a training run.
    """
    check_values(args)
    if not hasattr(args, "local_processes"):
        return  # Not `train`.
    local = args.local_processes
    given = (args.num_processes, args.process_id, args.coordinator)
    if local is not None and any(v is not None for v in given):
        raise ValueError(
            "--local-processes starts its own processes: give it without "
            "--num-processes, --process-id and --coordinator."
        )
    check_processes(args, local or args.num_processes or 1)
