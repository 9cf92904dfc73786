"""The class commands: class up, check, ips, down and handouts over a roster."""
