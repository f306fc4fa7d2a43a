"""Account rules shared by the admin operations and the sign-in engine: which user a name
means, what an attribute may hold, what a password must be and what is kept of it."""
