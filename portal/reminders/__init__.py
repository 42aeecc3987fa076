"""The clock: reminders before due dates, overdue notices, chasers for unanswered contacts, catch-ups that
consultation arrangements ask for, and daily digests."""
