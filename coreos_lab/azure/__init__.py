"""The Azure layer, the only code that imports the SDKs: reads a lab and converges it on a plan."""
