"""What you type: the typer commands; each parses, calls the engine, hands a view the result."""
