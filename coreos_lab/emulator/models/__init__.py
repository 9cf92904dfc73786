"""Per-provider models: state rules and the bodies ARM returns (one module per provider)."""
