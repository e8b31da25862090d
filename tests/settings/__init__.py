"""Settings read from the environment, and how the servers are started with them."""
