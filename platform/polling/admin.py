"""Admin of polling day: the records are written by the services (scans, counts), so the admin reads."""
