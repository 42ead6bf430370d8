"""recapmail: turn event recaps and news feeds into a newsletter and social posts."""

__version__ = "0.1.0"
