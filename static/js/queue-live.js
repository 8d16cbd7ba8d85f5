// Live queue behaviour (live-delivery work).
