"""The operate face: caps, allocation and continuity, the meeting rhythm, case flow."""
