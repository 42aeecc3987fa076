"""Adherence to the protocol, for Cafcass managers and IRO managers, computed in SQL within their scope."""
