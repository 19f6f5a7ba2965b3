"""buyer-agent: automates a buyer's own AliExpress account with a real browser."""

__version__ = "0.1.0"
