"""Court papers: receiving, filing with versions, sharing with the IRO (P6), receipts and downloads."""
