"""Who staffs each case: the queues of cases waiting for a guardian or an IRO, and caseloads."""
