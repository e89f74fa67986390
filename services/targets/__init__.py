"""The targets service: SKP work plans, their approval, and the daily activity log."""
