"""Scheduled work: the scheduler, the sweep, notifications, and the request lifecycle they drive."""
