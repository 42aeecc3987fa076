"""The standard end-of-proceedings handover (P14): its versioned template, validation and rendering.

Reserved: the handover is built after the protocol engine, on top of the shared case view.
"""
