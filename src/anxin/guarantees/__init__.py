"""The guarantee hall: every right protecting an order, its clock, status and payouts."""
