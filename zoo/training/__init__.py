"""Training: the loop (:mod:`.trainer`), checkpoints, data-parallel helpers and reports."""
