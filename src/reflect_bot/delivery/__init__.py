"""Scheduled sends: the planner writes delivery rows, the sender claims and sends them."""
