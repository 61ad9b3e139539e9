"""The synthetic Copenhagen-like job centre (docs/synthetic.md)."""
