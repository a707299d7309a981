"""Everything Qt: the window, its models, undo commands, plots, and the command line."""
