"""baclovoice: turn articles into accessible, cached narration."""

__version__ = "0.1.0"
