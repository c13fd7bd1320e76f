"""``harness check``: judge any producer/consumer family of wheels across the layout matrix."""
