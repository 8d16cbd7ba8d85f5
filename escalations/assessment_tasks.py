"""AI assessment task (escalation core work)."""
