"""The protocol engine: obligations P2-P14 opened by events, met by evidence, chased when they slip."""
