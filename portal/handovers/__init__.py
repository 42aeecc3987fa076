"""The end of proceedings: the handover (P14), its acknowledgement (P15), monitoring items and the
closing gate."""
