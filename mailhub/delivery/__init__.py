"""Delivery: routes, the SMTP client side, and the manager that schedules it."""
