"""The case register: what users import and export, and the questions asked of it."""
