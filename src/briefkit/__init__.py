"""briefkit: scaffold, fact-check and publish policy briefs."""

__version__ = "0.1.0"
