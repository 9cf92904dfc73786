"""OpenSSH: the command line, config blocks, running it, and why it failed."""
